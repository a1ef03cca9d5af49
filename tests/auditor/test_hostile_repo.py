"""A hostile repository: links that loop or lead out of the tree, a 200 MB sparse file, binary "source", odd
names, an unreadable file, deep nesting and malformed configuration. The audit must finish (exit 0 or 1), note
every file it skipped, print no traceback and never read anything outside the tree."""

from __future__ import annotations

import builtins
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mlops_audit import cli
from mlops_audit import repo as repo_mod
from mlops_audit.engine import audit
from mlops_audit.formats import FORMATS, render

from tests.helpers.repos import git

MARKER = "OUTSIDE-MARKER-3f9c1e"
BAD_NAME = os.fsdecode(b"caf\xe9 \xff data.py")
DEEP = "/".join(f"level{i}" for i in range(50))

#: file -> what its note must mention (every file the audit has to skip)
SKIPPED = {
    "loop-a": "symbolic link",
    "loop-b": "symbolic link",
    "outside-dir": "symbolic link",
    "outside-file.py": "symbolic link",
    "absolute-link.txt": "symbolic link",
    "data/huge.bin": "larger than",
    "src/binary.py": "binary",
    "locked.py": "unreadable",
    ".github/workflows/ci.yml": "YAML",
    "notebooks/broken.ipynb": "notebook",
    "pyproject.toml": "TOML",
}


def build_hostile(base: Path, *, as_git: bool) -> tuple[Path, Path]:
    """The hostile tree at ``base/repo`` and, beside it, ``base/outside`` holding the marker files."""
    outside = base / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.py").write_text(f'TOKEN = "{MARKER}"  # import mlflow\n')
    (outside / "dir" / "train.py").write_text(f"import mlflow\nmlflow.log_param('m', '{MARKER}')\n")
    root = base / "repo"
    root.mkdir()
    files: dict[str, bytes] = {
        "README.md": b"# hostile\n\nA repository made to break auditors.\n",
        "src/train.py": b"import mlflow\nfrom sklearn.linear_model import LinearRegression\nLinearRegression().fit(X, y)\n",
        # binary bytes that still trip the byte prefilters, so the Python facts try to parse it
        "src/binary.py": b"\x00\x01import mlflow\x00\xff\xfe sklearn .fit( seed\x00" + bytes(range(256)) * 64,
        "name with spaces.py": b"import os\nprint(os.getcwd())\n",
        "locked.py": b"import mlflow\nmlflow.autolog()\n",
        f"{DEEP}/deep.py": b"import mlflow\nmlflow.log_metric('x', 1)\n",
        ".github/workflows/ci.yml": b"on: [push\njobs: {{{\n\t- steps: [\n",
        "notebooks/broken.ipynb": b'{"cells": [ this is not JSON',
        "pyproject.toml": b'[project\nname = "unterminated\n',
        "requirements.txt": b"numpy>=1\n\xff\xfe\x00garbage ===\n-r missing.txt\n",
        "Dockerfile": b"FROM\nRUN \x00\n",
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / BAD_NAME).write_bytes(b"x = '\xff\xfe'\nimport mlflow\n")
    (root / "data").mkdir()
    with open(root / "data" / "huge.bin", "wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: no disk space, but 200 MB to anyone who reads it
    (root / "loop-a").symlink_to("loop-b")
    (root / "loop-b").symlink_to("loop-a")
    (root / "outside-dir").symlink_to(outside / "dir")
    (root / "outside-file.py").symlink_to(Path("..") / "outside" / "secret.py")
    (root / "absolute-link.txt").symlink_to(outside / "secret.py")
    if as_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "hostile")
    return root, outside


@pytest.fixture(scope="module", params=["git", "plain"])
def hostile(request, tmp_path_factory) -> tuple[Path, Path]:
    """Built once per variant (hashing 200 MB into git takes a few seconds); the tests only read it."""
    return build_hostile(tmp_path_factory.mktemp(request.param), as_git=request.param == "git")


def _cli(root: Path, *args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLOPS_AUDIT_CACHE_DIR": str(cache_dir)}
    return subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(root), *args],
        capture_output=True,
        text=True,
        errors="replace",
        env=env,
        timeout=300,
        check=False,
    )


def _assert_skipped_noted(notes: list[dict[str, str]], *, locked: bool) -> None:
    by_path: dict[str, list[str]] = {}
    for note in notes:
        by_path.setdefault(note["path"], []).append(note["message"])
    for path, what in SKIPPED.items():
        if path == "locked.py" and not locked:
            continue
        messages = by_path.get(path, [])
        assert any(what.lower() in m.lower() for m in messages), (
            f"no note about {what} for {path}: {messages}"
        )


def test_cli_audits_hostile_tree(hostile, tmp_path):
    root, _ = hostile
    for extra in ([], ["--no-cache"]):  # cold with cache, warm from the cache, and without
        for _ in range(2 if not extra else 1):
            proc = _cli(root, "-f", "json", *extra, cache_dir=tmp_path / "cache")
            assert proc.returncode in (0, 1), proc.stderr
            assert "Traceback" not in proc.stderr, proc.stderr
            assert MARKER not in proc.stdout
            report = json.loads(proc.stdout)
            _assert_skipped_noted(report["notes"], locked=False)
    text = _cli(root, cache_dir=tmp_path / "cache")  # the rich text format too
    assert text.returncode in (0, 1) and "Traceback" not in text.stderr, text.stderr
    assert MARKER not in text.stdout


def _record_opens(monkeypatch, deny: str | None = None) -> list[str]:
    """Record every path opened in this process (os.open, open, io.open, scandir, listdir); opening ``deny``
    raises PermissionError, as a file without read permission would for a non-root user."""
    seen: list[str] = []

    def wrap(fn):
        def opener(path, *args, **kwargs):
            if isinstance(path, (str, bytes, os.PathLike)):
                text = os.fsdecode(os.fspath(path))
                seen.append(text)
                if deny is not None and text == deny:
                    raise PermissionError(13, "Permission denied", text)
            return fn(path, *args, **kwargs)

        return opener

    monkeypatch.setattr(os, "open", wrap(os.open))
    monkeypatch.setattr(builtins, "open", wrap(builtins.open))
    monkeypatch.setattr(io, "open", wrap(io.open))
    monkeypatch.setattr(os, "scandir", wrap(os.scandir))
    monkeypatch.setattr(os, "listdir", wrap(os.listdir))
    return seen


@pytest.mark.parametrize("use_cache", [True, False])
def test_in_process_nothing_outside_is_opened(hostile, tmp_path, monkeypatch, use_cache):
    root, outside = hostile
    monkeypatch.setenv("MLOPS_AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    locked = str(root.resolve() / "locked.py")
    seen = _record_opens(monkeypatch, deny=locked)
    report = audit(root, use_cache=use_cache)
    monkeypatch.undo()

    outside_real = os.path.realpath(outside)
    read_outside = [p for p in seen if os.path.realpath(p).startswith(outside_real + os.sep)]
    assert not read_outside, read_outside
    assert locked in seen  # the prefilter tried to read it, and got the permission error
    _assert_skipped_noted([n.as_dict() for n in report.notes], locked=True)
    for fmt in FORMATS:
        out = render(fmt, [report])
        assert isinstance(out, str) and MARKER not in out
    assert MARKER not in json.dumps(report.to_dict())


def test_real_chmod_000_is_not_a_crash(tmp_path, capsys):
    root, _ = build_hostile(tmp_path, as_git=False)
    locked = root / "locked.py"
    locked.chmod(0)
    try:
        with pytest.raises(SystemExit) as exc:
            cli.main([str(root), "-f", "json", "--no-cache"])
    finally:
        locked.chmod(0o644)
    assert exc.value.code in (0, 1)
    out = capsys.readouterr().out
    report = json.loads(out)
    if os.geteuid() != 0:  # root reads it anyway; anyone else gets a note
        assert any(n["path"] == "locked.py" for n in report["notes"])


def test_non_utf8_and_spaced_names_are_listed(hostile):
    root, _ = hostile
    repo = repo_mod.Repo(root)
    assert BAD_NAME in repo.entries
    assert "name with spaces.py" in repo.entries
    assert f"{DEEP}/deep.py" in repo.entries
    assert repo.read_text(BAD_NAME) is not None

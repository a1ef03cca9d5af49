"""The audit cache: a second run re-reads only changed files, results never differ from an uncached run, a
corrupt cache is ignored, the key covers the configuration and the version, and the cache stays out of the tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlops_audit import cache as cache_mod
from mlops_audit import gitls
from mlops_audit.config import Config
from mlops_audit.engine import audit
from mlops_audit.facts import python as py
from mlops_audit.formats import render
from mlops_audit.repo import Repo

FILES: dict[str, str | bytes | None] = {
    "README.md": "# Churn\n\nPredicts churn from usage data; trained with scikit-learn, tracked with MLflow.\n",
    "pyproject.toml": '[project]\nname = "churn"\ndependencies = ["scikit-learn>=1.4", "mlflow>=2"]\n',
    "src/churn/train.py": (
        "import mlflow\nimport hydra\nfrom sklearn.ensemble import RandomForestClassifier\n\n"
        "@hydra.main(config_path='../../conf', config_name='config', version_base=None)\n"
        "def main(cfg):\n    mlflow.log_param('n', cfg.n)\n"
        "    RandomForestClassifier(n_estimators=cfg.n, random_state=0).fit(X, y)\n\n"
        "if __name__ == '__main__':\n    main()\n"
    ),
    "src/churn/data.py": "import pandas as pd\n\ndef load(path):\n    return pd.read_csv(path)\n",
    "src/churn/broken.py": "import mlflow\n\ndef oops(:\n    mlflow.log_metric(1)\n",
    "src/churn/util.py": "def add(a, b):\n    return a + b\n",
    "tests/test_util.py": "from churn.util import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "conf/config.yaml": "n: 100\nseed: 0\n",
    "notebooks/eda.ipynb": json.dumps(
        {
            "cells": [{"cell_type": "code", "source": ["import mlflow\n"], "outputs": [], "metadata": {}}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ),
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
    "data/raw.csv": "a,b\n1,2\n",
}


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "audit-cache"
    monkeypatch.setenv(cache_mod.ENV_VAR, str(path))
    return path


def _age(root: Path, seconds: int = 60) -> None:
    """Date every file back, out of the 'racy' window in which an mtime key is not trusted."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if ".git" not in path.relative_to(root).parts and path.is_file():
            os.utime(path, (past, past))


def _report(root: Path, **kwargs) -> dict:
    data = json.loads(render("json", [audit(root, **kwargs)]))
    data.pop("duration_seconds", None)
    return data


def _workload(repo: Repo) -> None:
    """What checks do with Python files: a byte prefilter, then a parse of the candidates."""
    py.modules_containing(repo, b"mlflow", b"sklearn")
    py.modules_containing(repo, b"def ")
    for path in py.python_files(repo):
        repo.contains(path, b"random_state")


@pytest.mark.parametrize("as_git", [True, False])
def test_second_run_reads_only_changed_files(make_repo, cache_dir, reads, as_git):
    root = make_repo(FILES, git=as_git)
    _age(root)
    config = Config()

    def run() -> list[str]:
        reads.clear()
        repo = Repo(root)
        cache = cache_mod.open_cache(repo, config)
        repo.use_cache(cache)
        _workload(repo)
        cache.save()
        return sorted(set(reads))

    cold = run()
    assert "src/churn/train.py" in cold and "src/churn/util.py" in cold
    assert run() == []  # nothing changed: every answer comes from the cache
    (root / "src/churn/util.py").write_text("import mlflow\n\ndef add(a, b):\n    return a + b\n")
    assert run() == ["src/churn/util.py"]
    # a file written a moment ago is "racy" (its mtime may not change with its next edit): not stored yet
    assert run() == ["src/churn/util.py"]
    past = time.time() - 60
    os.utime(root / "src/churn/util.py", (past, past))
    assert run() == ["src/churn/util.py"]  # the key changed with the mtime
    assert run() == []


def test_full_audit_warm_run_rereads_only_what_changed(make_repo, cache_dir, reads, monkeypatch):
    root = make_repo(FILES)
    audit(root)
    reads.clear()
    audit(root)
    assert reads == []  # nothing changed: the whole audit comes from the cache
    parsed: list[str] = []
    original = py.analyze_source
    monkeypatch.setattr(
        py, "analyze_source", lambda source, path="<string>": parsed.append(path) or original(source, path)
    )
    (root / "src/churn/data.py").write_text(
        "import pandas as pd\nimport mlflow\n\ndef load(p):\n    return 1\n"
    )
    _age(root)  # out of the racy window, so that the new content is trusted by its key
    reads.clear()
    audit(root)
    assert "src/churn/data.py" in reads
    assert set(parsed) <= {"src/churn/data.py"}  # no unchanged Python file is parsed again
    reads.clear()
    audit(root)
    assert reads == []


def test_results_identical_with_and_without_cache(make_repo, cache_dir):
    root = make_repo(FILES)
    sub = make_repo(
        {**FILES, "svc/pyproject.toml": '[project]\nname = "svc"\n', "svc/app.py": "import mlflow\n"}
    )
    for tree in (root, sub):
        uncached = _report(tree, use_cache=False)
        assert _report(tree) == uncached  # cold
        assert _report(tree) == uncached  # warm
    assert list(cache_dir.iterdir())


def test_notes_are_replayed_from_the_cache(make_repo, cache_dir):
    root = make_repo(FILES)
    cold = audit(root)
    warm = audit(root)
    assert any(n.path == "src/churn/broken.py" for n in cold.notes)
    assert [n.as_dict() for n in warm.notes] == [n.as_dict() for n in cold.notes]


def _cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.cache")) if cache_dir.exists() else []


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"garbage" * 10,
        lambda b: b[: len(b) // 2],
        lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]),
        lambda b: b"",
        lambda b: cache_mod.MAGIC + b"\xff\xff\xff\x7f" + b"x",
        lambda b: cache_mod.MAGIC + os.urandom(4096),
    ],
)
def test_corrupt_cache_file_is_ignored_and_rewritten(make_repo, cache_dir, damage):
    root = make_repo(FILES)
    expected = _report(root, use_cache=False)
    _report(root)
    (path,) = _cache_files(cache_dir)
    tree = path.with_suffix(".tree")
    assert tree.exists()
    for victim in (path, tree):
        victim.write_bytes(damage(victim.read_bytes()))
    assert _report(root) == expected
    opened = cache_mod.open_cache(Repo(root), Config())
    assert opened.loaded and opened._tree is not None  # both rewritten soundly
    tree.write_bytes(damage(tree.read_bytes()))  # the tree results alone
    assert _report(root) == expected


def test_foreign_version_is_ignored(make_repo, cache_dir, monkeypatch, reads):
    root = make_repo(FILES)
    audit(root)
    (path,) = _cache_files(cache_dir)
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    reads.clear()
    audit(root)
    assert "src/churn/train.py" in reads  # a different version starts cold
    assert len(_cache_files(cache_dir)) == 2
    # a file of another header at this very name is ignored too
    other = cache_mod.open_cache(Repo(root), Config())
    other.path.write_bytes(path.read_bytes())
    assert not cache_mod.open_cache(Repo(root), Config()).loaded


def test_key_covers_configuration_and_version(make_repo, cache_dir, monkeypatch):
    root = make_repo(FILES)
    repo = Repo(root)
    base = cache_mod.open_cache(repo, Config()).path
    assert cache_mod.open_cache(repo, Config(ignore={"REP001": "x"})).path != base
    assert cache_mod.open_cache(repo, Config(options={"VER002": {"max-file-mb": 5}})).path != base
    assert cache_mod.open_cache(repo, Config(exclude=("data/",))).path != base
    assert cache_mod.open_cache(repo, Config(fail_on="warning")).path == base  # gates do not change facts
    monkeypatch.setattr(cache_mod, "__version__", "0.0.0-other")
    assert cache_mod.open_cache(repo, Config()).path != base
    monkeypatch.undo()
    assert cache_mod.open_cache(repo, Config(), ["some.plugin:register"]).path != base


def test_audit_keys_its_cache_by_the_installed_plugins(make_repo, cache_dir, monkeypatch, opened):
    from mlops_audit import engine

    root = make_repo(FILES)
    audit(root)
    monkeypatch.setattr(engine, "plugin_set", lambda: ["some.plugin:register"])
    audit(root)
    assert opened[0].path != opened[1].path and not opened[1].loaded


@pytest.fixture
def opened(monkeypatch) -> list[cache_mod.AuditCache]:
    """The caches the audits of the test opened, in order."""
    seen: list[cache_mod.AuditCache] = []
    original = cache_mod.open_cache

    def recording(*args, **kwargs):
        cache = original(*args, **kwargs)
        seen.append(cache)
        return cache

    monkeypatch.setattr(cache_mod, "open_cache", recording)
    return seen


def test_changing_ignore_or_options_invalidates(make_repo, cache_dir, opened):
    root = make_repo(FILES)
    audit(root)
    audit(root)
    assert not opened[0].loaded and opened[1].tree_hit and opened[1].hits and not opened[1].misses
    (root / ".mlops-audit.toml").write_text('ignore = ["DOC001"]\n')
    audit(root)
    assert not opened[2].loaded and opened[2].path != opened[1].path
    audit(root)
    assert opened[3].loaded  # (the new .mlops-audit.toml is too fresh for whole-tree results)
    audit(root, ignore=["DOC002"])
    assert not opened[4].loaded and not opened[4].tree_hit


def test_no_cache_writes_nothing(make_repo, tmp_path):
    root = make_repo(FILES)
    cache = tmp_path / "c"
    env = {**os.environ, cache_mod.ENV_VAR: str(cache), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(root), "-f", "json", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert not cache.exists() and not (tmp_path / "xdg").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(root), "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert _cache_files(cache)


def test_cache_is_outside_the_tree_by_default(make_repo, tmp_path, monkeypatch):
    root = make_repo(FILES)
    monkeypatch.delenv(cache_mod.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def tree() -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*"))

    before = tree()
    audit(root)
    audit(root)
    assert tree() == before
    assert _cache_files(tmp_path / "xdg" / "mlops-audit")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_mod.default_dir() == tmp_path / "home" / ".cache" / "mlops-audit"


def test_config_cache_dir_and_env_override(make_repo, tmp_path, monkeypatch):
    root = make_repo(FILES)
    monkeypatch.delenv(cache_mod.ENV_VAR, raising=False)
    assert cache_mod.cache_dir(root, Config(cache_dir="../elsewhere")) == root / "../elsewhere"
    assert cache_mod.cache_dir(root, Config(cache_dir=str(tmp_path / "abs"))) == tmp_path / "abs"
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "env"))
    assert cache_mod.cache_dir(root, Config(cache_dir="x")) == tmp_path / "env"
    audit(root)
    assert _cache_files(tmp_path / "env")


def test_unwritable_cache_dir_is_not_an_error(make_repo, tmp_path, monkeypatch):
    root = make_repo(FILES)
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv(cache_mod.ENV_VAR, str(blocker / "cache"))
    assert _report(root) == _report(root, use_cache=False)


def test_unreadable_file_is_not_cached(make_repo, cache_dir, monkeypatch):
    root = make_repo(FILES)
    target = str(root.resolve() / "src/churn/train.py")
    real_open = os.open

    def deny(path, *args, **kwargs):
        if os.fspath(path) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    denied = audit(root)
    assert any(n.path == "src/churn/train.py" and "unreadable" in n.message for n in denied.notes)
    monkeypatch.setattr(os, "open", real_open)
    after = audit(root)  # readable again: read, not answered from the failed run
    assert not any("unreadable" in n.message for n in after.notes)
    assert _report(root) == _report(root, use_cache=False)


def test_module_round_trip_keeps_every_field():
    source = (
        "import numpy as np\nfrom a.b import c as d\n@d.deco(x=1)\nclass K(np.Base):\n    pass\n"
        "SEED = 42\nNAMES = ('a', b'b', 1.5, None, {1, 2}, frozenset(), 1j, ...)\n"
        "np.random.seed(SEED, k=[1, {'a': (2,)}], v=foo(), w=np.float32)\nd(1, x, *y, **z)\n"
        "if __name__ == '__main__':\n    pass\n"
    )
    info = py.analyze_source(source, "m.py")
    again = py._decode_module(py._encode_module(info), "m.py")
    assert again == info
    broken = py.analyze_source("def (", "b.py")
    assert py._decode_module(py._encode_module(broken), "b.py") == broken


def test_cache_dir_inside_the_tree_is_not_audited(make_repo, monkeypatch, opened):
    root = make_repo({**FILES, ".mlops-audit.toml": 'cache-dir = ".cache/audit"\n'})
    monkeypatch.delenv(cache_mod.ENV_VAR, raising=False)
    _age(root)
    first = _report(root)
    assert list((root / ".cache" / "audit").glob("*.cache"))
    assert _report(root) == first
    assert opened[1].tree_hit  # the cache files themselves did not change what is audited


@pytest.mark.parametrize("cached", [False, True])
def test_file_facts_seen_from_a_subproject_name_its_paths(make_repo, cache_dir, cached):
    from mlops_audit.facts import secrets

    root = make_repo(
        {
            **FILES,
            "svc/pyproject.toml": '[project]\nname = "svc"\n',
            # a token-shaped string, split here so that the auditor does not flag this test file itself
            "svc/app.py": 'import mlflow\ntoken = "ghp' + '_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"\n',
        }
    )
    for _ in range(2 if cached else 1):  # with the cache: computed, then decoded from it
        repo = Repo(root)
        cache = cache_mod.open_cache(repo, Config()) if cached else None
        if cache is not None:
            repo.use_cache(cache)
        view = repo.subproject("svc")
        assert py.module(repo, "svc/app.py").path == "svc/app.py"
        assert py.module(view, "app.py").path == "app.py"
        assert py.module(view, "app.py").imports == [("mlflow", 1)]
        assert [f.path for f in secrets.file_secrets(view, "app.py")] == ["app.py"]
        assert [f.path for f in secrets.file_secrets(repo, "svc/app.py")] == ["svc/app.py"]
        if cache is not None:
            cache.save()


def test_unchanged_tree_is_answered_without_building_the_file_list(make_repo, cache_dir, monkeypatch):
    root = make_repo(FILES)
    first = _report(root)
    built: list[str] = []
    original = gitls.parse_listing

    def counting(root, top, listing):
        built.append(str(root))
        return original(root, top, listing)

    monkeypatch.setattr(gitls, "parse_listing", counting)
    assert _report(root) == first and built == []  # git's raw listing digested, nothing else
    (root / "LICENSE").write_text("MIT License\n\nPermission is hereby granted, free of charge...\n")
    _age(root)
    after = _report(root)  # a new untracked file: the whole-tree results are not reused
    assert built and after["facts"]["license"]["value"] is True
    assert first["facts"]["license"]["value"] is not True


def test_parallel_parse_gives_the_same_facts_and_notes(make_repo, monkeypatch):
    files = {
        f"src/m{i}.py": f"import mlflow\nx{i} = {i}\nmlflow.log_metric('m', x{i}, step={i})\n"
        for i in range(40)
    }
    files["src/broken.py"] = "import mlflow\ndef f(:\n"
    files["src/binary.py"] = b"import mlflow\x00\x01"
    root = make_repo(files)

    def facts(parallel: bool):
        monkeypatch.setattr(py, "PARALLEL_MIN_FILES", 5 if parallel else 10**9)
        monkeypatch.setattr(py, "_cores_idle", lambda cores: True)
        repo = Repo(root)
        mods = py.modules_containing(repo, b"mlflow")
        return mods, sorted((n.path, n.message) for n in repo.notes)

    serial, parallel = facts(False), facts(True)
    assert len(serial[0]) == 41 and parallel == serial
    repo = Repo(root)  # and the pool really ran (41 text files; the binary one is left to the notes)
    assert len(py._parse_in_parallel(repo, repo.grep(py.python_files(repo), b"mlflow"))) == 41
    assert any(path == "src/broken.py" for path, _ in parallel[1])


def test_both_caches_offer_exactly_what_the_repository_asks():
    import inspect

    from mlops_audit.cache_protocol import FactCache, NullCache

    asked = {
        n: inspect.signature(f) for n, f in vars(FactCache).items() if inspect.isfunction(f) and n[0] != "_"
    }
    assert set(asked) == {
        "read_done",
        "contains_many",
        "put_contains",
        "get_fact",
        "has_fact",
        "put_fact",
        "put_fact_blob",
    }
    for impl in (cache_mod.AuditCache, NullCache):
        for name, wanted in asked.items():
            assert list(inspect.signature(getattr(impl, name)).parameters) == list(wanted.parameters), (
                impl,
                name,
            )
    null = NullCache()
    assert null.contains_many(["a", "b"], (b"x",)) == [None, None]
    assert null.get_fact("a", "k") == (False, None) and not null.has_fact("a", "k")


def test_whole_word_needles_are_cached_apart_from_plain_ones(make_repo, cache_dir, reads):
    from mlops_audit.repo import word

    root = make_repo({"a.py": "import gin\n", "b.py": "margin = original = 1\n"})
    _age(root)
    config = Config()

    def run() -> tuple[list[str], list[str], list[str]]:
        reads.clear()
        repo = Repo(root)
        cache = cache_mod.open_cache(repo, config)
        repo.use_cache(cache)
        found = (repo.grep(["a.py", "b.py"], word("gin")), repo.grep(["a.py", "b.py"], b"gin"))
        cache.save()
        return *found, sorted(set(reads))

    assert run() == (["a.py"], ["a.py", "b.py"], ["a.py", "b.py"])
    assert run() == (["a.py"], ["a.py", "b.py"], [])  # both answers from the cache, neither file read


def test_a_full_audit_parses_ahead_in_one_batch_with_the_same_report(make_repo, monkeypatch):
    """A full audit parses every file a declared prefilter selects in one pool batch before the first check
    needs one; the report is the one a serial audit gives, and an audit of selected checks does not batch."""
    files = dict(FILES)
    for i in range(30):
        files[f"src/churn/models/model_{i}.py"] = (
            "import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\n"
            f"def train_{i}(X, y):\n    model = LogisticRegression(random_state={i}).fit(X, y)\n"
            f"    mlflow.log_metric('auc', {i / 100})\n    assert model.score(X, y) > 0.7\n    return model\n"
        )
    # facts the workers make (the parse, the imports, the secret scan) and the notes they carry
    files["src/churn/models/broken.py"] = "import mlflow\ndef train(:\n"
    files["src/churn/models/keys.py"] = (
        "import mlflow\nTOKEN = " + repr("ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A") + "\n"
    )
    root = make_repo(files)
    batches: list[int] = []
    aheads: list[str] = []
    real_in_pool, real_ahead = py._in_pool, py._parse_ahead

    def counting(repo, worker, items, args):
        batches.append(len(items))
        return real_in_pool(repo, worker, items, args)

    def ahead(repo):
        aheads.append(repo.prefix)
        real_ahead(repo)

    def report(parallel: bool, select: str = "") -> dict:
        batches.clear()
        aheads.clear()
        monkeypatch.setattr(py, "_parse_ahead", ahead)
        monkeypatch.setattr(py, "PARALLEL_MIN_FILES", 5 if parallel else 10**9)
        monkeypatch.setattr(py, "_cores_idle", lambda cores: True)
        monkeypatch.setattr(py, "_in_pool", counting)
        config = Config(select=(select,)) if select else Config()
        data = json.loads(render("json", [audit(root, config=config, use_cache=False)]))
        data.pop("duration_seconds")
        return data

    serial = report(False)
    assert batches == [] and aheads == [""]  # allowed, but a pool does not pay for so few files
    assert "SEC001" in {r["id"] for r in serial["results"] if r["status"] == "fail"}
    assert any(n["path"] == "src/churn/models/broken.py" for n in serial["notes"])
    assert report(True) == serial
    # one pool first: every Python file searched for every prefilter, the models parsed, nothing else later
    assert aheads == [""] and batches == [len([p for p in files if p.endswith(".py")])]
    report(True, select="REP001")
    assert aheads == []  # a selection parses only what its checks ask for

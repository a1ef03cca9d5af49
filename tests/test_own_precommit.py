"""This repository's own pre-commit hooks (.pre-commit-config.yaml) pass on its working tree, and catch faults.

The hooks run for real (``pre-commit run --all-files``) in a one-commit copy of the working tree, offline: every
hook is local and calls a tool of this test run's environment through ``uv run --frozen`` (``UV_NO_SYNC`` and
``UV_PROJECT_ENVIRONMENT`` make uv use that environment as it is), mypy included (about 8 s from a cold cache).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.repos import CHECKOUT, GIT_ENV, git, snapshot_checkout
from tests.helpers.template import require_tool

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
SUMMARY = re.compile(r"^(?P<name>.+?)\.{3,}(?:\(no files to check\))?(?P<verdict>Passed|Failed|Skipped)$")
#: every hook but mypy (its verdict is checked on its own below)
CHECKED = (
    "ruff-check",
    "ruff-format",
    "trailing-whitespace",
    "end-of-file-fixer",
    "check-yaml",
    "check-toml",
    "check-merge-conflict",
    "check-added-large-files",
)


def hook_ids() -> list[str]:
    config = yaml.safe_load((CHECKOUT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]


def run_hooks(clone: Path, home: Path) -> subprocess.CompletedProcess[str]:
    uv = Path(require_tool("uv"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "VIRTUAL_ENV"))}
    env.update(
        GIT_ENV,
        PATH=f"{uv.parent}{os.pathsep}{env.get('PATH', '')}",
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        UV_NO_SYNC="1",
        UV_PROJECT_ENVIRONMENT=sys.prefix,
        UV_OFFLINE="1",
    )
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--all-files", "--show-diff-on-failure"],
        cwd=clone,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def verdicts(output: str) -> dict[str, str]:
    """hook name -> Passed / Failed / Skipped, from pre-commit's summary lines (``name......Passed``)."""
    found = (SUMMARY.match(line) for line in output.splitlines())
    return {m["name"]: m["verdict"] for m in found if m}


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_checkout(tmp_path_factory.mktemp("own-precommit") / "repo")


def test_config_declares_the_hooks():
    ids = hook_ids()
    assert set(ids) == {*CHECKED, "mypy"}
    assert len(ids) == len(set(ids))


def test_own_hooks_pass_on_the_working_tree(clone: Path, tmp_path: Path):
    proc = run_hooks(clone, tmp_path / "pre-commit-home")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    found = verdicts(proc.stdout)
    names = {
        "ruff check",
        "ruff format",
        "trim trailing whitespace",
        "fix end of files",
        "check yaml",
        "check toml",
        "check for merge conflicts",
        "check for added large files",
    }
    assert {name: found.get(name) for name in names} == dict.fromkeys(names, "Passed"), output
    assert found.get("mypy (auditor/)") == "Passed", output


def test_own_hooks_catch_and_fix_faults(clone: Path, tmp_path: Path):
    (clone / "scratch").mkdir()
    (clone / "scratch" / "bad.py").write_text("import os\nx = [1,2]  \n", encoding="utf-8")
    (clone / "scratch" / "notes.txt").write_text("trailing spaces  \nend\n", encoding="utf-8")
    (clone / "scratch" / "ends.txt").write_text("blank lines at the end\n\n\n", encoding="utf-8")
    (clone / "scratch" / "broken.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    (clone / "scratch" / "broken.toml").write_text("key = \n", encoding="utf-8")
    git(clone, "add", "-A")
    proc = run_hooks(clone, tmp_path / "pre-commit-home")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    found = verdicts(proc.stdout)
    for name in ("ruff check", "ruff format", "trim trailing whitespace", "fix end of files"):
        assert found.get(name) == "Failed", (name, output)
    assert found.get("check yaml") == "Failed", output
    assert found.get("check toml") == "Failed", output
    # the fixers fixed: the unused import removed, the code formatted, the whitespace trimmed
    assert (clone / "scratch" / "bad.py").read_text(encoding="utf-8") == "x = [1, 2]\n"
    assert (clone / "scratch" / "notes.txt").read_text(encoding="utf-8") == "trailing spaces\nend\n"
    assert (clone / "scratch" / "ends.txt").read_text(encoding="utf-8") == "blank lines at the end\n"

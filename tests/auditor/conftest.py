"""Fixture repositories for the auditor's tests: small trees built in temporary directories.

``make_repo({"path": "content", ...})`` writes files (str or bytes; ``None`` content = empty file) and, unless
``git=False``, commits them in a fresh git repository. ``check_result(root, "REP002")`` runs one check.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from mlops_audit.checks import decide
from mlops_audit.model import Result, Status
from mlops_audit.repo import Repo

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return proc.stdout


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            content = ""
        if isinstance(content, str):
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        else:
            path.write_bytes(content)


def build_repo(root: Path, files: dict[str, str | bytes | None], git_init: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, files)
    if git_init:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", "fixture")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes | None], *, git: bool = True, name: str | None = None) -> Path:
        return build_repo(tmp_path / (name or f"repo{next(counter)}"), files, git_init=git)

    return make


def check_result(root: Path | Repo, check_id: str) -> Result:
    """Decide one registered check on a fixture repository (its prerequisites first)."""
    repo = root if isinstance(root, Repo) else Repo(root)
    return decide(repo, check_id)


def assert_status(root: Path | Repo, check_id: str, status: Status) -> Result:
    result = check_result(root, check_id)
    assert result.status is status, (
        f"{check_id}: expected {status.value}, got {result.status.value}: {result.message}"
    )
    return result


@pytest.fixture
def run_git() -> Callable[..., str]:
    """``run_git(root, "add", "-A")``: git with a fixed identity and no user configuration."""
    return git

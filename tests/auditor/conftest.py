"""Fixtures of the auditor's tests: small repositories built in temporary directories.

``make_repo({"path": "content", ...})`` writes files (str or bytes; ``None`` content = empty file) and, unless
``git=False``, commits them in a fresh git repository. The helpers behind the fixtures live in
``tests.helpers`` (``repos``: git, write_tree, build_repo; ``checks``: check_result, assert_status).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.repos import build_repo, git


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes | None], *, git: bool = True, name: str | None = None) -> Path:
        return build_repo(tmp_path / (name or f"repo{next(counter)}"), files, git_init=git)

    return make


@pytest.fixture
def run_git() -> Callable[..., str]:
    """``run_git(root, "add", "-A")``: git with a fixed identity and no user configuration."""
    return git


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every file the repository reads from disk (full paths relative to the audited root)."""
    from mlops_audit.repo import Repo

    seen: list[str] = []
    original = Repo._read

    def counting(self, path):
        seen.append(self.prefix + path)
        return original(self, path)

    monkeypatch.setattr(Repo, "_read", counting)
    return seen

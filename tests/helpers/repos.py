"""Fixture repositories: small trees written in temporary directories and committed in a fresh git repository.

``build_repo(root, {"path": "content", ...})`` writes files (str or bytes; ``None`` content = empty file) and,
unless ``git_init=False``, commits them. ``git(root, ...)`` runs git with a fixed identity and no user
configuration. ``snapshot_checkout(dest)`` commits this checkout's working tree, as it is now, into ``dest``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

#: top-level entries of the checkout never copied into a snapshot (environments, build outputs)
SNAPSHOT_SKIP_TOP = {".git", ".venv", "site", "build", "dist"}


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


def snapshot_checkout(dest: Path) -> Path:
    """A one-commit git repository at ``dest`` holding this checkout's working tree as it is now
    (tracked and untracked-but-not-ignored files; uncommitted edits included, deleted files left out)."""
    assert (CHECKOUT / ".git").exists(), "this test needs the checkout to be a git repository"
    listed = subprocess.run(
        ["git", "-C", str(CHECKOUT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    dest.mkdir(parents=True, exist_ok=True)
    for rel in filter(None, listed.split("\0")):
        if rel.split("/", 1)[0] in SNAPSHOT_SKIP_TOP:
            continue
        src = CHECKOUT / rel
        if src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).symlink_to(src.readlink())
        elif src.is_file():  # tracked files deleted in the working tree are left out
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot of the working tree")
    return dest

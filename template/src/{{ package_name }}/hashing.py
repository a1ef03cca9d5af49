"""Content hashes and provenance recorded with every training run."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pandas as pd


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def frame_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's columns and values (row order included), independent of its index."""
    digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def lock_sha256(root: str | Path = ".") -> str:
    """SHA-256 of ``uv.lock``: the exact environment that trained a model."""
    lock = Path(root) / "uv.lock"
    if not lock.is_file():
        raise FileNotFoundError(f"{lock} not found: run `uv sync` (or `uv lock`) first")
    return file_sha256(lock)


def git_commit(root: str | Path = ".") -> str:
    """The current commit, suffixed with ``-dirty`` when tracked files have uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if status else commit

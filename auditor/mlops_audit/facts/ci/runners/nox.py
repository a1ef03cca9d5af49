"""nox sessions (``nox``, ``nox -s tests``): the literal commands of ``session.run(...)`` calls (AST)."""

from __future__ import annotations

from ....repo import Repo
from ..shell import Invocation
from .base import Found, options_and_names
from .pytasks import follow_python_tasks, python_tasks


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the sessions selected with ``-s`` (else every session)."""
    names, opts = options_and_names(
        list(inv.args), {"-s", "--session", "--sessions", "-f", "--noxfile", "-e", "-t", "-k", "-p"}
    )
    path = (opts.get("-f") or opts.get("--noxfile") or ["noxfile.py"])[-1]
    if path not in repo.entries:
        return []
    sessions = python_tasks(repo, path, "session", ("run", "run_always"))
    wanted = (
        (opts.get("-s") or [])
        + (opts.get("--session") or [])
        + (opts.get("--sessions") or [])
        + (opts.get("-e") or [])
    )
    if wanted:
        wanted += names  # nox -s a b
    else:
        wanted = list(sessions)
    return follow_python_tasks(repo, path, sessions, wanted)


def configured(repo: Repo) -> dict[str, str]:
    return {"nox": "noxfile.py"} if "noxfile.py" in repo.entries else {}

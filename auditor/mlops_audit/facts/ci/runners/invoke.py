"""invoke tasks (``invoke test``): the literal commands of ``c.run(...)`` calls in ``tasks.py`` (AST)."""

from __future__ import annotations

from ....repo import Repo
from ..shell import Invocation
from .base import Found, options_and_names
from .pytasks import follow_python_tasks, python_tasks


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the tasks named, and of the tasks they notify."""
    names, _ = options_and_names(list(inv.args), {"-c", "--collection", "-r", "--search-root"})
    path = "tasks.py" if "tasks.py" in repo.entries else None
    if path is None or not names:
        return []
    return follow_python_tasks(repo, path, python_tasks(repo, path, "task", ("run", "sudo")), names)


def configured(repo: Repo) -> dict[str, str]:
    return (
        {"invoke": "tasks.py"} if "tasks.py" in repo.entries and repo.contains("tasks.py", b"invoke") else {}
    )

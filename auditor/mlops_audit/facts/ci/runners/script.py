"""Shell scripts CI calls (``bash scripts/test.sh``, ``./ci/lint.sh``, ``source env.sh``): their commands."""

from __future__ import annotations

from ....repo import Repo
from ..shell import Invocation, script_commands
from .base import Found

SHELLS = frozenset({"bash", "sh", "zsh", "source", "."})


def matches(inv: Invocation) -> bool:
    """A shell given a script, or a script run directly (``x.sh``, ``./x``)."""
    prog = inv.program
    return (prog in SHELLS and bool(inv.args)) or prog.endswith(".sh") or prog.startswith("./")


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    prog = inv.program
    if prog in SHELLS and inv.args:
        return follow_path(repo, next((a for a in inv.args if not a.startswith("-")), None))
    return follow_path(repo, segment.split()[0] if prog.startswith("./") else prog)


def follow_path(repo: Repo, script: str | None) -> Found:
    """The commands of the script file ``script`` of the repository (Python and Windows scripts excepted)."""
    if not script:
        return []
    path = script[2:] if script.startswith("./") else script
    path = path.lstrip("/")
    if path not in repo.entries or path.endswith((".py", ".ps1", ".bat", ".cmd")):
        return []
    text = repo.read_text(path)
    if text is None:
        return []
    return [(c.text, c.path, c.line) for c in script_commands(repo, path, text, 1)]

"""``lefthook run <group>``: what the lefthook commands of that group run."""

from __future__ import annotations

from ....repo import Repo
from ..shell import Invocation
from .base import Found, options_and_names


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """What the commands of the lefthook group run by ``lefthook run [group]`` run."""
    names, _ = options_and_names(list(inv.args), set())
    if names[:1] != ["run"]:
        return []
    from ... import precommit  # facts.precommit, on use: keeps the import order of facts.load()

    group = names[1] if len(names) > 1 else "pre-commit"
    return [
        (h.command, h.path, h.line)
        for h in precommit.hooks(repo)
        if h.source == "lefthook" and h.stage == group
    ]

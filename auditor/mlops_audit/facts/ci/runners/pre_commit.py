"""``pre-commit run [hook]`` (and prek): what the hooks of ``.pre-commit-config.yaml`` run."""

from __future__ import annotations

from ....repo import Repo
from ..shell import Invocation
from .base import Found, options_and_names


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """What the hooks run by ``pre-commit run [hook ...]`` run."""
    names, _ = options_and_names(
        list(inv.args), {"-c", "--config", "--hook-stage", "--from-ref", "--to-ref", "--files"}
    )
    if not names or names[0] not in ("run", "run-all"):
        return []
    from ... import precommit  # facts.precommit, on use: keeps the import order of facts.load()

    wanted = names[1:]
    return [
        (hook.command, hook.path, hook.line)
        for hook in precommit.hooks(repo)
        if hook.source == "pre-commit" and (not wanted or hook.id in wanted)
    ]

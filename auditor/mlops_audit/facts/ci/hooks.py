"""What git hooks do, their commands followed: a local hook whose ``entry`` calls a task runner or a script
(``uv run make lint``) lints or formats as the target it runs does (``ruff check``)."""

from __future__ import annotations

from ...repo import Repo, memoized
from ..precommit import Hook, audited_hooks, hook_kinds
from .model import Command
from .runners import expand


def followed_kinds(repo: Repo, hook: Hook) -> set[str]:
    """``{"linter"}``, ``{"formatter"}``, both or none: what the hook runs, its ``entry`` followed into the
    task runner or script it calls."""
    kinds = hook_kinds(hook)
    if hook.entry and kinds != {"linter", "formatter"}:
        view = repo.subproject(hook.path.rsplit("/", 1)[0]) if "/" in hook.path else repo
        for below in expand(view, Command(hook.command, hook.path, hook.line)):
            kinds |= hook_kinds(Hook(below.text, below.path, below.line, entry=below.text))
    return kinds


@memoized
def _kinds(repo: Repo) -> list[tuple[Hook, set[str]]]:
    return [(h, followed_kinds(repo, h)) for h in audited_hooks(repo)]


def linter_hooks(repo: Repo) -> list[Hook]:
    """The audited hooks that run a linter, directly or through what they call."""
    return [h for h, kinds in _kinds(repo) if "linter" in kinds]


def formatter_hooks(repo: Repo) -> list[Hook]:
    """The audited hooks that run a formatter, directly or through what they call."""
    return [h for h, kinds in _kinds(repo) if "formatter" in kinds]

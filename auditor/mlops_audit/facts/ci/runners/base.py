"""What every task-runner follower shares: the :data:`Found` shape of what it returns, the :class:`Target` of a
task file, and the readers of a runner's command line and script tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ....repo import Repo
from ..shell import Invocation

#: What a follower returns: (command, file, line) of each command the invoked task runs.
Found = list[tuple[str, str, int | None]]
#: A follower: ``follow(repo, invocation, segment)``, the segment being the simple command as written.
Follow = Callable[[Repo, Invocation, str], Found]


def options_and_names(args: list[str], value_opts: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Positional names and options (``value_opts`` take the next argument) of a runner's command line."""
    names: list[str] = []
    opts: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-"):
            key, eq, val = a.partition("=")
            if eq:
                opts.setdefault(key, []).append(val)
            elif key in value_opts and i + 1 < len(args):
                opts.setdefault(key, []).append(args[i + 1])
                i += 1
            else:
                opts.setdefault(key, [])
        elif "=" not in a:
            names.append(a)
        i += 1
    return names, opts


@dataclass(slots=True)
class Target:
    """A task of a runner (Makefile target, just recipe, nox session...): its prerequisites and commands."""

    name: str
    line: int
    prereqs: list[str] = field(default_factory=list)
    recipe: list[tuple[str, int]] = field(default_factory=list)


def script_table_entries(value: Any) -> list[str]:
    """The command strings of a script-table entry (pdm, rye, hatch, pixi, mise: a string, a list, or a table)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        for key in ("cmd", "shell", "composite", "chain", "cmds"):
            if key in value:
                return script_table_entries(value[key])
        if isinstance(value.get("call"), str):
            return [f"python -c 'import {value['call']}'"]
    return []

"""Following CI commands into the task runners, hook managers and scripts they call (up to
:data:`MAX_DEPTH` levels: a job that calls a script that calls a task runner).

:data:`RUNNERS` is the one dispatch table: rows are tried in order and the first whose ``matches`` accepts the
:class:`~..shell.Invocation` follows it. A follower returns the (command, file, line) of what the invoked task
runs (:data:`.base.Found`); ``configured`` says which files configure the runner (the ``task_runners``
inventory).

Adding a runner = a module here with ``follow(repo, invocation, segment) -> Found`` (and, if it is configured
by a file of its own, ``configured(repo) -> {name: file}``), plus one row in :data:`RUNNERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ....repo import Repo, memoized
from ..model import Command
from ..shell import Invocation, invocation, segments
from . import invoke, just, lefthook, make, mise, nox, poe, pre_commit, project_scripts, script, taskfile, tox
from .base import Follow, Found


@dataclass(frozen=True, slots=True)
class Runner:
    """One row of the dispatch table."""

    name: str
    matches: Callable[[Invocation], bool]
    follow: Follow
    configured: Callable[[Repo], dict[str, str]] | None = None


def programs(*names: str) -> Callable[[Invocation], bool]:
    """``matches`` for a runner known by its program names."""
    wanted = frozenset(names)
    return lambda inv: inv.program in wanted


#: The dispatch table, in the order the rows are tried.
RUNNERS: tuple[Runner, ...] = (
    Runner("make", programs("make", "gmake", "$(MAKE)", "${MAKE}"), make.follow, make.configured),
    Runner("just", programs("just"), just.follow, just.configured),
    Runner("tox", programs("tox"), tox.follow, tox.configured),
    Runner("nox", programs("nox", "noxfile.py"), nox.follow, nox.configured),
    Runner("poe", programs("poe", "poethepoet"), poe.follow, poe.configured),
    Runner("mise", programs("mise"), mise.follow, mise.configured),
    Runner("task", programs("task", "go-task"), taskfile.follow, taskfile.configured),
    Runner("invoke", programs("invoke", "inv"), invoke.follow, invoke.configured),
    Runner("pre-commit", programs("pre-commit", "prek"), pre_commit.follow),
    Runner("lefthook", programs("lefthook"), lefthook.follow),
    Runner("script", script.matches, script.follow),
    Runner("project scripts", project_scripts.matches, project_scripts.follow, project_scripts.configured),
)


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """What the simple command ``segment`` (read as ``inv``) runs one level down, if a runner knows it."""
    runner = next((r for r in RUNNERS if r.matches(inv)), None)
    return runner.follow(repo, inv, segment) if runner else []


#: How deep CI commands are followed: a job calls a script that calls a task runner that runs the tests.
MAX_DEPTH = 3


def expand(repo: Repo, command: Command, depth: int = MAX_DEPTH) -> list[Command]:
    """The commands below ``command``, in order: what the task runners and scripts it calls run, and what
    those call in turn, up to ``depth`` levels (a script that calls itself is followed once)."""
    found: list[Command] = []
    seen: set[tuple[str, int | None, str]] = (
        set()
    )  # two commands may share a line: the text is part of the key

    def walk(current: Command, via: str, level: int) -> None:
        for segment in segments(current.text):
            inv = invocation(segment)
            if inv is None:
                continue
            for text, path, line in follow(repo, inv, segment):
                if (path, line, text) in seen:
                    continue
                seen.add((path, line, text))
                below = Command(text, path, line, via, command.job, command.pipeline, command.step)
                found.append(below)
                if level > 1:
                    walk(below, via, level - 1)

    walk(command, command.text, depth)
    return found


@memoized
def task_runner_files(repo: Repo) -> dict[str, str]:
    """Task runners configured in the repository -> the file that configures them."""
    found: dict[str, str] = {}
    for runner in RUNNERS:
        if runner.configured is not None:
            found.update(runner.configured(repo))
    return found

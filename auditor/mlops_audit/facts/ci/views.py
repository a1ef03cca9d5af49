"""Collected views of CI: the commands every pipeline runs (followed into task runners and scripts),
the commands matching a category or pattern, the ``uses:`` references of GitHub workflows, every step."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ...repo import Repo, memoized
from .classify import CATEGORIES, classify
from .model import Command, Job, Pipeline, Step
from .providers import pipelines
from .providers.github import local_action_steps, local_actions, local_uses_path
from .runners import expand


def _pipeline_direct(repo: Repo, pipe: Pipeline) -> list[Command]:
    out: list[Command] = []
    for job in pipe.jobs:
        for step in job.steps:
            out.extend(step.commands)
            if step.uses and local_uses_path(step.uses) and pipe.provider == "github":
                found = local_action_steps(repo, step.uses)
                if found:
                    for sub in found[1]:
                        out.extend(
                            Command(
                                c.text, c.path, c.line, f"uses: {step.uses}", job.id, pipe.path, step.name
                            )
                            for c in sub.commands
                        )
        target = local_uses_path(job.uses) if job.uses else None
        if target and pipe.provider == "github":
            called = next((p for p in pipelines(repo) if p.path == target), None)
            if called is not None and called is not pipe:
                for sub_job in called.jobs:
                    out.extend(
                        Command(c.text, c.path, c.line, f"uses: {job.uses}", job.id, pipe.path, c.step)
                        for c in sub_job.commands
                    )
    return out


def pipeline_commands(repo: Repo, pipe: Pipeline, *, follow: bool = True) -> list[Command]:
    """The commands of one pipeline, in file order, each followed by what it runs below (task runners, scripts)."""

    def compute() -> list[Command]:
        out: list[Command] = []
        for cmd in _pipeline_direct(repo, pipe):
            out.append(cmd)
            if follow:
                out.extend(expand(repo, cmd))
        return out

    return repo.memo(("ci.pipeline_commands", pipe.path, follow), compute)


@memoized
def all_commands(repo: Repo) -> list[Command]:
    """Every command of every pipeline, including those reached one level into task runners and scripts."""
    return [c for p in pipelines(repo) for c in pipeline_commands(repo, p)]


def runs(repo: Repo, predicate: Callable[[Command], bool] | str | re.Pattern[str]) -> list[Command]:
    """The commands of CI (followed one level) matching ``predicate``: a function, a regex, or a category
    name of :func:`classify` (``"test"``, ``"lint"``...)."""
    if isinstance(predicate, str) and predicate in CATEGORIES:
        category = predicate
        return [c for c in all_commands(repo) if category in classify(c.text)]
    if isinstance(predicate, str):
        rx = re.compile(predicate)
        return [c for c in all_commands(repo) if rx.search(c.text)]
    if not callable(predicate):  # a compiled pattern (or a lazyre one, compiled on first use)
        return [c for c in all_commands(repo) if predicate.search(c.text)]
    return [c for c in all_commands(repo) if predicate(c)]


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A ``uses:`` reference of a GitHub workflow or composite action: ``name@ref``."""

    uses: str
    path: str
    line: int | None
    job: str = ""

    @property
    def name(self) -> str:
        return self.uses.split("@", 1)[0]

    @property
    def ref(self) -> str:
        return self.uses.split("@", 1)[1] if "@" in self.uses else ""

    @property
    def local(self) -> bool:
        return local_uses_path(self.uses) is not None

    @property
    def docker(self) -> bool:
        return self.uses.startswith("docker://")

    @property
    def pinned(self) -> bool:
        """Pinned to an immutable ref: a full commit SHA, a docker digest, or a local path."""
        if self.local:
            return True
        if self.docker:
            return "@sha256:" in self.uses
        return bool(re.fullmatch(r"[0-9a-f]{40}", self.ref))


@memoized
def github_actions(repo: Repo) -> list[ActionRef]:
    """Every ``uses:`` of GitHub workflows (steps and reusable-workflow jobs) and local composite actions."""
    out: list[ActionRef] = []
    for pipe in pipelines(repo):
        if pipe.provider != "github":
            continue
        for job in pipe.jobs:
            if job.uses:
                out.append(ActionRef(job.uses, pipe.path, job.uses_line, job.id))
            out.extend(ActionRef(s.uses, pipe.path, s.uses_line, job.id) for s in job.steps if s.uses)
    for path in local_actions(repo):
        found = local_action_steps(repo, "./" + path.rsplit("/", 1)[0])
        if found:
            out.extend(ActionRef(s.uses, path, s.uses_line) for s in found[1] if s.uses)
    return out


def all_steps(repo: Repo) -> Iterator[tuple[Pipeline, Job, Step]]:
    """Every step of every pipeline, with its pipeline and job."""
    for pipe in pipelines(repo):
        for job in pipe.jobs:
            for step in job.steps:
                yield pipe, job, step


@memoized
def test_commands(repo: Repo) -> list[Command]:
    """CI commands that run tests, directly or one level into a task runner or script."""
    return runs(repo, "test")


@memoized
def lint_commands(repo: Repo) -> list[Command]:
    """CI commands that lint, directly or one level into a task runner or script."""
    return runs(repo, "lint")

"""The normalised CI model every provider parser produces: :class:`Pipeline` > :class:`Job` > :class:`Step` >
:class:`Command`, with the :class:`Trigger` s that start a pipeline. Plain data, no parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Events that start a pipeline without a code change (schedules, manual runs, API and cross-pipeline triggers).
EVENT_TRIGGERS = frozenset(
    {
        "schedule",
        "workflow_dispatch",
        "repository_dispatch",
        "workflow_run",
        "manual",
        "api",
        "pipeline",
        "web",
    }
)
#: Events under which a change is validated before merge.
REVIEW_TRIGGERS = frozenset({"pull_request", "pull_request_target", "merge_group"})


@dataclass(frozen=True, slots=True)
class Trigger:
    """What starts a pipeline: a normalised event, where it is declared, and its filters."""

    event: str
    path: str
    line: int | None = None
    crons: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Command:
    """One shell command a pipeline runs. ``path``/``line`` locate it (the CI file, or the Makefile, script...
    it was found in); ``via`` is the CI command that called the task runner or script ("" when direct)."""

    text: str
    path: str
    line: int | None = None
    via: str = ""
    job: str = ""
    pipeline: str = ""
    step: str = ""

    @property
    def location(self) -> tuple[str, int | None]:
        return (self.path, self.line)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.text} ({where}{', via ' + self.via if self.via else ''})"


@dataclass(slots=True)
class Step:
    name: str
    line: int | None
    commands: list[Command] = field(default_factory=list)
    uses: str | None = None  # GitHub action / Azure task / CircleCI orb command / Bitbucket pipe
    uses_line: int | None = None
    with_: dict[str, Any] = field(default_factory=dict)
    if_: str = ""
    run: str | None = None  # the raw script text
    run_line: int | None = None


@dataclass(slots=True)
class Job:
    id: str
    line: int | None
    steps: list[Step] = field(default_factory=list)
    name: str = ""
    permissions: Any = None  # None: not declared
    permissions_line: int | None = None
    environment: str | None = None
    environment_line: int | None = None
    needs: tuple[str, ...] = ()
    if_: str = ""
    uses: str | None = None  # reusable workflow called by the job (GitHub)
    uses_line: int | None = None
    events: frozenset[str] | None = None  # restricted to these events (None: every trigger of the pipeline)
    manual: bool = (
        False  # runs only when started by hand (GitLab ``when: manual``, Bitbucket ``trigger: manual``)
    )
    #: metrics files the job reports to the merge request (GitLab ``artifacts: reports: metrics:``), with lines
    metrics_reports: list[tuple[str, int | None]] = field(default_factory=list)

    @property
    def commands(self) -> list[Command]:
        return [c for s in self.steps for c in s.commands]


@dataclass(slots=True)
class Pipeline:
    provider: str
    path: str
    triggers: list[Trigger] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    name: str = ""
    permissions: Any = None
    permissions_line: int | None = None
    parsed: bool = True
    #: the pipeline's triggers are configured outside the repository (Cloud Build triggers live in the Google
    #: Cloud project): the repository cannot tell which events start it
    external_triggers: bool = False

    @property
    def events(self) -> set[str]:
        return {t.event for t in self.triggers}

    def job_events(self, job: Job) -> set[str]:
        return set(job.events) if job.events is not None else self.events

    def job(self, job_id: str) -> Job | None:
        return next((j for j in self.jobs if j.id == job_id), None)

"""Continuous integration: ONE normalised model of the CI pipelines of six providers, and of what they run.

Providers: GitHub Actions (``.github/workflows/*.yml``), GitLab CI (``.gitlab-ci.yml`` and its local
includes), Azure Pipelines (``azure-pipelines.yml``), CircleCI (``.circleci/config.yml``), Jenkins
(``Jenkinsfile``, read with regular expressions: Groovy is not parsed) and Bitbucket Pipelines.

Each becomes a :class:`Pipeline` with :class:`Trigger` s (normalised events: ``push``, ``pull_request``,
``schedule`` with its crons, ``workflow_dispatch``/``manual``, ``workflow_call``, ``repository_dispatch``, ``tags``,
``release``, ``api``...), :class:`Job` s (permissions, environment, the events a job is restricted to) and
:class:`Step` s (``uses:`` actions with their refs, and the shell :class:`Command` s they run with file:line).

Commands are followed ONE level into the task runners and scripts CI calls — Makefile targets (with their
prerequisites), justfile recipes, tox envs, nox sessions and invoke tasks (AST), poe / pdm / hatch / rye scripts,
mise tasks, Taskfile tasks, ``pre-commit run`` hooks, local composite actions and reusable workflows, and shell
scripts (``bash scripts/test.sh``). A followed command keeps ``via`` = the CI command that led to it.

Use :func:`pipelines`, :func:`all_commands`, :func:`runs` and the classifiers (:func:`classify`,
:func:`test_commands`, :func:`lint_commands`...). Malformed files become notes and ``Pipeline.parsed = False``.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from .textconfig import dig, load_toml, pyproject, toml_line
from .yamlfile import LineDict, LineList, load_yaml

PROVIDERS = ("github", "gitlab", "azure", "circleci", "jenkins", "bitbucket")

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


#: A YAML file whose aliases expand to more nodes than this is not analysed (a "billion laughs" file).
MAX_YAML_NODES = 100_000


def load_config(repo: Repo, path: str) -> Any:
    """:func:`load_yaml`, guarded against alias bombs: ``None`` (with a note) when the document, once its
    anchors are expanded, holds more than :data:`MAX_YAML_NODES` nodes."""
    data = load_yaml(repo, path)
    if data is None or not isinstance(data, (dict, list)):
        return data

    def check() -> bool:
        try:
            size = _expanded_size(data, {})
        except RecursionError:
            size = MAX_YAML_NODES + 1
        if size > MAX_YAML_NODES:
            repo.note(path, f"YAML expands to more than {MAX_YAML_NODES} nodes through aliases: not analysed")
            return False
        return True

    return data if repo.shared_memo(("ci.yaml_ok", repo.prefix + path), check) else None


def _expanded_size(value: Any, seen: dict[int, int]) -> int:
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key in seen:
        return seen[key]
    seen[key] = MAX_YAML_NODES + 1  # a cycle counts as too big
    items = value.values() if isinstance(value, dict) else value
    total = 1
    for item in items:
        total += _expanded_size(item, seen)
        if total > MAX_YAML_NODES:
            break
    seen[key] = total
    return total


# ------------------------------------------------------------------------------------------------- model


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

    @property
    def events(self) -> set[str]:
        return {t.event for t in self.triggers}

    def job_events(self, job: Job) -> set[str]:
        return set(job.events) if job.events is not None else self.events

    def job(self, job_id: str) -> Job | None:
        return next((j for j in self.jobs if j.id == job_id), None)


# ----------------------------------------------------------------------------------------------- files


@memoized
def ci_files(repo: Repo) -> dict[str, list[str]]:
    """CI configuration files by provider (only providers with files)."""
    found: dict[str, list[str]] = {}
    for path in repo.entries:
        provider = _provider_of(path)
        if provider:
            found.setdefault(provider, []).append(path)
    return found


def _provider_of(path: str) -> str | None:
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    if lower.startswith(".github/workflows/") and lower.count("/") == 2 and lower.endswith((".yml", ".yaml")):
        return "github"
    if lower == ".gitlab-ci.yml" or lower == ".gitlab-ci.yaml":
        return "gitlab"
    if ("/" not in lower and name.startswith("azure-pipelines") and name.endswith((".yml", ".yaml"))) or (
        lower.startswith((".azure-pipelines/", ".azuredevops/")) and lower.endswith((".yml", ".yaml"))
    ):
        return "azure"
    if lower.startswith(".circleci/") and lower.endswith((".yml", ".yaml")):
        return "circleci"
    if name == "jenkinsfile" or name.startswith("jenkinsfile.") or name.endswith(".jenkinsfile"):
        return "jenkins"
    if lower == "bitbucket-pipelines.yml" or lower == "bitbucket-pipelines.yaml":
        return "bitbucket"
    return None


@memoized
def pipelines(repo: Repo) -> list[Pipeline]:
    """Every CI pipeline of the repository, parsed once (unparsable files give ``parsed=False``)."""
    out: list[Pipeline] = []
    for provider, paths in ci_files(repo).items():
        parser = _PARSERS[provider]
        for path in paths:
            if provider == "circleci" and not path.endswith(("config.yml", "config.yaml")):
                continue  # other .circleci/*.yml files are orbs or continuation configs
            try:
                out.append(parser(repo, path))
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
                repo.note(path, f"CI configuration not understood: {type(exc).__name__}: {exc}")
                out.append(Pipeline(provider, path, parsed=False))
    return out


def providers(repo: Repo) -> list[str]:
    return [p for p in PROVIDERS if p in ci_files(repo)]


# ------------------------------------------------------------------------------------- script handling


@lru_cache(maxsize=4096)
def split_script(script: str) -> tuple[tuple[str, str], ...]:
    """Logical commands of a shell script: (command, first physical line), comments and blanks dropped,
    backslash continuations joined."""
    out: list[tuple[str, str]] = []
    buf = ""
    first = ""
    for raw in script.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if not buf:
            first = line
        if line.endswith("\\"):
            buf += line[:-1].strip() + " "
            continue
        text = (buf + line).strip()
        buf = ""
        if text:
            out.append((text, first))
    if buf.strip():
        out.append((buf.strip(), first))
    return tuple(out)


def _source_lines(repo: Repo, path: str) -> list[str]:
    return repo.shared_memo(
        ("ci.lines", repo.prefix + path), lambda: (repo.read_text(path) or "").splitlines()
    )


def _locate(lines: list[str], start: int | None, needle: str, limit: int = 400) -> int | None:
    """The 1-based line at or after ``start`` whose text holds ``needle`` (its first 60, then 20 characters),
    else ``start``."""
    if start is None:
        return None
    text = needle.strip()
    if not text:
        return start
    window = range(max(start - 1, 0), min(len(lines), start - 1 + limit))
    for probe in dict.fromkeys((text[:60], text[:20])):
        for index in window:
            if probe in lines[index]:
                return index + 1
    return start


def locate(repo: Repo, path: str, start: int | None, needle: str) -> int | None:
    """The line of ``needle`` in ``path`` at or after line ``start`` (e.g. an expression inside a ``run:``)."""
    return _locate(_source_lines(repo, path), start, needle)


def script_commands(
    repo: Repo, path: str, script: Any, line: int | None, *, job: str = "", pipeline: str = "", step: str = ""
) -> list[Command]:
    """The commands of a script value (a string, or a list of strings) declared at ``path:line``."""
    pieces = list(_strings(script))
    lines = _source_lines(repo, path) if line is not None else []
    out: list[Command] = []
    cursor = line
    for piece in pieces:
        for text, first in split_script(piece):
            found = _locate(lines, cursor, first) if lines else cursor
            out.append(Command(text, path, found, "", job, pipeline or path, step))
            if found is not None:
                cursor = found
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _line(mapping: Any, key: Any) -> int | None:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key, mapping.line)
    return None


def _item_line(seq: Any, index: int) -> int | None:
    if isinstance(seq, LineList):
        return seq.line_of(index)
    return None


def _get(mapping: Any, *keys: Any) -> Any:
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        if key in mapping:
            return mapping[key]
    return None


def _str_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)))
    if isinstance(value, dict):
        return _str_tuple(value.get("include"))
    return ()


# --------------------------------------------------------------------------------------- GitHub Actions

_EVENT_NAME = re.compile(r"github\.event_name\s*==\s*['\"](\w+)['\"]")


def _parse_github(repo: Repo, path: str) -> Pipeline:
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("github", path, parsed=False)
    pipe = Pipeline("github", path, name=str(data.get("name") or ""))
    on = _get(data, "on", True)
    on_line = _line(data, "on") if "on" in data else _line(data, True)
    if isinstance(on, str):
        pipe.triggers.append(Trigger(on, path, on_line))
    elif isinstance(on, list):
        for i, event in enumerate(on):
            if isinstance(event, str):
                pipe.triggers.append(Trigger(event, path, _item_line(on, i) or on_line))
    elif isinstance(on, dict):
        for event, cfg in on.items():
            event = str(event)
            line = _line(on, event)
            if event == "schedule":
                crons = tuple(str(c.get("cron")) for c in cfg or [] if isinstance(c, dict) and c.get("cron"))
                pipe.triggers.append(Trigger("schedule", path, line, crons=crons))
                continue
            branches = _str_tuple(_get(cfg, "branches"))
            tags = _str_tuple(_get(cfg, "tags"))
            types = _str_tuple(_get(cfg, "types"))
            pipe.triggers.append(Trigger(event, path, line, branches=branches, tags=tags, types=types))
            if event == "push" and tags:
                pipe.triggers.append(Trigger("tags", path, line, tags=tags))
    if "permissions" in data:
        pipe.permissions = data["permissions"]
        pipe.permissions_line = _line(data, "permissions")
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        for job_id, spec in jobs.items():
            if isinstance(spec, dict):
                pipe.jobs.append(_github_job(repo, path, str(job_id), spec, _line(jobs, job_id)))
    return pipe


def _github_job(repo: Repo, path: str, job_id: str, spec: dict[str, Any], line: int | None) -> Job:
    job = Job(job_id, line, name=str(spec.get("name") or job_id))
    if "permissions" in spec:
        job.permissions = spec["permissions"]
        job.permissions_line = _line(spec, "permissions")
    env = spec.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    if env:
        job.environment = str(env)
        job.environment_line = _line(spec, "environment")
    job.needs = _str_tuple(spec.get("needs"))
    job.if_ = str(spec.get("if") or "")
    if job.if_ and "!=" not in job.if_:
        events = _EVENT_NAME.findall(job.if_)
        if events:
            job.events = frozenset(events)
    if isinstance(spec.get("uses"), str):
        job.uses = spec["uses"]
        job.uses_line = _line(spec, "uses")
    steps = spec.get("steps")
    for i, st in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(st, dict):
            job.steps.append(_github_step(repo, path, job_id, st, _item_line(steps, i)))
    return job


def _github_step(repo: Repo, path: str, job_id: str, st: dict[str, Any], line: int | None) -> Step:
    run = st.get("run")
    uses = st.get("uses")
    name = str(
        st.get("name")
        or uses
        or (split_script(run)[0][0] if isinstance(run, str) and split_script(run) else "")
    )
    step = Step(name, line, if_=str(st.get("if") or ""))
    if isinstance(uses, str):
        step.uses = uses.strip()
        step.uses_line = _line(st, "uses")
    with_ = st.get("with")
    if isinstance(with_, dict):
        step.with_ = with_
    if isinstance(run, str):
        step.run = run
        step.run_line = _line(st, "run")
        step.commands = script_commands(repo, path, run, step.run_line, job=job_id, step=name)
    return step


def local_uses_path(uses: str) -> str | None:
    """The repository path of a same-repository ``uses:`` (``./.github/actions/x`` or GitHub's self-repository
    form ``$/.github/workflows/cd.yml``), without any ``@ref``; None for other repositories' actions."""
    if uses.startswith(("./", "$/")):
        return uses[2:].split("@", 1)[0].rstrip("/")
    return None


def local_action_steps(repo: Repo, uses: str) -> tuple[str, list[Step]] | None:
    """The steps of a local composite action (``uses: ./.github/actions/setup``): (action file, steps)."""
    base = local_uses_path(uses)
    if base is None:
        return None
    for candidate in (f"{base}/action.yml", f"{base}/action.yaml"):
        if candidate in repo.entries:
            data = load_config(repo, candidate)
            steps = _get(_get(data, "runs"), "steps")
            out = [
                _github_step(repo, candidate, "", st, _item_line(steps, i))
                for i, st in enumerate(steps if isinstance(steps, list) else [])
                if isinstance(st, dict)
            ]
            return candidate, out
    return None


@memoized
def local_actions(repo: Repo) -> list[str]:
    """Local composite action files (``.github/actions/*/action.yml`` and a root ``action.yml``)."""
    return [
        p for p in repo.entries if p.endswith(("/action.yml", "/action.yaml")) and p.startswith(".github/")
    ]


# ------------------------------------------------------------------------------------------- GitLab CI

_GITLAB_RESERVED = {
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script",
    "after_script", "types",
}  # fmt: skip
_GITLAB_SOURCES = {
    "schedule": "schedule",
    "merge_request_event": "pull_request",
    "external_pull_request_event": "pull_request",
    "push": "push",
    "web": "manual",
    "api": "api",
    "trigger": "api",
    "pipeline": "pipeline",
    "parent_pipeline": "pipeline",
    "chat": "manual",
}
_GITLAB_ONLY = {
    "schedules": "schedule",
    "merge_requests": "pull_request",
    "tags": "tags",
    "web": "manual",
    "api": "api",
    "triggers": "api",
    "pipelines": "pipeline",
    "pushes": "push",
    "branches": "push",
}
_SOURCE_EQ = re.compile(r"\$CI_PIPELINE_SOURCE\s*==\s*[\"'](\w+)[\"']")


def _gitlab_events(spec: dict[str, Any]) -> tuple[frozenset[str] | None, bool]:
    """The events a GitLab job is restricted to (from ``rules:``/``only:``), and whether it is manual only."""
    events: set[str] = set()
    manual = spec.get("when") == "manual"
    rules = spec.get("rules")
    if isinstance(rules, list):
        restricted = True
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            cond = str(rule.get("if") or "")
            found = _SOURCE_EQ.findall(cond)
            if "$CI_COMMIT_TAG" in cond and "==" not in cond.split("$CI_COMMIT_TAG")[1][:4]:
                found.append("tags")
            if rule.get("when") == "never":
                continue
            if not found:
                restricted = False  # a rule that does not test the source lets any event in
            for src in found:
                events.add(_GITLAB_SOURCES.get(src, "tags" if src == "tags" else src))
        if restricted and events:
            return frozenset(events), manual
        return None, manual
    only = spec.get("only")
    refs = _str_tuple(only.get("refs")) if isinstance(only, dict) else _str_tuple(only)
    if refs:
        for ref in refs:
            events.add(_GITLAB_ONLY.get(ref, "push"))
        return frozenset(events), manual
    return None, manual


def _gitlab_documents(repo: Repo, path: str) -> list[tuple[str, dict[str, Any]]]:
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return []
    docs = [(path, data)]
    for inc in _gitlab_local_includes(data.get("include")):
        inc = inc.lstrip("/")
        if inc in repo.entries and inc != path:
            sub = load_config(repo, inc)
            if isinstance(sub, dict):
                docs.append((inc, sub))
    return docs


def _gitlab_local_includes(value: Any) -> list[str]:
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and not item.startswith(("http://", "https://")):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("local"), str):
            out.append(item["local"])
    return out


def _parse_gitlab(repo: Repo, path: str) -> Pipeline:
    docs = _gitlab_documents(repo, path)
    if not docs:
        return Pipeline("gitlab", path, parsed=False)
    pipe = Pipeline("gitlab", path)
    templates: dict[str, dict[str, Any]] = {}
    specs: list[tuple[str, str, dict[str, Any], int | None]] = []
    for doc_path, data in docs:
        for key, value in data.items():
            if not isinstance(value, dict) or not isinstance(key, str):
                continue
            if key.startswith("."):
                templates[key] = value
            elif key not in _GITLAB_RESERVED:
                specs.append((doc_path, key, value, _line(data, key)))
    root = docs[0][1]
    events: set[str] = {"push"}
    default = root.get("default") if isinstance(root.get("default"), dict) else {}
    before = [("before_script", root.get("before_script") or default.get("before_script"))]
    for key, value in before:
        if value:
            job = Job("(default)", _line(root, key) or _line(default, key))
            step = Step(key, job.line)
            step.commands = script_commands(repo, path, value, job.line, job="(default)", step=key)
            job.steps.append(step)
            pipe.jobs.append(job)
    for doc_path, name, spec, line in specs:
        merged = _gitlab_extends(spec, templates)
        job = Job(name, line, name=name)
        job.events, job.manual = _gitlab_events(merged)
        if job.events:
            events |= job.events
        env = merged.get("environment")
        if isinstance(env, dict):
            env = env.get("name")
        if env:
            job.environment = str(env)
            job.environment_line = _line(spec, "environment") if "environment" in spec else line
        job.needs = tuple(
            n if isinstance(n, str) else str(_get(n, "job") or "")
            for n in _strs_or_dicts(merged.get("needs"))
        )
        for key in ("before_script", "script", "after_script"):
            value = merged.get(key)
            if value:
                kline = _line(spec, key) if key in spec else line
                step = Step(key, kline)
                step.run = "\n".join(_strings(value))
                step.run_line = kline
                step.commands = script_commands(repo, doc_path, value, kline, job=name, step=key)
                job.steps.append(step)
        artifacts = merged.get("artifacts")
        reports = artifacts.get("reports") if isinstance(artifacts, dict) else None
        metrics = reports.get("metrics") if isinstance(reports, dict) else None
        for target in _str_tuple(metrics):
            where = locate(repo, doc_path, line, "metrics:") if "artifacts" in spec else line
            job.metrics_reports.append((target, where))
        trig = merged.get("trigger")
        if trig:
            job.uses = str(trig.get("include") if isinstance(trig, dict) else trig)
        pipe.jobs.append(job)
    workflow = root.get("workflow")
    wf_rules = workflow.get("rules") if isinstance(workflow, dict) else None
    if isinstance(wf_rules, list):
        for rule in wf_rules:
            if isinstance(rule, dict) and rule.get("when") != "never":
                for src in _SOURCE_EQ.findall(str(rule.get("if") or "")):
                    events.add(_GITLAB_SOURCES.get(src, src))
    for event in sorted(events):
        line = None
        if event != "push":
            line = next((j.line for j in pipe.jobs if j.events and event in j.events), None)
        pipe.triggers.append(Trigger(event, path, line))
    return pipe


def _strs_or_dicts(value: Any) -> list[Any]:
    return [v for v in (value if isinstance(value, list) else []) if isinstance(v, (str, dict))]


def _gitlab_extends(
    spec: dict[str, Any], templates: dict[str, dict[str, Any]], depth: int = 0
) -> dict[str, Any]:
    parents = spec.get("extends")
    if not parents or depth > 5:
        return spec
    merged: dict[str, Any] = {}
    for parent in parents if isinstance(parents, list) else [parents]:
        if isinstance(parent, str) and parent in templates:
            merged.update(_gitlab_extends(templates[parent], templates, depth + 1))
    merged.update(spec)
    return merged


# --------------------------------------------------------------------------------------- Azure Pipelines

_AZURE_SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")


def _parse_azure(repo: Repo, path: str) -> Pipeline:
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("azure", path, parsed=False)
    pipe = Pipeline("azure", path, name=str(data.get("name") or ""))
    trig = data.get("trigger", "__absent__")
    if trig != "none" and trig is not None and trig is not False:
        line = _line(data, "trigger") if "trigger" in data else None
        tags = _str_tuple(_get(trig, "tags"))
        pipe.triggers.append(Trigger("push", path, line, branches=_str_tuple(_get(trig, "branches"))))
        if tags:
            pipe.triggers.append(Trigger("tags", path, line, tags=tags))
    pr = data.get("pr", "__absent__")
    if pr != "none" and pr is not None and pr is not False:
        pipe.triggers.append(Trigger("pull_request", path, _line(data, "pr") if "pr" in data else None))
    schedules = data.get("schedules")
    if isinstance(schedules, list) and schedules:
        crons = tuple(str(s.get("cron")) for s in schedules if isinstance(s, dict) and s.get("cron"))
        pipe.triggers.append(Trigger("schedule", path, _line(data, "schedules"), crons=crons))
    resources = _get(_get(data, "resources"), "pipelines")
    if isinstance(resources, list) and any(isinstance(r, dict) and r.get("trigger") for r in resources):
        pipe.triggers.append(Trigger("pipeline", path, _line(data, "resources")))
    if isinstance(data.get("stages"), list):
        for stage in data["stages"]:
            if isinstance(stage, dict):
                for job in _azure_jobs(repo, path, stage.get("jobs"), str(stage.get("stage") or "")):
                    pipe.jobs.append(job)
    if isinstance(data.get("jobs"), list):
        pipe.jobs.extend(_azure_jobs(repo, path, data["jobs"], ""))
    if isinstance(data.get("steps"), list):
        job = Job("(steps)", _line(data, "steps"))
        job.steps = _azure_steps(repo, path, data["steps"], job.id)
        pipe.jobs.append(job)
    return pipe


def _azure_jobs(repo: Repo, path: str, jobs: Any, stage: str) -> list[Job]:
    out = []
    for i, spec in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(spec, dict):
            continue
        name = str(spec.get("job") or spec.get("deployment") or spec.get("template") or f"job{i}")
        job = Job(
            f"{stage}.{name}" if stage else name,
            _item_line(jobs, i),
            name=str(spec.get("displayName") or name),
        )
        env = spec.get("environment")
        if isinstance(env, dict):
            env = env.get("name")
        if env:
            job.environment = str(env)
            job.environment_line = _line(spec, "environment")
        elif "deployment" in spec:
            job.environment = name
            job.environment_line = _line(spec, "deployment")
        job.needs = _str_tuple(spec.get("dependsOn"))
        steps: Any = spec.get("steps")
        if steps is None and isinstance(spec.get("strategy"), dict):  # deployment job
            for strat in spec["strategy"].values():
                if isinstance(strat, dict):
                    for hook in strat.values():
                        if isinstance(hook, dict) and isinstance(hook.get("steps"), list):
                            steps = hook["steps"]
        job.steps = _azure_steps(repo, path, steps, job.id)
        out.append(job)
    return out


def _azure_steps(repo: Repo, path: str, steps: Any, job_id: str) -> list[Step]:
    out = []
    for i, st in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(st, dict):
            continue
        line = _item_line(steps, i)
        key = next((k for k in _AZURE_SCRIPT_KEYS if k in st), None)
        name = str(st.get("displayName") or st.get("task") or st.get(key or "", "") or "")[:80]
        step = Step(name, line)
        if key and isinstance(st[key], str):
            step.run = st[key]
            step.run_line = _line(st, key)
            step.commands = script_commands(repo, path, st[key], step.run_line, job=job_id, step=name)
        elif isinstance(st.get("task"), str):
            step.uses = st["task"]
            step.uses_line = _line(st, "task")
            inputs = st.get("inputs") if isinstance(st.get("inputs"), dict) else {}
            step.with_ = inputs
            for k in ("script", "inlineScript", "scriptPath", "arguments"):
                if isinstance(inputs.get(k), str) and k != "arguments":
                    step.commands += script_commands(
                        repo, path, inputs[k], _line(inputs, k), job=job_id, step=name
                    )
        elif isinstance(st.get("template"), str):
            step.uses = st["template"]
            step.uses_line = line
        out.append(step)
    return out


# ----------------------------------------------------------------------------------------------- CircleCI


def _parse_circleci(repo: Repo, path: str) -> Pipeline:
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("circleci", path, parsed=False)
    pipe = Pipeline("circleci", path)
    commands = data.get("commands") if isinstance(data.get("commands"), dict) else {}
    job_events: dict[str, set[str]] = {}
    events: set[str] = set()
    workflows = data.get("workflows")
    for wf_name, wf in workflows.items() if isinstance(workflows, dict) else []:
        if not isinstance(wf, dict):
            continue
        wf_events: set[str] = set()
        triggers = wf.get("triggers")
        for t in triggers if isinstance(triggers, list) else []:
            sched = _get(t, "schedule")
            if isinstance(sched, dict):
                wf_events.add("schedule")
                pipe.triggers.append(
                    Trigger("schedule", path, _line(wf, "triggers"), crons=_str_tuple(sched.get("cron")))
                )
        if "scheduled_pipeline" in repr(wf.get("when")):
            wf_events.add("schedule")
            pipe.triggers.append(Trigger("schedule", path, _line(wf, "when")))
        if not wf_events:
            wf_events.add("push")
        for entry in wf.get("jobs") or []:
            jname = (
                entry
                if isinstance(entry, str)
                else next(iter(entry), None)
                if isinstance(entry, dict)
                else None
            )
            if not isinstance(jname, str):
                continue
            cfg = entry.get(jname) if isinstance(entry, dict) else None
            this = set(wf_events)
            if isinstance(cfg, dict) and _get(_get(cfg, "filters"), "tags"):
                this.add("tags")
            if isinstance(cfg, dict) and cfg.get("type") == "approval":
                continue
            job_events.setdefault(jname, set()).update(this)
            alias = cfg.get("name") if isinstance(cfg, dict) else None
            if isinstance(alias, str):
                job_events.setdefault(alias, set()).update(this)
        events |= wf_events
        del wf_name
    if not workflows:
        events.add("push")
    if "push" in events:
        pipe.triggers.insert(0, Trigger("push", path, _line(data, "workflows") if workflows else None))
    if any("tags" in e for e in job_events.values()):
        pipe.triggers.append(Trigger("tags", path, _line(data, "workflows")))
    jobs = data.get("jobs")
    for job_id, spec in jobs.items() if isinstance(jobs, dict) else []:
        if not isinstance(spec, dict):
            continue
        job = Job(str(job_id), _line(jobs, job_id))
        if str(job_id) in job_events:
            job.events = frozenset(job_events[str(job_id)])
        job.steps = _circleci_steps(repo, path, spec.get("steps"), str(job_id), commands, 0)
        pipe.jobs.append(job)
    return pipe


def _circleci_steps(
    repo: Repo, path: str, steps: Any, job_id: str, commands: dict[str, Any], depth: int
) -> list[Step]:
    out: list[Step] = []
    for i, st in enumerate(steps if isinstance(steps, list) else []):
        line = _item_line(steps, i)
        if isinstance(st, str):
            if st in commands and depth < 2:
                out.extend(
                    _circleci_steps(repo, path, _get(commands[st], "steps"), job_id, commands, depth + 1)
                )
            else:
                out.append(Step(st, line, uses=st, uses_line=line))
            continue
        if not isinstance(st, dict) or not st:
            continue
        key, value = next(iter(st.items()))
        if key == "run":
            cmd = value.get("command") if isinstance(value, dict) else value
            name = str(_get(value, "name") or "run")
            step = Step(name, line)
            if isinstance(cmd, str):
                step.run = cmd
                cline = _line(value, "command") if isinstance(value, dict) else _line(st, "run")
                step.run_line = cline
                step.commands = script_commands(repo, path, cmd, cline, job=job_id, step=name)
            out.append(step)
        elif key == "when" or key == "unless":
            out.extend(_circleci_steps(repo, path, _get(value, "steps"), job_id, commands, depth))
        elif isinstance(key, str) and key in commands and depth < 2:
            out.extend(_circleci_steps(repo, path, _get(commands[key], "steps"), job_id, commands, depth + 1))
        else:
            out.append(
                Step(
                    str(key),
                    line,
                    uses=str(key),
                    uses_line=line,
                    with_=value if isinstance(value, dict) else {},
                )
            )
    return out


# ------------------------------------------------------------------------------------------------ Jenkins

_J_STAGE = re.compile(r"\bstage\s*\(\s*(?:name\s*:\s*)?['\"]([^'\"]+)['\"]")
_J_SH = re.compile(
    r"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?(?P<q>'''|\"\"\"|'|\")(?P<body>.*?)(?P=q)",
    re.DOTALL,
)
_J_CRON = re.compile(r"\bcron\s*\(\s*['\"]([^'\"]+)['\"]")
_J_ENV = re.compile(r"\b(environment|deploy)", re.IGNORECASE)


def _parse_jenkins(repo: Repo, path: str) -> Pipeline:
    text = repo.read_text(path)
    if text is None:
        return Pipeline("jenkins", path, parsed=False)
    pipe = Pipeline("jenkins", path)
    stripped = re.sub(r"(?m)^\s*//.*$", "", text)
    pipe.triggers.append(Trigger("push", path, 1))
    for m in _J_CRON.finditer(stripped):
        pipe.triggers.append(Trigger("schedule", path, _lineno(stripped, m.start()), crons=(m.group(1),)))
    if re.search(r"\bchangeRequest\s*\(", stripped):
        pipe.triggers.append(Trigger("pull_request", path, _lineno(stripped, stripped.find("changeRequest"))))
    tag = re.search(r"\b(buildingTag|tag)\s*\(|\btag\s+['\"]", stripped)
    if tag:
        pipe.triggers.append(Trigger("tags", path, _lineno(stripped, tag.start())))
    stages = [(m.start(), m.group(1)) for m in _J_STAGE.finditer(stripped)]
    jobs: dict[str, Job] = {}
    for start, name in stages:
        job = jobs.setdefault(name, Job(name, _lineno(stripped, start), name=name))
        if _J_ENV.search(name):
            job.environment = name
            job.environment_line = job.line
    default = Job("(pipeline)", 1)
    for m in _J_SH.finditer(stripped):
        owner = default
        for start, name in stages:
            if start < m.start():
                owner = jobs[name]
        line = _lineno(stripped, m.start("body"))
        body = m.group("body")
        step = Step(owner.id, line, run=body, run_line=line)
        step.commands = script_commands(repo, path, body, line, job=owner.id, step=owner.id)
        owner.steps.append(step)
    pipe.jobs = ([default] if default.steps else []) + list(jobs.values())
    return pipe


def _lineno(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


# ---------------------------------------------------------------------------------------------- Bitbucket

_BB_SECTIONS = {"default": "push", "branches": "push", "tags": "tags", "pull-requests": "pull_request",
                "bookmarks": "push", "custom": "manual"}  # fmt: skip


def _parse_bitbucket(repo: Repo, path: str) -> Pipeline:
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("bitbucket", path, parsed=False)
    pipe = Pipeline("bitbucket", path)
    sections = data.get("pipelines")
    if not isinstance(sections, dict):
        return pipe
    counter = 0
    for section, content in sections.items():
        event = _BB_SECTIONS.get(str(section))
        if event is None:
            continue
        pipe.triggers.append(Trigger(event, path, _line(sections, section)))
        groups: list[tuple[str, Any]] = []
        if section == "default":
            groups.append(("default", content))
        elif isinstance(content, dict):
            groups.extend((f"{section}:{k}", v) for k, v in content.items())
        for group, items in groups:
            for step_spec, line in _bb_steps(items):
                counter += 1
                name = str(step_spec.get("name") or f"{group} step {counter}")
                job = Job(name, line, name=name, events=frozenset({event}))
                if event == "push" and section == "branches":
                    job.events = frozenset({"push"})
                env = step_spec.get("deployment")
                if env:
                    job.environment = str(env)
                    job.environment_line = _line(step_spec, "deployment")
                job.manual = step_spec.get("trigger") == "manual"
                for key in ("script", "after-script"):
                    script = step_spec.get(key)
                    if not isinstance(script, list):
                        continue
                    for i, item in enumerate(script):
                        iline = _item_line(script, i)
                        if isinstance(item, str):
                            step = Step(item[:80], iline, run=item, run_line=iline)
                            step.commands = script_commands(repo, path, item, iline, job=name, step=name)
                            job.steps.append(step)
                        elif isinstance(item, dict) and isinstance(item.get("pipe"), str):
                            variables = item.get("variables")
                            job.steps.append(
                                Step(
                                    item["pipe"],
                                    iline,
                                    uses=item["pipe"],
                                    uses_line=iline,
                                    with_=variables if isinstance(variables, dict) else {},
                                )
                            )
                pipe.jobs.append(job)
    return pipe


def _bb_steps(items: Any) -> Iterator[tuple[dict[str, Any], int | None]]:
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("step"), dict):
            yield item["step"], _item_line(items, i)
        par = item.get("parallel")
        if isinstance(par, dict):
            par = par.get("steps")
        if isinstance(par, list):
            yield from _bb_steps(par)
        stage = item.get("stage")
        if isinstance(stage, dict):
            for spec, line in _bb_steps(stage.get("steps")):
                if stage.get("deployment") and not spec.get("deployment"):
                    spec = {**spec, "deployment": stage["deployment"]}
                yield spec, line


_PARSERS: dict[str, Callable[[Repo, str], Pipeline]] = {
    "github": _parse_github,
    "gitlab": _parse_gitlab,
    "azure": _parse_azure,
    "circleci": _parse_circleci,
    "jenkins": _parse_jenkins,
    "bitbucket": _parse_bitbucket,
}


# ====================================================================== following into task runners

_SEGMENT_SPLIT = re.compile(r"\s*(?:&&|\|\||;|(?<![|>])\|(?!\|))\s*")
_ENV_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PREFIX_WRAPPERS = {
    "sudo",
    "time",
    "exec",
    "nice",
    "xvfb-run",
    "command",
    "env",
    "stdbuf",
    "nohup",
    "timeout",
}
_RUN_WRAPPERS = {
    "uv",
    "poetry",
    "pipenv",
    "pdm",
    "rye",
    "hatch",
    "conda",
    "mamba",
    "micromamba",
    "pixi",
    "uvx",
}
_VALUE_OPTIONS = {
    "--with", "--extra", "--group", "-p", "--python", "--directory", "--project", "--package", "--env-file",
    "-n", "--name", "--prefix", "--only-group", "--no-group", "--index", "--from", "-e", "--environment",
    "--manifest-path", "--frozen-lockfile",
}  # fmt: skip


def segments(text: str) -> list[str]:
    """The simple commands of a shell line (split on ``&&``, ``||``, ``;`` and pipes)."""
    return [s for s in _SEGMENT_SPLIT.split(text) if s.strip()]


def _tokens(segment: str) -> list[str]:
    try:
        return shlex.split(segment, comments=True)
    except ValueError:
        return segment.split()


@dataclass(frozen=True, slots=True)
class Invocation:
    """A simple command after wrappers (``uv run``, ``poetry run``, ``python -m``, ``sudo``...) are peeled:
    ``program`` and its ``args``; ``runner`` names the script runner (``pdm``, ``hatch``...) when the program may
    be one of its scripts."""

    program: str
    args: tuple[str, ...]
    runner: str = ""


def invocation(segment: str) -> Invocation | None:
    tokens = _tokens(segment)
    runner = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        base = tok.rsplit("/", 1)[-1]
        if _ENV_ASSIGN.match(tok):
            i += 1
            continue
        if base in _PREFIX_WRAPPERS:
            i += 1
            while i < len(tokens) and (tokens[i].startswith("-") or _ENV_ASSIGN.match(tokens[i])):
                i += 1
            if base == "timeout" and i < len(tokens):
                i += 1
            continue
        if (base in _RUN_WRAPPERS and i + 1 < len(tokens) and tokens[i + 1] == "run") or base == "uvx":
            runner = base
            i += 1 if base == "uvx" else 2
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 2 if tokens[i] in _VALUE_OPTIONS and "=" not in tokens[i] else 1
            continue
        if re.fullmatch(r"python[0-9.]*|py|pypy3?", base) and i + 1 < len(tokens):
            j = i + 1
            while j < len(tokens) and tokens[j].startswith("-") and tokens[j] != "-m":
                j += 1
            if j + 1 < len(tokens) and tokens[j] == "-m":
                return Invocation(tokens[j + 1], tuple(tokens[j + 2 :]), runner)
            return Invocation(base, tuple(tokens[i + 1 :]), runner)
        return Invocation(
            base if "/" not in tok or not tok.endswith(".sh") else tok, tuple(tokens[i + 1 :]), runner
        )
    return None


def expand(repo: Repo, command: Command) -> list[Command]:
    """The commands one level down: what the task runners and scripts called by ``command`` run."""
    found: list[Command] = []
    for segment in segments(command.text):
        inv = invocation(segment)
        if inv is None:
            continue
        for text, path, line in _follow(repo, inv, segment):
            found.append(Command(text, path, line, command.text, command.job, command.pipeline, command.step))
    return found


Found = list[tuple[str, str, int | None]]


def _follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    prog, args = inv.program, list(inv.args)
    if prog in ("make", "gmake") or prog in ("$(MAKE)", "${MAKE}"):
        return _follow_make(repo, args)
    if prog == "just":
        return _follow_just(repo, args)
    if prog == "tox":
        return _follow_tox(repo, args)
    if prog in ("nox", "noxfile.py"):
        return _follow_nox(repo, args)
    if prog in ("poe", "poethepoet"):
        return _follow_poe(repo, args)
    if prog == "mise":
        return _follow_mise(repo, args)
    if prog in ("task", "go-task"):
        return _follow_taskfile(repo, args)
    if prog in ("invoke", "inv"):
        return _follow_invoke(repo, args)
    if prog in ("pre-commit", "prek"):
        return _follow_precommit(repo, args)
    if prog == "lefthook":
        return _follow_lefthook(repo, args)
    if prog in ("bash", "sh", "zsh", "source", ".") and args:
        script = next((a for a in args if not a.startswith("-")), None)
        return _follow_script(repo, script) if script else []
    if prog.endswith(".sh") or prog.startswith("./"):
        return _follow_script(repo, segment.split()[0] if prog.startswith("./") else prog)
    if inv.runner in ("pdm", "hatch", "rye", "pixi", "uv") or inv.runner == "":
        return _follow_project_script(repo, inv)
    return []


def _options_and_names(args: list[str], value_opts: set[str]) -> tuple[list[str], dict[str, list[str]]]:
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


# -- make


@dataclass(slots=True)
class _Target:
    name: str
    line: int
    prereqs: list[str] = field(default_factory=list)
    recipe: list[tuple[str, int]] = field(default_factory=list)


_MAKE_RULE = re.compile(r"^([^\s:=#][^:=#]*?)\s*(::?)(?!=)\s*([^=]*?)\s*$")


def makefile_targets(repo: Repo, path: str) -> dict[str, _Target]:
    """Targets of a Makefile with their prerequisites and recipe lines (``@``/``-`` prefixes removed)."""

    def compute() -> dict[str, _Target]:
        text = repo.read_text(path)
        targets: dict[str, _Target] = {}
        if not text:
            return targets
        current: list[_Target] = []
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            raw = lines[i]
            number = i + 1
            while raw.endswith("\\") and i + 1 < len(lines):
                i += 1
                raw = raw[:-1] + " " + lines[i].strip()
            i += 1
            if raw.startswith("\t"):
                cmd = raw.strip().lstrip("@-+ ").strip()
                if cmd and not cmd.startswith("#"):
                    for target in current:
                        target.recipe.append((cmd, number))
                continue
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if re.match(
                r"^\s*(ifn?eq|ifn?def|else|endif|include|-include|export|define|endef|override)\b", raw
            ):
                continue
            body, _, inline = raw.partition(";")
            m = _MAKE_RULE.match(body)
            if not m or "=" in body.split(":", 1)[0]:
                current = []
                continue
            current = []
            for name in m.group(1).split():
                if name.startswith(".") or "%" in name:
                    continue
                target = targets.setdefault(name, _Target(name, number))
                target.prereqs += [p for p in m.group(3).split() if not p.startswith("|")]
                current.append(target)
            if inline.strip():
                for target in current:
                    target.recipe.append((inline.strip().lstrip("@-+ "), number))
        return targets

    return repo.shared_memo(("ci.make", repo.prefix + path), compute)


def _follow_make(repo: Repo, args: list[str]) -> Found:
    names, opts = _options_and_names(args, {"-C", "-f", "--file", "--directory", "-j", "-l", "-o", "-W"})
    directory = (opts.get("-C") or opts.get("--directory") or [""])[-1].strip("/")
    files = opts.get("-f") or opts.get("--file")
    prefix = f"{directory}/" if directory and directory != "." else ""
    candidates = (
        [prefix + f for f in files]
        if files
        else [prefix + n for n in ("GNUmakefile", "makefile", "Makefile")]
    )
    path = next((c for c in candidates if c in repo.entries), None)
    if path is None:
        return []
    targets = makefile_targets(repo, path)
    if not targets:
        return []
    wanted = [n for n in names if not n.startswith("$")] or [next(iter(targets))]
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or depth > 4 or name not in targets:
            return
        seen.add(name)
        target = targets[name]
        for pre in target.prereqs:
            visit(pre, depth + 1)
        for cmd, line in target.recipe:
            out.append((cmd, path, line))
            for seg in segments(cmd):
                toks = seg.split()
                if toks and toks[0] in ("$(MAKE)", "${MAKE}", "make", "gmake"):
                    for sub in toks[1:]:
                        if not sub.startswith("-") and "=" not in sub:
                            visit(sub, depth + 1)

    for name in wanted:
        visit(name, 0)
    return out


# -- just

_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)((?:\s+[^:=\s]+)*)\s*:(?!=)\s*(.*)$")


def justfile_recipes(repo: Repo, path: str) -> dict[str, _Target]:
    def compute() -> dict[str, _Target]:
        text = repo.read_text(path) or ""
        recipes: dict[str, _Target] = {}
        aliases: dict[str, str] = {}
        current: _Target | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            if raw[:1] in (" ", "\t"):
                cmd = raw.strip().lstrip("@-").strip()
                if current and cmd and not cmd.startswith("#"):
                    current.recipe.append((cmd, number))
                continue
            current = None
            alias = re.match(r"^alias\s+([\w-]+)\s*:=\s*([\w-]+)", raw)
            if alias:
                aliases[alias.group(1)] = alias.group(2)
                continue
            if re.match(r"^(set|export|import|mod|\[)", raw) or ":=" in raw:
                continue
            m = _JUST_RECIPE.match(raw)
            if m:
                deps = [d.strip("()") for d in m.group(3).split() if not d.startswith(("#", '"', "'"))]
                current = recipes.setdefault(m.group(1), _Target(m.group(1), number, deps))
        for alias, target in aliases.items():
            if target in recipes:
                recipes.setdefault(alias, recipes[target])
        return recipes

    return repo.shared_memo(("ci.just", repo.prefix + path), compute)


def _follow_just(repo: Repo, args: list[str]) -> Found:
    names, opts = _options_and_names(args, {"-f", "--justfile", "-d", "--working-directory", "--set"})
    files = opts.get("-f") or opts.get("--justfile") or ["justfile", "Justfile", ".justfile"]
    path = next((f for f in files if f in repo.entries), None)
    if path is None:
        return []
    recipes = justfile_recipes(repo, path)
    if not recipes:
        return []
    wanted = names[:1] or (["default"] if "default" in recipes else [next(iter(recipes))])
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or depth > 4 or name not in recipes:
            return
        seen.add(name)
        for dep in recipes[name].prereqs:
            visit(dep, depth + 1)
        for cmd, line in recipes[name].recipe:
            out.append((cmd, path, line))

    for name in wanted:
        visit(name, 0)
    return out


# -- tox


def _ini_values(text: str, section: str, key: str) -> list[tuple[str, int]]:
    """The lines of a (multi-line) INI value with their line numbers."""
    out: list[tuple[str, int]] = []
    in_section = False
    in_key = False
    for number, raw in enumerate(text.splitlines(), 1):
        header = re.match(r"^\[([^\]]+)\]", raw)
        if header:
            in_section = header.group(1).strip() == section
            in_key = False
            continue
        if not in_section:
            continue
        if raw[:1] in (" ", "\t") and in_key:
            value = raw.strip()
            if value and not value.startswith("#"):
                out.append((value, number))
            continue
        in_key = False
        m = re.match(r"^([\w.-]+)\s*[=:]\s*(.*)$", raw)
        if m and m.group(1).lower() == key:
            in_key = True
            if m.group(2).strip():
                out.append((m.group(2).strip(), number))
    return out


def tox_envs(repo: Repo) -> dict[str, list[tuple[str, str, int | None]]]:
    """tox environments -> their commands (``"testenv"`` is the base); from tox.ini, setup.cfg, tox.toml or
    pyproject's ``[tool.tox]`` (legacy INI string or native tables)."""

    def compute() -> dict[str, list[tuple[str, str, int | None]]]:
        envs: dict[str, list[tuple[str, str, int | None]]] = {}
        for path in ("tox.ini", "setup.cfg"):
            text = repo.read_text(path) if path in repo.entries else None
            if not text or (path == "setup.cfg" and "[testenv" not in text):
                continue
            for header in re.findall(r"(?m)^\[(testenv(?::[^\]]+)?)\]", text):
                name = header.split(":", 1)[1].strip() if ":" in header else "testenv"
                envs[name] = [(_strip_factor(v), path, n) for v, n in _ini_values(text, header, "commands")]
            envlist = _ini_values(text, "tox", "envlist") or _ini_values(text, "tox:tox", "envlist")
            if envlist:
                envs["__envlist__"] = [
                    (e.strip(), path, n) for v, n in envlist for e in v.split(",") if e.strip()
                ]
        for path in ("tox.toml", "pyproject.toml"):
            data = load_toml(repo, path) if path in repo.entries else None
            if not data:
                continue
            table = data if path == "tox.toml" else dig(data, "tool", "tox")
            if not isinstance(table, dict):
                continue
            text = repo.read_text(path)
            legacy = table.get("legacy_tox_ini")
            if isinstance(legacy, str):
                offset = (toml_line(text, "tool.tox", "legacy_tox_ini") or 1) - 1
                for header in re.findall(r"(?m)^\[(testenv(?::[^\]]+)?)\]", legacy):
                    name = header.split(":", 1)[1].strip() if ":" in header else "testenv"
                    envs[name] = [
                        (_strip_factor(v), path, n + offset)
                        for v, n in _ini_values(legacy, header, "commands")
                    ]
                continue
            base_table = "tool.tox" if path == "pyproject.toml" else ""
            if isinstance(table.get("env_run_base"), dict):
                line = toml_line(text, f"{base_table}.env_run_base".lstrip("."), "commands")
                envs["testenv"] = [
                    (c, path, line) for c in _toml_commands(table["env_run_base"].get("commands"))
                ]
            for name, spec in (table.get("env") or {}).items():
                if isinstance(spec, dict):
                    line = toml_line(text, f"{base_table}.env.{name}".lstrip("."), "commands")
                    envs[name] = [(c, path, line) for c in _toml_commands(spec.get("commands"))]
            env_list = table.get("env_list")
            if isinstance(env_list, list):
                envs["__envlist__"] = [(str(e), path, None) for e in env_list]
        return envs

    return repo.memo("ci.tox_envs", compute)


def _strip_factor(value: str) -> str:
    return re.sub(r"^[\w,{}.-]+:\s+", "", value)


def _toml_commands(value: Any) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list):
            out.append(" ".join(str(x) if isinstance(x, str) else "" for x in item).strip())
        elif isinstance(item, str):
            out.append(item)
    return out


def _follow_tox(repo: Repo, args: list[str]) -> Found:
    envs = tox_envs(repo)
    if not envs:
        return []
    _, opts = _options_and_names(args, {"-e", "--env", "-c", "-m", "--conf", "-x", "--override"})
    selected = [
        e.strip()
        for v in (opts.get("-e") or []) + (opts.get("--env") or [])
        for e in v.split(",")
        if e.strip()
    ]
    if not selected:
        listed = [e for e, _, _ in envs.get("__envlist__", [])]
        selected = listed or [e for e in envs if not e.startswith("__")]
    out: Found = []
    for name in dict.fromkeys(selected):
        commands = envs.get(name)
        if commands is None:
            commands = envs.get("testenv", [])
        out.extend(commands)
    return list(dict.fromkeys(out))


# -- nox / invoke (Python task files, AST)


def _py_tasks(repo: Repo, path: str, decorator: str, runner_attrs: tuple[str, ...]) -> dict[str, _Target]:
    """Functions of a Python task file decorated with ``*decorator`` -> the literal commands they run through
    ``<arg>.run(...)`` calls (and the tasks they notify or depend on, as prerequisites)."""

    def compute() -> dict[str, _Target]:
        text = repo.read_text(path)
        tasks: dict[str, _Target] = {}
        if not text:
            return tasks
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            repo.note(path, "not parsed: syntax error")
            return tasks
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            name = None
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                dotted = ast.unparse(target)
                if dotted == decorator or dotted.endswith("." + decorator):
                    name = node.name
                    if isinstance(dec, ast.Call):
                        for kw in dec.keywords:
                            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                                name = str(kw.value.value)
            if name is None:
                continue
            task = _Target(name, node.lineno)
            for call in ast.walk(node):
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                    continue
                if call.func.attr in runner_attrs:
                    parts = [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
                    if parts:
                        task.recipe.append((" ".join(parts), call.lineno))
                elif call.func.attr == "notify":
                    task.prereqs += [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
            tasks[name] = task
            if decorator == "task":
                tasks.setdefault(name.replace("_", "-"), task)
        return tasks

    return repo.shared_memo(("ci.pytasks", repo.prefix + path, decorator), compute)


def _follow_py_tasks(repo: Repo, path: str, tasks: dict[str, _Target], wanted: list[str]) -> Found:
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or name not in tasks or depth > 3:
            return
        seen.add(name)
        out.extend((cmd, path, line) for cmd, line in tasks[name].recipe)
        for pre in tasks[name].prereqs:
            visit(pre, depth + 1)

    for name in wanted:
        visit(name, 0)
    return out


def _follow_nox(repo: Repo, args: list[str]) -> Found:
    names, opts = _options_and_names(
        args, {"-s", "--session", "--sessions", "-f", "--noxfile", "-e", "-t", "-k", "-p"}
    )
    path = (opts.get("-f") or opts.get("--noxfile") or ["noxfile.py"])[-1]
    if path not in repo.entries:
        return []
    sessions = _py_tasks(repo, path, "session", ("run", "run_always"))
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
    return _follow_py_tasks(repo, path, sessions, wanted)


def _follow_invoke(repo: Repo, args: list[str]) -> Found:
    names, _ = _options_and_names(args, {"-c", "--collection", "-r", "--search-root"})
    path = "tasks.py" if "tasks.py" in repo.entries else None
    if path is None or not names:
        return []
    return _follow_py_tasks(repo, path, _py_tasks(repo, path, "task", ("run", "sudo")), names)


# -- pyproject script tables (poe, pdm, hatch, rye)


def poe_tasks(repo: Repo) -> dict[str, Any]:
    tasks = dig(pyproject(repo), "tool", "poe", "tasks")
    return tasks if isinstance(tasks, dict) else {}


def _follow_poe(repo: Repo, args: list[str]) -> Found:
    names, _ = _options_and_names(args, {"-C", "--root", "--directory", "-e", "--executor"})
    if not names:
        return []
    return _poe_task(repo, names[0], 0)


def _poe_task(repo: Repo, name: str, depth: int) -> Found:
    tasks = poe_tasks(repo)
    if name not in tasks or depth > 3:
        return []
    text = repo.read_text("pyproject.toml")
    line = toml_line(text, "tool.poe.tasks", name)
    spec = tasks[name]
    out: Found = []
    if isinstance(spec, str):
        out += [(c, "pyproject.toml", line) for c, _ in split_script(spec)]
    elif isinstance(spec, list):
        for item in spec:
            out += _poe_item(repo, item, line, depth)
    elif isinstance(spec, dict):
        out += _poe_item(repo, spec, line, depth)
        for dep in _str_tuple(spec.get("deps")):
            out += _poe_task(repo, dep.split()[0], depth + 1)
    return out


def _poe_item(repo: Repo, item: Any, line: int | None, depth: int) -> Found:
    if isinstance(item, str):
        if item in poe_tasks(repo):
            return _poe_task(repo, item, depth + 1)
        return [(c, "pyproject.toml", line) for c, _ in split_script(item)]
    if not isinstance(item, dict):
        return []
    for key in ("cmd", "shell"):
        if isinstance(item.get(key), str):
            return [(c, "pyproject.toml", line) for c, _ in split_script(item[key])]
    if isinstance(item.get("script"), str):
        return [(f"python -c 'import {item['script']}'", "pyproject.toml", line)]
    if isinstance(item.get("ref"), str):
        return _poe_task(repo, item["ref"].split()[0], depth + 1)
    if isinstance(item.get("sequence"), list):
        out: Found = []
        for sub in item["sequence"]:
            out += _poe_item(repo, sub, line, depth + 1)
        return out
    return []


def _script_table_entries(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        for key in ("cmd", "shell", "composite", "chain", "cmds"):
            if key in value:
                return _script_table_entries(value[key])
        if isinstance(value.get("call"), str):
            return [f"python -c 'import {value['call']}'"]
    return []


def _follow_project_script(repo: Repo, inv: Invocation) -> Found:
    """``pdm run x``, ``hatch run [env:]x``, ``rye run x``, ``pixi run x``: a script table entry."""
    name = inv.program
    data = pyproject(repo)
    text = repo.read_text("pyproject.toml") if data else None
    tables: list[tuple[str, Any]] = []
    if inv.runner == "pdm":
        tables.append(("tool.pdm.scripts", dig(data, "tool", "pdm", "scripts")))
    elif inv.runner == "rye":
        tables.append(("tool.rye.scripts", dig(data, "tool", "rye", "scripts")))
    elif inv.runner == "pixi":
        tables.append(("tool.pixi.tasks", dig(data, "tool", "pixi", "tasks")))
        pixi = load_toml(repo, "pixi.toml") if "pixi.toml" in repo.entries else None
        if pixi:
            return [
                (c, "pixi.toml", toml_line(repo.read_text("pixi.toml"), "tasks", name))
                for entry in _script_table_entries(dig(pixi, "tasks", name))
                for c, _ in split_script(entry)
            ]
    elif inv.runner == "hatch":
        env, _, script = name.rpartition(":")
        name = script
        env = env or "default"
        tables.append((f"tool.hatch.envs.{env}.scripts", dig(data, "tool", "hatch", "envs", env, "scripts")))
        hatch = load_toml(repo, "hatch.toml") if "hatch.toml" in repo.entries else None
        if hatch:
            entries = _script_table_entries(dig(hatch, "envs", env, "scripts", name))
            line = toml_line(repo.read_text("hatch.toml"), f"envs.{env}.scripts", name)
            return [(c, "hatch.toml", line) for e in entries for c, _ in split_script(e)]
    else:
        return []
    out: Found = []
    for table_name, table in tables:
        if isinstance(table, dict) and name in table:
            line = toml_line(text, table_name, name)
            for entry in _script_table_entries(table[name]):
                if inv.runner in ("pdm", "rye") and isinstance(table.get(entry), (str, dict, list)):
                    entry_line = toml_line(text, table_name, entry)
                    out += [
                        (c, "pyproject.toml", entry_line)
                        for e in _script_table_entries(table[entry])
                        for c, _ in split_script(e)
                    ]
                    continue
                out += [(c, "pyproject.toml", line) for c, _ in split_script(entry)]
    return out


# -- mise, Taskfile

MISE_FILES = ("mise.toml", ".mise.toml", "mise/config.toml", ".mise/config.toml", ".config/mise.toml",
              ".config/mise/config.toml")  # fmt: skip
MISE_TASK_DIRS = ("mise-tasks/", ".mise-tasks/", ".mise/tasks/", "mise/tasks/", ".config/mise/tasks/")


def _follow_mise(repo: Repo, args: list[str]) -> Found:
    names, _ = _options_and_names(args, {"-C", "--cd", "-E", "--env", "-j", "--jobs"})
    if names[:1] in (["run"], ["r"], ["task"]):
        names = names[1:]
        if names[:1] == ["run"]:
            names = names[1:]
    if not names:
        return []
    return _mise_task(repo, names[0], 0)


def _mise_task(repo: Repo, name: str, depth: int) -> Found:
    if depth > 3:
        return []
    for path in MISE_FILES:
        data = load_toml(repo, path) if path in repo.entries else None
        spec = dig(data, "tasks", name) if data else None
        if spec is None:
            continue
        text = repo.read_text(path)
        line = toml_line(text, f"tasks.{name}") or toml_line(text, "tasks", name)
        out: Found = []
        if isinstance(spec, dict):
            for dep in _str_tuple(spec.get("depends")):
                out += _mise_task(repo, dep.split()[0], depth + 1)
            entries = _script_table_entries(spec.get("run"))
        else:
            entries = _script_table_entries(spec)
        out += [(c, path, line) for e in entries for c, _ in split_script(e)]
        return out
    for directory in MISE_TASK_DIRS:
        if directory + name in repo.entries:
            return _follow_script(repo, directory + name)
    return []


def _follow_taskfile(repo: Repo, args: list[str]) -> Found:
    names, opts = _options_and_names(args, {"-t", "--taskfile", "-d", "--dir"})
    files = (
        opts.get("-t")
        or opts.get("--taskfile")
        or ["Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"]
    )
    path = next((f for f in files if f in repo.entries), None)
    if path is None:
        return []
    tasks = _get(load_config(repo, path), "tasks")
    if not isinstance(tasks, dict):
        return []
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or name not in tasks or depth > 3:
            return
        seen.add(name)
        spec = tasks[name]
        if isinstance(spec, str):
            out.append((spec, path, _line(tasks, name)))
            return
        if isinstance(spec, list):
            spec = {"cmds": spec}
        if not isinstance(spec, dict):
            return
        for dep in spec.get("deps") or []:
            visit(dep if isinstance(dep, str) else str(_get(dep, "task")), depth + 1)
        cmds = spec.get("cmds")
        for i, cmd in enumerate(cmds if isinstance(cmds, list) else []):
            if isinstance(cmd, str):
                out.append((cmd, path, _item_line(cmds, i)))
            elif isinstance(cmd, dict) and isinstance(cmd.get("cmd"), str):
                out.append((cmd["cmd"], path, _item_line(cmds, i)))
            elif isinstance(cmd, dict) and isinstance(cmd.get("task"), str):
                visit(cmd["task"], depth + 1)

    for name in names[:1] or ["default"]:
        visit(name, 0)
    return out


# -- pre-commit, lefthook, shell scripts


def _follow_precommit(repo: Repo, args: list[str]) -> Found:
    names, _ = _options_and_names(
        args, {"-c", "--config", "--hook-stage", "--from-ref", "--to-ref", "--files"}
    )
    if not names or names[0] not in ("run", "run-all"):
        return []
    from . import precommit

    wanted = names[1:]
    return [
        (hook.command, hook.path, hook.line)
        for hook in precommit.hooks(repo)
        if hook.source == "pre-commit" and (not wanted or hook.id in wanted)
    ]


def _follow_lefthook(repo: Repo, args: list[str]) -> Found:
    names, _ = _options_and_names(args, {})
    if names[:1] != ["run"]:
        return []
    from . import precommit

    group = names[1] if len(names) > 1 else "pre-commit"
    return [
        (h.command, h.path, h.line)
        for h in precommit.hooks(repo)
        if h.source == "lefthook" and h.stage == group
    ]


def _follow_script(repo: Repo, script: str | None) -> Found:
    if not script:
        return []
    path = script[2:] if script.startswith("./") else script
    path = path.lstrip("/")
    if path not in repo.entries or path.endswith((".py", ".ps1", ".bat", ".cmd")):
        return []
    text = repo.read_text(path)
    if text is None:
        return []
    lines = text.splitlines()
    out: Found = []
    cursor = 1
    for cmd, first in split_script(text):
        found = _locate(lines, cursor, first) or cursor
        out.append((cmd, path, found))
        cursor = found
    return out


# ===================================================================================== collected views


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
    """The commands of one pipeline, in file order, each followed by what it runs one level down."""

    def compute() -> list[Command]:
        out: list[Command] = []
        for cmd in _pipeline_direct(repo, pipe):
            out.append(cmd)
            if follow:
                out.extend(expand(repo, cmd))
        return out

    return repo.memo(("ci.pipeline_commands", pipe.path, follow), compute)


def job_commands(repo: Repo, pipe: Pipeline, job: Job) -> list[Command]:
    return [c for c in pipeline_commands(repo, pipe) if c.job == job.id]


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
    if isinstance(predicate, (str, re.Pattern)):
        rx = re.compile(predicate) if isinstance(predicate, str) else predicate
        return [c for c in all_commands(repo) if rx.search(c.text)]
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
    for pipe in pipelines(repo):
        for job in pipe.jobs:
            for step in job.steps:
                yield pipe, job, step


# ========================================================================================= classifiers

_INSTALL = re.compile(
    r"^(pip3?|uv\s+pip|uv\s+add|uv\s+sync|uv\s+tool\s+install|pipx|poetry\s+(add|install)|conda|mamba|micromamba|"
    r"apt(-get)?|brew|npm\s+(i|install|ci)|yum|apk|choco|echo|printf|cat|cd|export|git|curl|wget)\b"
)
_PATTERNS: dict[str, re.Pattern[str]] = {
    "test": re.compile(
        r"(^|[\s/])(pytest|py\.test|nose2?|ward|behave)\b|-m\s+(pytest|unittest)\b|\bunittest\s+discover|"
        r"\bhatch\s+test\b|\bcoverage\s+run\b|^(tox|nox)\b(?!.*\s(-e|--env|-s|--sessions?|-m|-t|--tags|-k|-l|--list)\b)"
    ),
    "lint": re.compile(
        r"(^|[\s/])(ruff(?!\s+format)|flake8|pylint|pyflakes|pycodestyle|mypy|pyright|basedpyright|pytype|bandit|"
        r"pydocstyle|pre-commit\s+run|prek\s+run|lefthook\s+run|nbqa|sqlfluff\s+lint|hadolint|yamllint|"
        r"ty\s+check|black\s+(.*\s)?--check|isort\s+(.*\s)?(--check|-c\b)|ruff\s+format\s+(.*\s)?--check)"
    ),
    "format": re.compile(r"(^|[\s/])(ruff\s+format|black|isort|autopep8|yapf)\b"),
    "train": re.compile(
        r"(^|[\s/._:=-])(re)?train(ing|er)?([\s/._:-]|$)|\bdvc\s+(repro|exp\s+run)\b|\bmlflow\s+run\b|"
        r"\bkedro\s+run\b|\bzenml\s+pipeline\s+run\b|\bfit_model\b|\bmetaflow\b|\bsagemaker\b.*\btraining"
    ),
    "deploy": re.compile(
        r"\bdocker\s+(image\s+)?push\b|\bbuildx\s+build\b.*--push|\btwine\s+upload\b|\b(uv|poetry|flit|hatch|pdm)\s+"
        r"publish\b|\bkubectl\s+(apply|rollout|set\s+image)|\bhelm\s+(upgrade|install)\b|\bgcloud\s+.*\bdeploy\b|"
        r"\baz\s+(webapp|containerapp|ml|functionapp)\b.*\b(create|deploy|up|update)\b|\b(sam|serverless|sls|cdk|"
        r"fly|flyctl|modal|vercel|bentoml|railway)\s+deploy\b|\bterraform\s+apply\b|\bpulumi\s+up\b|"
        r"\baws\s+(ecs\s+update-service|lambda\s+update-function-code|sagemaker\s+(create|update)-endpoint)|"
        r"\bmlflow\s+(deployments|sagemaker)\b|\bgh\s+release\s+create\b|\bskaffold\s+run\b|\bargocd\s+app\s+sync\b|"
        r"(^|[\s/])(make|just|poe|task|invoke|inv)\s+(deploy|publish|release)\b|(^|[\s/])deploy[\w.-]*\.sh\b"
    ),
    "audit": re.compile(r"\bmlops[-_]audit\b"),
    "drift": re.compile(
        r"drift|\bevidently\b|\bnannyml\b|alibi[-_]detect|\bwhylogs\b|\bdeepchecks\b|\bfrouros\b", re.I
    ),
    "evaluate": re.compile(
        r"evaluat|\bvalidat|promot|champion|challenger|\bregister|\bcompare\b|\bdvc\s+metrics\b|\bquality[-_ ]gate|"
        r"\bbenchmark",
        re.I,
    ),
    "metrics_report": re.compile(
        r"\bdvc\s+(metrics|plots|params|exp)\s+(diff|show)\b|\bcml\s+(comment|send-comment|publish|pr)\b|"
        r"\bcml-send-comment\b|\bgh\s+pr\s+comment\b|\bmlflow\b.*\b(compare|diff)\b"
    ),
}
#: Categories :func:`classify` assigns (``runs(repo, "test")``).
CATEGORIES = tuple(_PATTERNS)
_TEST_TASK = re.compile(
    r"^(make|gmake|just|poe|task|invoke|inv|mise\s+run|mise|npm\s+run|yarn|pdm|hatch|rye|pixi|hatch\s+run|"
    r"tox\s+(run\s+)?-e|tox\s+(run\s+)?--env|nox\s+-s|nox\s+--sessions?)\s+([\w:.-]*\s+)*?"
    r"[\w:.-]*(tests?|unit|unittests?|integration|e2e|pytest|coverage|cov|py3\d+|py3)\b"
)
_LINT_TASK = re.compile(
    r"^(make|gmake|just|poe|task|invoke|inv|mise\s+run|mise|npm\s+run|pdm|hatch\s+run|pixi|rye|"
    r"tox\s+(run\s+)?-e|nox\s+-s)\s+([\w:.-]*\s+)*?[\w:.-]*(lint|linting|style|flake8|ruff|typecheck|mypy|"
    r"check-format|format-check|quality|qa|static)\b"
)


@lru_cache(maxsize=8192)
def classify(text: str) -> frozenset[str]:
    """What a shell command does: any of :data:`CATEGORIES` (``test``, ``lint``, ``format``, ``train``,
    ``deploy``, ``audit``, ``drift``, ``evaluate``, ``metrics_report``). Installs and ``echo`` do not count."""
    found: set[str] = set()
    whole = text.strip()
    if "GITHUB_STEP_SUMMARY" in whole and re.search(r"metric|accuracy|score|f1|auc|rmse|loss", whole, re.I):
        found.add("metrics_report")  # a metrics table written to the job summary
    for segment in segments(whole):
        seg = segment.strip()
        inv = invocation(seg)
        if inv is None:
            continue
        peeled = " ".join((inv.program, *inv.args)).strip()
        if _INSTALL.match(peeled):
            continue
        for name, rx in _PATTERNS.items():
            if name == "metrics_report":
                if rx.search(seg):
                    found.add(name)
                continue
            if rx.search(peeled) or rx.search(seg):
                found.add(name)
        if _TEST_TASK.search(peeled):
            found.add("test")
        if _LINT_TASK.search(peeled):
            found.add("lint")
    if (
        "test" in found
        and "train" in found
        and not re.search(r"(^|\s)(python\S*\s+\S*train|dvc|mlflow|kedro)", whole)
    ):
        found.discard("train")  # pytest tests/test_train.py is a test, not a training run
    return frozenset(found)


def is_test(cmd: Command | str) -> bool:
    return "test" in classify(cmd if isinstance(cmd, str) else cmd.text)


def is_lint(cmd: Command | str) -> bool:
    return "lint" in classify(cmd if isinstance(cmd, str) else cmd.text)


@memoized
def test_commands(repo: Repo) -> list[Command]:
    """CI commands that run tests, directly or one level into a task runner or script."""
    return runs(repo, "test")


@memoized
def lint_commands(repo: Repo) -> list[Command]:
    return runs(repo, "lint")


#: ``uses:`` actions / orbs / pipes / tasks that lint or format-check.
LINT_ACTIONS = re.compile(
    r"(ruff-action|pre-commit/action|psf/black|flake8|pylint|python-lint|lint-action|super-linter|mypy|"
    r"pre-commit-ci|trunk-io/trunk-action|reviewdog)",
    re.I,
)
TEST_ACTIONS = re.compile(r"(pytest|tox-action|nox-action|python/test)", re.I)
DEPLOY_ACTIONS = re.compile(
    r"(pypi-publish|gh-action-pypi|webapps-deploy|k8s-deploy|deploy-cloudrun|deploy-appengine|"
    r"amazon-ecs-deploy|aws-lambda-deploy|sagemaker|flyctl-actions|action-gh-release|helm|"
    r"azure/(container-apps-deploy|functions-action|aml)|heroku-deploy|vercel-action|kubectl|argocd|ssh-deploy)",
    re.I,
)


def step_text(step: Step) -> str:
    """Everything a step says about itself, for keyword searches: name, uses, run, inputs."""
    return " ".join(
        [step.name, step.uses or "", step.run or "", " ".join(f"{k}={v}" for k, v in step.with_.items())]
    )


# ============================================================================================= report


@report_fact("has_ci")
def has_ci_fact(repo: Repo) -> FactValue:
    files = ci_files(repo)
    return FactValue.of([p for provider in PROVIDERS for p in files.get(provider, [])][:5])


@report_fact("ci_runs_tests")
def ci_runs_tests_fact(repo: Repo) -> FactValue:
    if not ci_files(repo):
        return FactValue(False)
    found = test_commands(repo)
    if found:
        return FactValue.of([c.location for c in found[:5]])
    steps = [(p.path, s.uses_line) for p, _, s in all_steps(repo) if s.uses and TEST_ACTIONS.search(s.uses)]
    if steps:
        return FactValue.of(steps[:5])
    if any(not p.parsed for p in pipelines(repo)):
        return FactValue(None)
    return FactValue(False)


@inventory("ci_providers")
def ci_providers_inventory(repo: Repo) -> list[str]:
    names = {"github": "github-actions", "gitlab": "gitlab-ci", "azure": "azure-pipelines",
             "circleci": "circleci", "jenkins": "jenkins", "bitbucket": "bitbucket-pipelines"}  # fmt: skip
    return [names[p] for p in providers(repo)]


@memoized
def task_runner_files(repo: Repo) -> dict[str, str]:
    """Task runners configured in the repository -> the file that configures them."""
    found: dict[str, str] = {}
    entries = repo.entries
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if name in entries:
            found.setdefault("make", name)
    for name in ("justfile", "Justfile", ".justfile"):
        if name in entries:
            found.setdefault("just", name)
    if tox_envs(repo):
        found["tox"] = (
            "tox.ini" if "tox.ini" in entries else ("tox.toml" if "tox.toml" in entries else "pyproject.toml")
        )
    if "noxfile.py" in entries:
        found["nox"] = "noxfile.py"
    if poe_tasks(repo):
        found["poe"] = "pyproject.toml"
    if any(p in entries for p in MISE_FILES) and any(
        dig(load_toml(repo, p), "tasks") for p in MISE_FILES if p in entries
    ):
        found["mise"] = next(p for p in MISE_FILES if p in entries)
    for name in ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"):
        if name in entries:
            found.setdefault("task", name)
    if "tasks.py" in entries and repo.contains("tasks.py", b"invoke"):
        found["invoke"] = "tasks.py"
    data = pyproject(repo)
    if dig(data, "tool", "pdm", "scripts"):
        found["pdm"] = "pyproject.toml"
    if dig(data, "tool", "hatch", "envs") and any(
        isinstance(v, dict) and v.get("scripts") for v in (dig(data, "tool", "hatch", "envs") or {}).values()
    ):
        found["hatch"] = "pyproject.toml"
    if dig(data, "tool", "rye", "scripts"):
        found["rye"] = "pyproject.toml"
    return found


@inventory("task_runners")
def task_runners_inventory(repo: Repo) -> list[str]:
    return sorted(task_runner_files(repo))


def iter_unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))

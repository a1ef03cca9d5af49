"""GitHub Actions: ``.github/workflows/*.yml``, with same-repository composite actions (``uses: ./...``)
and reusable workflows."""

from __future__ import annotations

from typing import Any

from .... import lazyre
from ....repo import Repo, memoized
from ...yamlfile import line_of, load_config
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands, split_script
from ..values import environment_name, pick, str_tuple

_EVENT_NAME = lazyre.compile(r"github\.event_name\s*==\s*['\"](\w+)['\"]")


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("github", path, parsed=False)
    pipe = Pipeline("github", path, name=str(data.get("name") or ""))
    on = pick(data, "on", True)
    on_line = line_of(data, "on") if "on" in data else line_of(data, True)
    if isinstance(on, str):
        pipe.triggers.append(Trigger(on, path, on_line))
    elif isinstance(on, list):
        for i, event in enumerate(on):
            if isinstance(event, str):
                pipe.triggers.append(Trigger(event, path, line_of(on, i) or on_line))
    elif isinstance(on, dict):
        for event, cfg in on.items():
            event = str(event)
            line = line_of(on, event)
            if event == "schedule":
                crons = tuple(str(c.get("cron")) for c in cfg or [] if isinstance(c, dict) and c.get("cron"))
                pipe.triggers.append(Trigger("schedule", path, line, crons=crons))
                continue
            branches = str_tuple(pick(cfg, "branches"))
            tags = str_tuple(pick(cfg, "tags"))
            types = str_tuple(pick(cfg, "types"))
            pipe.triggers.append(Trigger(event, path, line, branches=branches, tags=tags, types=types))
            if event == "push" and tags:
                pipe.triggers.append(Trigger("tags", path, line, tags=tags))
    if "permissions" in data:
        pipe.permissions = data["permissions"]
        pipe.permissions_line = line_of(data, "permissions")
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        for job_id, spec in jobs.items():
            if isinstance(spec, dict):
                pipe.jobs.append(_github_job(repo, path, str(job_id), spec, line_of(jobs, job_id)))
    return pipe


def _github_job(repo: Repo, path: str, job_id: str, spec: dict[str, Any], line: int | None) -> Job:
    job = Job(job_id, line, name=str(spec.get("name") or job_id))
    if "permissions" in spec:
        job.permissions = spec["permissions"]
        job.permissions_line = line_of(spec, "permissions")
    env = environment_name(spec)
    if env:
        job.environment = env
        job.environment_line = line_of(spec, "environment")
    job.needs = str_tuple(spec.get("needs"))
    job.if_ = str(spec.get("if") or "")
    if job.if_ and "!=" not in job.if_:
        events = _EVENT_NAME.findall(job.if_)
        if events:
            job.events = frozenset(events)
    if isinstance(spec.get("uses"), str):
        job.uses = spec["uses"]
        job.uses_line = line_of(spec, "uses")
    steps = spec.get("steps")
    for i, st in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(st, dict):
            job.steps.append(_github_step(repo, path, job_id, st, line_of(steps, i)))
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
        step.uses_line = line_of(st, "uses")
    with_ = st.get("with")
    if isinstance(with_, dict):
        step.with_ = with_
    if isinstance(run, str):
        step.run = run
        step.run_line = line_of(st, "run")
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
            steps = pick(pick(data, "runs"), "steps")
            out = [
                _github_step(repo, candidate, "", st, line_of(steps, i))
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

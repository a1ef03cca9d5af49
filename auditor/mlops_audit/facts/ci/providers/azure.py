"""Azure Pipelines: ``azure-pipelines*.yml`` (stages, jobs, deployment jobs, steps and tasks), with the local
templates they include (``- template: code-quality-template.yml``) read in place, three levels deep."""

from __future__ import annotations

import posixpath
from typing import Any

from ....repo import Repo
from ...yamlfile import line_of, load_config
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands
from ..values import environment_name, pick, str_tuple

_AZURE_SCRIPT_KEYS = ("script", "bash", "pwsh", "powershell")
#: How deep included templates are followed (a template including a template...).
_TEMPLATE_DEPTH = 3


def _template(repo: Repo, path: str, ref: str) -> tuple[str, dict[str, Any]] | None:
    """The local template ``ref`` included from ``path`` (relative to its directory, or to the repository
    root with a leading ``/``) and its content; None for a template of another repository (``x.yml@repo``)."""
    if "@" in ref or "$" in ref:
        return None
    base = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    target = ref.lstrip("/") if ref.startswith("/") else posixpath.normpath(base + ref)
    data = load_config(repo, target) if target in repo.entries else None
    return (target, data) if isinstance(data, dict) else None


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("azure", path, parsed=False)
    pipe = Pipeline("azure", path, name=str(data.get("name") or ""))
    trig = data.get("trigger", "__absent__")
    if trig != "none" and trig is not None and trig is not False:
        line = line_of(data, "trigger") if "trigger" in data else None
        tags = str_tuple(pick(trig, "tags"))
        pipe.triggers.append(Trigger("push", path, line, branches=str_tuple(pick(trig, "branches"))))
        if tags:
            pipe.triggers.append(Trigger("tags", path, line, tags=tags))
    pr = data.get("pr", "__absent__")
    if pr != "none" and pr is not None and pr is not False:
        pipe.triggers.append(Trigger("pull_request", path, line_of(data, "pr") if "pr" in data else None))
    schedules = data.get("schedules")
    if isinstance(schedules, list) and schedules:
        crons = tuple(str(s.get("cron")) for s in schedules if isinstance(s, dict) and s.get("cron"))
        pipe.triggers.append(Trigger("schedule", path, line_of(data, "schedules"), crons=crons))
    resources = pick(pick(data, "resources"), "pipelines")
    if isinstance(resources, list) and any(isinstance(r, dict) and r.get("trigger") for r in resources):
        pipe.triggers.append(Trigger("pipeline", path, line_of(data, "resources")))
    if isinstance(data.get("stages"), list):
        for stage in data["stages"]:
            if isinstance(stage, dict):
                for job in _azure_jobs(repo, path, stage.get("jobs"), str(stage.get("stage") or "")):
                    pipe.jobs.append(job)
    if isinstance(data.get("jobs"), list):
        pipe.jobs.extend(_azure_jobs(repo, path, data["jobs"], ""))
    if isinstance(data.get("steps"), list):
        job = Job("(steps)", line_of(data, "steps"))
        job.steps = _azure_steps(repo, path, data["steps"], job.id)
        pipe.jobs.append(job)
    return pipe


def _azure_jobs(repo: Repo, path: str, jobs: Any, stage: str, depth: int = _TEMPLATE_DEPTH) -> list[Job]:
    out = []
    for i, spec in enumerate(jobs if isinstance(jobs, list) else []):
        if not isinstance(spec, dict):
            continue
        included = _template(repo, path, spec["template"]) if isinstance(spec.get("template"), str) else None
        if included is not None and depth > 0 and ("jobs" in included[1] or "steps" in included[1]):
            tpath, tdata = included
            if isinstance(tdata.get("jobs"), list):
                out.extend(_azure_jobs(repo, tpath, tdata["jobs"], stage, depth - 1))
            else:
                job = Job(f"{stage}.{spec['template']}" if stage else spec["template"], line_of(jobs, i))
                job.steps = _azure_steps(repo, tpath, tdata["steps"], job.id, depth - 1)
                out.append(job)
            continue
        name = str(spec.get("job") or spec.get("deployment") or spec.get("template") or f"job{i}")
        job = Job(
            f"{stage}.{name}" if stage else name,
            line_of(jobs, i),
            name=str(spec.get("displayName") or name),
        )
        env = environment_name(spec)
        if env:
            job.environment = env
            job.environment_line = line_of(spec, "environment")
        elif "deployment" in spec:
            job.environment = name
            job.environment_line = line_of(spec, "deployment")
        job.needs = str_tuple(spec.get("dependsOn"))
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


def _azure_steps(repo: Repo, path: str, steps: Any, job_id: str, depth: int = _TEMPLATE_DEPTH) -> list[Step]:
    out = []
    for i, st in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(st, dict):
            continue
        line = line_of(steps, i)
        key = next((k for k in _AZURE_SCRIPT_KEYS if k in st), None)
        name = str(st.get("displayName") or st.get("task") or st.get(key or "", "") or "")[:80]
        step = Step(name, line)
        if key and isinstance(st[key], str):
            step.run = st[key]
            step.run_line = line_of(st, key)
            step.commands = script_commands(repo, path, st[key], step.run_line, job=job_id, step=name)
        elif isinstance(st.get("task"), str):
            step.uses = st["task"]
            step.uses_line = line_of(st, "task")
            inputs = got if isinstance(got := st.get("inputs"), dict) else {}
            step.with_ = inputs
            for k in ("script", "inlineScript", "scriptPath", "arguments"):
                if isinstance(inputs.get(k), str) and k != "arguments":
                    step.commands += script_commands(
                        repo, path, inputs[k], line_of(inputs, k), job=job_id, step=name
                    )
        elif isinstance(st.get("template"), str):
            included = _template(repo, path, st["template"]) if depth > 0 else None
            if included is not None and isinstance(included[1].get("steps"), list):
                out.extend(_azure_steps(repo, included[0], included[1]["steps"], job_id, depth - 1))
                continue
            step.uses = st["template"]
            step.uses_line = line
        out.append(step)
    return out

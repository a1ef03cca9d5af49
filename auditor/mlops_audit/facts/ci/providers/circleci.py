"""CircleCI: ``.circleci/config.yml`` (workflows, scheduled triggers, jobs, reusable commands)."""

from __future__ import annotations

from typing import Any

from ....repo import Repo
from ...yamlfile import line_of, load_config
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands
from ..values import pick, str_tuple


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
    data = load_config(repo, path)
    if not isinstance(data, dict):
        return Pipeline("circleci", path, parsed=False)
    pipe = Pipeline("circleci", path)
    commands = got if isinstance(got := data.get("commands"), dict) else {}
    job_events: dict[str, set[str]] = {}
    events: set[str] = set()
    workflows = data.get("workflows")
    for wf_name, wf in workflows.items() if isinstance(workflows, dict) else []:
        if not isinstance(wf, dict):
            continue
        wf_events: set[str] = set()
        triggers = wf.get("triggers")
        for t in triggers if isinstance(triggers, list) else []:
            sched = pick(t, "schedule")
            if isinstance(sched, dict):
                wf_events.add("schedule")
                pipe.triggers.append(
                    Trigger("schedule", path, line_of(wf, "triggers"), crons=str_tuple(sched.get("cron")))
                )
        if "scheduled_pipeline" in repr(wf.get("when")):
            wf_events.add("schedule")
            pipe.triggers.append(Trigger("schedule", path, line_of(wf, "when")))
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
            if isinstance(cfg, dict) and pick(pick(cfg, "filters"), "tags"):
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
        pipe.triggers.insert(0, Trigger("push", path, line_of(data, "workflows") if workflows else None))
    if any("tags" in e for e in job_events.values()):
        pipe.triggers.append(Trigger("tags", path, line_of(data, "workflows")))
    jobs = data.get("jobs")
    for job_id, spec in jobs.items() if isinstance(jobs, dict) else []:
        if not isinstance(spec, dict):
            continue
        job = Job(str(job_id), line_of(jobs, job_id))
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
        line = line_of(steps, i)
        if isinstance(st, str):
            if st in commands and depth < 2:
                out.extend(
                    _circleci_steps(repo, path, pick(commands[st], "steps"), job_id, commands, depth + 1)
                )
            else:
                out.append(Step(st, line, uses=st, uses_line=line))
            continue
        if not isinstance(st, dict) or not st:
            continue
        key, value = next(iter(st.items()))
        if key == "run":
            cmd = value.get("command") if isinstance(value, dict) else value
            name = str(pick(value, "name") or "run")
            step = Step(name, line)
            if isinstance(cmd, str):
                step.run = cmd
                cline = line_of(value, "command") if isinstance(value, dict) else line_of(st, "run")
                step.run_line = cline
                step.commands = script_commands(repo, path, cmd, cline, job=job_id, step=name)
            out.append(step)
        elif key == "when" or key == "unless":
            out.extend(_circleci_steps(repo, path, pick(value, "steps"), job_id, commands, depth))
        elif isinstance(key, str) and key in commands and depth < 2:
            out.extend(_circleci_steps(repo, path, pick(commands[key], "steps"), job_id, commands, depth + 1))
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

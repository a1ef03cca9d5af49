"""Bitbucket Pipelines: ``bitbucket-pipelines.yml`` (sections, steps, parallel groups, stages, pipes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ....repo import Repo
from ...yamlfile import line_of, load_config
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands

_BB_SECTIONS = {"default": "push", "branches": "push", "tags": "tags", "pull-requests": "pull_request",
                "bookmarks": "push", "custom": "manual"}  # fmt: skip


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
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
        pipe.triggers.append(Trigger(event, path, line_of(sections, section)))
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
                    job.environment_line = line_of(step_spec, "deployment")
                job.manual = step_spec.get("trigger") == "manual"
                for key in ("script", "after-script"):
                    script = step_spec.get(key)
                    if not isinstance(script, list):
                        continue
                    for i, item in enumerate(script):
                        iline = line_of(script, i)
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
            yield item["step"], line_of(items, i)
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

"""Jenkins: a ``Jenkinsfile``, read with regular expressions (Groovy is not parsed): stages, ``sh``
steps, cron triggers, change requests and tags."""

from __future__ import annotations

import re

from .... import lazyre
from ....repo import Repo
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands

_J_STAGE = lazyre.compile(r"\bstage\s*\(\s*(?:name\s*:\s*)?['\"]([^'\"]+)['\"]")
_J_SH = lazyre.compile(
    r"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?(?P<q>'''|\"\"\"|'|\")(?P<body>.*?)(?P=q)",
    re.DOTALL,
)
_J_CRON = lazyre.compile(r"\bcron\s*\(\s*['\"]([^'\"]+)['\"]")
_J_ENV = lazyre.compile(r"\b(environment|deploy)", re.IGNORECASE)


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
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

"""GitLab CI: ``.gitlab-ci.yml`` and its local includes; ``extends:`` templates merged, ``rules:``/``only:``
read for the events a job runs on."""

from __future__ import annotations

from typing import Any

from .... import lazyre
from ....repo import Repo
from ...yamlfile import line_of, load_config
from ..model import Job, Pipeline, Step, Trigger
from ..shell import locate, script_commands
from ..values import pick, str_tuple, strings

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
_SOURCE_EQ = lazyre.compile(r"\$CI_PIPELINE_SOURCE\s*==\s*[\"'](\w+)[\"']")


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
    refs = str_tuple(only.get("refs")) if isinstance(only, dict) else str_tuple(only)
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


def parse(repo: Repo, path: str) -> Pipeline:
    """The pipeline declared in ``path`` (``parsed=False`` when it cannot be read)."""
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
                specs.append((doc_path, key, value, line_of(data, key)))
    root = docs[0][1]
    events: set[str] = {"push"}
    default = got if isinstance(got := root.get("default"), dict) else {}
    before = [("before_script", root.get("before_script") or default.get("before_script"))]
    for key, value in before:
        if value:
            job = Job("(default)", line_of(root, key) or line_of(default, key))
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
            job.environment_line = line_of(spec, "environment") if "environment" in spec else line
        job.needs = tuple(
            n if isinstance(n, str) else str(pick(n, "job") or "")
            for n in _strs_or_dicts(merged.get("needs"))
        )
        for key in ("before_script", "script", "after_script"):
            value = merged.get(key)
            if value:
                kline = line_of(spec, key) if key in spec else line
                step = Step(key, kline)
                step.run = "\n".join(strings(value))
                step.run_line = kline
                step.commands = script_commands(repo, doc_path, value, kline, job=name, step=key)
                job.steps.append(step)
        artifacts = merged.get("artifacts")
        reports = artifacts.get("reports") if isinstance(artifacts, dict) else None
        metrics = reports.get("metrics") if isinstance(reports, dict) else None
        for target in str_tuple(metrics):
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

"""Training schedules declared outside CI: an orchestrator's own scheduler (Prefect ``flow.serve(cron=...)`` /
``.deploy(cron=...)`` / ``prefect.yaml`` deployments with a schedule, Airflow DAGs with a schedule, Dagster
schedules, ZenML ``Schedule``, Vertex AI / Kubeflow recurring pipeline runs) and cloud schedulers declared in
Terraform that start a pipeline (:func:`.cloudml.schedules`).

A schedule counts for training only when the file that declares it runs training: it names training (imports a
``train`` module, a ``training`` tag...) or a pipeline. Nothing is executed; a schedule set to ``None`` (Airflow
``schedule=None``) is no schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lazyre
from ..repo import Repo, memoized
from . import cloudml
from .python import NON_LITERAL, Call, modules_containing, prefilter
from .yamlfile import line_of, load_yaml

_NEEDLES = prefilter(b"cron", b"schedule", b"interval", b"rrule", b"recurring")
#: keyword arguments that give a schedule, per call attribute
_SCHEDULE_KWARGS = {
    "serve": ("cron", "interval", "rrule", "schedule", "schedules"),  # Prefect flow.serve / to_deployment
    "deploy": ("cron", "interval", "rrule", "schedule", "schedules"),
    "to_deployment": ("cron", "interval", "rrule", "schedule", "schedules"),
    "build_from_flow": ("schedule", "schedules"),  # Prefect 2 Deployment
    "DAG": ("schedule", "schedule_interval", "timetable"),  # Airflow
    "dag": ("schedule", "schedule_interval", "timetable"),
    "ScheduleDefinition": ("cron_schedule",),  # Dagster
    "schedule": ("cron_schedule",),
    "Schedule": ("cron_expression", "interval_second", "start_time"),  # ZenML
    "create_schedule": ("cron", "cron_expression"),  # Vertex AI PipelineJob
    "PipelineJobSchedule": ("cron", "cron_expression"),
    "create_recurring_run": ("cron_expression", "interval_second"),  # Kubeflow Pipelines client
}
_ROOTS = ("prefect", "airflow", "dagster", "zenml", "google.cloud.aiplatform", "kfp")
_TRAINING = lazyre.compile(r"train", re.IGNORECASE)


@dataclass(frozen=True)
class Schedule:
    path: str
    line: int | None
    what: str


def _scheduled(call: Call) -> str | None:
    keys = _SCHEDULE_KWARGS.get(call.attr)
    if not keys:
        return None
    for key in keys:
        if key in call.kwargs and call.kwargs[key] not in (None, "", "@none", "None"):
            value = call.kwargs[key]
            return f"{call.name}({key}={value!r})" if value is not NON_LITERAL else f"{call.name}({key}=...)"
    return None


def _prefect_yaml(repo: Repo) -> list[Schedule]:
    out: list[Schedule] = []
    for path in repo.named("prefect.yaml") + repo.named("prefect.yml"):
        data = load_yaml(repo, path)
        deployments = data.get("deployments") if isinstance(data, dict) else None
        for dep in deployments if isinstance(deployments, list) else []:
            if not isinstance(dep, dict):
                continue
            sched = dep.get("schedule") or dep.get("schedules")
            items = sched if isinstance(sched, list) else [sched]
            if any(isinstance(s, dict) and ({"cron", "interval", "rrule"} & set(s)) for s in items):
                text = " ".join(str(dep.get(k, "")) for k in ("name", "entrypoint", "tags", "description"))
                if _TRAINING.search(text):
                    key = "schedule" if "schedule" in dep else "schedules"
                    out.append(Schedule(path, line_of(dep, key), f"Prefect deployment {dep.get('name', '')}"))
    return out


@memoized
def training_schedules(repo: Repo) -> list[Schedule]:
    """Schedules of training runs declared in an orchestrator or in the cloud (not in CI)."""
    out: list[Schedule] = []
    for mod in modules_containing(repo, *_NEEDLES):
        if not mod.imports_any(*_ROOTS) or re.search(r"(^|/)(tests?/|test_)", mod.path):
            continue
        found = [(call.line, what) for call in mod.calls if (what := _scheduled(call))]
        if not found:
            continue
        text = repo.read_text(mod.path) or ""
        if not _TRAINING.search(text):
            continue  # a schedule of something else (a report, a drift check)
        out += [Schedule(mod.path, line, what) for line, what in found]
    out += _prefect_yaml(repo)
    out += [Schedule(r.path, r.line, f"{r.type}.{r.name}") for r in cloudml.schedules(repo)]
    return out

"""Which kind of project a repository (or sub-project) is, read from what it contains: the profile its
checks are chosen by when the configuration names none.

- ``service``: it serves a model online (a serving entry point: FastAPI, Flask, BentoML, Ray Serve, ...);
- ``pipeline``: it declares a training pipeline (dvc.yaml, Kedro, ZenML, Prefect, Airflow, a task chain...);
- ``library``: an installable package that trains no model of its own;
- ``research``: anything else — code that trains models by scripts or notebooks.

The research and library profiles leave out the deployment and continuous-training checks: research code is
judged by research standards (environment, seeds, configs, tracking, provenance, reproduction instructions).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..repo import Repo
from . import configs, pipelines, serving


@dataclass(frozen=True)
class Profile:
    name: str
    reason: str


def detect(repo: Repo) -> Profile:
    """The profile of ``repo`` and why, from its serving entry points, pipelines, package and training code."""
    entries = serving.online_entries(repo)
    if entries:
        first = entries[0]
        return Profile("service", f"serves a model ({first.framework} in {first.path})")
    definitions = pipelines.pipeline_definitions(repo)
    if definitions:
        first_def = definitions[0]
        return Profile("pipeline", f"declares a pipeline ({first_def.framework} in {first_def.path})")
    trains = pipelines.training_modules(repo) or pipelines.training_notebooks(repo)
    layout = configs.package_layout(repo)
    if layout.installable and not trains:
        return Profile("library", f"an installable package ({layout.build_file}) that trains no model")
    if trains:
        return Profile("research", "trains models by scripts or notebooks, with no pipeline or service")
    return Profile("research", "no serving entry point, pipeline or training code found")

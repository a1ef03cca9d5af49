"""The facts layer: what a repository contains, parsed lazily and once, never a verdict.

Each module covers one kind of artefact (python, notebooks, dependencies, ci, precommit, docker, dvc, configs,
git). Modules register the repository-level facts of the JSON report with :func:`report_fact`; the 21 facts
named in :data:`FACT_NAMES` are the stable contract of the report, anything else goes to ``extra_facts``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import FactValue

if TYPE_CHECKING:
    from ..repo import Repo

__all__ = [
    "FACT_MODULES",
    "FACT_NAMES",
    "INVENTORY",
    "REPORT_FACTS",
    "FactValue",
    "inventory",
    "load",
    "report_fact",
]

#: The facts every JSON report carries, in this order (schema contract; see docs/json-schema.md).
FACT_NAMES: tuple[str, ...] = (
    "has_ci",
    "ci_runs_tests",
    "has_tests",
    "deps_declared",
    "deps_locked",
    "has_precommit",
    "linter_configured",
    "config_management",
    "experiment_tracking",
    "data_versioning",
    "data_validation",
    "pipeline_defined",
    "seeds_set",
    "containerized",
    "model_serving",
    "drift_monitoring",
    "notebooks_with_outputs",
    "large_files_in_git",
    "secrets_in_repo",
    "license",
    "readme",
)

#: The fact modules, imported on first use of the registry.
FACT_MODULES = (
    "python",
    "testing",
    "notebooks",
    "dependencies",
    "ci",
    "precommit",
    "docker",
    "dvc",
    "configs",
    "git",
    "pipelines",
    "serving",
    "ml",
    "tracking",
    "validation",
    "seeds",
    "secrets",
    "project",
)


FactFunc = Callable[["Repo"], FactValue]
REPORT_FACTS: dict[str, FactFunc] = {}
INVENTORY: dict[str, Callable[[Repo], list[str]]] = {}


def report_fact(name: str) -> Callable[[FactFunc], FactFunc]:
    """Register ``f(repo) -> FactValue`` as the report fact ``name`` (one of FACT_NAMES, or an extra fact)."""

    def register(func: FactFunc) -> FactFunc:
        if name in REPORT_FACTS and REPORT_FACTS[name] is not func:
            raise ValueError(f"fact {name} is registered twice")
        REPORT_FACTS[name] = func
        return func

    return register


def inventory(category: str) -> Callable[[Callable[[Repo], list[str]]], Callable[[Repo], list[str]]]:
    """Register ``f(repo) -> [tool names]`` as the inventory category ``category`` (e.g. ``trackers``)."""

    def register(func: Callable[[Repo], list[str]]) -> Callable[[Repo], list[str]]:
        INVENTORY[category] = func
        return func

    return register


def load() -> None:
    """Import every fact module so that its report facts and inventory categories are registered."""
    for name in FACT_MODULES:
        importlib.import_module(f"{__name__}.{name}")

"""Baselines: the failures of an audit recorded in a file (``--write-baseline``), so that a later audit fails its
gates only on checks that were not already failing (``--baseline``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import ConfigError
from .report import Report

SCHEMA = "mlops-audit-baseline/1"


def data(report: Report) -> dict[str, Any]:
    """What ``--write-baseline`` stores: the failing check IDs of the repository and of each sub-project."""
    failing = {
        (p.path or "."): sorted(o.check.id for o in p.outcomes if o.failed)
        for p in (report.project, *report.subprojects)
    }
    return {
        "schema": SCHEMA,
        "tool_version": report.tool_version,
        "score": report.score,
        "failing": failing,
    }


def write(report: Report, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data(report), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """A baseline from its file (or its parsed dict); :class:`ConfigError` when it is unreadable or not one."""
    if isinstance(source, Mapping):
        loaded: Any = source
    else:
        try:
            loaded = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read baseline {source}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise ConfigError(f"baseline {source} is not valid JSON: {exc}") from exc
    if (
        not isinstance(loaded, Mapping)
        or loaded.get("schema") != SCHEMA
        or not isinstance(loaded.get("failing"), Mapping)
    ):
        raise ConfigError(f"baseline {source} is not an mlops-audit baseline (schema {SCHEMA})")
    return loaded


def known_failing(baseline: Mapping[str, Any] | None, path: str) -> set[str]:
    """The check IDs the baseline records as failing in the (sub-)project at ``path`` (``""``: the repository)."""
    return set((baseline or {}).get("failing", {}).get(path or ".", []))


def score_limit(baseline: Mapping[str, Any] | None, fail_under: float) -> float:
    """The ``fail-under`` threshold in force: never above the baseline's own score."""
    if baseline is not None and isinstance(baseline.get("score"), (int, float)):
        return min(fail_under, float(baseline["score"]))
    return fail_under

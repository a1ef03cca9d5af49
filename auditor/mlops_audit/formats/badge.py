"""``--format badge``: a shields.io endpoint JSON (https://shields.io/badges/endpoint-badge).

Publish the file (a gist, GitHub Pages, an artifact) and point
``https://img.shields.io/endpoint?url=<its URL>`` at it: ``mlops-audit | 87/100 · level 1``. With several
audited paths the badge shows the worst of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..report import Report

#: (lowest score, shields colour), best band first.
BANDS = ((90, "brightgreen"), (80, "green"), (70, "yellowgreen"), (60, "yellow"), (40, "orange"), (0, "red"))


def color(score: int | None) -> str:
    if score is None:
        return "lightgrey"
    return next(name for low, name in BANDS if score >= low)


def _badness(report: Report) -> tuple[int, int]:
    score = report.project.overall
    return (score if score is not None else 101, report.project.maturity.level)


def render(reports: Sequence[Report]) -> str:
    worst = min(reports, key=_badness) if reports else None
    if worst is None:
        data = {"schemaVersion": 1, "label": "mlops-audit", "message": "no report", "color": "lightgrey"}
    else:
        score = worst.project.overall
        value = "n/a" if score is None else f"{score}/100"
        data = {
            "schemaVersion": 1,
            "label": "mlops-audit",
            "message": f"{value} · level {worst.project.maturity.level}",
            "color": color(score),
        }
    return json.dumps(data, ensure_ascii=False) + "\n"

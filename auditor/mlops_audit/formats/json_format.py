"""``--format json``: the report as JSON (schema: docs/json-schema.md; ``schema_version`` inside)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..report import SCHEMA_VERSION, Report


def render(reports: Sequence[Report]) -> str:
    """One report renders as its object; several (several paths) as ``{"schema_version", "reports": [...]}``."""
    if len(reports) == 1:
        data: object = reports[0].to_dict()
    else:
        data = {"schema_version": SCHEMA_VERSION, "reports": [r.to_dict() for r in reports]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

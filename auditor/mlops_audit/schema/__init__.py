"""The JSON Schema of ``--format json`` (draft 2020-12), shipped inside the package.

``load_report_schema()`` returns it as a dict; ``REPORT_SCHEMA`` names the resource for ``importlib.resources``.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

REPORT_SCHEMA = "report.schema.json"


def load_report_schema() -> dict[str, Any]:
    """The JSON Schema that every ``mlops-audit --format json`` report of this version validates against."""
    schema: dict[str, Any] = json.loads(files(__name__).joinpath(REPORT_SCHEMA).read_text(encoding="utf-8"))
    return schema

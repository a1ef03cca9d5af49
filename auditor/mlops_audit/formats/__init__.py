"""Output formats: each module turns finished reports into text and knows nothing of parsing or checking.

Every module exposes ``render(reports: Sequence[Report]) -> str`` (several reports when several paths were
audited). Modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..report import Report

#: format name -> (module, one-line description)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "coloured terminal report (default)"),
    "json": ("json_format", "machine-readable report with facts, results and scores (versioned schema)"),
    "sarif": ("sarif", "SARIF 2.1.0 for GitHub code scanning"),
    "markdown": ("markdown", "GitHub job summary / pull-request comment"),
    "html": ("html", "one self-contained page with a chart of the principle scores"),
    "junit": ("junit", "JUnit XML, one test case per check"),
    "badge": ("badge", "shields.io endpoint JSON"),
    "codeclimate": ("codeclimate", "GitLab Code Quality report"),
}


def render(name: str, reports: Sequence[Report]) -> str:
    module, _ = FORMATS[name]
    return importlib.import_module(f"{__name__}.{module}").render(reports)

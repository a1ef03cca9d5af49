"""Output formats: each module turns finished reports into text and knows nothing of parsing or checking.

Every module exposes ``render(reports: Sequence[Report]) -> str`` (several reports when several paths were
audited). Modules are imported only when their format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:
    from ..report import Report


class Format(NamedTuple):
    module: str  # module of this package that renders it
    description: str
    extension: str  # the usual file name extension of its output


FORMATS: dict[str, Format] = {
    "text": Format("text", "coloured terminal report (default)", "txt"),
    "json": Format(
        "json_format", "machine-readable report with facts, results and scores (versioned schema)", "json"
    ),
    "sarif": Format("sarif", "SARIF 2.1.0 for GitHub code scanning", "sarif"),
    "markdown": Format("markdown", "GitHub job summary / pull-request comment", "md"),
    "html": Format("html", "one self-contained page with a chart of the principle scores", "html"),
    "junit": Format("junit", "JUnit XML, one test case per check", "xml"),
    "badge": Format("badge", "shields.io endpoint JSON", "json"),
    "codeclimate": Format("codeclimate", "GitLab Code Quality report", "json"),
}


def render(name: str, reports: Sequence[Report]) -> str:
    module = FORMATS[name].module
    # every module of FORMATS defines ``render(reports) -> str`` (a module imported by name is untyped)
    return cast(str, importlib.import_module(f"{__name__}.{module}").render(reports))

"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).

One run per audited path. The driver's rules are the checks that ran, documented from their docstrings; each
failing check that is not ignored is one result, of the repository or of a sub-project (with prefixed paths).
Every result has a physical location (line 1 when the evidence has no line) relative to ``%SRCROOT%``: the
working directory when the audited path was given relative to it (the checkout, in CI), else the audited
directory itself. With several audited paths each run gets its own ``automationDetails.id`` (GitHub rejects
several runs of one tool in one category); do not pass a ``category`` to the upload step then.
``partialFingerprints`` hash the check, the sub-project and the evidence file, so an alert
survives a changed message or moved line. With a baseline, results carry ``baselineState`` (``unchanged`` for
failures the baseline knew, ``new`` otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..checks.base import Check
from ..model import Evidence, Principle, Severity
from ..report import Outcome, ProjectReport, Report
from ._common import (
    HOMEPAGE,
    baseline_used,
    doc_markdown,
    doc_plain,
    evidence_of,
    fallback_path,
    fingerprint,
    fix_command,
    fix_hint,
    help_uri,
    path_text,
    projects,
    reported_failures,
    root_prefix,
    summary,
    text,
    uri,
)

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "mlopsAudit/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: GitHub's own severity vocabulary for non-security rules.
_PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
#: GitHub ranks alerts of rules tagged "security" by this CVSS-like number.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "2.0"}


def render(reports: Sequence[Report]) -> str:
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [_run(report, automation=len(reports) > 1) for report in reports],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule_name(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Check"


def _rule(check: Check) -> dict[str, Any]:
    doc = check.doc or check.title
    help_text = text(doc_plain(doc))
    help_markdown = text(doc_markdown(doc))
    if check.fix_hint:
        help_text += f"\n\nFix: {fix_hint(check)}"
        help_markdown += f"\n\n**Fix:** {fix_hint(check, markdown=True)}"
    tags = ["mlops", check.principle.value, f"maturity-level-{check.level}"]
    properties: dict[str, Any] = {
        "tags": tags,
        "principle": check.principle.value,
        "principleTitle": check.principle.title,
        "maturityLevel": check.level,
        "precision": "high",
        "problem.severity": _PROBLEM_SEVERITY[check.severity],
        "fixable": check.fix is not None,
    }
    if check.principle is Principle.SECURITY:
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[check.severity]
    if check.plugin:
        properties["plugin"] = check.plugin
    rule: dict[str, Any] = {
        "id": check.id,
        "name": _rule_name(check.title),
        "shortDescription": {"text": text(check.title)},
        "fullDescription": {"text": summary(check), "markdown": summary(check, markdown=True)},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": properties,
    }
    uri_of_help = help_uri(check)
    if uri_of_help:
        rule["helpUri"] = uri_of_help
    return rule


def _physical(path: str, line: int | None, prefix: str) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": uri(prefix + path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": line if line and line >= 1 else 1},
    }


def _location(evidence: Evidence, prefix: str) -> dict[str, Any]:
    label = path_text(evidence.path) + (f":{evidence.line}" if evidence.line else "")
    if evidence.note:
        label += f" ({text(evidence.note)})"
    return {"physicalLocation": _physical(evidence.path, evidence.line, prefix), "message": {"text": label}}


def _result(
    report: Report,
    project: ProjectReport,
    outcome: Outcome,
    rule_index: int,
    prefix: str,
    baseline: bool,
) -> dict[str, Any]:
    check = outcome.check
    evidence = evidence_of(outcome, project)
    if not evidence:
        evidence = [Evidence(fallback_path(report, project), None, "no evidence: the repository")]
    where = f"[{path_text(project.path)}] " if project.path else ""
    message = where + (text(outcome.result.message) or f"{check.id} failed: {text(check.title)}")
    if check.fix_hint:
        message += f"\nFix: {fix_hint(check)}"
    command = fix_command(project, check)
    if command:
        message += f"\nAutomatic fix: {command}"
    result: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[check.severity],
        "message": {"text": message},
        "locations": [_location(evidence[0], prefix)],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(check.id, project.path, evidence[0].path)[:32],
        },
        "properties": {
            "project": project.path or ".",
            "principle": check.principle.value,
            "severity": check.severity.value,
            "credit": round(outcome.result.credit, 3),
        },
    }
    if len(evidence) > 1:
        result["relatedLocations"] = [
            {"id": index, **_location(e, prefix)} for index, e in enumerate(evidence[1:], start=1)
        ]
    if baseline:
        result["baselineState"] = "unchanged" if outcome.in_baseline else "new"
    return result


def _src_root(report: Report, prefix: str) -> dict[str, Any]:
    if prefix or report.root in ("", "."):
        return {
            "description": {
                "text": "The directory mlops-audit ran in (the repository checkout in CI); "
                f"the audited path was {text(report.root or '.')!r}."
            }
        }
    root_uri = Path(report.root).absolute().as_uri()
    return {
        "uri": root_uri.rstrip("/") + "/",
        "description": {"text": "The audited directory."},
    }


def _run(report: Report, *, automation: bool) -> dict[str, Any]:
    prefix = root_prefix(report)
    checks = report.checks()
    index = {check.id: i for i, check in enumerate(checks)}
    baseline = baseline_used(report)
    results = [
        _result(report, project, outcome, index[outcome.check.id], prefix, baseline)
        for project, outcome in reported_failures(report)
    ]
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{path_text(note.path) or '.'}: {text(note.message)}"},
            **(
                {"locations": [{"physicalLocation": _physical(note.path, None, prefix)}]} if note.path else {}
            ),
        }
        for note in report.notes
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mlops-audit",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": HOMEPAGE,
                "rules": [_rule(check) for check in checks],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": _src_root(report, prefix)},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
                "properties": {"gatePassed": report.gate.passed, "gateReasons": list(report.gate.reasons)},
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "root": text(report.root),
            "score": report.project.overall,
            "maturity": report.project.maturity.level,
            "maturityName": report.project.maturity.name,
            "subprojects": [
                {"path": path_text(p.path), "score": p.overall, "maturity": p.maturity.level}
                for p in projects(report)[1:]
            ],
        },
    }
    if automation:  # several runs of one tool in one file need distinct categories on GitHub
        category = (prefix or text(report.root)).strip("/") or "."
        run["automationDetails"] = {"id": f"mlops-audit/{category}/"}
    return run

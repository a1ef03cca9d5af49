"""``--format junit``: JUnit XML, one ``<testsuite>`` per audited path and per sub-project, one ``<testcase>``
per check (classname = principle, name = "ID title").

Failures carry the message, the evidence and how to fix; not-applicable and ignored checks are ``<skipped>``
with the reason. CI systems that render JUnit (GitLab, Jenkins, Azure, GitHub test reporters) then list the
audit next to the test suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..model import Status
from ..report import Outcome, ProjectReport, Report
from ._common import evidence_of, fix_command, fix_hint, path_text, projects, score_text, summary, text


def render(reports: Sequence[Report]) -> str:
    root = ET.Element("testsuites", name="mlops-audit")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time = 0.0
    for report in reports:
        time += report.duration
        for index, project in enumerate(projects(report)):
            suite = _suite(report, project, duration=report.duration if index == 0 else 0.0)
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(report: Report, project: ProjectReport, *, duration: float) -> ET.Element:
    name = text(report.root) + (f" {path_text(project.path)}" if project.path else "")
    counts = project.summary()
    suite = ET.Element(
        "testsuite",
        name=f"mlops-audit {name}",
        tests=str(counts["total"]),
        failures=str(counts["failed"]),
        errors="0",
        skipped=str(counts["not_applicable"] + counts["ignored"] + counts["unknown"]),
        time=f"{duration:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    values = [
        ("tool.version", report.tool_version),
        ("project", path_text(project.path) if project.path else "."),
        ("score", score_text(project.overall)),
        ("maturity", project.maturity.name),
        ("maturity.blockers", ", ".join(project.maturity.blockers)),
    ]
    if not project.path:  # the gate is the repository's
        values.append(
            ("gate", "passed" if report.gate.passed else "failed: " + "; ".join(report.gate.reasons))
        )
    values += [
        (f"score.{p.value}", "n/a" if s.score is None else str(s.score))
        for p, s in project.principles.items()
    ]
    for key, value in values:
        ET.SubElement(properties, "property", name=key, value=text(value))
    for outcome in project.outcomes:
        suite.append(_case(outcome, project))
    return suite


def _details(outcome: Outcome, project: ProjectReport) -> str:
    check = outcome.check
    lines = [f"{check.id} {text(check.title)} ({check.severity.value}, level {check.level})"]
    if outcome.result.message:
        lines.append(text(outcome.result.message))
    for evidence in evidence_of(outcome, project):
        where = path_text(evidence.path) + (f":{evidence.line}" if evidence.line else "")
        lines.append(f"  at {where}" + (f" ({text(evidence.note)})" if evidence.note else ""))
    if outcome.in_baseline:
        lines.append("already failing in the baseline (does not fail the gate)")
    lines.append(f"fix: {fix_hint(check)}" if check.fix_hint else f"why: {summary(check)}")
    command = fix_command(project, check)
    if command:
        lines.append(f"automatic fix: {command}")
    return "\n".join(lines)


def _case(outcome: Outcome, project: ProjectReport) -> ET.Element:
    check = outcome.check
    case = ET.Element("testcase", classname=check.principle.value, name=f"{check.id} {text(check.title)}")
    case.set("time", "0")
    evidence = evidence_of(outcome, project)
    if evidence:
        case.set("file", path_text(evidence[0].path))
        if evidence[0].line:
            case.set("line", str(evidence[0].line))
    message = text(outcome.result.message)
    if outcome.status is Status.FAIL:
        failure = ET.SubElement(case, "failure", message=message or f"{check.id} failed")
        failure.set("type", check.severity.value)
        failure.text = _details(outcome, project)
    elif outcome.status is Status.NOT_APPLICABLE:
        ET.SubElement(case, "skipped", message="not applicable" + (f": {message}" if message else ""))
    elif outcome.status is Status.IGNORED:
        ET.SubElement(case, "skipped", message=f"ignored: {text(outcome.ignored_reason or 'ignored')}")
    elif outcome.status is Status.UNKNOWN:
        ET.SubElement(case, "skipped", message="undecided" + (f": {message}" if message else ""))
    elif message:
        ET.SubElement(case, "system-out").text = message
    return case

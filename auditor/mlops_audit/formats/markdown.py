"""``--format markdown``: GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

A title with the score and maturity level, the gate, a table of principle scores, the failing checks with
their evidence and how to fix them, and the rest (ignored, passed, not applicable, notes, sub-projects) folded
in ``<details>`` blocks so a comment stays short. Text from the audited repository is escaped: it cannot break
a table (``|``) or inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .. import lazyre
from ..model import Severity, Status
from ..report import Outcome, ProjectReport, Report
from ._common import (
    evidence_of,
    fix_command,
    fix_hint,
    path_text,
    score_band,
    score_text,
    sorted_outcomes,
    summary,
    text,
)

_BAND_ICON = {"good": "🟢", "fair": "🟡", "poor": "🔴", "na": "⚪"}
_STATUS_ICON = {
    Status.PASS: "✅",
    Status.FAIL: "❌",
    Status.NOT_APPLICABLE: "➖",
    Status.IGNORED: "🔕",
    Status.UNKNOWN: "❔",
}
_SEVERITY_ICON = {Severity.ERROR: "🛑", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
_MAX_EVIDENCE = 5
_MAX_NOTES = 50
_MAX_FAILURES = 60  # a pull-request comment holds 65,536 characters

# Characters that start Markdown/HTML constructs (or GitHub math) anywhere in a line; escaping ASCII
# punctuation with a backslash is always allowed, so this errs on the side of escaping.
_SPECIAL = lazyre.compile(r"([\\`*_{}\[\]<>|~$])|&(?=#?\w+;)")
# ...and those that matter only at the start of a line: headings, list items, block quotes, setext rules.
_BLOCK_START = lazyre.compile(r"^(?:(\d+)([.)])|([-+=#]))(?=\s|$)")


def esc(value: object) -> str:
    """Free text as inert Markdown on one line (safe inside table cells and at the start of a line too)."""
    escaped = _SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), " ".join(text(value).split()))
    return _BLOCK_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", escaped
    )


def code(value: object) -> str:
    """Inline code that survives backticks and table pipes (``|`` is escaped even in GFM code spans)."""
    body = " ".join(text(value).split()).replace("|", "\\|")
    fence = "`"
    while fence in body:
        fence += "`"
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def render(reports: Sequence[Report]) -> str:
    return "\n\n---\n\n".join(_report(report) for report in reports).rstrip() + "\n"


def _report(report: Report) -> str:
    project = report.project
    band = score_band(project.overall)
    out = [
        f"## {_BAND_ICON[band]} mlops-audit: {score_text(project.overall)} · {esc(project.maturity.name)}",
        "",
        f"Audited {code(report.root)} with mlops-audit {esc(report.tool_version)}"
        + (f" (profile {code(report.config['profile'])})" if report.config.get("profile") else "")
        + ".",
        "",
        _gate_line(report),
        "",
    ]
    counts = project.summary()
    out.append(
        f"**{counts['failed']}** failed · **{counts['passed']}** passed · "
        f"**{counts['not_applicable']}** not applicable"
        + (f" · **{counts['ignored']}** ignored" if counts["ignored"] else "")
        + f" (of {counts['total']} checks)"
    )
    out.append("")
    if project.maturity.blockers:
        blockers = ", ".join(code(b) for b in project.maturity.blockers)
        out += [f"Next maturity level blocked by: {blockers}", ""]
    out += _principle_table(project)
    out += _outcome_sections(project, heading="###")
    if report.subprojects:
        out += _subprojects(report)
    if report.notes:
        out += _notes(report)
    return "\n".join(out)


def _gate_line(report: Report) -> str:
    gate = report.gate
    if gate.passed:
        return "**Gate: ✅ passed**"
    return "**Gate: ❌ failed** — " + "; ".join(esc(r) for r in gate.reasons)


def _principle_table(project: ProjectReport) -> list[str]:
    if not project.principles:
        return ["_No check applied to this repository._", ""]
    rows = [
        "| Principle | Score | Passed | Failed | N/A |",
        "| :-- | --: | --: | --: | --: |",
    ]
    for principle, score in project.principles.items():
        icon = _BAND_ICON[score_band(score.score)]
        value = "n/a" if score.score is None else str(score.score)
        rows.append(
            f"| {esc(principle.title)} | {icon} {value} | {score.passed} | {score.failed} | {score.not_applicable} |"
        )
    return [*rows, ""]


def _evidence_lines(outcome: Outcome, project: ProjectReport, indent: str) -> list[str]:
    evidence = evidence_of(outcome, project)
    lines = []
    for item in evidence[:_MAX_EVIDENCE]:
        where = path_text(item.path) + (f":{item.line}" if item.line else "")
        note = f" — {esc(item.note)}" if item.note else ""
        lines.append(f"{indent}- at {code(where)}{note}")
    if len(evidence) > _MAX_EVIDENCE:
        lines.append(f"{indent}- … and {len(evidence) - _MAX_EVIDENCE} more locations")
    return lines


def _failure(outcome: Outcome, project: ProjectReport) -> list[str]:
    check = outcome.check
    head = (
        f"- {_SEVERITY_ICON[check.severity]} **{esc(check.id)}** {esc(check.title)} "
        f"· {check.severity.value} · {esc(check.principle.title)} · level {check.level}"
    )
    lines = [head]
    if outcome.result.message:
        lines.append(f"  {esc(outcome.result.message)}")
    lines += _evidence_lines(outcome, project, "  ")
    if outcome.in_baseline:
        lines.append("  - already failing in the baseline (does not fail the gate)")
    command = fix_command(project, check)
    fix = f"**Fix:** {esc(fix_hint(check))}" if check.fix_hint else ""
    if command:
        fix += (" — " if fix else "**Fix:** ") + f"run {code(command)}"
    if fix:
        lines.append(f"  - {fix}")
    if check.summary and not check.fix_hint:
        lines.append(f"  - **Why:** {esc(summary(check))}")
    return lines


def _table(outcomes: list[Outcome], project: ProjectReport, *, reason: bool) -> list[str]:
    rows = [
        f"| Check | Title | Principle | {'Reason' if reason else 'Evidence'} |",
        "| :-- | :-- | :-- | :-- |",
    ]
    for outcome in outcomes:
        check = outcome.check
        if reason:
            detail = esc(outcome.ignored_reason or outcome.result.message)
        else:
            evidence = evidence_of(outcome, project)[:3]
            detail = ", ".join(code(path_text(e.path) + (f":{e.line}" if e.line else "")) for e in evidence)
            detail = detail or esc(outcome.result.message)
        rows.append(f"| {esc(check.id)} | {esc(check.title)} | {esc(check.principle.title)} | {detail} |")
    return rows


def _details(title: str, body: list[str]) -> list[str]:
    """A folded block; ``title`` is raw HTML (escape what comes from the repository with ``html.escape``)."""
    return ["<details>", f"<summary>{title}</summary>", "", *body, "", "</details>", ""]


def _outcome_sections(project: ProjectReport, *, heading: str) -> list[str]:
    ordered = sorted_outcomes(project.outcomes)
    failed = [o for o in ordered if o.status is Status.FAIL]
    ignored = [o for o in ordered if o.status is Status.IGNORED]
    passed = [o for o in ordered if o.status is Status.PASS]
    not_applicable = [o for o in ordered if o.status is Status.NOT_APPLICABLE]
    unknown = [o for o in ordered if o.status is Status.UNKNOWN]
    out: list[str] = []
    if failed:
        out += [f"{heading} ❌ Failing checks ({len(failed)})", ""]
        for outcome in failed[:_MAX_FAILURES]:
            out += _failure(outcome, project)
        if len(failed) > _MAX_FAILURES:
            out.append(f"- … and {len(failed) - _MAX_FAILURES} more (see `--format html` or `--format json`)")
        out.append("")
    elif project.outcomes:
        out += ["✅ **No failing check.**", ""]
    if unknown:
        out += _details(f"❔ Undecided ({len(unknown)})", _table(unknown, project, reason=True))
    if ignored:
        out += _details(f"🔕 Ignored ({len(ignored)})", _table(ignored, project, reason=True))
    if passed:
        out += _details(f"✅ Passed ({len(passed)})", _table(passed, project, reason=False))
    if not_applicable:
        out += _details(
            f"➖ Not applicable ({len(not_applicable)})", _table(not_applicable, project, reason=True)
        )
    return out


def _subprojects(report: Report) -> list[str]:
    out = [
        f"### Sub-projects ({len(report.subprojects)})",
        "",
        "| Sub-project | Score | Maturity | Failed | Passed |",
        "| :-- | --: | :-- | --: | --: |",
    ]
    for sub in report.subprojects:
        counts = sub.summary()
        out.append(
            f"| {code(path_text(sub.path))} | {_BAND_ICON[score_band(sub.overall)]} {score_text(sub.overall)} "
            f"| {esc(sub.maturity.name)} | {counts['failed']} | {counts['passed']} |"
        )
    out.append("")
    for sub in report.subprojects:
        body = _outcome_sections(sub, heading="####")
        title = f"Sub-project <code>{html.escape(path_text(sub.path))}</code>: {score_text(sub.overall)}"
        out += _details(title, body)
    return out


def _notes(report: Report) -> list[str]:
    body = [f"- {code(path_text(n.path) or '.')}: {esc(n.message)}" for n in report.notes[:_MAX_NOTES]]
    if len(report.notes) > _MAX_NOTES:
        body.append(f"- … and {len(report.notes) - _MAX_NOTES} more (see `--format json`)")
    return _details(f"📝 Notes ({len(report.notes)})", body)

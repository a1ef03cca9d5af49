"""``--format text`` (default): the report for people, in the terminal, with rich.

It fits a screen for a typical repository: a summary (score, maturity and progress toward the next level, the
ML Test Score estimate), the principle scores, the failing checks grouped by principle on one line each, the
blockers of the next level easiest first, and a closing line with the next step to take. ``--verbose`` adds
the evidence and fix hint of each failure, the passing and not-applicable checks and the notes. Which
failures ``mlops-audit fix`` can repair in this repository only its plan can tell (``fix --dry-run``): the
report does not guess it per check. Free text is
plain (the docstrings' reStructuredText markup is removed); lines are not wrapped when the output is not a
terminal (CI logs keep each finding on one line).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Severity, Status
from ..paths import display_path
from ..report import Outcome, ProjectReport, Report
from ._common import doc_plain, fix_hint, text

_STATUS_STYLE = {
    Status.PASS: ("PASS", "green"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.NOT_APPLICABLE: ("N/A", "dim"),
    Status.IGNORED: ("IGNORED", "yellow"),
    Status.UNKNOWN: ("UNKNOWN", "cyan"),
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_ORDER = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.IGNORED: 2, Status.PASS: 3, Status.NOT_APPLICABLE: 4}
_MAX_NOTES = 50
_GROUP_TITLES = {
    Status.FAIL: "Failing",
    Status.UNKNOWN: "Undecided (the evidence cannot decide)",
    Status.IGNORED: "Ignored",
    Status.PASS: "Passing",
    Status.NOT_APPLICABLE: "Not applicable",
}


def render(reports: Sequence[Report], *, verbose: bool = False, width: int = 110) -> str:
    """The report as plain text (``-o FILE``): no colours, no wrapping."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=True)
    print_reports(reports, console, verbose=verbose)
    return buffer.getvalue()


def print_reports(reports: Sequence[Report], console: Console, *, verbose: bool = False) -> None:
    for index, report in enumerate(reports):
        if index:
            console.rule()
        print_report(report, console, verbose=verbose)


def _bar(score: int | None, width: int = 10) -> Text:
    if score is None:
        return Text("n/a".ljust(width), style="dim")
    filled = round(score / 100 * width)
    style = "green" if score >= 80 else "yellow" if score >= 50 else "red"
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def print_report(report: Report, console: Console, *, verbose: bool = False) -> None:
    project = report.project
    console.print(
        Text.assemble(
            ("mlops-audit ", "bold"),
            (report.tool_version, "dim"),
            "  ",
            (text(report.root), "bold cyan"),
        )
    )
    if project.profile is not None:
        how = "detected: " if project.profile.detected else ""
        console.print(
            Text(f"profile {project.profile.name} ({how}{text(project.profile.reason)})", style="dim")
        )
    console.print(_headline(project))
    mts = _ml_test_score_line(project)
    if mts:
        console.print(mts)
    console.print()
    console.print(_principles_table(project))
    _print_outcomes(project, console, verbose=verbose)
    for sub in report.subprojects:
        console.print()
        console.print(Text.assemble(("sub-project ", "bold"), (text(sub.path), "cyan"), "  ", _headline(sub)))
        _print_outcomes(sub, console, verbose=verbose, indent="  ")
    blockers = _blockers_line(project)
    if blockers:
        console.print()
        console.print(blockers)
    _print_notes(report, console, verbose=verbose)
    console.print(_counts_line(project))
    if report.gate.passed:
        console.print(Text("Gate: passed", style="bold green"))
    else:
        console.print(Text("Gate: FAILED — " + "; ".join(report.gate.reasons), style="bold red"))
    console.print(Text(_next_step(report), style="bold"))


def _headline(project: ProjectReport) -> Text:
    score = "n/a" if project.overall is None else f"{project.overall}/100"
    maturity = project.maturity
    out = Text.assemble(("score ", ""), (score, "bold"), "   ", (maturity.name, "magenta"))
    step = maturity.next
    if step is not None and step.share is not None:
        out.append(f"   (level {step.level}: {step.share}% met, {maturity.threshold}% needed)", style="dim")
    return out


def _ml_test_score_line(project: ProjectReport) -> Text | None:
    mts = project.ml_test_score
    if mts is None:
        return None
    known = sum(s.known for s in mts.sections)
    total = sum(s.total for s in mts.sections)
    parts = ", ".join(f"{s.name} {_points(s.score)}" for s in mts.sections)
    final = _points(mts.final)
    return Text(
        f"ML Test Score (static estimate): {final}  ({parts}; {total - known} of {total} tests not visible statically)",
        style="dim",
    )


def _points(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _principles_table(project: ProjectReport) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    table.add_column("Principle", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("pass/fail/n.a.", justify="right", style="dim", no_wrap=True)
    for principle, score in project.principles.items():
        value = "n/a" if score.score is None else str(score.score)
        table.add_row(
            principle.title, value, _bar(score.score), f"{score.passed}/{score.failed}/{score.not_applicable}"
        )
    return table


def _print_outcomes(project: ProjectReport, console: Console, *, verbose: bool, indent: str = "") -> None:
    """Failing, undecided and ignored checks (all of them with --verbose), grouped by status then principle,
    one line each; without --verbose the failures that only wait for another check share one line."""
    shown = [
        o for o in project.outcomes if verbose or o.status in (Status.FAIL, Status.IGNORED, Status.UNKNOWN)
    ]
    principles = list(project.principles)
    shown.sort(
        key=lambda o: (
            _ORDER[o.status],
            principles.index(o.check.principle) if o.check.principle in principles else len(principles),
            -o.check.severity.rank,
            o.check.id,
        )
    )
    groups: dict[tuple[Status, str], list[Outcome]] = {}
    for outcome in shown:
        groups.setdefault((outcome.status, outcome.check.principle.title), []).append(outcome)
    status = None
    for (group_status, principle), outcomes in groups.items():
        if group_status is not status:
            status = group_status
            count = sum(o.status is status for o in shown)
            console.print()
            console.print(Text(f"{indent}{_GROUP_TITLES[status]} ({count}):", style="bold"))
        console.print(Text(f"{indent}  {principle}", style="bold dim"))
        waiting: dict[str, list[str]] = {}
        for outcome in outcomes:
            required = None if verbose else _blocked_by(outcome)
            if required:
                waiting.setdefault(required, []).append(outcome.check.id)
            else:
                _print_outcome(outcome, project.prefix, console, verbose=verbose, indent=indent + "    ")
        for required, ids in waiting.items():
            console.print(Text(f"{indent}    {', '.join(ids)}: need {required} first", style="dim"))


def _blocked_by(outcome: Outcome) -> str | None:
    """The check a failure waits for (its message is ``needs CI001 first``), or None."""
    if outcome.status is Status.FAIL:
        for required in outcome.check.requires:
            if outcome.result.message == f"needs {required} first":
                return required
    return None


def _print_outcome(outcome: Outcome, prefix: str, console: Console, *, verbose: bool, indent: str) -> None:
    check = outcome.check
    line = Text.assemble(
        indent,
        (f"{check.id:<7}", "bold"),
        (f"{check.severity.value:<8}", _SEVERITY_STYLE[check.severity]),
        check.title,
    )
    if outcome.result.message:
        line.append(f": {text(doc_plain(outcome.result.message))}")
    if outcome.ignored_reason:
        line.append(f"  ({text(outcome.ignored_reason)})", style="yellow")
    elif outcome.in_baseline:
        line.append("  (in the baseline)", style="yellow")
    console.print(line)
    if not verbose:
        return
    detail = indent + "        "
    for evidence in outcome.result.evidence[:3]:
        extra = f"  ({text(evidence.note)})" if evidence.note else ""
        console.print(Text(f"{detail}at {evidence.rebased(prefix)}{extra}", style="cyan"))
    if len(outcome.result.evidence) > 3:
        console.print(Text(f"{detail}... {len(outcome.result.evidence) - 3} more locations", style="dim"))
    if outcome.failed:
        console.print(Text(f"{detail}fix: {fix_hint(check)}", style="green"))


def _blockers_line(project: ProjectReport) -> Text | None:
    maturity = project.maturity
    if not maturity.blockers:
        return None
    names = list(maturity.blockers[:12])
    more = f" and {len(maturity.blockers) - 12} more" if len(maturity.blockers) > 12 else ""
    return Text.assemble(
        (f"Toward level {maturity.level + 1}, easiest first: ", "bold"), ", ".join(names) + more
    )


def _print_notes(report: Report, console: Console, *, verbose: bool) -> None:
    if not report.notes:
        return
    if not verbose:
        console.print(Text(f"{len(report.notes)} note(s) on files skipped or undecided (--verbose shows them)",
                           style="dim"))  # fmt: skip
        return
    console.print(Text(f"Notes ({len(report.notes)}):", style="bold"))
    for note in report.notes[:_MAX_NOTES]:
        console.print(Text(f"  {display_path(note.path) or '.'}: {text(note.message)}", style="dim"))
    if len(report.notes) > _MAX_NOTES:
        console.print(
            Text(f"  ... and {len(report.notes) - _MAX_NOTES} more (see --format json)", style="dim")
        )


def _counts_line(project: ProjectReport) -> Text:
    summary = project.summary()
    counts = (
        f"{summary['passed']} passed, {summary['failed']} failed, {summary['not_applicable']} not applicable"
    )
    for key in ("unknown", "ignored"):
        if summary[key]:
            counts += f", {summary[key]} {key}"
    return Text(counts)


def _next_step(report: Report) -> str:
    """The closing line: what to do next."""
    failing = [o for _, o in report.all_outcomes() if o.failed]
    if not failing:
        return (
            "Next: nothing fails. `mlops-audit explain ID` documents any check; `--verbose` lists them all."
        )
    first = min(failing, key=lambda o: (-o.check.severity.rank, o.check.id)).check.id
    explain = f"`mlops-audit explain {first}` says why a check matters and how to fix it"
    if any(o.check.fix for o in failing):  # whether fix can add a piece here, only its plan says
        return f"Next: `mlops-audit fix --dry-run` shows what it would add to this repository; {explain}."
    return f"Next: {explain}; `--verbose` shows the evidence."

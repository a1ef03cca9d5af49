"""``--format text`` (default): the report for people, in the terminal, with rich."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..model import Severity, Status
from ..paths import clean_text, display_path
from ..report import Outcome, ProjectReport, Report

_STATUS_STYLE = {
    Status.PASS: ("PASS", "green"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.NOT_APPLICABLE: ("N/A", "dim"),
    Status.IGNORED: ("IGNORED", "yellow"),
}
_SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render(reports: Sequence[Report], *, verbose: bool = False, width: int = 110) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=False)
    print_reports(reports, console, verbose=verbose)
    return buffer.getvalue()


def print_reports(reports: Sequence[Report], console: Console, *, verbose: bool = False) -> None:
    for index, report in enumerate(reports):
        if index:
            console.rule()
        print_report(report, console, verbose=verbose)


def _bar(score: int | None, width: int = 20) -> Text:
    if score is None:
        return Text("n/a".ljust(width), style="dim")
    filled = round(score / 100 * width)
    style = "green" if score >= 80 else "yellow" if score >= 50 else "red"
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def print_report(report: Report, console: Console, *, verbose: bool = False) -> None:
    project = report.project
    score = "n/a" if project.overall is None else f"{project.overall}/100"
    header = Text.assemble(
        ("mlops-audit ", "bold"),
        (report.tool_version, "dim"),
        "  ",
        (report.root, "bold cyan"),
        "\n",
        ("score ", ""),
        (score, "bold"),
        "   ",
        (project.maturity.name, "magenta"),
    )
    console.print(Panel(header, expand=False))
    console.print(_principles_table(project))
    _print_outcomes(project, console, verbose=verbose)

    for sub in report.subprojects:
        sub_score = "n/a" if sub.overall is None else f"{sub.overall}/100"
        console.print(
            Text.assemble(
                ("sub-project ", "bold"),
                (sub.path, "cyan"),
                f"  score {sub_score}  ",
                (sub.maturity.name, "magenta"),
            )
        )
        _print_outcomes(sub, console, verbose=verbose, indent="  ")

    if project.maturity.blockers:
        console.print(
            Text.assemble(("Next level blocked by: ", "bold"), ", ".join(project.maturity.blockers))
        )
    if report.notes:
        console.print(Text(f"Notes ({len(report.notes)}):", style="bold"))
        for note in report.notes[:50]:
            console.print(
                Text(f"  {display_path(note.path) or '.'}: {clean_text(note.message)}", style="dim")
            )
        if len(report.notes) > 50:
            console.print(Text(f"  ... and {len(report.notes) - 50} more (see --format json)", style="dim"))
    summary = project.summary()
    counts = (
        f"{summary['passed']} passed, {summary['failed']} failed, {summary['not_applicable']} not applicable"
    )
    if summary["ignored"]:
        counts += f", {summary['ignored']} ignored"
    console.print(Text(counts))
    if report.gate.passed:
        console.print(Text("Gate: passed", style="bold green"))
    else:
        console.print(Text("Gate: FAILED — " + "; ".join(report.gate.reasons), style="bold red"))


def _principles_table(project: ProjectReport) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Principle")
    table.add_column("Score", justify="right")
    table.add_column("")
    table.add_column("pass/fail/n.a.", justify="right", style="dim")
    for principle, score in project.principles.items():
        value = "n/a" if score.score is None else str(score.score)
        table.add_row(
            principle.title, value, _bar(score.score), f"{score.passed}/{score.failed}/{score.not_applicable}"
        )
    return table


def _print_outcomes(project: ProjectReport, console: Console, *, verbose: bool, indent: str = "") -> None:
    shown = [o for o in project.outcomes if verbose or o.status in (Status.FAIL, Status.IGNORED)]
    order = {Status.FAIL: 0, Status.IGNORED: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}
    shown.sort(key=lambda o: (order[o.status], -o.check.severity.rank, o.check.id))
    for outcome in shown:
        console.print(_outcome_lines(outcome, project.prefix, indent))


def _outcome_lines(outcome: Outcome, prefix: str, indent: str) -> Group:
    check = outcome.check
    label, style = _STATUS_STYLE[outcome.status]
    head = Text.assemble(
        indent,
        (f"{label:<7} ", style),
        (f"{check.id:<7} ", "bold"),
        (f"{check.severity.value:<8}", _SEVERITY_STYLE[check.severity]),
        check.title,
    )
    lines = [head]
    if outcome.result.message:
        lines.append(Text(f"{indent}        {clean_text(outcome.result.message)}"))
    for evidence in outcome.result.evidence[:3]:
        extra = f"  ({evidence.note})" if evidence.note else ""
        lines.append(Text(f"{indent}        at {evidence.rebased(prefix)}{extra}", style="cyan"))
    if len(outcome.result.evidence) > 3:
        lines.append(
            Text(f"{indent}        ... {len(outcome.result.evidence) - 3} more locations", style="dim")
        )
    if outcome.ignored_reason:
        lines.append(Text(f"{indent}        ignored: {outcome.ignored_reason}", style="yellow"))
    elif outcome.in_baseline:
        lines.append(Text(f"{indent}        already failing in the baseline", style="yellow"))
    if outcome.failed:
        hint = check.fix_hint or check.summary
        fixer = "  [mlops-audit fix]" if check.fix else ""
        lines.append(Text(f"{indent}        fix: {hint}{fixer}", style="green"))
    return Group(*lines)

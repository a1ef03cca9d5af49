"""Command line: arguments -> calls of the Python API -> exit code. Nothing else lives here.

Exit codes: 0 gates passed, 1 gates failed, 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

from ._version import __version__

EXIT_OK, EXIT_USAGE = 0, 2  # 1 (gates failed) is the reports' own exit code


#: Formats that print `mlops-audit fix --select ID` next to a failure (see ``_plan_fixes``).
_FORMATS_WITH_FIX_COMMANDS = frozenset({"codeclimate", "html", "junit", "markdown", "sarif"})


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``mlops-audit``)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:  # the fast path: no click, no rich
        print(f"mlops-audit {__version__}")
        raise SystemExit(EXIT_OK)
    import gc

    # a short-lived process that allocates many long-lived objects (modules, then parse facts): the cyclic
    # collector's default thresholds would rescan them again and again (~10 % of start-up)
    gc.set_threshold(50_000, 20, 100)
    cli = _build()
    cli.main(args=args, prog_name="mlops-audit")


def _build() -> Any:
    import click

    from .formats import FORMATS

    class DefaultGroup(click.Group):
        """``mlops-audit [PATH ...]`` runs ``audit``; ``mlops-audit rules`` etc. run sub-commands."""

        def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
            if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
                args = ["audit", *args]
            return super().parse_args(ctx, args)

    def fail_usage(message: str) -> NoReturn:
        click.echo(f"mlops-audit: error: {message}", err=True)
        raise SystemExit(EXIT_USAGE)

    @click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="mlops-audit")
    def cli() -> None:
        """Score an ML repository against MLOps principles, with evidence, and fix what is missing.

        Run `mlops-audit [PATH ...]` to audit (default: the current directory).
        """

    @cli.command("audit")
    @click.argument("paths", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
    @click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Output format.",
    )
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the report to FILE instead of stdout.",
    )
    @click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: .mlops-audit.toml or [tool.mlops-audit] in pyproject.toml).",
    )
    @click.option(
        "--select", multiple=True, help="Only these check IDs or families (comma-separated, repeatable)."
    )
    @click.option("--ignore", multiple=True, help="Ignore a check: ID or 'ID: reason' (repeatable).")
    @click.option(
        "--exclude", multiple=True, help="Leave out paths matching this gitignore-style pattern (repeatable)."
    )
    @click.option(
        "--profile",
        type=click.Choice(["research", "library", "pipeline", "service", "all"]),
        help="Which checks apply (default: detected from the repository; 'all': every check).",
    )
    @click.option("--fail-under", type=float, help="Fail when the overall score is below this (0-100).")
    @click.option(
        "--fail-on",
        type=click.Choice(["error", "warning"]),
        help="Fail on failing checks of this severity or higher (default: error).",
    )
    @click.option(
        "--baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Fail only on checks not already failing in this baseline file.",
    )
    @click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Record the current failures as a baseline FILE and exit 0.",
    )
    @click.option("--no-cache", is_flag=True, help="Do not read or write the audit cache.")
    @click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress bar (it is drawn on a terminal for audits over a second).",
    )
    @click.option(
        "-v", "--verbose", is_flag=True, help="Text format: list passing and not-applicable checks too."
    )
    def audit_command(
        paths: tuple[Path, ...],
        fmt: str,
        output: Path | None,
        config_file: Path | None,
        baseline: Path | None,
        write_baseline: Path | None,
        no_cache: bool,
        quiet: bool,
        verbose: bool,
        **overrides: Any,
    ) -> None:
        """Audit each PATH (default: .) and report facts, checks, scores and the maturity level."""
        from .baseline import write as save_baseline
        from .config import ConfigError
        from .engine import audit

        if baseline is not None and write_baseline is not None:
            fail_usage("--baseline and --write-baseline are exclusive")
        if write_baseline is not None and len(paths) > 1:
            fail_usage("--write-baseline takes a single PATH")
        from .progress import TerminalProgress

        reports = []
        progress = TerminalProgress.for_stderr(quiet)
        try:
            for path in paths or (Path(),):
                reports.append(
                    audit(
                        path,
                        config_file=config_file,
                        baseline=baseline,
                        use_cache=not no_cache,
                        progress=progress,
                        **overrides,
                    )
                )
        except ConfigError as exc:
            fail_usage(str(exc))
        finally:
            if progress is not None:
                progress.close()
        if write_baseline is not None:
            save_baseline(reports[0], write_baseline)
            failing = sum(len(p.failures) for p in (reports[0].project, *reports[0].subprojects))
            click.echo(
                f"mlops-audit: wrote baseline {write_baseline} ({failing} failing check(s) recorded)",
                err=True,
            )
            raise SystemExit(EXIT_OK)
        if fmt in _FORMATS_WITH_FIX_COMMANDS:
            _plan_fixes(reports)
        _emit(fmt, reports, output, verbose)
        raise SystemExit(max(r.exit_code for r in reports))

    def _plan_fixes(reports: list[Any]) -> None:
        """Attach to each repository's report the fixes `mlops-audit fix` would make there, so that a format
        prints `mlops-audit fix --select ID` only where it adds something (it renders the template: ~2 s)."""
        from .config import ConfigError
        from .fix import fixable

        for report in reports:
            if any(o.check.fix for o in report.project.failures):
                try:
                    report.project.fix_plan = fixable(Path(report.root), report)
                except ConfigError as exc:  # no bundled template: claim no automatic fix
                    click.echo(f"mlops-audit: fix commands left out: {exc}", err=True)
            else:
                report.project.fix_plan = {}

    def _emit(fmt: str, reports: list[Any], output: Path | None, verbose: bool) -> None:
        from .formats import render

        if fmt == "text" and output is None:
            from rich.console import Console

            from .formats.text import print_reports

            console = Console(highlight=False)
            console.soft_wrap = not console.is_terminal  # CI logs: one finding per line, never cut mid-token
            print_reports(reports, console, verbose=verbose)
            return
        if fmt == "text":
            from .formats.text import render as render_text

            text = render_text(reports, verbose=verbose)
        else:
            text = render(fmt, reports)
        if output is None:
            click.echo(text, nl=False)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")

    @cli.command("rules")
    @click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
    )
    def rules_command(fmt: str) -> None:
        """List every check: ID, severity, level, principle, title, and whether `fix` can repair it."""
        from .checks import load_checks
        from .rules import render_rules

        click.echo(render_rules(list(load_checks().values()), fmt), nl=False)

    @cli.command("explain")
    @click.argument("check_id")
    def explain_command(check_id: str) -> None:
        """Print the documentation of CHECK_ID (why it matters, how to fix, an example)."""
        from .checks import load_checks
        from .rules import explain

        checks = load_checks()
        check = checks.get(check_id.upper())
        if check is None:
            fail_usage(f"unknown check {check_id!r}; `mlops-audit rules` lists them")
        click.echo(explain(check))

    @cli.command("fix")
    @click.argument("path", default=".", type=click.Path(file_okay=False, exists=True, path_type=Path))
    @click.option("--select", multiple=True, help="Only fix these check IDs (comma-separated, repeatable).")
    @click.option(
        "--dry-run",
        is_flag=True,
        help="Print a unified diff of what would be created or appended; write nothing.",
    )
    def fix_command(path: Path, select: tuple[str, ...], dry_run: bool) -> None:
        """Add the missing pieces for failed checks by rendering them from the bundled template.

        Only creates missing files (and appends to .gitignore); never overwrites or deletes.
        """
        from .config import ConfigError
        from .fix import run_fix

        ids = tuple(s.strip().upper() for v in select for s in v.split(",") if s.strip())
        try:
            code = run_fix(path, select=ids, dry_run=dry_run, echo=click.echo)
        except ConfigError as exc:
            fail_usage(str(exc))
        raise SystemExit(code)

    @cli.command("new")
    @click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
    @click.option("-d", "--data", multiple=True, help="Answer a template question: NAME=VALUE (repeatable).")
    @click.option(
        "--defaults/--ask",
        default=True,
        show_default=True,
        help="Use the default answers for questions not given with --data.",
    )
    def new_command(dest: Path, data: tuple[str, ...], defaults: bool) -> None:
        """Generate a new ML project in DEST from the bundled template (same as `copier copy`)."""
        from .config import ConfigError
        from .template import new_project

        answers = {}
        for item in data:
            key, sep, value = item.partition("=")
            if not sep or not key:
                fail_usage(f"--data takes NAME=VALUE, got {item!r}")
            answers[key.strip()] = value
        try:
            new_project(dest, answers, defaults=defaults, echo=click.echo)
        except ConfigError as exc:
            fail_usage(str(exc))

    return cli


if __name__ == "__main__":  # pragma: no cover
    main()

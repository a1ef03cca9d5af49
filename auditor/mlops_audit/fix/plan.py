"""Plan, show and apply the fixes: audit -> pick the failed checks that name a fix -> ask each fixer for its
files -> keep only what is missing. ``diff`` shows a plan, ``apply`` writes it (never overwriting), and
``fixable`` tells which failing checks `fix` would change something for in this repository."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ConfigError
from ..engine import audit
from ..model import Status
from ..repo import Repo
from ..report import Outcome, Report
from .fixers import FIXERS, CannotFix, Change, Context

Echo = Callable[[str], None]


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # what still needs a person
    fixed: set[str] = field(default_factory=set)  # check IDs with at least one change

    def add(self, change: Change) -> None:
        for i, existing in enumerate(self.changes):
            if existing.path == change.path:  # one file serves several checks
                self.changes[i] = Change(
                    existing.path, existing.content, existing.append, (*existing.checks, *change.checks)
                )
                return
        self.changes.append(change)


def build_plan(ctx: Context, *, select: Iterable[str] = ()) -> Plan:
    """The plan for the failed checks of ``ctx.report`` (only those in ``select`` when given)."""
    wanted = {s.upper() for s in select}
    plan = Plan()
    root, repo = ctx.root, ctx.repo
    for outcome in ctx.report.outcomes:
        check = outcome.check
        if outcome.status is not Status.FAIL or (wanted and check.id not in wanted):
            continue
        if check.fix is None or check.fix not in FIXERS:
            plan.manual.append(_manual(outcome))
            continue
        try:
            offered = FIXERS[check.fix](ctx, check.id)
        except CannotFix as exc:
            plan.manual.append(_manual(outcome, f"not added: {exc}"))
            continue
        changes = [
            c for c in offered if c.append or (c.path not in repo.entries and not (root / c.path).exists())
        ]
        if not changes:
            why = (
                "the files its fix would add already exist"
                if offered
                else "the template has nothing for it here"
            )
            plan.manual.append(_manual(outcome, why))
            continue
        for change in changes:
            plan.add(change)
        plan.fixed.add(check.id)
    return plan


def plan_fixes(root: Path, *, select: Iterable[str] = ()) -> tuple[Plan, Report, Context]:
    """Audit ``root`` and plan its fixes; the caller closes the returned context."""
    report = audit(root, use_cache=False)
    ctx = Context(root, Repo(root), report)
    plan = build_plan(ctx, select=select)
    wanted = {s.upper() for s in select}
    if wanted:
        unknown = wanted - {o.check.id for o in report.outcomes}
        if unknown:
            ctx.close()
            raise ConfigError(f"--select names unknown or unselected check(s): {', '.join(sorted(unknown))}")
    return plan, report, ctx


def fixable(root: Path, report: Report) -> dict[str, list[str]]:
    """Check ID -> the files `mlops-audit fix` would add (or append to) for it in this repository, for the
    failed checks of ``report`` (an audit of ``root``) whose fix produces something here."""
    ctx = Context(Path(root), Repo(Path(root)), report)
    try:
        plan = build_plan(ctx)
    finally:
        ctx.close()
    return {
        check_id: [c.path for c in plan.changes if check_id in c.checks] for check_id in sorted(plan.fixed)
    }


def _manual(outcome: Outcome, why: str = "") -> str:
    hint = outcome.check.fix_hint or outcome.check.summary
    return f"{outcome.check.id} {outcome.check.title}: {hint}" + (f" ({why})" if why else "")


def diff(plan: Plan, root: Path) -> str:
    out: list[str] = []
    for change in plan.changes:
        before = (root / change.path).read_text(encoding="utf-8", errors="replace") if change.append else ""
        after = before + change.content if change.append else change.content
        out.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile="/dev/null" if not change.append else f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
    return "".join(out)


def apply(plan: Plan, root: Path) -> None:
    for change in plan.changes:
        target = root / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if change.append:
            with target.open("a", encoding="utf-8") as handle:
                handle.write(change.content)
        else:
            with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
                handle.write(change.content)


def run_fix(root: Path, *, select: Iterable[str] = (), dry_run: bool = False, echo: Echo = print) -> int:
    """The `fix` command. Returns the exit code (0: done or nothing to do)."""
    root = Path(root)
    plan, before, ctx = plan_fixes(root, select=select)
    try:
        if dry_run:
            echo(diff(plan, root) or "nothing to fix automatically")
        else:
            apply(plan, root)
            for change in plan.changes:
                verb = "appended to" if change.append else "created"
                echo(f"{verb} {change.path}  (for {', '.join(change.checks)})")
            if not plan.changes:
                echo("nothing to fix automatically")
    finally:
        ctx.close()
    manual = list(plan.manual)
    after = audit(root, use_cache=False) if plan.changes and not dry_run else None
    if after is not None:
        # A file was added for these checks but they still fail: say so, with what a person has to do.
        still = [o for o in after.outcomes if o.check.id in plan.fixed and o.status is Status.FAIL]
        manual += [_manual(o, f"still failing after fix: {o.result.message}") for o in still]
    if manual:
        echo("\nStill needs a person:")
        for line in manual:
            echo(f"  - {line}")
    if after is not None:
        fixed = sorted(
            o.check.id for o in after.outcomes if o.check.id in plan.fixed and o.status is Status.PASS
        )
        echo(f"\nnow passing: {', '.join(fixed) or 'none'}")
        echo(f"score: {before.score} -> {after.score}   ({after.project.maturity.name})")
        echo("Review the created files (names, commands, thresholds) and commit them.")
    return 0

"""The audit, end to end: files -> facts -> check results -> scores -> a :class:`~mlops_audit.report.Report`.

This is the Python API (``mlops_audit.audit``) and what the CLI calls. It reads files and asks ``git`` for its
file list; it never imports or runs the audited code and makes no network calls.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from . import baseline as baseline_mod
from . import cache as cache_mod
from . import config as config_mod
from . import facts as facts_mod
from . import ml_test_score, scoring, suppression
from .checks import PLUGIN_ERRORS, load_checks, plugin_set
from .checks.base import Check
from .config import Config, ConfigError
from .facts import FACT_NAMES, INVENTORY, REPORT_FACTS, FactValue, project
from .facts import python as python_facts
from .facts.profile import detect as detect_profile
from .model import Evidence, Result, Severity, Status
from .repo import MAX_READ_BYTES, Note, Repo
from .report import Gate, Outcome, ProjectProfile, ProjectReport, Report

T = TypeVar("T")


def audit(
    path: str | Path = ".",
    *,
    config: Config | None = None,
    config_file: str | Path | None = None,
    baseline: str | Path | Mapping[str, Any] | None = None,
    use_cache: bool = True,
    progress: ProgressCallback | None = None,
    **overrides: Any,
) -> Report:
    """Audit the repository at ``path``.

    ``config`` replaces the repository's own configuration; otherwise it is read from ``config_file`` or the
    repository, and keyword ``overrides`` (``select``, ``ignore``, ``exclude``, ``fail_under``, ``fail_on``,
    ``profile``) are applied on top. ``baseline`` (a file written by ``--write-baseline`` or its parsed dict)
    makes the gates fail only on checks that were not already failing. ``progress(phase, done, total)`` is
    called as the audit advances (the CLI draws a progress bar from it on a terminal). Raises
    :class:`ConfigError` for a bad configuration or a path that is not a directory.
    """
    with _fewer_collections():
        return _audit(path, config, config_file, baseline, use_cache, overrides, progress or _silent)


#: ``progress(phase, done, total)``: what the audit is doing ("checks", "facts"...) and how far it is.
ProgressCallback = Callable[[str, int, int], None]


def _silent(phase: str, done: int, total: int) -> None:
    """No progress display (the default)."""


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """An audit allocates millions of small objects (AST nodes) that mostly live until its end: the cyclic
    garbage collector's default thresholds make it rescan them over and over (~15 % of a large audit)."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _audit(
    path: str | Path,
    config: Config | None,
    config_file: str | Path | None,
    baseline: str | Path | Mapping[str, Any] | None,
    use_cache: bool,
    overrides: dict[str, Any],
    progress: ProgressCallback,
) -> Report:
    started = time.perf_counter()
    root = Path(path)
    if not root.is_dir():
        raise ConfigError(f"{path}: not a directory")
    if config is None:
        config = config_mod.load(root, config_file)
    config = config_mod.merge(config, **overrides)
    # a cache directory inside the audited tree is not part of what is audited
    exclude = (
        (*config.exclude, *cache_mod.exclusions(root.resolve(), config)) if use_cache else config.exclude
    )
    repo = Repo(root, exclude=exclude)
    repo.prefetch()  # git lists the files while the checks are imported
    try:
        checks = load_checks()
        config_mod.validate(config, checks)
        facts_mod.load()
        baseline_data = baseline_mod.load(baseline) if baseline is not None else None
    except BaseException:
        repo.cancel_prefetch()
        raise

    progress("listing files", 0, 0)
    runner = _make_runner(repo, config, use_cache)
    selected = [c for c in checks.values() if config.selects(c)]
    if len(selected) == len(checks):  # a full audit: its Python files may be parsed in one parallel batch
        python_facts.allow_parse_ahead(repo)

    main = _project_report(repo, "", selected, checks, config, runner, baseline_data, progress)
    subs = [
        _project_report(repo.subproject(sub), sub, selected, checks, config, runner, baseline_data, progress)
        for sub in runner.subprojects()
    ]
    runner.note_skipped()
    runner.finish()
    notes = list(repo.notes) + [Note("", message) for message in PLUGIN_ERRORS]
    report = Report(
        root=str(path),
        project=main,
        subprojects=subs,
        gate=_gate(main, config, baseline_data),
        notes=sorted(notes, key=lambda n: (n.path, n.message)),
        config={
            "source": config.source,
            "profile": config.profile,
            "select": list(config.select),
            "ignore": dict(config.ignore),
            "exclude": list(config.exclude),
            "fail_on": config.fail_on,
            "fail_under": config.fail_under,
            "baseline": str(baseline) if isinstance(baseline, (str, Path)) else None,
        },
    )
    report.duration = time.perf_counter() - started
    return report


# ------------------------------------------------------------------------------------------------ running
class _Uncached:
    """The whole-tree side of an audit without a cache: every result is computed."""

    tree_hit = False

    def tree_value(self, key: Any, compute: Callable[[], T], codec: str) -> T:
        return compute()

    def finish(self) -> None:
        return None


class _Runner:
    """Runs checks and fact functions; their whole-tree results come from the audit cache when they can (see
    :mod:`mlops_audit.cache`)."""

    def __init__(self, repo: Repo, cache: cache_mod.AuditCache | _Uncached) -> None:
        self.repo = repo
        self.cache = cache

    def run_check(self, view: Repo, check: Check, options: Mapping[str, Any]) -> Result:
        return self.cache.tree_value(
            ("check", view.prefix, check.id), lambda: _safe_check(view, check, options), "result"
        )

    def fact(self, view: Repo, name: str) -> FactValue:
        return self.cache.tree_value(("fact", view.prefix, name), lambda: _safe_fact(view, name), "fact")

    def inventory(self, view: Repo, category: str) -> list[str]:
        compute = lambda: self._inventory(view, category)  # noqa: E731
        return self.cache.tree_value(("inventory", view.prefix, category), compute, "list")

    def _inventory(self, view: Repo, category: str) -> list[str]:
        try:
            return sorted(set(INVENTORY[category](view)))
        except Exception as exc:  # a fact bug must not take the audit down
            view.note("", f"inventory {category} failed: {type(exc).__name__}: {exc}")
            return []

    def anchor(self, view: Repo) -> str | None:
        return self.cache.tree_value(("anchor", view.prefix), lambda: project.anchor(view), "plain")

    def profile(self, view: Repo) -> tuple[str, str]:
        """The detected profile of a project and why (see :mod:`mlops_audit.facts.profile`)."""

        def compute() -> tuple[str, str]:
            found = detect_profile(view)
            return (found.name, found.reason)

        name, reason = self.cache.tree_value(("profile", view.prefix), compute, "plain")
        return (name, reason)

    def subprojects(self) -> list[str]:
        return self.cache.tree_value(("subprojects",), lambda: project.subprojects(self.repo), "list")

    def suppression(self, view: Repo, check_id: str, result: Result) -> str | None:
        compute = lambda: suppression.reason(view, check_id, result)  # noqa: E731
        return self.cache.tree_value(("suppression", view.prefix, check_id), compute, "plain")

    def note_skipped(self) -> None:
        """Note the files never read (their notes come with the reused results on an unchanged tree)."""
        if not self.cache.tree_hit:
            _note_never_read(self.repo)

    def finish(self) -> None:
        """Called once at the end of the audit (the cache writes itself here)."""
        self.cache.finish()


def _make_runner(repo: Repo, config: Config, use_cache: bool) -> _Runner:
    cache = cache_mod.open_cache(repo, config, plugin_set()) if use_cache else None
    if cache is None:
        return _Runner(repo, _Uncached())
    repo.use_cache(cache)
    return _Runner(repo, cache)


def _note_never_read(repo: Repo) -> None:
    """Every file the auditor never looks into (a symbolic link, one over the size limit) gets its note, even
    when no check asked for it: the report says what was skipped. No file is opened for that."""
    for path, entry in repo.entries.items():
        if entry.present and (entry.symlink or (entry.size or 0) > MAX_READ_BYTES):
            repo.read_bytes(path)  # refused before any open(): only the note is made


def _safe_check(view: Repo, check: Check, options: Mapping[str, Any]) -> Result:
    try:
        result = check.run(view, options)
    except Exception as exc:  # a check that crashes cannot decide; it never guesses a failure
        view.note("", f"check {check.id} could not run: {type(exc).__name__}: {exc}")
        return Result.not_applicable(f"check could not run ({type(exc).__name__}); see notes")
    if not isinstance(result, Result):
        view.note("", f"check {check.id} returned {type(result).__name__}, not a Result")
        return Result.not_applicable("check returned no result; see notes")
    return result


def _safe_fact(view: Repo, name: str) -> FactValue:
    try:
        value = REPORT_FACTS[name](view)
    except Exception as exc:
        view.note("", f"fact {name} could not be decided: {type(exc).__name__}: {exc}")
        return FactValue(None)
    return value


def _project_report(
    view: Repo,
    path: str,
    checks: list[Check],
    registry: Mapping[str, Check],
    config: Config,
    runner: _Runner,
    baseline: Mapping[str, Any] | None,
    progress: ProgressCallback = _silent,
) -> ProjectReport:
    anchor = runner.anchor(view)
    if config.profile is None:
        name, why = runner.profile(view)
        profile = ProjectProfile(name, why, True)
    else:
        profile = ProjectProfile(config.profile, "set by the configuration", False)
    known_failing = baseline_mod.known_failing(baseline, path)
    decided: dict[str, Result] = {}

    def verdict(check: Check) -> Result:
        if not config.applies(check, profile.name):
            return Result.not_applicable(f"not part of the {profile.name} profile")
        options = config.options.get(check.id, {})
        return check.decide(lambda: runner.run_check(view, check, options), prerequisite)

    def prerequisite(check_id: str) -> Result | None:
        """The raw verdict of a required check (before ignores); None when it is ignored or unknown."""
        if check_id in config.ignore or check_id not in registry:
            return None
        if check_id not in decided:
            decided[check_id] = verdict(registry[check_id])
        return decided[check_id]

    outcomes = []
    phase = f"checks of {path}" if path else "checks"
    for done, check in enumerate(checks):
        progress(f"{phase}: {check.id}", done, len(checks))
        result = decided.get(check.id) or verdict(check)
        decided[check.id] = result
        if result.status is Status.FAIL and not result.evidence and anchor:
            result = Result(
                result.status, result.message, (Evidence(anchor, 1, "repository"),), result.credit
            )
        outcome = Outcome(check, result)
        reason = config.ignore.get(check.id)
        if reason is None and result.status is Status.FAIL:
            reason = runner.suppression(view, check.id, result)
        if reason is not None and result.status is not Status.NOT_APPLICABLE:
            ignored = Result(Status.IGNORED, result.message, result.evidence)
            outcome = Outcome(check, ignored, ignored_reason=reason or "ignored by configuration")
        elif result.status is Status.FAIL and check.id in known_failing:
            outcome = Outcome(check, result, in_baseline=True)
        outcomes.append(outcome)

    progress(f"{phase}: facts", len(checks), len(checks))
    facts = {
        name: runner.fact(view, name) if name in REPORT_FACTS else FactValue(None) for name in FACT_NAMES
    }
    extra = {name: runner.fact(view, name) for name in sorted(REPORT_FACTS) if name not in FACT_NAMES}
    inventory = {category: runner.inventory(view, category) for category in sorted(INVENTORY)}
    return ProjectReport(
        path=path,
        outcomes=outcomes,
        facts=facts,
        extra_facts=extra,
        inventory=inventory,
        overall=scoring.overall(outcomes),
        principles=scoring.principles(outcomes),
        maturity=scoring.maturity(outcomes),
        ml_test_score=ml_test_score.estimate(outcomes),
        profile=profile,
    )


# ------------------------------------------------------------------------------------------------- gates
def _gate(project_report: ProjectReport, config: Config, baseline: Mapping[str, Any] | None) -> Gate:
    reasons = []
    threshold = Severity(config.fail_on).rank
    gating = [
        o
        for o in project_report.failures
        if not o.in_baseline and o.check.severity is not Severity.INFO and o.check.severity.rank >= threshold
    ]
    if gating:
        ids = ", ".join(o.check.id for o in gating)
        new = " new" if baseline is not None else ""
        reasons.append(f"{len(gating)}{new} failing check(s) of severity {config.fail_on} or higher: {ids}")
    if config.fail_under is not None and project_report.overall is not None:
        limit = baseline_mod.score_limit(baseline, config.fail_under)
        if project_report.overall < limit:
            reasons.append(f"score {project_report.overall} is below fail-under {limit:g}")
    return Gate(not reasons, tuple(reasons), config.fail_on, config.fail_under)

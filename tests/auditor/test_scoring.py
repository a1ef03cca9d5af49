"""Scores, graded maturity and the ML Test Score estimate, from synthetic outcomes (no repository needed)."""

from __future__ import annotations

import pytest
from mlops_audit import ml_test_score, scoring
from mlops_audit.checks import load_checks
from mlops_audit.checks.base import Check
from mlops_audit.model import Principle, Result, Severity
from mlops_audit.report import Outcome


def _func(repo):  # pragma: no cover - outcomes are built directly
    return Result.passed()


def _check(cid: str, level: int, severity: Severity = Severity.WARNING, fix: str | None = None) -> Check:
    return Check(cid, Principle.TESTING, severity, cid, _func, fix=fix, level=level)


def _outcomes(level1_failing: int, level2_failing: int, total: int = 8) -> list[Outcome]:
    out = []
    for level, failing in ((1, level1_failing), (2, level2_failing)):
        for i in range(total):
            result = Result.failed("missing") if i < failing else Result.passed()
            out.append(Outcome(_check(f"TST{level}{i:02d}", level), result))
    return out


def test_one_gap_no_longer_holds_a_project_at_level_0():
    maturity = scoring.maturity(_outcomes(level1_failing=1, level2_failing=1))
    assert maturity.level == 2
    assert [p.share for p in maturity.progress] == [87, 87]
    assert maturity.blockers == ()


def test_level_needs_the_threshold_and_the_level_below():
    assert scoring.maturity(_outcomes(level1_failing=3, level2_failing=0)).level == 0  # 62% < 75%
    below = scoring.maturity(_outcomes(level1_failing=3, level2_failing=0))
    assert [p.reached for p in below.progress] == [False, False]  # level 2 needs level 1 first
    one = scoring.maturity(_outcomes(level1_failing=2, level2_failing=4))
    assert (one.level, one.progress[0].share, one.progress[1].share) == (1, 75, 50)
    assert one.blockers == ("TST200", "TST201", "TST202", "TST203")


def test_a_level_with_no_applicable_check_is_not_reached():
    """Absence never earns a level: research code whose level-2 checks all do not apply stays at level 1."""
    level1 = [o for o in _outcomes(level1_failing=0, level2_failing=0) if o.check.level == 1]
    level2 = [
        Outcome(_check(f"TST2{i:02d}", 2), Result.not_applicable("no pipeline to deliver")) for i in range(3)
    ]
    maturity = scoring.maturity(level1 + level2)
    assert maturity.level == 1
    assert (maturity.progress[1].share, maturity.progress[1].reached) == (None, False)
    assert scoring.maturity(level2).level == 0  # nothing applies at all: level 0, not level 2


def test_blockers_are_ranked_easiest_first():
    outcomes = [
        Outcome(_check("TST101", 1, Severity.WARNING), Result.failed("a person must write tests")),
        Outcome(_check("TST102", 1, Severity.ERROR), Result.failed("a person must add CI")),
        Outcome(_check("TST103", 1, Severity.WARNING, fix="ci_workflow"), Result.failed("fix adds it")),
        Outcome(_check("TST104", 1, Severity.INFO), Result.failed("informational: not a blocker")),
    ]
    assert scoring.maturity(outcomes).blockers == ("TST103", "TST102", "TST101")


def test_unknown_is_neutral_in_scores_and_maturity():
    known = [Outcome(_check("TST101", 1), Result.passed())]
    unknown = [*known, Outcome(_check("TST102", 1), Result.unknown("cannot tell"))]
    assert scoring.overall(unknown) == scoring.overall(known) == 100
    assert scoring.maturity(unknown).progress[0].share == 100


def _real(statuses: dict[str, str]) -> list[Outcome]:
    checks = load_checks(plugins=False)
    make = {
        "pass": Result.passed,
        "fail": lambda: Result.failed("missing"),
        "na": lambda: Result.not_applicable("-"),
    }
    return [Outcome(checks[cid], make[status]()) for cid, status in statuses.items()]


def test_ml_test_score_half_point_manual_one_point_automated():
    manual = ml_test_score.estimate(_real({"DAT001": "pass", "DAT002": "fail"}))
    automated = ml_test_score.estimate(_real({"DAT001": "pass", "DAT002": "pass"}))
    missing = ml_test_score.estimate(_real({"DAT001": "fail", "DAT002": "fail"}))

    def schema_test(score):
        return next(t for t in score.tests if (t.section, t.number) == ("data", 1))

    assert schema_test(manual).points == 0.5
    assert schema_test(automated).points == 1.0
    assert schema_test(missing).points == 0.0
    assert schema_test(ml_test_score.estimate([])).points is None  # nothing decided: unknown, not zero


def test_ml_test_score_final_is_the_minimum_section_and_invisible_tests_are_unknown():
    everything = ml_test_score.estimate(_real(dict.fromkeys(load_checks(plugins=False), "pass")))
    assert len(everything.tests) == 28
    assert [s.total for s in everything.sections] == [7, 7, 7, 7]
    by_name = {s.name: s.score for s in everything.sections}
    assert everything.final == min(by_name.values())
    unknown = [t for t in everything.tests if t.points is None]
    assert unknown and all("not visible" in t.reason for t in unknown)
    # every check the rubric names exists
    named = {cid for t in ml_test_score.TESTS for cid in (*t.manual, *t.automated)}
    assert named <= set(load_checks(plugins=False))


@pytest.mark.parametrize("section", ml_test_score.SECTIONS)
def test_each_section_has_seven_tests(section):
    assert sum(t.section == section for t in ml_test_score.TESTS) == 7


def test_ml_test_score_is_unknown_when_what_passes_cannot_show_the_practice():
    # model test 1: manual VER007, automated VER007 + CI012; VER007 not applicable, CI012 passes
    score = ml_test_score.estimate(_real({"VER007": "na", "CI012": "pass"}))
    reviewed = next(t for t in score.tests if (t.section, t.number) == ("model", 1))
    assert reviewed.points is None and "VER007" in reviewed.reason

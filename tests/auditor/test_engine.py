"""The audit end to end through the Python API: facts, scores, gates, suppressions, baseline, monorepos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlops_audit import audit
from mlops_audit.config import ConfigError
from mlops_audit.facts import FACT_NAMES
from mlops_audit.model import Status

GOOD_README = """
    # Churn model

    Predicts which customers will cancel their subscription next month, from billing and usage data.
    The model is retrained weekly and served behind an HTTP API for the customer-success tools.

    ## Quick start

    uv sync && uv run poe pipeline
    """


def outcome(report, check_id):
    return next(o for o in report.outcomes if o.check.id == check_id)


def test_report_has_every_fact_and_check(make_repo):
    report = audit(make_repo({"README.md": GOOD_README}))
    data = report.to_dict()
    assert list(data["facts"]) == list(FACT_NAMES)
    for value in data["facts"].values():
        assert set(value) == {"value", "evidence"}
        assert value["value"] in (True, False, None)
    assert data["facts"]["readme"] == {"value": True, "evidence": ["README.md"]}
    assert data["facts"]["license"]["value"] is False
    assert {r["id"] for r in data["results"]} >= {"DOC001", "DOC002"}


def test_absent_things_point_at_a_real_file(make_repo):
    report = audit(make_repo({"README.md": GOOD_README}), select=["DOC"])
    lic = outcome(report, "DOC002")
    assert lic.status is Status.FAIL
    assert lic.location is not None and lic.location.path == "README.md" and lic.location.line == 1


def test_gates_fail_on_errors_only_by_default(make_repo):
    root = make_repo({"README.md": GOOD_README})  # no LICENSE: a warning
    assert audit(root, select=["DOC001", "DOC002"]).exit_code == 0
    assert audit(root, select=["DOC001", "DOC002"], fail_on="warning").exit_code == 1
    report = audit(root, select=["DOC001", "DOC002"], fail_under=90)
    assert report.exit_code == 1 and "below fail-under" in report.gate.reasons[0]


def test_ignore_with_reason_is_reported_and_not_scored(make_repo):
    root = make_repo(
        {
            "README.md": GOOD_README,
            "pyproject.toml": """
                [tool.mlops-audit]
                ignore = [{ id = "DOC002", reason = "internal code, no license" }]
                """,
        }
    )
    report = audit(root, select=["DOC001", "DOC002"])
    lic = outcome(report, "DOC002")
    assert lic.status is Status.IGNORED and lic.ignored_reason == "internal code, no license"
    assert report.score == 100
    assert report.to_dict()["results"][1]["ignored_reason"] == "internal code, no license"


def test_inline_suppression_on_the_evidence_line(make_repo):
    from mlops_audit.checks.base import REGISTRY, check
    from mlops_audit.model import Result, Severity

    @check("DOC901", Severity.ERROR, "test-only: no TODO in train.py")
    def no_todo(repo):
        text = repo.read_text("train.py") or ""
        for number, line in enumerate(text.splitlines(), 1):
            if "TODO" in line:
                return Result.failed("TODO left", [("train.py", number)])
        return Result.passed("clean", "train.py")

    try:
        root = make_repo(
            {
                "README.md": GOOD_README,
                "train.py": "x = 1  # TODO  # mlops-audit: ignore[DOC901] tracked in JIRA-12\n",
                "other.py": "# TODO\n",
            }
        )
        report = audit(root, select=["DOC901"])
        result = outcome(report, "DOC901")
        assert result.status is Status.IGNORED and result.ignored_reason == "tracked in JIRA-12"
        (root / "train.py").write_text("x = 1  # TODO\n")
        assert outcome(audit(root, select=["DOC901"]), "DOC901").status is Status.FAIL
    finally:
        REGISTRY.pop("DOC901", None)


def test_baseline_fails_only_on_new_failures(make_repo, tmp_path):
    root = make_repo({"README.md": "# x\n"})  # DOC001 fails (error)
    first = audit(root, select=["DOC001", "DOC002"])
    assert first.exit_code == 1
    from mlops_audit import baseline as baseline_mod

    baseline = tmp_path / "baseline.json"
    baseline_mod.write(first, baseline)
    assert json.loads(baseline.read_text())["failing"]["."] == ["DOC001", "DOC002"]
    again = audit(root, select=["DOC001", "DOC002"], baseline=baseline)
    assert again.exit_code == 0
    assert outcome(again, "DOC001").in_baseline
    # a new failure is not covered by the baseline
    (root / "README.md").write_text(GOOD_README.replace("    ", ""))
    baseline.write_text(json.dumps({**json.loads(baseline.read_text()), "failing": {".": []}}))
    (root / "README.md").write_text("# x\n")
    assert audit(root, select=["DOC001"], baseline=baseline).exit_code == 1


def test_bad_baseline_is_a_usage_error(make_repo, tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{}")
    with pytest.raises(ConfigError, match="not an mlops-audit baseline"):
        audit(make_repo({"README.md": "x"}), baseline=bad)


def test_monorepo_subprojects_get_their_own_results(make_repo):
    root = make_repo(
        {
            "README.md": GOOD_README,
            "LICENSE": "MIT",
            "services/churn/pyproject.toml": "[project]\nname='churn'\nversion='0'\n",
            "services/churn/README.md": GOOD_README,
            "services/fraud/dvc.yaml": "stages: {}\n",
        }
    )
    report = audit(root, select=["DOC"])
    assert [s.path for s in report.subprojects] == ["services/churn", "services/fraud"]
    churn = report.subprojects[0]
    readme = next(o for o in churn.outcomes if o.check.id == "DOC001")
    assert readme.status is Status.PASS
    data = report.to_dict()["subprojects"][0]
    assert data["path"] == "services/churn"
    assert data["facts"]["readme"]["evidence"] == ["services/churn/README.md"]
    assert any(e["path"] == "services/churn/README.md" for r in data["results"] for e in r["evidence"])
    fraud = report.subprojects[1]
    assert next(o for o in fraud.outcomes if o.check.id == "DOC001").status is Status.FAIL


def test_profile_makes_checks_not_applicable(make_repo):
    report = audit(make_repo({"README.md": GOOD_README}), select=["DOC003"], profile="research")
    result = outcome(report, "DOC003")
    assert result.status is Status.NOT_APPLICABLE and "research" in result.result.message


def test_not_a_directory_is_a_usage_error(tmp_path):
    with pytest.raises(ConfigError):
        audit(tmp_path / "missing")


def test_plain_directory_without_git_honours_gitignore(make_repo):
    root = make_repo(
        {"README.md": GOOD_README, ".gitignore": "secret/\n", "secret/LICENSE": "MIT"}, git=False
    )
    assert outcome(audit(root, select=["DOC002"]), "DOC002").status is Status.FAIL
    (root / ".gitignore").write_text("")
    assert outcome(audit(root, select=["DOC002"]), "DOC002").status is Status.PASS


def test_check_that_crashes_is_not_applicable_with_a_note(make_repo):
    from mlops_audit.checks.base import REGISTRY, check
    from mlops_audit.model import Severity

    @check("DOC902", Severity.ERROR, "test-only: crashes")
    def crashes(repo):
        raise RuntimeError("boom")

    try:
        report = audit(make_repo({"README.md": GOOD_README}), select=["DOC902"])
        assert outcome(report, "DOC902").status is Status.NOT_APPLICABLE
        assert any("DOC902" in n.message and "boom" in n.message for n in report.notes)
        assert report.exit_code == 0
    finally:
        REGISTRY.pop("DOC902", None)


def test_path_outside_is_never_read(make_repo, tmp_path):
    secret = tmp_path / "outside-marker.txt"
    secret.write_text("OUTSIDE-MARKER")
    root = make_repo({"README.md": GOOD_README}, git=False)
    (root / "link.py").symlink_to(secret)
    (root / "linkdir").symlink_to(tmp_path)
    text = json.dumps(audit(root).to_dict())
    assert "OUTSIDE-MARKER" not in text
    assert "outside-marker" not in text


def test_api_accepts_path_objects(make_repo):
    root: Path = make_repo({"README.md": GOOD_README})
    assert audit(str(root)).root == str(root)


def test_requires_absence_never_scores_better_than_a_partial_practice(make_repo):
    """EXP002..EXP006 require EXP001: with no tracker they fail ("needs EXP001 first") instead of leaving the
    score, so a repository without tracking scores below one that tracks partly."""
    train = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
    none = audit(make_repo({"README.md": GOOD_README, "train.py": train}), select=["EXP"])
    partly = audit(
        make_repo(
            {"README.md": GOOD_README, "train.py": "import mlflow\nmlflow.log_param('C', 1)\n" + train}
        ),
        select=["EXP"],
    )
    assert outcome(none, "EXP002").result.message.startswith("needs EXP001 first")
    assert none.score < partly.score


def test_requires_an_ignored_or_unselected_prerequisite(make_repo):
    fit = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
    root = make_repo({"README.md": GOOD_README, "train.py": fit})
    # EXP001 not selected: it is still decided first
    assert outcome(audit(root, select=["EXP002"]), "EXP002").status is Status.FAIL
    # EXP001 ignored by configuration: its dependants cannot be judged
    report = audit(root, select=["EXP"], ignore={"EXP001": "tracked elsewhere"})
    assert outcome(report, "EXP002").status is Status.NOT_APPLICABLE
    assert "EXP001" in outcome(report, "EXP002").result.message


def test_requires_must_name_known_checks_without_cycles():
    from mlops_audit.checks import _check_requirements
    from mlops_audit.checks.base import Check
    from mlops_audit.model import Principle, Result, Severity

    def func(repo):
        return Result.passed()

    def make(cid, requires):
        return Check(cid, Principle.DOCUMENTATION, Severity.INFO, cid, func, requires=requires)

    with pytest.raises(ValueError, match="unknown check"):
        _check_requirements({"X1": make("X1", ("X9",))})
    with pytest.raises(ValueError, match="requires itself"):
        _check_requirements({"X1": make("X1", ("X2",)), "X2": make("X2", ("X1",))})
    _check_requirements({"X1": make("X1", ()), "X2": make("X2", ("X1",))})


def test_options_are_keyword_only_parameters_with_kebab_case_keys():
    from mlops_audit.checks import load_checks
    from mlops_audit.checks.base import declared_options
    from mlops_audit.model import Result

    assert load_checks()["VER002"].options == {"max-file-mb": 5.0, "max-data-mb": 1.0}

    def positional_option(repo, limit=3):
        return Result.passed()

    with pytest.raises(ValueError, match="keyword-only"):
        declared_options("X1", positional_option)

"""Fixture reports for the output-format tests, built deterministically.

``fixture_report()`` constructs a :class:`Report` directly from a few test-only checks (never registered in the
global registry), so the golden files do not move when the real check families change. ``audit_fixture``
runs the real engine on a small fixture repository with only the DOC checks selected.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mlops_audit import ml_test_score, scoring
from mlops_audit.checks.base import Check
from mlops_audit.facts import FACT_NAMES, FactValue
from mlops_audit.model import Evidence, Principle, Result, Severity, Status
from mlops_audit.repo import Note
from mlops_audit.report import Gate, Outcome, ProjectProfile, ProjectReport, Report

TOOL_VERSION = "0.0.0+test"
NON_UTF8 = os.fsdecode(b"src/caf\xe9.py")
NON_UTF8_SHOWN = '"src/caf\\351.py"'  # as git quotes it

GOLDEN = Path(__file__).resolve().parents[1] / "auditor" / "formats" / "golden"


def _readme(repo):  # pragma: no cover - never run: the fixture reports carry their results
    """A README says what the project is and how to run it.

    Why it matters: nobody knows which command trains the model without it.

    How to fix: add ``README.md`` with a "Quick start" section.

    Example::

        # churn-model
        uv run poe pipeline
    """


def _seeds(repo):  # pragma: no cover
    """Random seeds are set for every library the training code uses.

    Why it matters: a run that cannot be repeated cannot be debugged.
    """


def _lock(repo):  # pragma: no cover
    """Dependencies are locked (``uv.lock``, ``poetry.lock``...)."""


def _secrets(repo):  # pragma: no cover
    """No secrets (API keys, tokens) are committed."""


def _tests(repo):  # pragma: no cover
    """Tests exist for the data and model code."""


def _ci(repo):  # pragma: no cover
    """CI runs the tests on every push."""


def _tracking(repo):  # pragma: no cover
    """Experiments log parameters and metrics to a tracker."""


def _data(repo):  # pragma: no cover
    """Data files are versioned."""


CHECKS = {
    "DOC901": Check(
        "DOC901",
        Principle.DOCUMENTATION,
        Severity.ERROR,
        "README explains the project",
        _readme,
        fix="readme",
        fix_hint="add README.md with a Quick start section",
        level=0,
    ),
    "REP901": Check("REP901", Principle.REPRODUCIBILITY, Severity.WARNING, "Seeds are set", _seeds),
    "REP902": Check(
        "REP902", Principle.REPRODUCIBILITY, Severity.ERROR, "Dependencies are locked", _lock, fix="lock"
    ),
    "SEC901": Check("SEC901", Principle.SECURITY, Severity.ERROR, "No committed secrets", _secrets, level=0),
    "TST901": Check("TST901", Principle.TESTING, Severity.WARNING, "Tests exist", _tests),
    "CI901": Check(
        "CI901", Principle.CONTINUOUS_INTEGRATION, Severity.INFO, "CI runs the tests", _ci, level=2
    ),
    "EXP901": Check(
        "EXP901", Principle.EXPERIMENT_TRACKING, Severity.WARNING, "Experiments are tracked", _tracking
    ),
    "VER901": Check("VER901", Principle.VERSIONING, Severity.WARNING, "Data is versioned", _data),
}


def _project(path: str, outcomes: list[Outcome], facts: dict[str, FactValue] | None = None) -> ProjectReport:
    facts = facts or {}
    return ProjectReport(
        path=path,
        outcomes=outcomes,
        facts={name: facts.get(name, FactValue(None)) for name in FACT_NAMES},
        extra_facts={"uses_gpu": FactValue(False)},
        inventory={"trackers": ["mlflow"], "linters": []},
        overall=scoring.overall(outcomes),
        principles=scoring.principles(outcomes),
        maturity=scoring.maturity(outcomes),
        ml_test_score=ml_test_score.estimate(outcomes),
        profile=ProjectProfile("pipeline", "declares a pipeline (dvc in dvc.yaml)", True),
    )


def fixture_report(*, non_utf8: bool = False, baseline: bool = False) -> Report:
    """A report with every status (unknown included), several principles, markup in messages, a sub-project and notes."""
    c = CHECKS
    seeds_evidence = [Evidence("src/train.py", 12, "import torch"), Evidence("src/evaluate.py", None)]
    if non_utf8:
        seeds_evidence.append(Evidence(NON_UTF8, 3, "import numpy"))
    outcomes = [
        Outcome(
            c["DOC901"],
            Result.failed(
                "README.md has only 12 words | <script>alert(1)</script> *not bold*", "README.md", credit=0.3
            ),
            in_baseline=baseline,
        ),
        Outcome(c["REP901"], Result.failed("torch, numpy seeds never set", seeds_evidence)),
        Outcome(c["REP902"], Result.passed("uv.lock is committed", [("uv.lock", None)])),
        Outcome(
            c["SEC901"],
            Result(Status.IGNORED, "token-like string in config/dev.env", (Evidence("config/dev.env", 4),)),
            ignored_reason="test fixture key, not a secret",
        ),
        Outcome(c["TST901"], Result.passed("12 test files", [("tests/test_model.py", 1)])),
        Outcome(c["CI901"], Result.not_applicable("no CI configuration")),
        Outcome(c["EXP901"], Result.failed("no experiment tracker", ())),
        Outcome(
            c["VER901"],
            Result.unknown("data/raw.csv is tracked but absent from the checkout", "data/raw.csv"),
        ),
    ]
    facts = {
        "readme": FactValue(True, (Evidence("README.md"),)),
        "has_tests": FactValue(True, (Evidence("tests/test_model.py"),)),
        "deps_locked": FactValue(True, (Evidence("uv.lock"),)),
        "has_ci": FactValue(False),
        "secrets_in_repo": FactValue(True, (Evidence("config/dev.env", 4),)),
    }
    main = _project("", outcomes, facts)
    # What `mlops-audit fix` would add here: formats print its command for DOC901 of the repository, but not
    # for REP902 (it has a fixer and passes) nor for the sub-project (no plan computed for it).
    main.fix_plan = {"DOC901": ["README.md"]}
    sub = _project(
        "services/api",
        [
            Outcome(c["DOC901"], Result.failed("no README file")),
            Outcome(c["REP902"], Result.passed("poetry.lock", [("poetry.lock", None)])),
            Outcome(c["TST901"], Result.failed("no tests", [("app.py", 1)])),
        ],
    )
    reasons = () if baseline else ("1 failing check(s) of severity error or higher: DOC901",)
    return Report(
        root=".",
        project=main,
        subprojects=[sub],
        gate=Gate(not reasons, reasons, "error", None),
        notes=[Note("data/broken.yaml", "could not parse YAML: mapping values are not allowed here")],
        config={
            "source": None,
            "profile": None,
            "select": [],
            "ignore": {"SEC901": "test fixture key, not a secret"},
            "exclude": [],
            "fail_on": "error",
            "fail_under": None,
            "baseline": "baseline.json" if baseline else None,
        },
        duration=1.234,
        tool_version=TOOL_VERSION,
    )


FIXTURE_FILES: dict[str, str | bytes | None] = {
    "README.md": """
        # churn-model

        Predicts which customers of a subscription business will cancel next month, from billing and usage
        data, so that the retention team can call them first. Trained weekly; served behind an internal API.

        ## Quick start

        uv sync && uv run python -m churn.train
        """,
    "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
    "src/churn/__init__.py": "",
    "src/churn/train.py": "print('train')\n",
    "pyproject.toml": '[project]\nname = "churn"\nversion = "0.1.0"\n',
}


def normalise(text: str) -> str:
    """Remove what changes between runs and machines: durations, temporary paths."""
    text = re.sub(r'("duration_seconds": )[0-9.]+', r"\g<1>0.0", text)
    text = re.sub(r'time="[0-9.]+"', 'time="0"', text)
    return text


def check_golden(name: str, actual: str) -> None:
    """Compare with ``golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run the tests with UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its golden file; if the change is intended, regenerate with UPDATE_GOLDEN=1 "
        "and review the diff"
    )


def audit_fixture(root: Path) -> Report:
    """The real engine on a fixture repository, DOC checks only (the only family stable for these tests)."""
    from mlops_audit.engine import audit

    return audit(root, select=["DOC"], use_cache=False)

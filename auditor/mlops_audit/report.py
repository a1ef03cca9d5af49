"""The report: check outcomes, facts, scores, maturity and gates of a repository and its sub-projects.

:meth:`Report.to_dict` is the one serialisation every machine format starts from; its shape is the versioned JSON
schema documented in ``docs/json-schema.md`` (additive changes only within a major version).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._version import __version__
from .checks.base import Check
from .facts import FactValue
from .model import Evidence, Principle, Result, Status
from .paths import clean_text
from .repo import Note

#: The JSON report's schema version. Minor: additive changes only. Major: anything else.
SCHEMA_VERSION = "1.1"

MATURITY_NAMES = {
    0: "Level 0: manual process",
    1: "Level 1: ML pipeline automation",
    2: "Level 2: CI/CD pipeline automation",
}


@dataclass(frozen=True)
class Outcome:
    """A check and its result on one repository (or sub-project)."""

    check: Check
    result: Result
    ignored_reason: str | None = None  # set when status is IGNORED (configuration or inline suppression)
    in_baseline: bool = False  # a failure already recorded in the baseline: it does not fail the gates

    @property
    def status(self) -> Status:
        return self.result.status

    @property
    def failed(self) -> bool:
        return self.result.status is Status.FAIL

    @property
    def location(self) -> Evidence | None:
        return self.result.evidence[0] if self.result.evidence else None

    def to_dict(self, prefix: str = "") -> dict[str, Any]:
        check = self.check
        out: dict[str, Any] = {
            "id": check.id,
            "title": check.title,
            "principle": check.principle.value,
            "severity": check.severity.value,
            "level": check.level,
            "status": self.result.status.value,
            "message": clean_text(self.result.message),
            "credit": round(self.result.credit, 3),
            "evidence": [e.rebased(prefix).as_dict() for e in self.result.evidence],
            "fix": {"automatic": check.fix is not None, "hint": check.fix_hint},
            "help": check.summary,
        }
        if self.ignored_reason is not None:
            out["ignored_reason"] = self.ignored_reason
        if self.in_baseline:
            out["in_baseline"] = True
        if check.plugin:
            out["plugin"] = check.plugin
        return out


@dataclass(frozen=True)
class PrincipleScore:
    principle: Principle
    score: int | None  # None: no applicable check
    passed: int
    failed: int
    not_applicable: int


@dataclass(frozen=True)
class LevelProgress:
    """How far a project is toward one maturity level."""

    level: int
    share: int | None  # percent of the level's weighted checks met; None: none applies
    passed: int
    applicable: int
    reached: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "share": self.share,
            "passed": self.passed,
            "applicable": self.applicable,
            "reached": self.reached,
        }


@dataclass(frozen=True)
class Maturity:
    level: int
    blockers: tuple[str, ...]  # failing check IDs of the next level, easiest first
    progress: tuple[LevelProgress, ...] = ()
    threshold: int = 100  # percent of a level's weighted checks needed to reach it

    @property
    def name(self) -> str:
        return MATURITY_NAMES[self.level]

    @property
    def next(self) -> LevelProgress | None:
        return next((p for p in self.progress if p.level == self.level + 1), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "name": self.name,
            "next_level": self.level + 1 if self.level < 2 else None,
            "blockers": list(self.blockers),
            "threshold": self.threshold,
            "progress": [p.to_dict() for p in self.progress],
        }


@dataclass(frozen=True)
class MLTestVerdict:
    """One test of the ML Test Score rubric: points 1 (automated), 0.5 (manual), 0, or None (unknown)."""

    section: str
    number: int
    title: str
    points: float | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "number": self.number,
            "title": self.title,
            "points": self.points,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MLTestSection:
    name: str
    score: float | None  # sum of the known tests' points; None: no test of the section is known
    known: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "known": self.known, "total": self.total}


@dataclass(frozen=True)
class MLTestScore:
    """The static estimate of the ML Test Score: the minimum of the section scores (see ml_test_score)."""

    final: float | None
    sections: tuple[MLTestSection, ...]
    tests: tuple[MLTestVerdict, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "final": self.final,
            "sections": [s.to_dict() for s in self.sections],
            "tests": [t.to_dict() for t in self.tests],
        }


@dataclass(frozen=True)
class ProjectProfile:
    """The profile a project's checks were chosen by: configured, or detected (with the reason)."""

    name: str
    reason: str
    detected: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "reason": self.reason, "detected": self.detected}


@dataclass
class ProjectReport:
    """Results for the repository (``path == ""``) or one of its sub-projects (``path == "sub/dir"``)."""

    path: str
    outcomes: list[Outcome]
    facts: dict[str, FactValue]
    extra_facts: dict[str, FactValue]
    inventory: dict[str, list[str]]
    overall: int | None
    principles: dict[Principle, PrincipleScore]
    maturity: Maturity
    ml_test_score: MLTestScore | None = None
    profile: ProjectProfile | None = None
    # Check ID -> the files `mlops-audit fix` would add for it here; None when the plan was not computed
    # (the CLI computes it for the report formats that print fix commands).
    fix_plan: dict[str, list[str]] | None = None

    @property
    def prefix(self) -> str:
        return self.path + "/" if self.path else ""

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.failed]

    def summary(self) -> dict[str, int]:
        return {
            "total": len(self.outcomes),
            "passed": self.count(Status.PASS),
            "failed": self.count(Status.FAIL),
            "not_applicable": self.count(Status.NOT_APPLICABLE),
            "ignored": self.count(Status.IGNORED),
            "unknown": self.count(Status.UNKNOWN),
        }

    def to_dict(self) -> dict[str, Any]:
        prefix = self.prefix
        return {
            "path": self.path or ".",
            "profile": self.profile.to_dict() if self.profile else None,
            "facts": {name: value.as_dict(prefix) for name, value in self.facts.items()},
            "extra_facts": {name: value.as_dict(prefix) for name, value in self.extra_facts.items()},
            "inventory": self.inventory,
            "scores": {
                "overall": self.overall,
                "principles": {
                    p.value: {
                        "title": p.title,
                        "score": s.score,
                        "passed": s.passed,
                        "failed": s.failed,
                        "not_applicable": s.not_applicable,
                    }
                    for p, s in self.principles.items()
                },
            },
            "maturity": self.maturity.to_dict(),
            "ml_test_score": self.ml_test_score.to_dict() if self.ml_test_score else None,
            "summary": self.summary(),
            "results": [o.to_dict(prefix) for o in self.outcomes],
        }


@dataclass(frozen=True)
class Gate:
    passed: bool
    reasons: tuple[str, ...]
    fail_on: str
    fail_under: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "fail_on": self.fail_on,
            "fail_under": self.fail_under,
            "reasons": list(self.reasons),
        }


@dataclass
class Report:
    """Everything one audit found; the input of every output format."""

    root: str  # the path as the user gave it (for display)
    project: ProjectReport
    subprojects: list[ProjectReport]
    gate: Gate
    notes: list[Note]
    config: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    tool_version: str = __version__

    @property
    def exit_code(self) -> int:
        return 0 if self.gate.passed else 1

    @property
    def outcomes(self) -> list[Outcome]:
        return self.project.outcomes

    @property
    def score(self) -> int | None:
        return self.project.overall

    def all_outcomes(self) -> list[tuple[ProjectReport, Outcome]]:
        """Outcomes of the repository and then of each sub-project."""
        return [(p, o) for p in (self.project, *self.subprojects) for o in p.outcomes]

    def checks(self) -> list[Check]:
        seen: dict[str, Check] = {}
        for _, outcome in self.all_outcomes():
            seen.setdefault(outcome.check.id, outcome.check)
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        root = self.project.to_dict()
        root.pop("path")
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "mlops-audit", "version": self.tool_version},
            "root": self.root,
            "config": self.config,
            **root,
            "gate": self.gate.to_dict(),
            "subprojects": [p.to_dict() for p in self.subprojects],
            "notes": [n.as_dict() for n in self.notes],
            "duration_seconds": round(self.duration, 3),
        }

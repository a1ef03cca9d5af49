"""The bottom layer: the plain data every other layer shares.

Principles and their check families, severities, statuses, evidence and results (with their plain-data
codecs). Facts, checks, the cache, scoring and formats import from here; this module imports nothing of the
package but path display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .paths import display_path


class Principle(StrEnum):
    """The MLOps principles a repository is scored on (one per check family)."""

    REPRODUCIBILITY = "reproducibility"
    VERSIONING = "versioning"
    PIPELINING = "pipelining"
    DEPLOYMENT = "deployment"
    FLEXIBILITY = "flexibility"
    EXPERIMENT_TRACKING = "experiment_tracking"
    DATA_VALIDATION = "data_validation"
    TESTING = "testing"
    CONTINUOUS_INTEGRATION = "continuous_integration"
    CONTINUOUS_TRAINING = "continuous_training"
    DOCUMENTATION = "documentation"
    SECURITY = "security"

    @property
    def title(self) -> str:  # type: ignore[override]  # deliberately shadows str.title: the display name
        return FAMILY_OF_PRINCIPLE[self].title


@dataclass(frozen=True, slots=True)
class Family:
    """A check family: the ID prefix, the principle it scores, the principle's title, the checks module."""

    prefix: str
    principle: Principle
    title: str
    module: str


#: The one family table, in report order: ``REP002`` scores reproducibility and lives in
#: ``checks/reproducibility.py``.
FAMILIES: tuple[Family, ...] = (
    Family("REP", Principle.REPRODUCIBILITY, "Reproducibility", "reproducibility"),
    Family("VER", Principle.VERSIONING, "Versioning (code, data, models, config)", "versioning"),
    Family("PIP", Principle.PIPELINING, "Pipelining", "pipelining"),
    Family("DEP", Principle.DEPLOYMENT, "Orchestration & deployment", "deployment"),
    Family("FLX", Principle.FLEXIBILITY, "Flexibility (pluggable parts)", "flexibility"),
    Family("EXP", Principle.EXPERIMENT_TRACKING, "Experiment tracking", "tracking"),
    Family("DAT", Principle.DATA_VALIDATION, "Data validation & drift", "data"),
    Family("TST", Principle.TESTING, "Testing", "testing"),
    Family("CI", Principle.CONTINUOUS_INTEGRATION, "Continuous integration & delivery", "ci"),
    Family("CT", Principle.CONTINUOUS_TRAINING, "Continuous training", "continuous_training"),
    Family("DOC", Principle.DOCUMENTATION, "Documentation", "documentation"),
    Family("SEC", Principle.SECURITY, "Security", "security"),
)
FAMILY_BY_PREFIX: dict[str, Family] = {f.prefix: f for f in FAMILIES}
FAMILY_OF_PRINCIPLE: dict[Principle, Family] = {f.principle: f for f in FAMILIES}


def family_prefix(check_id: str) -> str:
    """The family prefix of a check ID: ``REP002`` -> ``REP``."""
    return check_id.rstrip("0123456789")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def weight(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Status(StrEnum):
    """A verdict. ``UNKNOWN``: the evidence cannot decide (neutral in every score, never a failure)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    IGNORED = "ignored"
    UNKNOWN = "unknown"


#: Profiles select which checks apply: a research repository is not expected to serve a model.
PROFILES = ("research", "library", "pipeline", "service")
#: What the configuration may name: a profile, or ``all`` (every check applies, whatever the repository is).
#: Without one, each project's profile is detected from what it contains (``facts/profile.py``).
PROFILE_CHOICES = (*PROFILES, "all")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A location that supports a verdict: a path (relative to the audited root), a line, and what is there."""

    path: str
    line: int | None = None
    note: str = ""

    def __str__(self) -> str:
        where = display_path(self.path)
        return f"{where}:{self.line}" if self.line else where

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": display_path(self.path), "line": self.line}
        if self.note:
            out["note"] = self.note
        return out

    def rebased(self, prefix: str) -> Evidence:
        return Evidence(prefix + self.path, self.line, self.note)


EvidenceLike = Evidence | str | tuple[str, int | None]


def as_evidence(items: Iterable[EvidenceLike] | EvidenceLike | None) -> tuple[Evidence, ...]:
    """Accept ``Evidence``, ``"path"``, ``"path:12"``-free tuples ``(path, line)``, or a list of them."""
    if items is None:
        return ()
    if isinstance(items, (Evidence, str)) or (
        isinstance(items, tuple)
        and len(items) == 2
        and isinstance(items[0], str)
        and (items[1] is None or isinstance(items[1], int))
    ):
        items = [items]
    out = []
    for item in items:
        if isinstance(item, Evidence):
            out.append(item)
        elif isinstance(item, str):
            out.append(Evidence(item))
        else:
            out.append(Evidence(item[0], item[1]))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Result:
    """The verdict of one check: pass, fail or not applicable, with the reason and the evidence.

    ``credit`` (0..1) gives partial credit to a failure whose evidence is partial (e.g. params logged but no
    metrics); a pass always earns full credit, a plain failure none.
    """

    status: Status
    message: str
    evidence: tuple[Evidence, ...] = ()
    credit: float = 0.0

    @classmethod
    def passed(
        cls, message: str = "", evidence: Iterable[EvidenceLike] | EvidenceLike | None = None
    ) -> Result:
        return cls(Status.PASS, message, as_evidence(evidence), 1.0)

    @classmethod
    def failed(
        cls,
        message: str,
        evidence: Iterable[EvidenceLike] | EvidenceLike | None = None,
        *,
        credit: float = 0.0,
    ) -> Result:
        return cls(Status.FAIL, message, as_evidence(evidence), max(0.0, min(credit, 0.99)))

    @classmethod
    def not_applicable(cls, reason: str) -> Result:
        return cls(Status.NOT_APPLICABLE, reason)

    @classmethod
    def unknown(cls, reason: str, evidence: Iterable[EvidenceLike] | EvidenceLike | None = None) -> Result:
        """The evidence cannot decide: say why (and where); neutral in the score, never a failure."""
        return cls(Status.UNKNOWN, reason, as_evidence(evidence))


@dataclass(frozen=True)
class FactValue:
    """A fact about the repository: ``value`` is True / False, or None when the auditor cannot decide;
    ``evidence`` says where."""

    value: bool | None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, evidence: Iterable[EvidenceLike], *, default: bool = False) -> FactValue:
        """True with the given evidence when there is any, else ``default`` (False)."""
        ev = as_evidence(list(evidence))
        return cls(True if ev else default, ev)

    def as_dict(self, prefix: str = "") -> dict[str, object]:
        return {"value": self.value, "evidence": [str(e.rebased(prefix)) for e in self.evidence]}


# Plain-data codecs (tuples and lists of str/int/float/bool/None only): what the cache stores.
PlainEvidence = tuple[str, int | None, str]


def evidence_to_plain(evidence: Iterable[Evidence]) -> list[PlainEvidence]:
    return [(e.path, e.line, e.note) for e in evidence]


def evidence_from_plain(raw: Iterable[PlainEvidence]) -> tuple[Evidence, ...]:
    return tuple(Evidence(path, line, note) for path, line, note in raw)


def result_to_plain(result: Result) -> tuple[str, str, list[PlainEvidence], float]:
    return (result.status.value, result.message, evidence_to_plain(result.evidence), result.credit)


def result_from_plain(raw: tuple[str, str, list[PlainEvidence], float]) -> Result:
    status, message, evidence, credit = raw
    return Result(Status(status), message, evidence_from_plain(evidence), credit)


def fact_to_plain(fact: FactValue) -> tuple[bool | None, list[PlainEvidence]]:
    return (fact.value, evidence_to_plain(fact.evidence))


def fact_from_plain(raw: tuple[bool | None, list[PlainEvidence]]) -> FactValue:
    return FactValue(raw[0], evidence_from_plain(raw[1]))

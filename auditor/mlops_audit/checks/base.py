"""What a check is: its metadata, its tri-state result with evidence, and the registry that holds them all.

A check is a small function ``f(repo) -> Result`` registered with :func:`check`. Its docstring is its
documentation (``mlops-audit explain ID``, the docs site): say why it matters, how to fix it, and give an example.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..paths import display_path

if TYPE_CHECKING:
    from ..repo import Repo


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
    def title(self) -> str:
        return _PRINCIPLE_TITLES[self]


_PRINCIPLE_TITLES = {
    Principle.REPRODUCIBILITY: "Reproducibility",
    Principle.VERSIONING: "Versioning (code, data, models, config)",
    Principle.PIPELINING: "Pipelining",
    Principle.DEPLOYMENT: "Orchestration & deployment",
    Principle.FLEXIBILITY: "Flexibility (pluggable parts)",
    Principle.EXPERIMENT_TRACKING: "Experiment tracking",
    Principle.DATA_VALIDATION: "Data validation & drift",
    Principle.TESTING: "Testing",
    Principle.CONTINUOUS_INTEGRATION: "Continuous integration & delivery",
    Principle.CONTINUOUS_TRAINING: "Continuous training",
    Principle.DOCUMENTATION: "Documentation",
    Principle.SECURITY: "Security",
}

#: Family prefix of a check ID -> its principle (``REP002`` -> reproducibility).
FAMILIES: dict[str, Principle] = {
    "REP": Principle.REPRODUCIBILITY,
    "VER": Principle.VERSIONING,
    "PIP": Principle.PIPELINING,
    "DEP": Principle.DEPLOYMENT,
    "FLX": Principle.FLEXIBILITY,
    "EXP": Principle.EXPERIMENT_TRACKING,
    "DAT": Principle.DATA_VALIDATION,
    "TST": Principle.TESTING,
    "CI": Principle.CONTINUOUS_INTEGRATION,
    "CT": Principle.CONTINUOUS_TRAINING,
    "DOC": Principle.DOCUMENTATION,
    "SEC": Principle.SECURITY,
}


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
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    IGNORED = "ignored"


#: Profiles select which checks apply: a research repository is not expected to serve a model.
PROFILES = ("research", "pipeline", "service")


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
        items = [items]  # type: ignore[list-item]
    out = []
    for item in items:  # type: ignore[union-attr]
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


@dataclass(frozen=True)
class Check:
    """A registered check: metadata plus the function that decides it."""

    id: str
    principle: Principle
    severity: Severity
    title: str
    func: Callable[[Repo], Result] = field(repr=False, compare=False)
    fix: str | None = None  # the name of the template fragment `mlops-audit fix` renders for it
    fix_hint: str = ""  # one-line "how to fix" for reports
    level: int = 1  # the MLOps maturity level (1 or 2) this practice belongs to; 0 = hygiene only
    profiles: tuple[str, ...] = PROFILES  # the profiles in which the check applies
    options: dict[str, Any] = field(default_factory=dict)  # per-check options and their defaults
    plugin: str | None = None  # distribution that provided the check, for third-party checks

    @property
    def doc(self) -> str:
        return textwrap.dedent(inspect.getdoc(self.func) or "").strip()

    @property
    def summary(self) -> str:
        """The first paragraph of the docstring."""
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @property
    def family(self) -> str:
        return self.id.rstrip("0123456789")

    def run(self, repo: Repo) -> Result:
        return self.func(repo)


REGISTRY: dict[str, Check] = {}


def check(
    id: str,
    severity: Severity,
    title: str,
    *,
    fix: str | None = None,
    fix_hint: str = "",
    level: int = 1,
    profiles: Iterable[str] = PROFILES,
    options: dict[str, Any] | None = None,
    principle: Principle | None = None,
) -> Callable[[Callable[[Repo], Result]], Callable[[Repo], Result]]:
    """Register ``f(repo) -> Result`` as check ``id``; the principle follows from the ID's family prefix."""
    family = id.rstrip("0123456789")
    if principle is None:
        if family not in FAMILIES:
            raise ValueError(f"check {id}: unknown family {family!r}; pass principle= explicitly")
        principle = FAMILIES[family]
    bad = set(profiles) - set(PROFILES)
    if bad:
        raise ValueError(f"check {id}: unknown profiles {sorted(bad)}")

    def register(func: Callable[[Repo], Result]) -> Callable[[Repo], Result]:
        if id in REGISTRY and REGISTRY[id].func is not func:
            raise ValueError(f"check {id} is registered twice")
        REGISTRY[id] = Check(
            id=id,
            principle=principle,
            severity=severity,
            title=title,
            func=func,
            fix=fix,
            fix_hint=fix_hint,
            level=level,
            profiles=tuple(profiles),
            options=dict(options or {}),
        )
        return func

    return register

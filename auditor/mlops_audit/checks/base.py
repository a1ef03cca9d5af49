"""What a check is: its metadata, its tri-state result with evidence, and the registry that holds them all.

A check is a small function ``f(repo) -> Result`` registered with :func:`check`. Its docstring is its
documentation (``mlops-audit explain ID``, ``mlops-audit rules``, the docs site), written in this shape::

    <Summary: the first paragraph, a sentence ending with "." that says what passes.>

    <Optional details: what counts and what does not, "When it applies: ...".>

    Why it matters: <the risk, concretely, for an ML project>

    How to fix: <what to do; ``mlops-audit fix --select ID`` when a fixer exists; what earns partial credit>

    Example (``path/of/the/file``)::

        <real configuration or code that makes the check pass>

The labels start their paragraphs at the left margin, each once, in this order; the example comes last: an
``Example::`` (or ``Example (``file``)::``) literal block, or a one-line ``Example: <text>`` paragraph. An
inline literal (````code````) opens and closes on one line. An example that names its file must pass the
check when written to that file. ``tests/auditor/test_check_contract.py`` enforces all of it for every
built-in check, together with a passing and a failing test per check ID (see CONTRIBUTING.md).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import (
    FAMILIES,
    FAMILY_BY_PREFIX,
    PROFILES,
    Evidence,
    EvidenceLike,
    Principle,
    Result,
    Severity,
    Status,
    as_evidence,
    family_prefix,
)

if TYPE_CHECKING:
    from ..repo import Repo

# The model types are re-exported: plugins write ``from mlops_audit.checks.base import check, Result, ...``.
__all__ = [
    "FAMILIES",
    "PROFILES",
    "REGISTRY",
    "Check",
    "Evidence",
    "EvidenceLike",
    "Principle",
    "Result",
    "Severity",
    "Status",
    "as_evidence",
    "check",
]


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
        return family_prefix(self.id)

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
    family = family_prefix(id)
    if principle is None:
        if family not in FAMILY_BY_PREFIX:
            raise ValueError(f"check {id}: unknown family {family!r}; pass principle= explicitly")
        principle = FAMILY_BY_PREFIX[family].principle
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

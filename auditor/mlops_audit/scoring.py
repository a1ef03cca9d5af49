"""Scores and maturity, from check outcomes only.

- A principle's score is the severity-weighted share of credit over its applicable checks (pass = 1, a failure
  with partial evidence earns its partial credit, not-applicable and ignored checks do not count), 0–100, or
  ``None`` when no check applies.
- The overall score is the same share over every applicable check; it is rounded down, so 100 means that every
  applicable check passed.
- The maturity level follows Google's MLOps levels: level 1 (pipeline automation) needs every applicable
  level-1 check of severity warning or error to pass; level 2 (CI/CD of the pipeline) needs level 1 and every
  level-2 check. Level-0 checks are hygiene and do not gate maturity. The failing checks of the next level are
  its blockers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Principle, Severity, Status
from .report import Maturity, Outcome, PrincipleScore

_SCORED = (Status.PASS, Status.FAIL)


def _share(outcomes: Iterable[Outcome]) -> int | None:
    total = earned = 0.0
    for outcome in outcomes:
        if outcome.status not in _SCORED:
            continue
        weight = outcome.check.severity.weight
        total += weight
        earned += weight * outcome.result.credit
    if not total:
        return None
    return math.floor(100 * earned / total + 1e-9)


def overall(outcomes: list[Outcome]) -> int | None:
    return _share(outcomes)


def principles(outcomes: list[Outcome]) -> dict[Principle, PrincipleScore]:
    out: dict[Principle, PrincipleScore] = {}
    for principle in Principle:
        mine = [o for o in outcomes if o.check.principle is principle]
        if not mine:
            continue
        out[principle] = PrincipleScore(
            principle,
            _share(mine),
            sum(o.status is Status.PASS for o in mine),
            sum(o.status is Status.FAIL for o in mine),
            sum(o.status is Status.NOT_APPLICABLE for o in mine),
        )
    return out


def maturity(outcomes: list[Outcome]) -> Maturity:
    def blockers(level: int) -> tuple[str, ...]:
        return tuple(
            o.check.id
            for o in outcomes
            if o.check.level == level and o.status is Status.FAIL and o.check.severity is not Severity.INFO
        )

    level = 0
    for candidate in (1, 2):
        if blockers(candidate):
            return Maturity(level, blockers(candidate))
        level = candidate
    return Maturity(level, ())

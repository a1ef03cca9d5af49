"""Scores and maturity, from check outcomes only.

- A principle's score is the severity-weighted share of credit over its applicable checks (pass = 1, a failure
  with partial evidence earns its partial credit, not-applicable and ignored checks do not count), 0–100, or
  ``None`` when no check applies.
- The overall score is the same share over every applicable check; it is rounded down, so 100 means that every
  applicable check passed.
- The maturity level follows Google's MLOps levels, graded: each level's progress is the severity-weighted
  share of credit over its applicable checks of severity warning or error (the same formula as the scores);
  level 1 (pipeline automation) is reached when its progress is at least :data:`LEVEL_THRESHOLD` percent,
  level 2 (CI/CD of the pipeline) when level 1 is reached and its own progress is too. Level-0 checks are
  hygiene and do not gate maturity. A level none of whose checks applies is not reached: a library or research
  code with no pipeline to deliver stays at level 1 at most, absence never earns a level. One false positive or
  one small gap no longer holds a project at level 0; the failing checks of the next level are its blockers, easiest first (an automatic fix before a change a
  person must make, then by weight).
- Unknown verdicts (the evidence cannot decide) are neutral everywhere, like not-applicable ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Principle, Severity, Status
from .report import LevelProgress, Maturity, Outcome, PrincipleScore

#: The share (percent) of a level's weighted checks a project must meet to reach that level.
LEVEL_THRESHOLD = 75

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
    progress = []
    level = 0
    for candidate in (1, 2):
        gating = [o for o in outcomes if o.check.level == candidate and o.check.severity is not Severity.INFO]
        share = _share(gating)
        reached = level == candidate - 1 and share is not None and share >= LEVEL_THRESHOLD
        if reached:
            level = candidate
        progress.append(
            LevelProgress(
                candidate,
                share,
                sum(o.status is Status.PASS for o in gating),
                sum(o.status in _SCORED for o in gating),
                reached,
            )
        )
    blockers = [
        o
        for o in outcomes
        if level < 2
        and o.check.level == level + 1
        and o.status is Status.FAIL
        and o.check.severity is not Severity.INFO
    ]
    blockers.sort(key=lambda o: (o.check.fix is None, -o.check.severity.weight, o.result.credit, o.check.id))
    return Maturity(level, tuple(o.check.id for o in blockers), tuple(progress), LEVEL_THRESHOLD)

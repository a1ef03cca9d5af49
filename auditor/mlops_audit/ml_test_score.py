"""A static estimate of the ML Test Score (Breck et al., "The ML Test Score: A Rubric for ML Production
Readiness and Technical Debt Reduction", IEEE Big Data 2017), from check outcomes only.

The rubric has 28 tests in four sections of seven: data, model, ML infrastructure and monitoring. Each test
earns half a point when the practice is done manually and one point when it is automated; a section's score is
the sum of its tests' points and the final score is the minimum of the four section scores.

Here each test names the checks that show the practice (``manual``) and those that show it automated
(``automated``): one point when every automated check passes, half a point when every manual check passes,
zero otherwise. Many tests (feature cost, offline/online metric correlation, data slices, inclusion,
canaries, numerical stability...) are about running systems and cannot be seen by reading a repository:
they are *unknown*, not zero, and so is a test whose checks are all not applicable, ignored or unknown.
The section scores sum the known tests only, and say how many were known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Status
from .report import MLTestScore, MLTestSection, MLTestVerdict, Outcome


@dataclass(frozen=True)
class _Test:
    section: str
    number: int
    title: str
    manual: tuple[str, ...] = ()
    automated: tuple[str, ...] = ()
    why_unknown: str = ""


_STATIC = "a property of the running system or the team's process, not visible in the repository"

#: The 28 tests of the rubric, in the paper's order, with the checks that show each.
TESTS: tuple[_Test, ...] = (
    _Test("data", 1, "Feature expectations are captured in a schema", ("DAT001",), ("DAT001", "DAT002")),
    _Test("data", 2, "All features are beneficial", why_unknown=_STATIC),
    _Test("data", 3, "No feature's cost is too much", why_unknown=_STATIC),
    _Test("data", 4, "Features adhere to meta-level requirements", why_unknown=_STATIC),
    _Test("data", 5, "The data pipeline has appropriate privacy controls", why_unknown=_STATIC),
    _Test("data", 6, "New features can be added quickly", why_unknown=_STATIC),
    _Test("data", 7, "All input feature code is tested", ("TST003",), ("TST003", "CI002")),
    _Test("model", 1, "Model specs are reviewed and submitted", ("VER007",), ("VER007", "CI012")),
    _Test("model", 2, "Offline and online metrics correlate", why_unknown=_STATIC),
    _Test("model", 3, "All hyperparameters have been tuned", why_unknown=_STATIC),
    _Test("model", 4, "The impact of model staleness is known", why_unknown=_STATIC),
    _Test("model", 5, "A simpler model is not better", why_unknown=_STATIC),
    _Test("model", 6, "Model quality is sufficient on important data slices", why_unknown=_STATIC),
    _Test("model", 7, "The model is tested for considerations of inclusion", why_unknown=_STATIC),
    _Test(
        "infrastructure", 1, "Training is reproducible", ("REP002", "REP006"), ("REP002", "REP006", "REP007")
    ),
    _Test("infrastructure", 2, "Model specs are unit tested", ("TST003",), ("TST003", "CI002")),
    _Test("infrastructure", 3, "The ML pipeline is integration tested", ("PIP001",), ("PIP001", "CT001")),
    _Test("infrastructure", 4, "Model quality is validated before serving", ("TST004",), ("TST004", "CT003")),
    _Test("infrastructure", 5, "The model is debuggable", why_unknown=_STATIC),
    _Test("infrastructure", 6, "Models are canaried before serving", ("FLX004",), ("FLX004", "CI011")),
    _Test("infrastructure", 7, "Serving models can be rolled back", ("EXP004",), ("EXP004", "DEP006")),
    _Test("monitoring", 1, "Dependency changes result in notification", ("CI006",), ("CI006",)),
    _Test("monitoring", 2, "Data invariants hold for inputs", ("DAT001",), ("DAT001", "DAT002")),
    _Test("monitoring", 3, "Training and serving are not skewed", ("PIP004",)),
    _Test("monitoring", 4, "Models are not too stale", (), ("CT001",)),
    _Test("monitoring", 5, "Models are numerically stable", why_unknown=_STATIC),
    _Test("monitoring", 6, "Computing performance has not regressed", why_unknown=_STATIC),
    _Test("monitoring", 7, "Prediction quality has not regressed", ("DAT003",), ("DAT003", "CT002")),
)

SECTIONS = ("data", "model", "infrastructure", "monitoring")


def estimate(outcomes: Iterable[Outcome]) -> MLTestScore:
    status = {o.check.id: o.status for o in outcomes}
    verdicts = [_verdict(test, status) for test in TESTS]
    sections = []
    for name in SECTIONS:
        mine = [v for v in verdicts if v.section == name]
        known = [v.points for v in mine if v.points is not None]
        sections.append(MLTestSection(name, sum(known) if known else None, len(known), len(mine)))
    scores = [s.score for s in sections]
    final = None if any(s is None for s in scores) else min(s for s in scores if s is not None)
    return MLTestScore(final, tuple(sections), tuple(verdicts))


def _verdict(test: _Test, status: dict[str, Status]) -> MLTestVerdict:
    def verdict(points: float | None, reason: str) -> MLTestVerdict:
        return MLTestVerdict(test.section, test.number, test.title, points, reason)

    if test.why_unknown:
        return verdict(None, test.why_unknown)
    named = sorted(set(test.manual) | set(test.automated))
    decided = {cid: status[cid] for cid in named if status.get(cid) in (Status.PASS, Status.FAIL)}
    if not decided:
        return verdict(None, f"{', '.join(named)}: not applicable, ignored or undecided")
    if test.automated and all(decided.get(cid) is Status.PASS for cid in test.automated):
        return verdict(1.0, f"automated ({', '.join(test.automated)} pass)")
    if test.manual and all(decided.get(cid) is Status.PASS for cid in test.manual):
        missing = [cid for cid in test.automated if decided.get(cid) is not Status.PASS]
        return verdict(0.5, f"manual ({', '.join(test.manual)} pass; not automated: {', '.join(missing)})")
    failing = [cid for cid in named if decided.get(cid) is Status.FAIL]
    if not failing:  # what passes shows neither the manual nor the automated practice; the rest is undecided
        undecided = [cid for cid in named if cid not in decided]
        return verdict(None, f"{', '.join(undecided)}: not applicable, ignored or undecided")
    return verdict(0.0, f"not shown ({', '.join(failing)} fail)")

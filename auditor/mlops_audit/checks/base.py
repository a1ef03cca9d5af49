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
from collections.abc import Callable, Iterable, Mapping
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

#: A check function: the repository first, then its options as keyword-only parameters.
CheckFunc = Callable[..., Result]

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
    func: CheckFunc = field(repr=False, compare=False)
    fix: str | None = None  # the name of the template fragment `mlops-audit fix` renders for it
    fix_hint: str = ""  # one-line "how to fix" for reports
    level: int = 1  # the MLOps maturity level (1 or 2) this practice belongs to; 0 = hygiene only
    profiles: tuple[str, ...] = PROFILES  # the profiles in which the check applies
    options: dict[str, Any] = field(default_factory=dict)  # option key (kebab-case) -> default
    plugin: str | None = None  # distribution that provided the check, for third-party checks
    requires: tuple[str, ...] = ()  # checks that must pass for this one to be decidable

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

    def decide(self, run: Callable[[], Result], prerequisite: Callable[[str], Result | None]) -> Result:
        """This check's verdict given the verdicts of the checks it ``requires``.

        A prerequisite that is not applicable (or ignored, or not registered: ``prerequisite`` returns None)
        makes this check not applicable without running it. A failed prerequisite makes this check fail
        ("needs X first"), unless the check is not applicable for a reason of its own: the absence of a
        practice never scores better than a partial one.
        """
        blocked = None
        for required in self.requires:
            result = prerequisite(required)
            if result is None:
                return Result.not_applicable(f"requires {required}, which is ignored or not available")
            if result.status is Status.NOT_APPLICABLE:
                return Result.not_applicable(f"requires {required}: {result.message}")
            if result.status is Status.FAIL and blocked is None:
                blocked = Result.failed(f"{BLOCKED_PREFIX} {required} first", result.evidence)
        own = run()
        if blocked is not None and own.status is not Status.NOT_APPLICABLE:
            return blocked
        return own

    def run(self, repo: Repo, options: Mapping[str, Any] | None = None) -> Result:
        """Decide the check; ``options`` are the configured values (kebab-case keys) over the defaults."""
        values = {**self.options, **(options or {})}
        return self.func(repo, **{option_parameter(k): v for k, v in values.items()})


REGISTRY: dict[str, Check] = {}

#: The message of a check that fails because a check it requires failed: ``needs CI001 first``.
BLOCKED_PREFIX = "needs"


def option_key(parameter: str) -> str:
    """The configuration key of an option parameter: ``max_file_mb`` -> ``max-file-mb``."""
    return parameter.replace("_", "-")


def option_parameter(key: str) -> str:
    """The parameter name of a configuration key: ``max-file-mb`` -> ``max_file_mb``."""
    return key.replace("-", "_")


def declared_options(check_id: str, func: Callable[..., Result]) -> dict[str, Any]:
    """The options of a check function, by configuration key: the parameters after the repository, which
    must be keyword-only and have a default (``def f(repo, *, max_file_mb: float = 5.0)``)."""
    params = list(inspect.signature(func).parameters.values())
    out: dict[str, Any] = {}
    for param in params[1:]:
        if param.kind is not inspect.Parameter.KEYWORD_ONLY or param.default is inspect.Parameter.empty:
            raise ValueError(f"check {check_id}: option {param.name!r} must be keyword-only with a default")
        out[option_key(param.name)] = param.default
    return out


def check(
    id: str,
    severity: Severity,
    title: str,
    *,
    fix: str | None = None,
    fix_hint: str = "",
    level: int = 1,
    profiles: Iterable[str] = PROFILES,
    requires: Iterable[str] = (),
    principle: Principle | None = None,
) -> Callable[[CheckFunc], CheckFunc]:
    """Register ``f(repo, *, option=default, ...) -> Result`` as check ``id``.

    The principle follows from the ID's family prefix. The check's options are its keyword-only parameters
    with their defaults; configuration names them in kebab-case (``max_file_mb`` -> ``max-file-mb``).
    ``requires`` names the checks this one depends on: when one of them does not pass, the engine decides
    this one without calling it (see :mod:`mlops_audit.engine`).
    """
    family = family_prefix(id)
    if principle is None:
        if family not in FAMILY_BY_PREFIX:
            raise ValueError(f"check {id}: unknown family {family!r}; pass principle= explicitly")
        principle = FAMILY_BY_PREFIX[family].principle
    bad = set(profiles) - set(PROFILES)
    if bad:
        raise ValueError(f"check {id}: unknown profiles {sorted(bad)}")

    def register(func: CheckFunc) -> CheckFunc:
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
            options=declared_options(id, func),
            requires=tuple(requires),
        )
        return func

    return register

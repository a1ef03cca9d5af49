"""Checks of the example plugin. Importing this module registers them (entry point group ``mlops_audit.checks``)."""

from __future__ import annotations

from mlops_audit.checks.base import Principle, Result, Severity, check
from mlops_audit.repo import Repo

_LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


@check("ORG001", Severity.WARNING, "Code owners are declared", principle=Principle.DOCUMENTATION, level=0)
def codeowners(repo: Repo) -> Result:
    """A CODEOWNERS file names who reviews changes to the model, the data contracts and the pipeline.

    Why it matters: a model in production needs an owner who is paged when it drifts.

    How to fix: add ``.github/CODEOWNERS`` with at least one rule, e.g. ``* @ml-platform-team``.
    """
    for path in _LOCATIONS:
        if path in repo.entries:
            return Result.passed(f"owners declared in {path}", [(path, 1)])
    return Result.failed("no CODEOWNERS file")

"""Run one registered check on a fixture repository and assert its status."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.checks import decide
from mlops_audit.model import Result, Status
from mlops_audit.repo import Repo


def check_result(root: Path | Repo, check_id: str) -> Result:
    """Decide one registered check on a fixture repository (its prerequisites first)."""
    repo = root if isinstance(root, Repo) else Repo(root)
    return decide(repo, check_id)


def assert_status(root: Path | Repo, check_id: str, status: Status) -> Result:
    result = check_result(root, check_id)
    assert result.status is status, (
        f"{check_id}: expected {status.value}, got {result.status.value}: {result.message}"
    )
    return result

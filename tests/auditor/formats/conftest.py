"""Fixtures of the output-format tests (the builders live in format_fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from format_fixtures import FIXTURE_FILES, audit_fixture, fixture_report
from mlops_audit.report import Report


@pytest.fixture
def report() -> Report:
    return fixture_report()


@pytest.fixture
def audited_report(make_repo: Callable[..., Path]) -> Report:
    return audit_fixture(make_repo(FIXTURE_FILES, name="churn-model"))

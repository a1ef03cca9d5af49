"""Fixtures of the output-format tests (the builders live in tests.helpers.formats)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from mlops_audit.report import Report

from tests.helpers.formats import FIXTURE_FILES, audit_fixture, fixture_report


@pytest.fixture
def report() -> Report:
    return fixture_report()


@pytest.fixture
def audited_report(make_repo: Callable[..., Path]) -> Report:
    return audit_fixture(make_repo(FIXTURE_FILES, name="churn-model"))

"""The data contract compiled to plain checks, for validating single requests fast.

The service must accept exactly what the model was trained to accept: the rules are the great-expectations
inference suite (``gx/expectations/inference_batch.json``), the same file that gates batch inference and
drift checks. Importing great-expectations costs seconds and validating through it costs tens of
milliseconds per call, so the expectations the suite generator writes are compiled here to pandas checks;
any other expectation type is validated with great-expectations itself (see ``fallback``). The tests assert
that both agree on good and corrupted data.

A violation names the expectation (its great-expectations type), the column and the offending rows.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS_MATCH = "expect_table_columns_to_match_set"
ROW_COUNT = "expect_table_row_count_to_be_between"
NOT_NULL = "expect_column_values_to_not_be_null"
BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
COMPILED = frozenset({COLUMNS_MATCH, ROW_COUNT, NOT_NULL, BETWEEN, IN_SET})
MAX_ROWS_REPORTED = 10


@dataclass
class Violation:
    expectation: str
    column: str | None
    message: str
    rows: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask].index[:MAX_ROWS_REPORTED]]


def _numeric(series: pd.Series) -> pd.Series:
    """Numbers as floats; anything that is not a number (strings, booleans) becomes NaN."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    values = series.map(lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    return pd.to_numeric(values, errors="coerce")


@dataclass
class Contract:
    """A compiled expectation suite: ``check(frame)`` lists the violated expectations."""

    name: str
    expectations: list[dict[str, Any]]
    # The part of the suite that is not compiled, validated with great-expectations (None = nothing left).
    fallback: dict[str, Any] | None = None

    @classmethod
    def from_suite_file(cls, path: str | Path) -> Contract:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"expectation suite {path} not found: build one with `uv run poe suite`")
        suite = json.loads(path.read_text(encoding="utf-8"))
        compiled = [e for e in suite["expectations"] if e["type"] in COMPILED]
        rest = [e for e in suite["expectations"] if e["type"] not in COMPILED]
        fallback = {**suite, "expectations": rest} if rest else None
        return cls(suite["name"], compiled, fallback)

    @property
    def columns(self) -> list[str] | None:
        for expectation in self.expectations:
            if expectation["type"] == COLUMNS_MATCH:
                return list(expectation["kwargs"]["column_set"])
        return None

    def check(self, frame: pd.DataFrame) -> list[Violation]:
        violations: list[Violation] = []
        for expectation in self.expectations:
            violation = _check_one(expectation["type"], expectation["kwargs"], frame)
            if violation is not None:
                violations.append(violation)
        if self.fallback is not None:
            violations += _check_with_gx(self.fallback, frame)
        return violations


def _check_one(kind: str, kwargs: dict[str, Any], frame: pd.DataFrame) -> Violation | None:
    if kind == COLUMNS_MATCH:
        expected, actual = set(kwargs["column_set"]), set(map(str, frame.columns))
        exact = kwargs.get("exact_match", True)
        missing, extra = sorted(expected - actual), sorted(actual - expected) if exact else []
        if missing or extra:
            return Violation(kind, None, f"missing columns {missing}, unexpected columns {extra}")
        return None
    if kind == ROW_COUNT:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if (low is not None and len(frame) < low) or (high is not None and len(frame) > high):
            return Violation(kind, None, f"{len(frame)} rows, expected between {low} and {high}")
        return None
    column = kwargs["column"]
    if column not in frame.columns:
        return Violation(kind, column, f"column {column!r} is missing")
    series = frame[column]
    if kind == NOT_NULL:
        mask = series.isna()
        return Violation(kind, column, "null values", _rows(mask)) if mask.any() else None
    present = series.notna()
    if kind == BETWEEN:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        values = _numeric(series)
        bad = present & values.isna()
        if low is not None:
            bad |= values < low
        if high is not None:
            bad |= values > high
        return Violation(kind, column, f"values outside [{low}, {high}]", _rows(bad)) if bad.any() else None
    allowed = {str(v) for v in kwargs["value_set"]}
    bad = present & ~series.astype(str).isin(allowed)
    return Violation(kind, column, f"values not in {sorted(allowed)}", _rows(bad)) if bad.any() else None


def _check_with_gx(suite: dict[str, Any], frame: pd.DataFrame) -> list[Violation]:
    import great_expectations as gx

    from .validation import validate_frame

    summary = validate_frame(frame, gx.ExpectationSuite(**suite))
    return [Violation(f["expectation"], f["column"], json.dumps(f["observed"], default=str)) for f in summary.failures]

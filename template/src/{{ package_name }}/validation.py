"""Data validation with great-expectations.

Two suites live in the repository as JSON under ``gx/expectations/``:

* ``training_data.json`` gates training: features and label;
* ``inference_batch.json`` gates batch inference and drift checks: the same features, no label.

Validation fails closed: a missing suite, a missing column or any failed expectation raises
:class:`DataValidationError` and the step exits non-zero. ``uv run poe suite`` builds a first pair of suites
from your own data file (review them before committing).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hydra
import pandas as pd
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .data import load_raw, read_table
from .features import features_of

if TYPE_CHECKING:
    import great_expectations as gx

log = logging.getLogger(__name__)

TRAINING_SUITE = "training_data"
INFERENCE_SUITE = "inference_batch"
# Observed numeric ranges are widened by this share of their width, so new but plausible values pass.
RANGE_MARGIN = 0.25


class DataValidationError(RuntimeError):
    """The data does not satisfy its expectation suite."""

    def __init__(self, message: str, summary: ValidationSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass
class ValidationSummary:
    suite: str
    success: bool
    evaluated: int
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"suite": self.suite, "success": self.success, "evaluated": self.evaluated, "failures": self.failures}


def suite_path(cfg: DictConfig, name: str) -> Path:
    return Path(cfg.paths.suites_dir) / f"{name}.json"


def load_suite(path: str | Path) -> gx.ExpectationSuite:
    import great_expectations as gx

    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"expectation suite {path} not found: build one with `uv run poe suite`")
    return gx.ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))


def save_suite(suite: gx.ExpectationSuite, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = suite.to_json_dict()
    data["id"] = None
    for expectation in data["expectations"]:
        expectation.pop("id", None)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _feature_expectations(frame: pd.DataFrame) -> list[Any]:
    import great_expectations.expectations as gxe

    expectations: list[Any] = []
    for column in frame.columns:
        series = frame[column]
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            low, high = float(series.min()), float(series.max())
            margin = (high - low) * RANGE_MARGIN or abs(high) * RANGE_MARGIN or 1.0
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low - margin, max_value=high + margin)
            )
        else:
            values = sorted(str(value) for value in series.dropna().unique())
            expectations.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values))
    return expectations


def build_suites(frame: pd.DataFrame, target: str) -> tuple[gx.ExpectationSuite, gx.ExpectationSuite]:
    """Derive a training suite (features + label) and an inference suite (features) from labelled data."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    features = features_of(frame, target)
    training = gx.ExpectationSuite(
        name=TRAINING_SUITE,
        expectations=[
            gxe.ExpectTableColumnsToMatchSet(column_set=list(frame.columns), exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=max(10, len(frame) // 20)),
            *_feature_expectations(features),
            gxe.ExpectColumnValuesToNotBeNull(column=target),
            gxe.ExpectColumnValuesToBeInSet(column=target, value_set=sorted(frame[target].dropna().unique().tolist())),
        ],
    )
    inference = gx.ExpectationSuite(
        name=INFERENCE_SUITE,
        expectations=[
            gxe.ExpectTableColumnsToMatchSet(column_set=list(features.columns), exact_match=True),
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *_feature_expectations(features),
        ],
    )
    return training, inference


@lru_cache(maxsize=1)
def _batch_definition() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # great-expectations sets some of its module loggers to INFO; keep the pipeline's output readable.
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole")


def validate_frame(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> ValidationSummary:
    """Validate a DataFrame against a suite; never raises for failed expectations (see ``require_valid``)."""
    result = _batch_definition().get_batch(batch_parameters={"dataframe": frame}).validate(suite)
    failures = [
        {
            "expectation": item.expectation_config.type,
            "column": item.expectation_config.kwargs.get("column"),
            "observed": _short(item.result),
        }
        for item in result.results
        if not item.success
    ]
    return ValidationSummary(
        suite=suite.name, success=bool(result.success), evaluated=len(result.results), failures=failures
    )


def _short(result: dict[str, Any]) -> dict[str, Any]:
    keep = ("observed_value", "unexpected_count", "unexpected_percent", "partial_unexpected_list", "details")
    return {key: result[key] for key in keep if key in result}


# Successful validations in this process, keyed by suite file and data content: the pipeline validates
# the same frames in several steps and need not pay for it twice. Failures are never cached.
_PASSED: dict[tuple[str, str], ValidationSummary] = {}


def _content_key(frame: pd.DataFrame, suite_file: Path) -> tuple[str, str]:
    columns = "\x1f".join(map(str, frame.columns))
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    digest = hashlib.sha256(columns.encode() + rows).hexdigest()
    return hashlib.sha256(suite_file.read_bytes()).hexdigest() if suite_file.is_file() else "", digest


def require_valid(frame: pd.DataFrame, cfg: DictConfig, suite_name: str) -> ValidationSummary:
    """Fail closed: raise unless ``frame`` passes the named suite."""
    suite_file = suite_path(cfg, suite_name)
    key = _content_key(frame, suite_file)
    if key in _PASSED:
        return _PASSED[key]
    summary = validate_frame(frame, load_suite(suite_file))
    if not summary.success:
        details = "; ".join(f"{f['expectation']}({f['column'] or 'table'})" for f in summary.failures)
        raise DataValidationError(f"data failed the {suite_name!r} suite: {details}", summary)
    log.info("data passed the %r suite (%d expectations)", suite_name, summary.evaluated)
    _PASSED[key] = summary
    return summary


def validate_files(cfg: DictConfig) -> list[ValidationSummary]:
    """The validate step: the labelled dataset and the new batch against their suites."""
    checks = [(cfg.paths.dataset, TRAINING_SUITE), (cfg.paths.batch, INFERENCE_SUITE)]
    summaries, errors = [], []
    for path, suite in checks:
        try:
            summaries.append(require_valid(read_table(path), cfg, suite))
        except DataValidationError as error:
            errors.append(str(error))
            summaries.append(error.summary or ValidationSummary(suite, False, 0, [{"error": str(error)}]))
    # The report is written whatever the outcome: a failed validation says success: false.
    report = Path(cfg.paths.reports_dir) / "validation.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    document = {"success": not errors, "suites": [s.to_dict() for s in summaries]}
    report.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if errors:
        raise DataValidationError("; ".join(errors))
    return summaries


def build_suites_from_data(cfg: DictConfig) -> tuple[Path, Path]:
    """The suite step: write both suites from the configured data source (``data=file data.source.path=...``)."""
    training, inference = build_suites(load_raw(cfg), cfg.data.target)
    training_path = save_suite(training, suite_path(cfg, TRAINING_SUITE))
    return training_path, save_suite(inference, suite_path(cfg, INFERENCE_SUITE))


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        validate_files(cfg)
    except DataValidationError as error:
        log.error("%s", error)
        sys.exit(1)


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def build_suite_main(cfg: DictConfig) -> None:
    for path in build_suites_from_data(cfg):
        log.info("wrote %s: review it, then commit it", path)


if __name__ == "__main__":
    main()

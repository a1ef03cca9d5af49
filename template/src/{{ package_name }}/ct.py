"""Continuous training: monitor, and on drift retrain, evaluate and promote (``uv run poe ct``).

1. Monitoring (:mod:`.drift`): the current data (a batch, or the service's prediction log with
   ``drift.current=logs/predictions.jsonl``) against the data the champion was trained on.
2. Data that violates the contract stops the loop: a broken upstream is fixed, never learned.
3. Drift (or no champion yet, or ``ct.force=true``) triggers retraining on the labelled data
   (``paths.dataset``), then evaluation on the hold-out and promotion (:mod:`.evaluate`).
4. ``artifacts/ct/summary.json`` records what happened and why; the decision run in MLflow carries the
   drift and validation reports.

A promotion moves the ``champion`` alias; production follows with the next deploy (``uv run poe release``
pins the new version).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .drift import run_drift
from .evaluate import REJECTED, evaluate_and_promote
from .train import train
from .validation import DataValidationError

log = logging.getLogger(__name__)


def retrain_reasons(report: dict[str, Any], force: bool) -> list[str]:
    reasons = []
    if report["champion_version"] is None and not report["reference_rows"]:
        reasons.append("no champion yet")
    if report["drift_detected"]:
        reasons.append(f"drift in {len(report['drifted_features'])} feature(s): {report['drifted_features']}")
    if force:
        reasons.append("forced (ct.force=true)")
    return reasons


def continuous_training(cfg: DictConfig) -> dict[str, Any]:
    report = run_drift(cfg)
    if not report["validation"]["success"]:
        failures = [f"{f['expectation']}({f['column'] or 'table'})" for f in report["validation"]["failures"]]
        raise DataValidationError(f"the monitored data violates the contract, not retraining: {failures}")
    reasons = retrain_reasons(report, cfg.ct.force)
    summary: dict[str, Any] = {
        "drift_detected": report["drift_detected"],
        "drifted_features": report["drifted_features"],
        "reference": report["reference"],
        "champion_version": report["champion_version"],
        "retrained": bool(reasons),
        "reasons": reasons,
    }
    if reasons:
        log.info("retraining: %s", "; ".join(reasons))
        result = train(cfg)
        decision = evaluate_and_promote(cfg)
        summary.update(run_id=result.run_id, decision=decision.to_dict())
    else:
        log.info("no drift against the champion's training data: nothing to retrain")
    out = Path(cfg.paths.artifacts_dir) / "ct"
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        summary = continuous_training(cfg)
    except DataValidationError as error:
        log.error("%s", error)
        sys.exit(1)
    decision = summary.get("decision") or {}
    if decision.get("decision") == REJECTED:
        log.error("the retrained model is rejected: %s", decision["reason"])
        sys.exit(1)


if __name__ == "__main__":
    main()

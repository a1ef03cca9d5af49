"""The whole loop in one process: data -> validate -> drift -> train -> evaluate/promote -> predict.

Invalid data or a model below its thresholds stops the pipeline with a non-zero exit code, and the
champion is only replaced by a model that beats it on the hold-out (see :mod:`.evaluate`). Drift against
the champion's training data is reported (and attached to the decision run), never a reason to stop: it is
a reason to retrain, which this pipeline does anyway (``uv run poe ct`` retrains only on drift).
"""

from __future__ import annotations

import logging
import sys

import hydra
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .data import prepare
from .drift import run_drift
from .evaluate import REJECTED, evaluate_and_promote
from .predict import predict_batch
from .train import train
from .validation import DataValidationError, validate_files

log = logging.getLogger(__name__)


def run_pipeline(cfg: DictConfig) -> dict[str, object]:
    prepare(cfg)
    validate_files(cfg)
    drift = run_drift(cfg)
    if drift["drift_detected"]:
        log.warning("drift against the champion's training data: %s", drift["drifted_features"])
    result = train(cfg)
    decision = evaluate_and_promote(cfg)
    if decision.decision == REJECTED:
        raise RuntimeError(f"the model of run {decision.candidate_run_id} is rejected: {decision.reason}")
    predictions = predict_batch(cfg)
    return {
        "run_id": result.run_id,
        "drift": {k: drift[k] for k in ("drift_detected", "drifted_features", "champion_version")},
        "decision": decision.to_dict(),
        "predictions": str(predictions),
    }


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        summary = run_pipeline(cfg)
    except (DataValidationError, RuntimeError) as error:
        log.error("pipeline stopped: %s", error)
        sys.exit(1)
    log.info("pipeline finished: %s", summary["decision"]["decision"])


if __name__ == "__main__":
    main()

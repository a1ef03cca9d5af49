"""Batch prediction with the champion model; the batch must pass the inference suite first."""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
import mlflow
import pandas as pd
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table
from .features import features_of
from .tracking import configure
from .validation import INFERENCE_SUITE, require_valid

log = logging.getLogger(__name__)


def champion_uri(cfg: DictConfig) -> str:
    return cfg.predict.model_uri or f"models:/{cfg.mlflow.registered_model_name}@{cfg.evaluation.champion_alias}"


def predict_batch(cfg: DictConfig) -> Path:
    batch = features_of(read_table(cfg.predict.input), cfg.data.target)
    require_valid(batch, cfg, INFERENCE_SUITE)
    configure(cfg)
    uri = champion_uri(cfg)
    model = mlflow.pyfunc.load_model(uri)
    predictions = batch.copy()
    predictions["prediction"] = pd.Series(model.predict(batch)).to_numpy()
    output = Path(cfg.predict.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    predictions.to_csv(output, index=False)
    log.info("wrote %d predictions of %s to %s", len(predictions), uri, output)
    return output


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    predict_batch(cfg)


if __name__ == "__main__":
    main()

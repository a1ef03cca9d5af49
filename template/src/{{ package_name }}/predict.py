"""Batch prediction with the champion model; the batch must pass the inference suite first.

The champion alias is resolved once to its version, which every output row records (``model_version``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
import mlflow
import pandas as pd
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table
from .features import features_of
from .tracking import alias_version, configure
from .validation import INFERENCE_SUITE, require_valid

log = logging.getLogger(__name__)


def champion_uri(cfg: DictConfig) -> str:
    """``predict.model_uri``, else the champion's version as an immutable ``models:/<name>/<version>``."""
    if cfg.predict.model_uri:
        return str(cfg.predict.model_uri)
    name, alias = cfg.mlflow.registered_model_name, cfg.evaluation.champion_alias
    version = alias_version(MlflowClient(), name, alias)
    if version is None:
        raise LookupError(f"model {name!r} has no {alias!r} version yet: run the pipeline first")
    return f"models:/{name}/{version.version}"


def predict_batch(cfg: DictConfig) -> Path:
    batch = features_of(read_table(cfg.predict.input), cfg.data.target)
    require_valid(batch, cfg, INFERENCE_SUITE)
    configure(cfg)
    uri = champion_uri(cfg)
    version = uri.rsplit("/", 1)[-1] if uri.startswith("models:/") else uri
    model = mlflow.pyfunc.load_model(uri)
    predictions = batch.copy()
    predictions["prediction"] = pd.Series(model.predict(batch)).to_numpy()
    predictions["model_version"] = version
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

"""Training step: fit the configured model on the training rows and log everything to MLflow.

The model is logged with its run, not registered: only a candidate that passes evaluation becomes a
registered version (see :mod:`.evaluate`). The run records its inputs (``mlflow.log_input``), the
validation report, and the training rows themselves (``reference/train.parquet``): the drift reference
of the model once it is champion.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import hydra
import mlflow
import numpy as np
import pandas as pd
import sklearn
import skops
from mlflow.models import infer_signature
from omegaconf import DictConfig
from sklearn.pipeline import Pipeline

from .config import CONFIG_DIR, CONFIG_NAME, to_container
from .data import read_table, split_holdout
from .features import features_of
from .hashing import file_sha256, frame_sha256, git_commit, lock_sha256
from .metrics import compute_metrics
from .models import build_pipeline
from .resources import use_resources
from .seeding import seed_everything
from .sweep import at_project_root, tag_sweep
from .tracking import configure, flatten, log_dataset
from .validation import TRAINING_SUITE, require_valid

log = logging.getLogger(__name__)

CONFIG_ARTIFACT = "config/config.json"
PROBE_ARTIFACT = "probe/predictions.json"
REFERENCE_ARTIFACT = "reference/train.parquet"
VALIDATION_ARTIFACT = "validation/training_data.json"


@dataclass
class TrainResult:
    run_id: str | None
    model_uri: str | None
    model_version: str | None
    metrics: dict[str, float]
    probe_predictions: list[Any]
    probe_probabilities: list[list[float]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe_set(dataset: pd.DataFrame, cfg: DictConfig) -> pd.DataFrame:
    """The fixed probe set: the first ``training.probe_size`` rows of the labelled data, features only."""
    return features_of(dataset, cfg.data.target).head(cfg.training.probe_size)


def fit(cfg: DictConfig, dataset: pd.DataFrame) -> tuple[Pipeline, pd.DataFrame, dict[str, float]]:
    """Seed, split and fit; return the model, the training features and the held-out metrics."""
    seed_everything(cfg.seed)
    train, test = split_holdout(dataset, cfg)
    target = cfg.data.target
    x_train, y_train = features_of(train, target), train[target]
    model = build_pipeline(cfg.model, cfg.seed, x_train)
    model.fit(x_train, y_train)
    metrics = compute_metrics(model, features_of(test, target), test[target])
    return model, x_train, metrics


def framework_requirements(estimator: object) -> list[str]:
    """``dist==version`` of the distribution(s) providing the estimator's class: ``lightgbm==4.6.0`` for
    ``lightgbm.LGBMClassifier``, ``scikit-learn==...`` for a scikit-learn estimator."""
    root = type(estimator).__module__.split(".")[0]
    distributions = importlib.metadata.packages_distributions().get(root, [])
    return [f"{name}=={importlib.metadata.version(name)}" for name in sorted(set(distributions))]


def pip_requirements(estimator: object | None = None) -> list[str]:
    """Explicit requirements of the logged model (inferring them is slow and environment-dependent): the
    stack every model needs, plus the framework of ``estimator`` (e.g. lightgbm) when it is another one."""
    requirements = [
        f"mlflow=={mlflow.__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
        f"skops=={skops.__version__}",
    ]
    listed = {r.split("==")[0].lower() for r in requirements}
    extra = [r for r in framework_requirements(estimator) if r.split("==")[0].lower() not in listed]
    return requirements + extra


def _jsonable(values: np.ndarray) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in values]


def train(cfg: DictConfig, *, log_to_mlflow: bool = True) -> TrainResult:
    """Train on ``paths.dataset``; with ``log_to_mlflow`` log the run and register the model."""
    dataset_path = Path(cfg.paths.dataset)
    dataset = read_table(dataset_path)
    validation = require_valid(dataset, cfg, TRAINING_SUITE)
    model, x_train, metrics = fit(cfg, dataset)
    probe_features = probe_set(dataset, cfg)
    probe = _jsonable(model.predict(probe_features))
    probabilities = model.predict_proba(probe_features).tolist()
    log.info("held-out metrics: %s", metrics)
    if not log_to_mlflow:
        return TrainResult(None, None, None, metrics, probe, probabilities)

    configure(cfg)
    train_rows, holdout_rows = split_holdout(dataset, cfg)
    resolved = to_container(cfg)
    with mlflow.start_run(run_name=f"{cfg.model.name}-{cfg.env.name}") as run:
        mlflow.log_params(flatten(resolved))
        mlflow.log_metrics(metrics)
        mlflow.set_tags(
            {
                "stage": "train",
                "git_commit": git_commit(),
                "data_sha256": file_sha256(dataset_path),
                "data_path": str(dataset_path),
                "train_rows": str(len(train_rows)),
                "holdout_rows": str(len(holdout_rows)),
                "holdout_sha256": frame_sha256(holdout_rows),
                "reference_artifact": REFERENCE_ARTIFACT,
                "lock_sha256": lock_sha256(),
                "seed": str(cfg.seed),
                "model_name": cfg.model.name,
                "env": str(cfg.env.name),
            }
        )
        mlflow.log_dict(resolved, CONFIG_ARTIFACT)
        mlflow.log_dict(validation.to_dict(), VALIDATION_ARTIFACT)
        log_dataset(train_rows, dataset_path, cfg.data.target, "train", "training")
        with tempfile.TemporaryDirectory() as tmp:
            reference = Path(tmp) / Path(REFERENCE_ARTIFACT).name
            train_rows.to_parquet(reference, index=False)
            mlflow.set_tag("reference_sha256", frame_sha256(train_rows))
            mlflow.log_artifact(str(reference), str(Path(REFERENCE_ARTIFACT).parent))
        mlflow.log_dict({"predictions": probe, "probabilities": probabilities}, PROBE_ARTIFACT)
        import skops.io

        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(x_train, model.predict(x_train)),
            input_example=x_train.head(5),
            pip_requirements=pip_requirements(model[-1]),
            skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(model)),
        )
        mlflow.set_tag("model_uri", info.model_uri)
    result = TrainResult(run.info.run_id, info.model_uri, None, metrics, probe, probabilities)
    record_last_run(cfg, result)
    log.info("run %s logged: evaluate it to register and promote its model", result.run_id)
    return result


def record_last_run(cfg: DictConfig, result: TrainResult) -> None:
    """Record ``result`` as the run ``evaluate`` judges (a sweep records its best run, see :mod:`.sweep`)."""
    out = Path(cfg.paths.artifacts_dir) / "train"
    out.mkdir(parents=True, exist_ok=True)
    (out / "last_run.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8")
    metrics = json.dumps(result.metrics, indent=2, sort_keys=True) + "\n"
    (out / "metrics.json").write_text(metrics, encoding="utf-8")


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> float:
    """Train once; returns the primary metric so Hydra sweepers can optimise it.

    In a sweep's job (on any launcher) paths resolve against the project root, and the run is tagged with its
    sweep (see :mod:`.sweep`); ``resources`` sets the device check and the thread cap (see :mod:`.resources`).
    """
    with at_project_root(), use_resources(cfg.resources):
        result = train(cfg)
        tag_sweep(result.run_id)
    return result.metrics[cfg.evaluation.primary_metric]


if __name__ == "__main__":
    main()

"""Typed schema of the Hydra configuration.

The dataclasses below are registered in Hydra's ConfigStore as ``config_schema`` and are the first entry of
``configs/config.yaml``'s defaults list, so every YAML file is merged into a typed, struct-mode node: a
misspelt key or a value of the wrong type fails at composition time instead of being silently ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.utils import get_class
from omegaconf import MISSING, DictConfig, OmegaConf

# The config tree sits at the project root; an installed (non-editable) package, e.g. in the container
# image, finds it through PROJECT_CONFIG_DIR.
CONFIG_DIR = Path(os.environ.get("PROJECT_CONFIG_DIR") or Path(__file__).resolve().parents[2] / "configs")
CONFIG_NAME = "config"


def target_class(target: str, base: type, what: str, hint: str) -> type:
    """The class a ``_target_`` names; fail loudly on a typo or a class that is not a ``base``.

    ``what`` names the kind of component in the error ("data source", "estimator"); ``hint`` says what the
    class must be instead.
    """
    try:
        cls = get_class(target)
    except Exception as error:  # hydra raises ImportError or ValueError depending on the typo
        raise ValueError(f"cannot import {what} {target!r}: {error}") from error
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ValueError(f"{target!r} is not a {what}: {hint}")
    return cls


class EnvName(StrEnum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


@dataclass
class PathsConfig:
    data_dir: str = "data"
    dataset: str = "${paths.data_dir}/dataset.csv"
    batch: str = "${paths.data_dir}/batch.csv"
    suites_dir: str = "gx/expectations"
    artifacts_dir: str = "artifacts"
    reports_dir: str = "reports"
    # Served predictions, one JSON object a line (see docs/operations.md): read by the monitoring job.
    prediction_log: str = "logs/predictions.jsonl"


@dataclass
class DataConfig:
    # Where the labelled rows come from: `_target_` names a DataSource class (see sources.py), the other keys
    # are its parameters (configs/data/builtin.yaml, file.yaml, sql.yaml; an unknown parameter fails loudly).
    source: dict[str, Any] = field(default_factory=dict)
    target: str = "target"
    # Use only this many rows (0 = all): experiments and tests on a small sample.
    sample_rows: int = 0
    # Share of the rows held back, without labels, as the new batch for drift and batch prediction.
    batch_fraction: float = 0.2
    # Or a separate unlabelled batch file (CSV or Parquet, a path or an fsspec URL); empty = split from the data.
    batch_path: str = ""


@dataclass
class ModelConfig:
    name: str = MISSING
    scale_features: bool = True
    # Instantiated with hydra.utils.instantiate: `_target_` is the estimator class, the other keys its
    # parameters (an unknown parameter fails loudly). random_state is always the run's seed.
    estimator: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainingConfig:
    # Share of the labelled rows in the hold-out. A row's side is fixed by a hash of its key (below), so
    # no model ever trains on a hold-out row and a row keeps its side when the data grows.
    test_size: float = 0.2
    # Columns identifying a row (e.g. an id); empty = every column (the row's content).
    holdout_key: list[str] = field(default_factory=list)
    # Changing the salt (or the key, or test_size) draws a new hold-out: champions are then re-evaluated
    # on rows they may have trained on, so change it only together with a fresh champion.
    holdout_salt: str = "holdout-v1"
    probe_size: int = 50


@dataclass
class GuardConfig:
    # paired_bootstrap: resample the hold-out (stratified) and score both models on each resample;
    # none: the margin alone decides (not recommended).
    method: str = "paired_bootstrap"
    # One-sided confidence that the candidate is better: promotion needs the (1 - confidence) quantile
    # of the bootstrapped metric difference to be above zero.
    confidence: float = 0.95
    resamples: int = 1000


@dataclass
class EvaluationConfig:
    primary_metric: str = "roc_auc"
    min_improvement: float = 0.005
    thresholds: dict[str, float] = field(default_factory=dict)
    guard: GuardConfig = field(default_factory=GuardConfig)
    champion_alias: str = "champion"
    # Run to evaluate; empty = the run recorded by the last `train`.
    run_id: str = ""


@dataclass
class EnvConfig:
    name: EnvName = EnvName.dev
    require_remote_tracking: bool = False


@dataclass
class MlflowConfig:
    tracking_uri: str = "sqlite:///mlflow.db"
    experiment_name: str = MISSING
    registered_model_name: str = MISSING


@dataclass
class DriftConfig:
    # Empty = the data the current champion was trained on (logged with its run); a path otherwise.
    reference: str = ""
    # The data to monitor: a CSV/Parquet batch, or the service's prediction log (a .jsonl file).
    current: str = "${paths.batch}"
    # Family-wise significance level; each feature is tested at p_value / n_features (Bonferroni).
    p_value: float = 0.05
    # The batch has drifted when more than this share of its features drifted.
    max_drifted_share: float = 0.0
    # Exit non-zero on drift (an alert); by default drift is reported and is a reason to retrain, not to stop.
    fail_on_drift: bool = False


@dataclass
class PredictConfig:
    # Empty = models:/<registered_model_name>@<champion_alias>.
    model_uri: str = ""
    input: str = "${paths.batch}"
    output: str = "${paths.artifacts_dir}/predictions/predictions.csv"


@dataclass
class ReportConfig:
    # markdown (job summaries) or openmetrics (GitLab merge-request metrics reports)
    format: str = "markdown"


@dataclass
class ReleaseConfig:
    # Where `release` records the pinned model version that the service and batch prediction load.
    output: str = "${paths.artifacts_dir}/release/model.json"
    # `rollback`: the version to make champion again; empty = the version the current champion replaced.
    rollback_to: str = ""


@dataclass
class CtConfig:
    # Retrain even when no drift is detected (a scheduled refresh).
    force: bool = False


@dataclass
class ReproConfig:
    # Empty = the latest training run of the experiment.
    run_id: str = ""


@dataclass
class ResourcesConfig:
    # configs/resources/: local (this machine, CPU) or gpu. `device` is checked before training (cuda needs a
    # visible GPU) and is what a GPU-capable estimator's parameters interpolate: `device: ${resources.device}`.
    name: str = "local"
    device: str = "cpu"
    # Threads of the estimator's native code (BLAS, OpenMP) during fit.
    num_workers: int = 1
    # What a scheduler reserves for one training run: a Ray job's entrypoint, a Kubernetes Job's container.
    cpus: int = 1
    gpus: int = 0


@dataclass
class RayJobConfig:
    # `poe train-ray`: the Ray cluster's job server (the head's dashboard address).
    address: str = "${oc.env:RAY_API_SERVER_ADDRESS,http://127.0.0.1:8265}"
    # Directory the job starts in on the cluster; empty = this checkout (a local or shared-filesystem cluster).
    # On a cluster running the project's image, its WORKDIR: /app.
    working_dir: str = ""
    # Interpreter on the cluster nodes' PATH that has the project installed.
    python: str = "python"
    # Seconds to wait for the job to finish.
    timeout_s: int = 3600


@dataclass
class Config:
    seed: int = 42
    paths: PathsConfig = field(default_factory=PathsConfig)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    env: EnvConfig = field(default_factory=EnvConfig)
    mlflow: MlflowConfig = field(default_factory=MlflowConfig)
    drift: DriftConfig = field(default_factory=DriftConfig)
    predict: PredictConfig = field(default_factory=PredictConfig)
    repro: ReproConfig = field(default_factory=ReproConfig)
    release: ReleaseConfig = field(default_factory=ReleaseConfig)
    ct: CtConfig = field(default_factory=CtConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    resources: ResourcesConfig = field(default_factory=ResourcesConfig)
    ray_job: RayJobConfig = field(default_factory=RayJobConfig)


def register_configs() -> None:
    """Register the schema; idempotent, called on import so every entry point and test gets it."""
    ConfigStore.instance().store(name="config_schema", node=Config)


def to_container(cfg: DictConfig) -> dict[str, Any]:
    """The resolved configuration as plain Python containers (what MLflow logs)."""
    return OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)  # type: ignore[return-value]


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the configuration outside of ``@hydra.main`` (notebooks, tests, repro)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name=CONFIG_NAME, overrides=list(overrides or []))


register_configs()

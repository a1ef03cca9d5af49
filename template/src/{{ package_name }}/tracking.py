"""MLflow helpers: tracking set-up, parameter flattening and registry aliases."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

log = logging.getLogger(__name__)

LOCAL_SCHEMES = ("sqlite:", "file:")
DATASET_ATTEMPTS = 3


class TrackingConfigurationError(RuntimeError):
    """The environment needs a tracking server but points at a local store."""


def is_local_uri(uri: str) -> bool:
    return uri.startswith(LOCAL_SCHEMES) or "://" not in uri


def configure(cfg: DictConfig) -> MlflowClient:
    """Point MLflow at the configured tracking URI and experiment; return a client."""
    uri = cfg.mlflow.tracking_uri
    if cfg.env.require_remote_tracking and is_local_uri(uri):
        raise TrackingConfigurationError(
            f"env {cfg.env.name} needs a shared tracking server but the tracking URI is {uri!r}: "
            "set MLFLOW_TRACKING_URI (a local file cannot hold the champion between runs)"
        )
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    mlflow.set_experiment(cfg.mlflow.experiment_name)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings to dotted keys (``a: {b: 1}`` becomes ``a.b: 1``): the resolved config as MLflow params."""
    if isinstance(tree, dict):
        flat: dict[str, Any] = {}
        for key, value in tree.items():
            flat.update(flatten(value, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): tree}


def alias_version(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The model version holding ``alias``, or None when no version has it (or no model exists yet)."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def log_dataset(frame: pd.DataFrame, path: str | Path, target: str, name: str, context: str) -> None:
    """``mlflow.log_input`` of a table read from ``path``: its digest, schema and source in the run's inputs."""
    with warnings.catch_warnings():
        # MLflow's schema-inference hints, its ambiguous local-source registry and its pandas 4 deprecations.
        warnings.simplefilter("ignore")
        dataset = mlflow.data.from_pandas(frame, source=str(Path(path).resolve()), targets=target, name=name)
        for attempt in range(DATASET_ATTEMPTS):
            try:
                mlflow.log_input(dataset, context=context)
                return
            except MlflowException as error:
                # The jobs of a parallel sweep log the same dataset at once: one inserts it, the others hit the
                # store's unique constraint and, retried, link the dataset that now exists.
                if "UNIQUE constraint failed: datasets" not in str(error) or attempt == DATASET_ATTEMPTS - 1:
                    raise

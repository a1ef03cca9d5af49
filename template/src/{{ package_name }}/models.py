"""Model construction: a scikit-learn pipeline from the ``model`` config group."""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def import_estimator(path: str) -> type[BaseEstimator]:
    """Import ``package.module.Class``; fail loudly on a typo."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"estimator must be a dotted import path, got {path!r}")
    try:
        estimator = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot import estimator {path!r}: {error}") from error
    if not (isinstance(estimator, type) and issubclass(estimator, BaseEstimator)):
        raise ValueError(f"{path!r} is not a scikit-learn estimator class")
    return estimator


def build_estimator(model_cfg: DictConfig, seed: int) -> BaseEstimator:
    """The configured estimator; its ``random_state`` (when it has one) is the run's seed."""
    estimator_cls = import_estimator(model_cfg.estimator)
    params: dict[str, Any] = OmegaConf.to_container(model_cfg.params, resolve=True)  # type: ignore[assignment]
    valid = estimator_cls().get_params()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"{model_cfg.estimator} has no parameter(s) {unknown}")
    if "random_state" in valid:
        params["random_state"] = seed
    return estimator_cls(**params)


def build_pipeline(model_cfg: DictConfig, seed: int, features: pd.DataFrame) -> Pipeline:
    """Preprocessing (one-hot for categorical columns, optional scaling) followed by the estimator."""
    categorical = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    numeric = [c for c in features.columns if c not in categorical]
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        transformers.append(("numeric", StandardScaler() if model_cfg.scale_features else "passthrough", numeric))
    if categorical:
        transformers.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    preprocess = ColumnTransformer(transformers, verbose_feature_names_out=False)
    return Pipeline([("preprocess", preprocess), ("model", build_estimator(model_cfg, seed))])

"""Model construction: a scikit-learn pipeline from the ``model`` config group.

The estimator is built with ``hydra.utils.instantiate`` from ``model.estimator`` (``_target_`` plus the
estimator's parameters), so any classifier with the scikit-learn API (scikit-learn's own, LightGBM's
``LGBMClassifier``, XGBoost's ``XGBClassifier``...) is one YAML file away.
"""

from __future__ import annotations

import inspect
from typing import Any, cast

import pandas as pd
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from .config import target_class
from .features import preprocessor


def estimator_class(target: str) -> type[BaseEstimator]:
    """The class named by ``_target_``; fail loudly on a typo or a non-estimator."""
    cls = target_class(target, BaseEstimator, "scikit-learn estimator", "subclass sklearn.base.BaseEstimator")
    return cast("type[BaseEstimator]", cls)


def accepted_parameters(cls: type[BaseEstimator]) -> tuple[set[str], bool]:
    """(the named parameters of the estimator, whether it also takes ``**kwargs``).

    LightGBM and XGBoost pass their many native parameters (``min_data_in_leaf``, ``deterministic``...) through
    ``**kwargs`` and check them themselves; a scikit-learn estimator takes its named parameters only.
    """
    parameters = inspect.signature(cls.__init__).parameters.values()
    named = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - {"self"}
    return named | set(cls().get_params()), any(p.kind is p.VAR_KEYWORD for p in parameters)


def build_estimator(model_cfg: DictConfig, seed: int) -> BaseEstimator:
    """The configured estimator; its ``random_state`` (when it has one) is the run's seed."""
    spec: dict[str, Any] = OmegaConf.to_container(model_cfg.estimator, resolve=True)  # type: ignore[assignment]
    if "_target_" not in spec:
        raise ValueError("model.estimator needs a _target_ (the estimator class)")
    cls = estimator_class(spec["_target_"])
    valid, takes_kwargs = accepted_parameters(cls)
    unknown = sorted(set(spec) - valid - {"_target_"})
    if unknown and not takes_kwargs:
        raise ValueError(f"{spec['_target_']} has no parameter(s) {unknown}")
    if "random_state" in valid:
        spec["random_state"] = seed
    try:
        return instantiate(spec, _convert_="all")
    except InstantiationException as error:
        raise ValueError(f"cannot build {spec['_target_']}: {error}") from error


def build_pipeline(model_cfg: DictConfig, seed: int, features: pd.DataFrame) -> Pipeline:
    """The shared preprocessing (see :mod:`.features`) followed by the estimator, as one sklearn Pipeline."""
    preprocess = preprocessor(features, scale_numeric=model_cfg.scale_features)
    return Pipeline([("preprocess", preprocess), ("model", build_estimator(model_cfg, seed))])

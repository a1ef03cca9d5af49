"""A logged model of any MLflow flavour, loaded with ``mlflow.pyfunc``, seen as a classifier.

Evaluation, promotion and the reproducibility check need class labels, class probabilities (ROC AUC) and the
class order; batch prediction and the service need labels only. Every consumer loads models through MLflow's
generic interface, ``mlflow.pyfunc.load_model``, so the flavour a model was logged with (sklearn, lightgbm,
xgboost, a custom ``PythonModel``...) does not matter:

* labels come from the pyfunc ``predict`` (with MLflow's signature enforcement), as the service computes them;
* probabilities and classes come from the flavour's underlying model (``get_raw_model``, or the wrapped
  ``PythonModel``), which must have a scikit-learn-style ``predict_proba`` and ``classes_``. The pyfunc
  ``predict`` of a classifier returns labels, so it cannot give them.
"""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.pyfunc import PyFuncModel


class NotAClassifierError(TypeError):
    """The model gives no class probabilities: it cannot be scored on ROC AUC nor compared to a champion."""


def _underlying(model: PyFuncModel) -> Any:
    try:
        return model.get_raw_model()
    except NotImplementedError:
        pass
    try:
        return model.unwrap_python_model()  # a custom mlflow.pyfunc.PythonModel
    except Exception:  # MlflowException: not a PythonModel either
        return None


class PyfuncClassifier:
    """``predict`` (labels), ``predict_proba`` and ``classes_`` of a pyfunc model, for :mod:`.metrics`."""

    def __init__(self, model: PyFuncModel) -> None:
        self.pyfunc = model
        raw = _underlying(model)
        if not (callable(getattr(raw, "predict_proba", None)) and hasattr(raw, "classes_")):
            flavours = sorted(model.metadata.flavors) if model.metadata else []
            raise NotAClassifierError(
                f"the model (flavours {flavours}) has no predict_proba and classes_: evaluation needs a classifier "
                "with the scikit-learn API (scikit-learn, LightGBM's LGBMClassifier, XGBoost's XGBClassifier...)"
            )
        self.raw = raw
        self.classes_ = np.asarray(raw.classes_)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.pyfunc.predict(features)).ravel()

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.raw.predict_proba(features))


def load_classifier(model_uri: str) -> PyfuncClassifier:
    """The model at ``model_uri`` (``runs:/...``, ``models:/...``), whatever its flavour."""
    return PyfuncClassifier(mlflow.pyfunc.load_model(model_uri))

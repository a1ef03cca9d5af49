"""Classification metrics shared by training, evaluation and reproduction checks."""

from __future__ import annotations

import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

METRICS = ("accuracy", "f1", "roc_auc")


def compute_metrics(model: object, features: pd.DataFrame, labels: pd.Series) -> dict[str, float]:
    """Accuracy, macro F1 and ROC AUC (one-vs-rest for multiclass) of a fitted classifier."""
    predicted = model.predict(features)  # type: ignore[attr-defined]
    scores = model.predict_proba(features)  # type: ignore[attr-defined]
    if scores.shape[1] == 2:
        auc = roc_auc_score(labels, scores[:, 1])
    else:
        auc = roc_auc_score(labels, scores, multi_class="ovr", labels=model.classes_)  # type: ignore[attr-defined]
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "f1": float(f1_score(labels, predicted, average="macro")),
        "roc_auc": float(auc),
    }


def check_known(names: list[str]) -> None:
    unknown = sorted(set(names) - set(METRICS))
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; known metrics are {list(METRICS)}")

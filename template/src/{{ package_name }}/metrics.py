"""Classification metrics shared by training, evaluation and reproduction checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
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


# --- Paired bootstrap of a metric difference (the promotion guard) ---------------------------------------
# The metrics are recomputed on every resample with NumPy on (resamples, rows) index matrices: scoring the
# two models' stored predictions a thousand times costs milliseconds, not a thousand sklearn calls.


def _stratified_indices(labels: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """(resamples, rows) row indices; each class is resampled within itself, so every class is present."""
    rng = np.random.default_rng(seed)
    blocks = []
    for value in np.unique(labels):
        rows = np.flatnonzero(labels == value)
        blocks.append(rows[rng.integers(0, len(rows), size=(resamples, len(rows)))])
    return np.concatenate(blocks, axis=1)


def _binary_auc(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    ranks = stats.rankdata(scores, axis=1)
    n_pos = positive.sum(axis=1)
    n_neg = positive.shape[1] - n_pos
    return ((ranks * positive).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def resampled_metric(
    name: str, labels: np.ndarray, predicted: np.ndarray, scores: np.ndarray, classes: np.ndarray, idx: np.ndarray
) -> np.ndarray:
    """``name`` (a METRICS entry, same definitions as :func:`compute_metrics`) on every resample of ``idx``."""
    y, p = labels[idx], predicted[idx]
    if name == "accuracy":
        return (y == p).mean(axis=1)
    if name == "f1":
        per_class = []
        for value in classes:
            tp = ((p == value) & (y == value)).sum(axis=1)
            wrong = ((p == value) != (y == value)).sum(axis=1)
            per_class.append(np.divide(2 * tp, 2 * tp + wrong, out=np.zeros(len(tp)), where=(2 * tp + wrong) > 0))
        return np.mean(per_class, axis=0)
    if name == "roc_auc":
        if len(classes) == 2:
            return _binary_auc(scores[:, 1][idx], y == classes[1])
        return np.mean([_binary_auc(scores[:, k][idx], y == c) for k, c in enumerate(classes)], axis=0)
    check_known([name])
    raise AssertionError(name)


def paired_bootstrap(
    name: str,
    labels: pd.Series,
    candidate: object,
    champion: object,
    features: pd.DataFrame,
    *,
    resamples: int,
    confidence: float,
    seed: int,
) -> dict[str, float]:
    """Bootstrap the difference ``name(candidate) - name(champion)`` on the same resampled rows.

    Returns the observed difference, the one-sided lower bound at ``confidence`` and the share of
    resamples where the candidate is not better (a bootstrap p-value).
    """
    classes = np.asarray(candidate.classes_)  # type: ignore[attr-defined]
    if list(classes) != list(champion.classes_):  # type: ignore[attr-defined]
        raise ValueError(f"the candidate's classes {list(classes)} differ from the champion's")
    y = labels.to_numpy()
    idx = _stratified_indices(y, resamples, seed)
    whole = np.arange(len(y))[None, :]
    samples, observed = [], []
    for model in (candidate, champion):
        predicted = np.asarray(model.predict(features))  # type: ignore[attr-defined]
        scores = np.asarray(model.predict_proba(features))  # type: ignore[attr-defined]
        samples.append(resampled_metric(name, y, predicted, scores, classes, idx))
        observed.append(float(resampled_metric(name, y, predicted, scores, classes, whole)[0]))
    difference = samples[0] - samples[1]
    return {
        "observed_difference": observed[0] - observed[1],
        "lower_bound": float(np.quantile(difference, 1 - confidence)),
        "p_value": float(np.mean(difference <= 0)),
        "confidence": confidence,
        "resamples": resamples,
        "rows": len(y),
    }

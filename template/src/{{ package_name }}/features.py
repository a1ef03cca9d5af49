"""Feature handling shared by training, evaluation, batch prediction and the service.

``features_of`` selects the model inputs (everything but the label); ``preprocessor`` builds the fitted
preprocessing that becomes the first step of every model pipeline, so the served model carries exactly
the transformations it was trained with.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def features_of(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The model inputs: every column but the label (absent labels are fine: unlabelled batches)."""
    return frame.drop(columns=[target], errors="ignore")


def split_columns(features: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) column names; booleans and strings are categorical."""
    categorical = [
        c
        for c in features.columns
        if not pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c])
    ]
    return [c for c in features.columns if c not in categorical], categorical


def preprocessor(features: pd.DataFrame, scale_numeric: bool) -> ColumnTransformer:
    """One-hot encoding of categorical columns and (optionally) standard scaling of numeric ones."""
    numeric, categorical = split_columns(features)
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        transformers.append(("numeric", StandardScaler() if scale_numeric else "passthrough", numeric))
    if categorical:
        transformers.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    return ColumnTransformer(transformers, verbose_feature_names_out=False)

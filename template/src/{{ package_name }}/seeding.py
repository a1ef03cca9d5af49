"""The single place where random sources are seeded.

``seed_everything`` seeds Python's ``random`` and NumPy's global generator; estimators and data splits get
the same seed explicitly as ``random_state`` (see :mod:`.models` and :mod:`.data`). Nothing in the project
draws a seed at random.
"""

from __future__ import annotations

import os
import random

import numpy as np


def seed_everything(seed: int) -> np.random.Generator:
    """Seed every global random source and return a NumPy generator derived from ``seed``."""
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - legacy global state used by some third-party code
    return np.random.default_rng(seed)

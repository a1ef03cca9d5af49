"""Data step: load the configured data source (:mod:`.sources`); write the labelled data and the new batch."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig
from sklearn.model_selection import train_test_split

from .config import CONFIG_DIR, CONFIG_NAME
from .features import features_of
from .sources import build_source, read_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedData:
    dataset: Path
    batch: Path
    rows: int
    batch_rows: int


def load_raw(cfg: DictConfig) -> pd.DataFrame:
    """The labelled data of the source ``cfg.data.source`` (see :mod:`.sources`), label in ``cfg.data.target``."""
    data = cfg.data
    frame = build_source(data.source).load()
    if data.target not in frame.columns:
        raise ValueError(f"target column {data.target!r} not in the data columns {list(frame.columns)}")
    if data.sample_rows and data.sample_rows < len(frame):
        frame, _ = train_test_split(
            frame, train_size=data.sample_rows, random_state=cfg.seed, stratify=frame[data.target]
        )
        frame = frame.sort_index()
    return frame.reset_index(drop=True)


def _cell(value: object) -> str:
    """A canonical text form of a cell: 1, 1.0 and "1.0" read back from CSV hash alike."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return "nan" if number != number else repr(number)
    return "nan" if value is None or value is pd.NA else str(value)


def holdout_mask(frame: pd.DataFrame, cfg: DictConfig) -> pd.Series:
    """True for the rows of the hold-out: a SHA-256 of (salt, key values) below ``training.test_size``.

    The assignment depends on nothing but a row's own key, so it never changes when rows are added,
    removed or reordered, and no model, whatever its training data, ever fits a hold-out row.
    """
    key = list(cfg.training.holdout_key) or list(frame.columns)
    missing = sorted(set(key) - set(frame.columns))
    if missing:
        raise ValueError(f"training.holdout_key columns {missing} are not in the data")
    salt = str(cfg.training.holdout_salt).encode()
    threshold = cfg.training.test_size * 2**64
    flags = []
    for row in frame[key].itertuples(index=False, name=None):
        digest = hashlib.sha256(salt + b"\x1e" + "\x1f".join(map(_cell, row)).encode()).digest()
        flags.append(int.from_bytes(digest[:8], "big") < threshold)
    return pd.Series(flags, index=frame.index, dtype=bool)


def split_holdout(frame: pd.DataFrame, cfg: DictConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows, hold-out rows) of the labelled data; see :func:`holdout_mask`."""
    mask = holdout_mask(frame, cfg)
    train, holdout = frame[~mask], frame[mask]
    target = cfg.data.target
    if holdout.empty or train.empty or holdout[target].nunique() < 2:
        raise ValueError(
            f"the hold-out has {len(holdout)} rows ({holdout[target].nunique()} classes) and training "
            f"{len(train)}: too little data for training.test_size={cfg.training.test_size}"
        )
    return train, holdout


def prepare(cfg: DictConfig) -> PreparedData:
    """Write ``paths.dataset`` (labelled) and ``paths.batch`` (unlabelled new batch)."""
    frame = load_raw(cfg)
    target = cfg.data.target
    if cfg.data.batch_path:
        labelled = frame
        batch = features_of(read_table(cfg.data.batch_path), target)
    else:
        labelled, batch = train_test_split(
            frame, test_size=cfg.data.batch_fraction, random_state=cfg.seed, stratify=frame[target]
        )
        labelled = labelled.sort_index()
        batch = features_of(batch.sort_index(), target)
    dataset_path, batch_path = Path(cfg.paths.dataset), Path(cfg.paths.batch)
    dataset_path.parent.mkdir(parents=True, exist_ok=True)
    batch_path.parent.mkdir(parents=True, exist_ok=True)
    labelled.to_csv(dataset_path, index=False)
    batch.to_csv(batch_path, index=False)
    log.info("wrote %d labelled rows to %s", len(labelled), dataset_path)
    log.info("wrote %d unlabelled batch rows to %s", len(batch), batch_path)
    return PreparedData(dataset_path, batch_path, len(labelled), len(batch))


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    prepare(cfg)


if __name__ == "__main__":
    main()

"""Data sources: where the labelled rows come from, one small class per kind of source.

``data.source`` names a :class:`DataSource` subclass with ``_target_``; its other keys are the class's
parameters. The data step builds it with :func:`build_source` (an unknown class, a class that is not a
``DataSource`` or an unknown parameter fails loudly) and calls :meth:`DataSource.load`. Three sources ship:

* :class:`BuiltinSource` (``configs/data/builtin.yaml``): a dataset bundled with scikit-learn;
* :class:`FileSource` (``configs/data/file.yaml``): a CSV or Parquet file at a local path or any fsspec URL
  (object stores need their fsspec implementation: ``uv add s3fs``, ``gcsfs`` or ``adlfs``);
* :class:`SqlSource` (``configs/data/sql.yaml``): the rows of a SQL query, through SQLAlchemy.

A new source is one subclass of :class:`DataSource` and one config file under ``configs/data/`` that names it
(see docs/extending.md).
"""

from __future__ import annotations

import abc
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, cast

import fsspec
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from .config import target_class

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def read_table(path: str | Path, file_format: str = "", storage_options: dict[str, Any] | None = None) -> pd.DataFrame:
    """Read a CSV or Parquet table from a local path or an fsspec URL (``memory://``, ``file://``, object stores).

    The format comes from the suffix unless ``file_format`` (``csv`` or ``parquet``) is given.
    """
    url = str(path)
    fmt = file_format or TABLE_FORMATS.get(PurePosixPath(url.split("?", 1)[0]).suffix.lower(), "")
    if fmt not in {"csv", "parquet"}:
        raise ValueError(f"unsupported data file {url}: use .csv or .parquet (or set the source's file_format)")
    try:
        fs, location = fsspec.core.url_to_fs(url, **(storage_options or {}))
    except ImportError as error:  # e.g. s3:// without s3fs
        raise ImportError(f"cannot read {url}: {error}") from error
    if not fs.isfile(location):
        raise FileNotFoundError(f"data file {url} does not exist")
    with fs.open(location, "rb") as handle:
        return pd.read_csv(handle) if fmt == "csv" else pd.read_parquet(handle)


class DataSource(abc.ABC):
    """A source of labelled rows: a table with the feature columns and the label column ``data.target``."""

    @abc.abstractmethod
    def load(self) -> pd.DataFrame:
        """Every row of the source, in a stable order (the data step samples and splits with the seed)."""


@dataclass(frozen=True)
class BuiltinSource(DataSource):
    """A dataset that ships with scikit-learn (nothing is downloaded), its label renamed to ``label``."""

    name: str = "breast_cancer"
    label: str = "target"

    def load(self) -> pd.DataFrame:
        from sklearn import datasets

        loaders = {
            "breast_cancer": datasets.load_breast_cancer,
            "iris": datasets.load_iris,
            "wine": datasets.load_wine,
        }
        if self.name not in loaders:
            raise ValueError(f"unknown built-in dataset {self.name!r}; choose one of {sorted(loaders)}")
        frame: pd.DataFrame = loaders[self.name](as_frame=True).frame
        return frame.rename(columns={"target": self.label})


@dataclass(frozen=True)
class FileSource(DataSource):
    """A CSV or Parquet file: a local path or an fsspec URL; ``storage_options`` go to the filesystem."""

    path: str
    file_format: str = ""
    storage_options: dict[str, Any] = field(default_factory=dict)

    def load(self) -> pd.DataFrame:
        return read_table(self.path, self.file_format, self.storage_options)


@dataclass(frozen=True)
class SqlSource(DataSource):
    """The rows of ``query`` (add an ORDER BY: the order is the data's) on a database, through SQLAlchemy.

    The SQLAlchemy URL is ``url`` or, when empty, the environment variable named by ``url_env``: the resolved
    configuration is logged with every run, so a URL that carries a password belongs in the environment.
    """

    query: str
    url: str = ""
    url_env: str = "DATA_SQL_URL"

    def database_url(self) -> str:
        url = self.url or os.environ.get(self.url_env, "")
        if not url:
            raise ValueError(f"no database URL: set data.source.url or the environment variable {self.url_env}")
        return url

    def load(self) -> pd.DataFrame:
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.database_url())
        try:
            with engine.connect() as connection:
                return pd.read_sql_query(sqlalchemy.text(self.query), connection)
        finally:
            engine.dispose()


def source_class(target: str) -> type[DataSource]:
    """The class named by ``_target_``; fail loudly on a typo or a class that is not a :class:`DataSource`."""
    cls = target_class(target, DataSource, "data source", f"subclass {__name__}.DataSource")
    return cast("type[DataSource]", cls)


def build_source(spec: DictConfig | dict[str, Any]) -> DataSource:
    """The source described by ``data.source``: ``_target_`` (the class) and its parameters."""
    params: dict[str, Any] = (
        OmegaConf.to_container(spec, resolve=True, throw_on_missing=True)  # type: ignore[assignment]
        if isinstance(spec, DictConfig)
        else dict(spec)
    )
    target = params.pop("_target_", None)
    if not target:
        raise ValueError("data.source needs a _target_ (a DataSource class, e.g. configs/data/file.yaml)")
    cls = source_class(str(target))
    try:
        return cls(**params)
    except TypeError as error:  # an unknown or a missing parameter
        raise ValueError(f"cannot build data source {target}: {error}") from error

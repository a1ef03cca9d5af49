"""Sweeps on any Hydra launcher: joblib (the default), Ray (``hydra/launcher=ray``) or SLURM through submitit
(``hydra/launcher=submitit_slurm``, or ``submitit_local`` on one machine).

:class:`SweepCallback` (``hydra.callbacks.sweep`` in ``configs/config.yaml``) runs in the process that starts
the sweep:

* before any job starts it creates the tracking store and the experiment, once: parallel jobs opening a fresh
  SQLite store would otherwise race on its schema migration (``table _alembic_tmp_... already exists``);
* after the last job it ranks the sweep's training runs by ``evaluation.primary_metric`` and records the best
  one as the last training run (``artifacts/train/last_run.json``), so ``evaluate`` judges the sweep's best
  model, not whichever job happened to finish last. The ranking is written to ``artifacts/train/sweep.json``.

A job runs wherever its launcher puts it (a Ray worker's session directory, a SLURM node): the training entry
point changes to the project root, ``hydra.runtime.cwd`` (:func:`at_project_root`), so relative data, config
and tracking paths resolve as they do on the command line.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from .tracking import configure

log = logging.getLogger(__name__)

SWEEP_TAG = "sweep"
SWEEP_SUMMARY = "sweep.json"


def project_root() -> Path:
    """The directory the command was started in (``hydra.runtime.cwd``), also in a launcher's worker."""
    if HydraConfig.initialized():
        return Path(HydraConfig.get().runtime.cwd)
    return Path.cwd()


@contextmanager
def at_project_root() -> Iterator[Path]:
    """Work in the project root for the duration of the block (a no-op on the command line)."""
    previous = Path.cwd()
    root = project_root()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(previous)


def _sweep_id(hydra_cfg: Any) -> str:
    """The sweep's output directory, absolute: the same string in the launching process and in every job."""
    return str(Path(hydra_cfg.runtime.cwd) / str(hydra_cfg.sweep.dir))


def current_sweep() -> str | None:
    """The id of the sweep this job belongs to, or None outside of a ``--multirun``."""
    if not HydraConfig.initialized():
        return None
    hydra_cfg = HydraConfig.get()
    return _sweep_id(hydra_cfg) if hydra_cfg.mode == RunMode.MULTIRUN else None


def tag_sweep(run_id: str | None) -> None:
    """Tag a training run with its sweep, so the sweep's runs can be ranked when it ends."""
    sweep = current_sweep()
    if sweep and run_id:
        mlflow.MlflowClient().set_tag(run_id, SWEEP_TAG, sweep)


def rank_sweep(cfg: DictConfig, sweep: str) -> list[dict[str, Any]]:
    """The sweep's training runs, best first by ``evaluation.primary_metric`` (higher is better)."""
    client = configure(cfg)
    experiment = client.get_experiment_by_name(cfg.mlflow.experiment_name)
    if experiment is None:
        raise RuntimeError(f"experiment {cfg.mlflow.experiment_name!r} not found in {cfg.mlflow.tracking_uri}")
    if "'" in sweep:
        raise ValueError(f"the sweep directory {sweep!r} contains a quote: it cannot be searched for")
    metric = cfg.evaluation.primary_metric
    runs = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.{SWEEP_TAG} = '{sweep}' and tags.stage = 'train'",
        order_by=[f"metrics.{metric} DESC", "attributes.start_time ASC"],
        max_results=10_000,
    )
    return [
        {
            "run_id": run.info.run_id,
            "model_name": run.data.tags.get("model_name", ""),
            "model_uri": run.data.tags.get("model_uri"),
            "metrics": dict(run.data.metrics),
        }
        for run in runs
        if metric in run.data.metrics
    ]


def record_best(cfg: DictConfig, sweep: str) -> dict[str, Any]:
    """Record the sweep's best run as the last training run (what ``evaluate`` judges); return the summary."""
    from .train import PROBE_ARTIFACT, TrainResult, record_last_run

    ranking = rank_sweep(cfg, sweep)
    if not ranking:
        raise RuntimeError(f"no training run of the sweep {sweep} logged {cfg.evaluation.primary_metric}")
    best = ranking[0]
    probe = mlflow.artifacts.load_dict(f"runs:/{best['run_id']}/{PROBE_ARTIFACT}")
    result = TrainResult(
        best["run_id"], best["model_uri"], None, best["metrics"], probe["predictions"], probe["probabilities"]
    )
    record_last_run(cfg, result)
    summary = {
        "sweep": sweep,
        "metric": cfg.evaluation.primary_metric,
        "best_run_id": best["run_id"],
        "runs": ranking,
    }
    out = Path(cfg.paths.artifacts_dir) / "train" / SWEEP_SUMMARY
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log.info("best run of the sweep by %s: %s (%s)", summary["metric"], best["run_id"], best["model_name"])
    return summary


class SweepCallback(Callback):
    """Hydra callback of every ``--multirun``: see the module docstring."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        # Ray >= 2.43 re-creates the environment of a driver started by `uv run` for its workers (a fresh
        # `uv run` in a copy of the project without the `ray` extra and without the git-ignored data). The
        # workers of this project run in the environment that started the cluster, with the project installed.
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        configure(config)
        log.info("tracking store ready at %s before the sweep", config.mlflow.tracking_uri)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        record_best(config, _sweep_id(config.hydra))

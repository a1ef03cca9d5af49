"""Reproducibility check: re-train from a logged run's configuration and compare.

The run's resolved configuration is read back from MLflow, the data hash, the ``uv.lock`` hash and the code of
the run's commit are checked, the model is re-trained in memory and the step asserts identical held-out metrics
and identical predictions (labels and probabilities) on the fixed probe set, both against what the run logged and
against the logged model. Model artefact bytes are not compared: serialised models carry timestamps.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hydra
import mlflow
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig, OmegaConf

from .classifier import load_classifier
from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table
from .hashing import file_sha256, git_commit, lock_sha256
from .tracking import configure
from .train import CONFIG_ARTIFACT, PROBE_ARTIFACT, probe_set, train

log = logging.getLogger(__name__)


class ReproducibilityError(AssertionError):
    """A re-run did not reproduce the logged run."""


# The code a training run depends on, compared with the run's commit.
CODE_PATHS = ("src", "configs", "gx")


def check_environment(run_tags: dict[str, str], run_id: str) -> dict[str, Any]:
    """The run's ``uv.lock`` hash and commit against the checkout's: a re-run with another environment or other
    code proves nothing, so a difference fails before training. A run logged from uncommitted code (``-dirty``)
    or outside git (``unknown``), or a commit this checkout does not have, cannot be compared: that is reported
    and logged, not failed."""
    logged_lock, current_lock = run_tags.get("lock_sha256"), lock_sha256()
    logged_commit, current_commit = run_tags.get("git_commit", "unknown"), git_commit()
    if logged_lock and logged_lock != current_lock:
        raise ReproducibilityError(
            f"uv.lock differs from the environment of run {run_id} (sha256 {current_lock} != {logged_lock}): "
            f"restore it (`git checkout {logged_commit} -- uv.lock && uv sync --locked`) first"
        )
    compared = False
    if re.fullmatch(r"[0-9a-f]{40}", logged_commit):
        # another commit (or uncommitted edits) is fine as long as the code of the run is unchanged
        diff = subprocess.run(
            ["git", "diff", "--quiet", logged_commit, "--", *CODE_PATHS], capture_output=True, check=False
        )
        if diff.returncode == 1:
            raise ReproducibilityError(
                f"the code ({', '.join(CODE_PATHS)}) differs from commit {logged_commit} of run {run_id}: "
                f"check that commit out first (`git checkout {logged_commit}`)"
            )
        compared = diff.returncode == 0
    if not compared:
        log.warning("run %s: its code (commit %s) cannot be compared with this checkout", run_id, logged_commit)
    return {
        "lock_sha256": current_lock,
        "logged_commit": logged_commit,
        "current_commit": current_commit,
        "code_compared": compared,
    }


def latest_training_run(client: MlflowClient, experiment_name: str) -> str:
    experiment = client.get_experiment_by_name(experiment_name)
    if experiment is None:
        raise LookupError(f"experiment {experiment_name!r} does not exist: train first")
    runs = client.search_runs(
        [experiment.experiment_id],
        filter_string="tags.stage = 'train' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        raise LookupError(f"no finished training run in experiment {experiment_name!r}")
    return runs[0].info.run_id


def reproduce(cfg: DictConfig) -> dict[str, Any]:
    client = configure(cfg)
    run_id = cfg.repro.run_id or latest_training_run(client, cfg.mlflow.experiment_name)
    run = client.get_run(run_id)
    logged = OmegaConf.create(mlflow.artifacts.load_dict(f"runs:/{run_id}/{CONFIG_ARTIFACT}"))
    # Re-train with the logged configuration, but write nothing outside of this check.
    logged.paths.dataset = cfg.paths.dataset
    data_hash = file_sha256(cfg.paths.dataset)
    if data_hash != run.data.tags.get("data_sha256"):
        raise ReproducibilityError(
            f"{cfg.paths.dataset} differs from the data of run {run_id} (sha256 {data_hash} != "
            f"{run.data.tags.get('data_sha256')}): restore that data version (e.g. `dvc checkout`) first"
        )
    environment = check_environment(dict(run.data.tags), run_id)
    rerun = train(logged, log_to_mlflow=False)
    logged_probe = mlflow.artifacts.load_dict(f"runs:/{run_id}/{PROBE_ARTIFACT}")
    logged_metrics = {name: run.data.metrics[name] for name in rerun.metrics}
    model = load_classifier(f"runs:/{run_id}/model")
    probe = probe_set(read_table(cfg.paths.dataset), logged)
    logged_model_predictions = [v.item() if hasattr(v, "item") else v for v in model.predict(probe)]

    problems = []
    if rerun.metrics != logged_metrics:
        problems.append(f"metrics differ: logged {logged_metrics}, re-run {rerun.metrics}")
    if rerun.probe_predictions != logged_probe["predictions"]:
        problems.append("probe predictions differ from the logged ones")
    if rerun.probe_probabilities != logged_probe["probabilities"]:
        problems.append("probe probabilities differ from the logged ones")
    if logged_model_predictions != rerun.probe_predictions:
        problems.append("the logged model predicts differently from the re-trained one on the probe set")
    if model.predict_proba(probe).tolist() != rerun.probe_probabilities:
        problems.append("the logged model's probabilities differ from the re-trained one's on the probe set")
    report = {
        "run_id": run_id,
        "reproduced": not problems,
        "problems": problems,
        "metrics": rerun.metrics,
        "probe_size": len(rerun.probe_predictions),
        "environment": environment,
    }
    out = Path(cfg.paths.artifacts_dir) / "repro"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if problems:
        raise ReproducibilityError(f"run {run_id} is not reproducible: " + "; ".join(problems))
    log.info("run %s reproduced: identical metrics and probe predictions", run_id)
    return report


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        reproduce(cfg)
    except ReproducibilityError as error:
        log.error("%s", error)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Training as a Ray job: ``uv run poe train-ray [overrides]``.

Submits ``python -m <package>.train [overrides]`` to the job server of a Ray cluster (``ray_job.address``,
default ``$RAY_API_SERVER_ADDRESS`` or the local head's ``http://127.0.0.1:8265``), reserving
``resources.cpus`` CPUs and ``resources.gpus`` GPUs for it (``resources=gpu`` for one GPU), waits for it and
prints its logs; the exit code is the job's. The job starts in ``ray_job.working_dir`` (empty: this checkout,
for a local or shared-filesystem cluster; ``/app`` on nodes running the project's image) and logs to the same
MLflow tracking URI as this process. Needs the ``ray`` extra: ``uv sync --extra ray``.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import time
from collections.abc import Sequence

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .sweep import project_root

log = logging.getLogger(__name__)

FINISHED = ("SUCCEEDED", "FAILED", "STOPPED")


def entrypoint(cfg: DictConfig, overrides: Sequence[str]) -> str:
    """The job's shell command: training with this command line's overrides (``ray_job.*`` excluded)."""
    workdir = cfg.ray_job.working_dir or str(project_root())
    args = [shlex.quote(o) for o in overrides if not o.startswith(("ray_job.", "hydra."))]
    command = [shlex.quote(cfg.ray_job.python), "-m", f"{__package__}.train", *args]
    return f"cd {shlex.quote(workdir)} && " + " ".join(command)


def submit(cfg: DictConfig, overrides: Sequence[str]) -> tuple[str, str]:
    """Submit the training job and wait for it; return (job id, final status)."""
    # This process runs under `uv run`: keep Ray from re-creating its environment for the job.
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    from ray.job_submission import JobSubmissionClient

    client = JobSubmissionClient(cfg.ray_job.address)
    env_vars = {"MLFLOW_TRACKING_URI": str(cfg.mlflow.tracking_uri)}
    job_id = client.submit_job(
        entrypoint=entrypoint(cfg, overrides),
        entrypoint_num_cpus=int(cfg.resources.cpus),
        entrypoint_num_gpus=int(cfg.resources.gpus),
        runtime_env={"env_vars": env_vars},
        metadata={"experiment": str(cfg.mlflow.experiment_name), "resources": str(cfg.resources.name)},
    )
    log.info("submitted Ray job %s to %s", job_id, cfg.ray_job.address)
    deadline = time.monotonic() + int(cfg.ray_job.timeout_s)
    status = str(client.get_job_status(job_id))
    while not status.endswith(FINISHED):
        if time.monotonic() > deadline:
            client.stop_job(job_id)
            raise TimeoutError(f"Ray job {job_id} still {status} after {cfg.ray_job.timeout_s} s: stopped")
        time.sleep(1)
        status = str(client.get_job_status(job_id))
    print(client.get_job_logs(job_id), end="")
    return job_id, status.rsplit(".", 1)[-1]


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    job_id, status = submit(cfg, HydraConfig.get().overrides.task)
    log.info("Ray job %s: %s", job_id, status)
    if status != "SUCCEEDED":
        sys.exit(1)


if __name__ == "__main__":
    main()

"""End to end: a fresh generated project scales out like the README and docs/extending.md say.

One project is synced with the `ray` and `slurm` extras. A local Ray head is started with the project's own
`poe ray-head` task (job server and dashboard on 127.0.0.1, free ports; Ray 2.60's GCS and raylet listen on
every interface: it replaces a loopback --node-ip-address with the machine's address). On it: the model sweep through Hydra's Ray
launcher (`poe sweep-ray`) and training as a Ray job (`poe train-ray`). Without it: the same sweep through
submitit's local executor (`poe sweep hydra/launcher=submitit_local`, the SLURM launcher's local twin). Each
sweep starts from a fresh tracking store (the old migration race), and `evaluate` then judges its best run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.template import OUTER_ENVIRONMENT, git, render, require_tool, run

pytestmark = pytest.mark.e2e

MODELS = {"logistic_regression", "random_forest", "hist_gradient_boosting"}
RANKING = """
import json, sys
import mlflow
client = mlflow.MlflowClient(tracking_uri=sys.argv[1])
runs = client.search_runs(
    [e.experiment_id for e in client.search_experiments()], filter_string="tags.stage = 'train'"
)
print(json.dumps({r.info.run_id: {"roc_auc": r.data.metrics["roc_auc"], **r.data.params} for r in runs}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uv_run(
    project: Path, env: dict[str, str], *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return run([require_tool("uv"), "run", "--no-sync", *args], project, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def scale_project(tmp_path_factory: pytest.TempPathFactory, template_repo: Path, project_env) -> Path:
    """A fresh default project with both scale-out extras, and the tiny experiment's data."""
    project = render(template_repo, tmp_path_factory.mktemp("project-scale") / "project")
    run([require_tool("uv"), "sync", "--extra", "ray", "--extra", "slurm"], project, env=project_env)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Initial commit from the template")
    uv_run(project, project_env, "poe", "data", "experiment=tiny")
    return project


@pytest.fixture(scope="session")
def ray_head(scale_project: Path, project_env) -> Iterator[dict[str, str]]:
    """`poe ray-head --block` on free ports, ended with its process group when the session ends."""
    ports = {name: _free_port() for name in ("gcs", "dashboard", "client", "agent")}
    temp_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # Ray's socket paths must stay short
    env = {k: v for k, v in os.environ.items() if k not in OUTER_ENVIRONMENT} | project_env
    command = [
        require_tool("uv"), "run", "--no-sync", "poe", "ray-head", "--block",
        "--port", str(ports["gcs"]),
        "--dashboard-port", str(ports["dashboard"]),
        "--ray-client-server-port", str(ports["client"]),
        "--dashboard-agent-listen-port", str(ports["agent"]),
        "--num-cpus", "2",
        "--object-store-memory", "100000000",
        "--temp-dir", temp_dir,
    ]  # fmt: skip
    log = Path(temp_dir) / "head.log"
    with log.open("w") as out:
        head = subprocess.Popen(command, cwd=scale_project, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    dashboard = f"http://127.0.0.1:{ports['dashboard']}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if head.poll() is not None:
                pytest.fail(f"the Ray head exited {head.returncode}:\n{log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{dashboard}/api/version", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the Ray head's job server did not answer in 180 s:\n{log.read_text()[-4000:]}"
                    )
                time.sleep(2)
        yield {"address": f"127.0.0.1:{ports['gcs']}", "job_server": dashboard}
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=30)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _store(project: Path, name: str) -> list[str]:
    """Overrides for a fresh tracking store and outputs under artifacts/<name>, as relative paths."""
    (project / "artifacts" / name).mkdir(parents=True)
    return [
        "experiment=tiny",
        f"mlflow.tracking_uri=sqlite:///artifacts/{name}/mlflow.db",
        f"paths.artifacts_dir=artifacts/{name}",
    ]


def _logged_runs(project: Path, env: dict[str, str], name: str) -> dict[str, dict]:
    out = uv_run(project, env, "python", "-c", RANKING, f"sqlite:///artifacts/{name}/mlflow.db").stdout
    return json.loads(out.strip().splitlines()[-1])


def _assert_best_is_judged(project: Path, env: dict[str, str], name: str, overrides: list[str]) -> None:
    outputs = project / "artifacts" / name
    summary = json.loads((outputs / "train" / "sweep.json").read_text())
    logged = _logged_runs(project, env, name)
    assert len(logged) == 3 and {p["model.name"] for p in logged.values()} == MODELS
    assert {r["run_id"] for r in summary["runs"]} == set(logged)
    best = max(logged.values(), key=lambda p: p["roc_auc"])["roc_auc"]
    assert logged[summary["best_run_id"]]["roc_auc"] == best
    assert json.loads((outputs / "train" / "last_run.json").read_text())["run_id"] == summary["best_run_id"]
    uv_run(project, env, "poe", "evaluate", *overrides)
    decision = json.loads((outputs / "evaluate" / "decision.json").read_text())
    assert decision["candidate_run_id"] == summary["best_run_id"], decision


def test_sweep_on_ray_judges_its_best_run(scale_project: Path, ray_head: dict[str, str], project_env) -> None:
    overrides = _store(scale_project, "ray")
    env = {**project_env, "RAY_ADDRESS": ray_head["address"]}
    result = uv_run(scale_project, env, "poe", "sweep-ray", *overrides)
    assert "Ray Launcher is launching 3 jobs" in result.stdout + result.stderr
    _assert_best_is_judged(scale_project, project_env, "ray", overrides)


def test_sweep_on_submitit_local_judges_its_best_run(scale_project: Path, project_env) -> None:
    overrides = _store(scale_project, "submitit")
    result = uv_run(scale_project, project_env, "poe", "sweep", "hydra/launcher=submitit_local", *overrides)
    assert "Submitit 'local' sweep output dir" in result.stdout + result.stderr
    _assert_best_is_judged(scale_project, project_env, "submitit", overrides)


def test_training_as_a_ray_job(scale_project: Path, ray_head: dict[str, str], project_env) -> None:
    overrides = _store(scale_project, "job")
    job = uv_run(
        scale_project,
        project_env,
        "poe",
        "train-ray",
        f"ray_job.address={ray_head['job_server']}",
        "model=random_forest",
        *overrides,
    )
    assert "Running entrypoint for job" in job.stdout and "SUCCEEDED" in job.stdout + job.stderr
    (run_id, params), *others = _logged_runs(scale_project, project_env, "job").items()
    assert not others
    assert (params["model.name"], params["resources.name"], params["resources.cpus"]) == (
        "random_forest",
        "local",
        "1",
    )
    assert (
        json.loads((scale_project / "artifacts" / "job" / "train" / "last_run.json").read_text())["run_id"]
        == run_id
    )


def test_gpu_training_stops_without_a_gpu(scale_project: Path, project_env) -> None:
    """This machine has no GPU: `resources=gpu` fails before training, naming what is missing."""
    env = {**project_env, "CUDA_VISIBLE_DEVICES": ""}
    with pytest.raises(pytest.fail.Exception, match=r"needs 1 GPU\(s\) but 0 are visible"):
        uv_run(scale_project, env, "poe", "train", "resources=gpu", *_store(scale_project, "gpu"))

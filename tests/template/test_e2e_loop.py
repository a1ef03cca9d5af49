"""End to end: the generated project closes the production loop, run like an operator would.

v1 is trained, registered and served (a pinned version, behind a real uvicorn process); drifted traffic
reaches the service and its prediction log; the CT task detects the drift against v1's training data,
retrains on the grown data, evaluates on the hold-out and promotes v2; a new deploy serves v2; a rollback
serves v1 again.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.template import OUTER_ENVIRONMENT, require_tool, run

pytestmark = pytest.mark.e2e

PACKAGE = "my_ml_project"
MODEL = "my-ml-project"
# v1 is a deliberately weak model (a single-split tree on a small sample), so that retraining a better model
# on the grown data is a real, significant gain; the thresholds are relaxed for both.
V1 = [
    "model=hist_gradient_boosting",
    "model.estimator.max_iter=1",
    "model.estimator.max_leaf_nodes=2",
    "model.estimator.learning_rate=1.0",
]
V2 = ["model=logistic_regression"]
RELAXED = [
    "evaluation.thresholds.accuracy=0.8",
    "evaluation.thresholds.f1=0.8",
    "evaluation.thresholds.roc_auc=0.8",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(url: str, payload: object | None = None) -> tuple[int, dict]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextmanager
def _service(project: Path, env: dict[str, str], model_uri: str) -> Iterator[str]:
    """``uvicorn <package>.serve:app`` deployed with ``MODEL_URI=model_uri``; yields its base URL once ready."""
    port = _free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in OUTER_ENVIRONMENT}
    full_env.update(env, MODEL_URI=model_uri)
    command = [require_tool("uv"), "run", "--no-sync", "uvicorn", f"{PACKAGE}.serve:app", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=project, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"the service exited {process.returncode}:\n{process.stdout.read()[-4000:]}")
            try:
                status, body = _http(f"{base}/ready")
            except OSError:
                status, body = 0, {}
            if status == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the service never became ready: {status} {body}")
            time.sleep(1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_the_production_loop(default_project: Path, project_env, tmp_path: Path) -> None:
    project = default_project
    prediction_log = tmp_path / "logs" / "predictions.jsonl"
    env = {
        **project_env,
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "PREDICTION_LOG": str(prediction_log),
    }
    paths = [
        f"paths.data_dir={tmp_path / 'data'}",
        f"paths.artifacts_dir={tmp_path / 'artifacts'}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path / 'outputs'}",
    ]
    artifacts = tmp_path / "artifacts"

    def poe(*args: str) -> subprocess.CompletedProcess[str]:
        return run([require_tool("uv"), "run", "--no-sync", "poe", *args, *paths], project, env=env)

    def release() -> dict:
        poe("release")
        return json.loads((artifacts / "release" / "model.json").read_text())

    # v1: a small sample, trained, evaluated (no champion yet), registered and released.
    poe("data", "data.sample_rows=200")
    poe("ct", "data.sample_rows=200", *V1, *RELAXED)
    first = json.loads((artifacts / "ct" / "summary.json").read_text())
    assert first["reasons"] == ["no champion yet"]
    assert first["decision"]["decision"] == "promoted"
    v1 = release()
    assert v1["model_uri"] == f"models:/{MODEL}/1"

    # The data grows: all labelled rows; the traffic drifts (the largest tumours only, inside the contract).
    poe("data", "data.sample_rows=0")
    shift = (
        "import pandas as p, sys; b = p.read_csv(sys.argv[1]); "
        "b.sort_values(b.columns[0]).tail(len(b) // 2).to_json(sys.argv[2], orient='records')"
    )
    drifted = tmp_path / "drifted.json"
    run(
        [
            require_tool("uv"),
            "run",
            "--no-sync",
            "python",
            "-c",
            shift,
            str(tmp_path / "data" / "batch.csv"),
            str(drifted),
        ],
        project,
        env=env,
    )
    records = json.loads(drifted.read_text())
    with _service(project, env, v1["model_uri"]) as base:
        status, body = _http(f"{base}/predict", {"records": records})
        assert status == 200, body
        assert body["model_version"] == "1"
        bad = [{**records[0], next(iter(records[0])): records[0][next(iter(records[0]))] * 1e6}]
        status, body = _http(f"{base}/predict", {"records": bad})
        assert status == 422, body
        assert body["detail"]["violations"][0]["expectation"] == "expect_column_values_to_be_between"
        with urllib.request.urlopen(f"{base}/metrics", timeout=60) as response:
            metrics = response.read().decode()
        assert 'model_rejected_requests_total{reason="contract"} 1.0' in metrics
    logged = [json.loads(line) for line in prediction_log.read_text().splitlines()]
    assert len(logged) == len(records)
    assert {entry["model_version"] for entry in logged} == {"1"}

    # CT over the served traffic: drift against v1's training data -> retrain -> hold-out -> promotion.
    poe("ct", "data.sample_rows=0", f"drift.current={prediction_log}", *V2, *RELAXED)
    second = json.loads((artifacts / "ct" / "summary.json").read_text())
    assert second["drift_detected"], second
    assert second["champion_version"] == "1"
    assert second["reference"].startswith(f"runs:/{v1['run_id']}/")
    assert second["retrained"]
    decision = second["decision"]
    assert decision["holdout_rows"] > 50
    assert decision["decision"] == "promoted", decision
    assert decision["guard"]["lower_bound"] > 0
    assert decision["candidate_version"] == "2"

    # A deploy of the new champion serves v2; a rollback serves v1 again.
    v2 = release()
    assert v2["model_uri"] == f"models:/{MODEL}/2"
    with _service(project, env, v2["model_uri"]) as base:
        status, body = _http(f"{base}/predict", {"records": records[:3]})
        assert (status, body["model_version"]) == (200, "2")
    poe("rollback")
    rolled = json.loads((artifacts / "release" / "model.json").read_text())
    assert rolled["model_uri"] == f"models:/{MODEL}/1"
    with _service(project, env, rolled["model_uri"]) as base:
        status, body = _http(f"{base}/predict", {"records": records[:3]})
        assert (status, body["model_version"]) == (200, "1")

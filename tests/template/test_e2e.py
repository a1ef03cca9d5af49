"""End to end: the two fully-run variants are synced, linted, tested, run and audited like a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from template_testlib import git, require_tool, run

pytestmark = pytest.mark.e2e


def uv_run(project: Path, env: dict[str, str], *args: str, timeout: float = 900):
    return run([require_tool("uv"), "run", "--no-sync", *args], project, env=env, timeout=timeout)


def test_sync_created_lock_and_environment(variant) -> None:
    _, project = variant
    assert (project / "uv.lock").is_file()
    assert (project / ".venv").is_dir()
    assert not git(project, "status", "--porcelain").stdout.strip(), "sync left untracked or modified files"


def test_pre_commit_on_all_files(variant, project_env) -> None:
    _, project = variant
    result = uv_run(project, project_env, "pre-commit", "run", "--all-files", "--show-diff-on-failure")
    assert "Failed" not in result.stdout
    assert not git(project, "status", "--porcelain").stdout.strip(), "a hook modified files"


def test_generated_tests_pass(variant, project_env) -> None:
    _, project = variant
    result = uv_run(project, project_env, "poe", "test", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout
    assert " failed" not in result.stdout


def test_pipeline_and_repro(variant, project_env, tmp_path: Path) -> None:
    name, project = variant
    # A private tracking store and private outputs, so the test leaves the checkout clean.
    overrides = [
        f"mlflow.tracking_uri=sqlite:///{tmp_path / 'mlflow.db'}",
        f"paths.data_dir={tmp_path / 'data'}",
        f"paths.artifacts_dir={tmp_path / 'artifacts'}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path / 'outputs'}",
    ]
    env = {**project_env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"}
    uv_run(project, env, "poe", "pipeline", *overrides)
    decision = json.loads((tmp_path / "artifacts" / "evaluate" / "decision.json").read_text())
    assert decision["decision"] == "promoted", decision
    assert (tmp_path / "artifacts" / "predictions" / "predictions.csv").is_file()
    drift = json.loads((tmp_path / "reports" / "drift" / "drift.json").read_text())
    assert drift["passed"]
    uv_run(project, env, "poe", "repro", *overrides)
    report = json.loads((tmp_path / "artifacts" / "repro" / "report.json").read_text())
    assert report["reproduced"] and not report["problems"]
    assert not git(project, "status", "--porcelain").stdout.strip(), (
        f"{name}: the pipeline wrote into the checkout"
    )


def test_drift_task_fails_on_a_shifted_batch(default_project: Path, project_env, tmp_path: Path) -> None:
    import pandas as pd

    data = tmp_path / "data"
    overrides = [
        f"paths.data_dir={data}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path}",
    ]
    uv_run(default_project, project_env, "poe", "data", *overrides)
    batch = pd.read_csv(data / "batch.csv")
    (batch * 3).to_csv(data / "batch.csv", index=False)
    with pytest.raises(pytest.fail.Exception, match="exited 1"):
        uv_run(default_project, project_env, "poe", "drift", *overrides)
    assert not json.loads((tmp_path / "reports" / "drift" / "drift.json").read_text())["passed"]


def test_dvc_pipeline_is_valid(default_project: Path, project_env) -> None:
    result = uv_run(default_project, project_env, "dvc", "stage", "list")
    for stage in ("data", "validate", "drift", "train", "evaluate", "predict"):
        assert stage in result.stdout


def test_generated_project_scores_100(variant, project_env) -> None:
    """The generated project passes every applicable check of the repository's own auditor."""
    _, project = variant
    result = uv_run(project, project_env, "mlops-audit", ".", "--format", "json")
    report = json.loads(result.stdout)
    failing = [r for r in report["results"] if r["status"] == "fail"]
    assert not failing, json.dumps(failing, indent=2)
    assert report["scores"]["overall"] == 100, report["scores"]

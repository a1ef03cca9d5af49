"""End to end: the two fully-run variants are synced, linted, tested, run and audited like a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers.template import git, require_tool, run

pytestmark = pytest.mark.e2e

STAGES = {"data", "validate", "drift", "train", "evaluate", "predict"}


def uv_run(project: Path, env: dict[str, str], *args: str, timeout: float = 900):
    return run([require_tool("uv"), "run", "--no-sync", *args], project, env=env, timeout=timeout)


def assert_clean(project: Path, what: str) -> None:
    status = git(project, "status", "--porcelain").stdout.strip()
    assert not status, f"{what} left changes in the checkout:\n{status}"


@pytest.fixture(scope="session")
def dvc_reproduced(default_project: Path, project_env) -> Path:
    """The default project after its first `dvc repro` and `dvc push`, with dvc.lock committed: what a team
    does right after generating the project."""
    uv_run(default_project, project_env, "dvc", "repro")
    uv_run(default_project, project_env, "dvc", "push")
    git(default_project, "add", "-A")
    git(default_project, "commit", "-q", "-m", "Record the first pipeline run (dvc.lock)")
    return default_project


def test_sync_created_lock_and_environment(variant) -> None:
    _, project = variant
    assert (project / "uv.lock").is_file()
    assert (project / ".venv").is_dir()
    assert_clean(project, "uv sync")


# The default answers (GitHub, DVC, serving) run the next three as the lint, test and pipeline-smoke jobs of their
# CI in tests/template/test_first_push.py; here the variant without DVC and serving runs them.


def test_pre_commit_on_all_files(gitlab_project: Path, project_env) -> None:
    project = gitlab_project
    result = uv_run(project, project_env, "pre-commit", "run", "--all-files", "--show-diff-on-failure")
    assert "Failed" not in result.stdout
    assert_clean(project, "pre-commit")


def test_generated_tests_pass(gitlab_project: Path, project_env) -> None:
    project = gitlab_project
    result = uv_run(project, project_env, "poe", "test", "-q", "-p", "no:cacheprovider")
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
    assert "Required test coverage" in result.stdout


def test_pipeline_and_repro(gitlab_project: Path, project_env, tmp_path: Path) -> None:
    project = gitlab_project
    # A private tracking store and private outputs, so the test leaves the checkout clean.
    overrides = [
        f"mlflow.tracking_uri=sqlite:///{tmp_path / 'mlflow.db'}",
        f"paths.data_dir={tmp_path / 'data'}",
        f"paths.artifacts_dir={tmp_path / 'artifacts'}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path / 'outputs'}",
    ]
    uv_run(project, project_env, "poe", "pipeline", *overrides)
    decision = json.loads((tmp_path / "artifacts" / "evaluate" / "decision.json").read_text())
    assert decision["decision"] == "promoted", decision
    assert (tmp_path / "artifacts" / "predictions" / "predictions.csv").is_file()
    assert json.loads((tmp_path / "reports" / "drift" / "drift.json").read_text())["passed"]
    uv_run(project, project_env, "poe", "repro", *overrides)
    report = json.loads((tmp_path / "artifacts" / "repro" / "report.json").read_text())
    assert report["reproduced"] and not report["problems"]
    summary = uv_run(project, project_env, "poe", "metrics-report", *overrides).stdout
    assert "| roc_auc |" in summary
    assert_clean(project, "the pipeline")


def test_optional_framework_pipeline(default_project: Path, project_env, tmp_path: Path) -> None:
    """docs/extending.md: `uv sync --extra lightgbm`, then the pipeline and repro of a LightGBM model."""
    run([require_tool("uv"), "sync", "--frozen", "--extra", "lightgbm"], default_project, env=project_env)
    overrides = [
        f"mlflow.tracking_uri=sqlite:///{tmp_path / 'mlflow.db'}",
        f"paths.data_dir={tmp_path / 'data'}",
        f"paths.artifacts_dir={tmp_path / 'artifacts'}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path / 'outputs'}",
    ]
    uv_run(default_project, project_env, "poe", "pipeline", "model=lightgbm", *overrides)
    decision = json.loads((tmp_path / "artifacts" / "evaluate" / "decision.json").read_text())
    assert decision["decision"] == "promoted", decision
    uv_run(default_project, project_env, "poe", "repro", *overrides)
    report = json.loads((tmp_path / "artifacts" / "repro" / "report.json").read_text())
    assert report["reproduced"] and not report["problems"]
    model_uri = json.loads((tmp_path / "artifacts" / "train" / "last_run.json").read_text())["model_uri"]
    requirements = uv_run(
        default_project,
        {**project_env, "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}"},
        "python",
        "-c",
        "import mlflow, pathlib, sys; print(pathlib.Path(mlflow.pyfunc.get_model_dependencies(sys.argv[1])).read_text())",
        model_uri,
    ).stdout.split()
    assert any(r.startswith("lightgbm==") for r in requirements), requirements
    assert_clean(default_project, "the LightGBM pipeline")


def test_data_task_reads_a_sql_source(default_project: Path, project_env, tmp_path: Path) -> None:
    """docs/extending.md: `DATA_SQL_URL=... uv run poe data data=sql 'data.source.query="..."'`."""
    database = tmp_path / "warehouse.db"
    create = (
        "import sqlite3, sys; from sklearn.datasets import load_wine; "
        "frame = load_wine(as_frame=True).frame.rename_axis('id').reset_index(); "
        "frame.to_sql('wine', sqlite3.connect(sys.argv[1]), index=False)"
    )
    uv_run(default_project, project_env, "python", "-c", create, str(database))
    env = {**project_env, "DATA_SQL_URL": f"sqlite:///{database}"}
    query = 'data.source.query="SELECT * FROM wine WHERE id < 150 ORDER BY id"'
    overrides = [f"paths.data_dir={tmp_path / 'data'}", f"hydra.run.dir={tmp_path / 'outputs'}"]
    uv_run(default_project, env, "poe", "data", "data=sql", query, *overrides)
    dataset = (tmp_path / "data" / "dataset.csv").read_text().splitlines()
    batch = (tmp_path / "data" / "batch.csv").read_text().splitlines()
    assert dataset[0].startswith("id,alcohol,") and dataset[0].endswith(",target")
    assert len(dataset) - 1 + len(batch) - 1 == 150
    assert_clean(default_project, "the data task")


def test_drift_task_fails_on_a_shifted_batch(default_project: Path, project_env, tmp_path: Path) -> None:
    data = tmp_path / "data"
    overrides = [
        f"paths.data_dir={data}",
        f"paths.reports_dir={tmp_path / 'reports'}",
        f"hydra.run.dir={tmp_path}",
    ]
    uv_run(default_project, project_env, "poe", "data", *overrides)
    shift = "import pandas as p, sys; f = p.read_csv(sys.argv[1]); (f * 3).to_csv(sys.argv[1], index=False)"
    uv_run(default_project, project_env, "python", "-c", shift, str(data / "batch.csv"))
    with pytest.raises(pytest.fail.Exception, match="exited 1"):
        uv_run(default_project, project_env, "poe", "drift", *overrides)
    assert not json.loads((tmp_path / "reports" / "drift" / "drift.json").read_text())["passed"]


def test_dvc_repro_and_push(dvc_reproduced: Path) -> None:
    """`dvc repro` runs every stage of dvc.yaml, dvc.lock is committed, the outputs reach the remote."""
    lock = yaml.safe_load((dvc_reproduced / "dvc.lock").read_text())
    assert set(lock["stages"]) == STAGES
    assert_clean(dvc_reproduced, "dvc repro")
    remote = dvc_reproduced.parent / "my-ml-project-dvc-storage"
    assert any(p.is_file() for p in remote.rglob("*")), "dvc push stored nothing in the remote"


def test_generated_project_scores_100(variant, project_env, request) -> None:
    """The generated project passes every applicable check of the repository's own auditor.

    The default variant is audited after its first `dvc repro` (dvc.lock committed)."""
    name, project = variant
    if name == "default":
        request.getfixturevalue("dvc_reproduced")
    result = uv_run(project, project_env, "poe", "-q", "audit", "--format", "json", "--no-cache")
    report = json.loads(result.stdout)
    failing = [r for r in report["results"] if r["status"] == "fail"]
    assert not failing, json.dumps([{k: r[k] for k in ("id", "message")} for r in failing], indent=2)
    assert report["scores"]["overall"] == 100, report["scores"]

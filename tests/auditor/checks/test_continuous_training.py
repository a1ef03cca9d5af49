"""CT checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from conftest import assert_status
from mlops_audit.checks.base import Status

TRAIN = (
    "from sklearn.linear_model import LogisticRegression\n\n"
    "def main(X, y):\n    model = LogisticRegression()\n    model.fit(X, y)\n    return model\n"
)
NO_ML = {"README.md": "# tool\n", "src/tool.py": "def f():\n    return 1\n"}


def wf(*runs: str, on: str) -> str:
    body = "".join(f"      - run: {r}\n" for r in runs)
    return f"on: {on}\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def test_ct001_scheduled_training(make_repo):
    files = {
        "src/train.py": TRAIN,
        ".github/workflows/train.yml": wf("python src/train.py", on="{schedule: [{cron: '0 3 * * 1'}]}"),
    }
    result = assert_status(make_repo(files), "CT001", Status.PASS)
    assert str(result.evidence[0]) == ".github/workflows/train.yml:1"
    gitlab = {
        "src/train.py": TRAIN,
        ".gitlab-ci.yml": 'train:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\n  script: [dvc repro]\n',
    }
    assert_status(make_repo(gitlab), "CT001", Status.PASS)
    push_only = {"src/train.py": TRAIN, ".github/workflows/ci.yml": wf("python src/train.py", on="push")}
    assert assert_status(make_repo(push_only), "CT001", Status.FAIL).credit == 0.4
    assert_status(make_repo({"src/train.py": TRAIN}), "CT001", Status.FAIL)
    assert_status(make_repo(NO_ML), "CT001", Status.NOT_APPLICABLE)


def test_ct002_drift_triggered(make_repo):
    drift_first = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf(
            "python -m src.check_drift", "python src/train.py", on="{schedule: [{cron: '0 3 * * *'}]}"
        ),
    }
    assert_status(make_repo(drift_first), "CT002", Status.PASS)
    dispatch = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf(
            "python src/train.py", on="{repository_dispatch: {types: [data-drift]}}"
        ),
    }
    assert_status(make_repo(dispatch), "CT002", Status.PASS)
    plain = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf("python src/train.py", on="{schedule: [{cron: '0 3 * * *'}]}"),
    }
    assert_status(make_repo(plain), "CT002", Status.FAIL)
    assert_status(make_repo(NO_ML), "CT002", Status.NOT_APPLICABLE)


def test_ct003_validation_and_promotion(make_repo):
    gated = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf(
            "python src/train.py", "python -m src.evaluate --min-f1 0.8", on="workflow_dispatch"
        ),
    }
    assert_status(make_repo(gated), "CT003", Status.PASS)
    registry = {
        "src/train.py": TRAIN,
        "src/promote.py": "from mlflow import MlflowClient\n\nclient = MlflowClient()\n"
        "client.set_registered_model_alias('churn', 'champion', 3)\n",
    }
    result = assert_status(make_repo(registry), "CT003", Status.PASS)
    assert str(result.evidence[0]) == "src/promote.py:4"
    ungated = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf("python src/train.py", on="workflow_dispatch"),
    }
    assert_status(make_repo(ungated), "CT003", Status.FAIL)
    assert_status(make_repo(NO_ML), "CT003", Status.NOT_APPLICABLE)


def test_ct004_metrics_on_prs(make_repo):
    pr = {
        "src/train.py": TRAIN,
        ".github/workflows/pr.yml": wf(
            "dvc repro",
            "dvc metrics diff main --md >> report.md",
            "cml comment create report.md",
            on="pull_request",
        ),
    }
    assert_status(make_repo(pr), "CT004", Status.PASS)
    push = {
        "src/train.py": TRAIN,
        ".github/workflows/m.yml": wf("dvc metrics diff main", on="{push: {branches: [main]}}"),
    }
    assert assert_status(make_repo(push), "CT004", Status.FAIL).credit == 0.5
    none = {"src/train.py": TRAIN, ".github/workflows/ci.yml": wf("pytest", on="pull_request")}
    assert_status(make_repo(none), "CT004", Status.FAIL)
    assert_status(make_repo(NO_ML), "CT004", Status.NOT_APPLICABLE)

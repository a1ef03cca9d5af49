"""CT checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

TRAIN = (
    "from sklearn.linear_model import LogisticRegression\n\n"
    "def main(X, y):\n    model = LogisticRegression()\n    model.fit(X, y)\n    return model\n"
)
NOTEBOOK_FIT = '{"cells": [{"cell_type": "code", "source": ["from sklearn.linear_model import Ridge\\n", "model = Ridge().fit(X, y)\\n"]}], "metadata": {}}'
NOTEBOOK_EDA = '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n", "df.describe()\\n"]}], "metadata": {}}'
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


REUSABLE = """on:
  workflow_dispatch:
jobs:
  {job}:
    uses: org/mlops-templates/.github/workflows/run-pipeline.yml@main
    with:
      parameters-file: {file}
"""


def test_ct001_training_in_a_reusable_workflow(make_repo):
    """A job that calls a reusable workflow runs training when it, the workflow or the pipeline file it is
    given is named for training; a reusable workflow given other files is no training run."""
    base = {
        "src/train.py": TRAIN,
        "mlops/train/pipeline.yml": "jobs: {}\n",
        "mlops/deploy/endpoint.yml": "x: 1\n",
    }
    trains = {
        **base,
        ".github/workflows/t.yml": REUSABLE.format(job="run-pipeline", file="mlops/train/pipeline.yml"),
    }
    result = assert_status(make_repo(trains), "CT001", Status.PASS)
    assert "workflow_dispatch" in result.message
    named = {**base, ".github/workflows/t.yml": REUSABLE.format(job="run-model-training", file="x.yml")}
    assert_status(make_repo(named), "CT001", Status.PASS)
    deploys = {
        **base,
        ".github/workflows/t.yml": REUSABLE.format(job="deploy", file="mlops/deploy/endpoint.yml"),
    }
    assert_status(make_repo(deploys), "CT001", Status.FAIL)


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
    # moving the alias with no comparison promotes whatever was trained: partial credit only
    result = assert_status(make_repo(registry), "CT003", Status.FAIL)
    assert str(result.evidence[0]) == "src/promote.py:4" and result.credit == 0.5
    registry["src/promote.py"] = (
        "from mlflow import MlflowClient\n\nclient = MlflowClient()\n\n\ndef promote(f1, champion_f1):\n"
        "    if f1 > champion_f1:\n        client.set_registered_model_alias('churn', 'champion', 3)\n"
    )
    result = assert_status(make_repo(registry), "CT003", Status.PASS)
    assert str(result.evidence[1]) == "src/promote.py:8"
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
    # a push trigger without a branch filter runs on every branch, the pull request's included
    every_branch = {**push, ".github/workflows/m.yml": wf("dvc metrics diff main", on="[push]")}
    assert_status(make_repo(every_branch), "CT004", Status.PASS)
    tags = {**push, ".github/workflows/m.yml": wf("dvc metrics diff main", on="{push: {tags: ['v*']}}")}
    assert_status(make_repo(tags), "CT004", Status.FAIL)
    none = {"src/train.py": TRAIN, ".github/workflows/ci.yml": wf("pytest", on="pull_request")}
    assert_status(make_repo(none), "CT004", Status.FAIL)
    assert_status(make_repo(NO_ML), "CT004", Status.NOT_APPLICABLE)


GITLAB_METRICS = """.rules:
  rules:
{rules}
smoke:
  extends: [.rules]
  script:
    - python train.py
    - python report.py > metrics.txt
  artifacts:
    reports:
      metrics: metrics.txt
"""
MR = '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n'
MAIN = '    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n'
SCHEDULE = '    - if: $CI_PIPELINE_SOURCE == "schedule"\n'


def test_ct004_gitlab_metrics_report(make_repo):
    def repo(rules: str):
        return make_repo({"src/train.py": TRAIN, ".gitlab-ci.yml": GITLAB_METRICS.format(rules=rules)})

    # the merge request widget compares the job's metrics report with the default branch's
    ok = assert_status(repo(MR + MAIN), "CT004", Status.PASS)
    assert str(ok.evidence[0]) == ".gitlab-ci.yml:13" and "metrics.txt" in ok.evidence[0].note
    no_rules = make_repo(
        {
            "src/train.py": TRAIN,
            ".gitlab-ci.yml": GITLAB_METRICS.replace("  extends: [.rules]\n", "").format(rules=""),
        }
    )
    assert_status(no_rules, "CT004", Status.PASS)  # every branch pipeline: shown on the merge request
    # on merge requests only: nothing on the target branch to compare with
    assert assert_status(repo(MR), "CT004", Status.FAIL).credit == 0.7
    # the report is produced, but never for a merge request
    assert assert_status(repo(SCHEDULE), "CT004", Status.FAIL).credit == 0.5
    # a pipeline that has merge request jobs does not lend them to a scheduled job's report
    other = GITLAB_METRICS.format(rules=SCHEDULE) + "lint:\n  rules:\n" + MR + "  script: [ruff check]\n"
    mixed = make_repo({"src/train.py": TRAIN, ".gitlab-ci.yml": other})
    assert assert_status(mixed, "CT004", Status.FAIL).credit == 0.5


@pytest.mark.parametrize("check_id", ["CT001", "CT002", "CT003", "CT004"])
def test_ct_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.FAIL)


GATED_REGISTER = (
    "import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\n\n"
    "def train_and_register(X, y, threshold=0.8):\n    model = LogisticRegression().fit(X, y)\n"
    "    accuracy = model.score(X, y)\n    if accuracy >= threshold:\n        self.registered = True\n"
    "        mlflow.sklearn.log_model(model, name='model', registered_model_name='penguins')\n"
)


def test_ct003_promotion_after_a_gate_in_code(make_repo):
    """A training or pipeline module that registers, deploys or pushes the model after a quality gate in the
    same file promotes automatically (if accuracy >= threshold: register; TFX Evaluator then Pusher), also
    when CI runs the training without a schedule; a gate followed by nothing that publishes earns partial
    credit."""
    result = assert_status(make_repo({"src/pipelines/training.py": GATED_REGISTER}), "CT003", Status.PASS)
    assert str(result.evidence[0]) == "src/pipelines/training.py:8"
    in_ci = {
        "src/pipelines/training.py": GATED_REGISTER,
        ".github/workflows/ci.yml": wf(
            "python src/pipelines/training.py", "python -m src.evaluate", on="push"
        ),
    }
    assert_status(make_repo(in_ci), "CT003", Status.PASS)
    tfx = (
        "from tfx import v1 as tfx\nimport tensorflow_model_analysis as tfma\n\n\ndef create_pipeline(trainer):\n"
        "    threshold = tfma.MetricThreshold(value_threshold=tfma.GenericValueThreshold(lower_bound={'value': 0.8}))\n"
        "    evaluator = tfx.components.Evaluator(model=trainer.outputs['model'])\n"
        "    pusher = tfx.components.Pusher(model=trainer.outputs['model'], model_blessing=evaluator.outputs['blessing'])\n"
    )
    assert_status(
        make_repo({"src/train.py": TRAIN, "src/tfx_pipelines/training_pipeline.py": tfx}),
        "CT003",
        Status.PASS,
    )
    gate_only = GATED_REGISTER.replace("registered_model_name='penguins'", "artifact_path='m'").replace(
        "self.registered = True", "print('good')"
    )
    assert_status(
        make_repo({"src/pipelines/training.py": gate_only + "    return model\n"}), "CT003", Status.FAIL
    )


AML_STEPS = (
    "from azureml.pipeline.core import Pipeline\nfrom azureml.pipeline.steps import PythonScriptStep\n\n"
    "train_step = PythonScriptStep(script_name=e.train_script)\n"
    "evaluate_step = PythonScriptStep(script_name=e.evaluate_script)\n"
    "register_step = PythonScriptStep(script_name=e.register_script)\n"
    "register_step.run_after(evaluate_step)\n"
    "Pipeline(workspace=ws, steps=[train_step, evaluate_step, register_step]).publish(name='train')\n"
)
CANCEL_GATE = (
    "from azureml.core import Run\nrun = Run.get_context()\n"
    "if new_model_mse < production_model_mse:\n    print('better: register it')\nelse:\n    run.parent.cancel()\n"
)


def test_ct003_registration_step_after_a_gating_evaluation_step(make_repo):
    """The pipeline registers after the evaluation step, and the evaluation cancels the run when the candidate
    is worse: validated and promoted automatically. A flag the registration may ignore gates nothing."""
    files = {
        "src/train.py": TRAIN,
        "ml_service/build_train_pipeline.py": AML_STEPS,
        "src/evaluate/evaluate_model.py": CANCEL_GATE,
    }
    assert (
        "register_step after evaluate_step" in assert_status(make_repo(files), "CT003", Status.PASS).message
    )
    flag = CANCEL_GATE.replace("run.parent.cancel()", "deploy_flag = 0")
    assert_status(make_repo({**files, "src/evaluate/evaluate_model.py": flag}), "CT003", Status.FAIL)
    no_step = AML_STEPS.replace("register_step", "report_step")
    assert_status(make_repo({**files, "ml_service/build_train_pipeline.py": no_step}), "CT003", Status.FAIL)


RUN_TABLES = (
    "class Run(Base):\n    __tablename__ = 'runs'\n    config = Column(JSON)\n\n\n"
    "class Metric(Base):\n    __tablename__ = 'metrics'\n    metric_value = Column(Float)\n"
)


def test_ct_unknown_for_a_training_application(make_repo):
    """An application that records the runs its users start in its own run tables trains on demand: whether
    a production model is retrained cannot be read from the code. A CI workflow that trains decides again."""
    files = {"backend/models.py": RUN_TABLES, "backend/services/automl.py": TRAIN}
    for check_id in ("CT001", "CT002", "CT003", "CT004"):
        assert_status(make_repo(files), check_id, Status.UNKNOWN)
    ci = {**files, ".github/workflows/ci.yml": wf("python backend/services/automl.py --train", on="push")}
    assert assert_status(make_repo(ci), "CT001", Status.FAIL).credit == 0.4
    assert_status(make_repo({"backend/services/automl.py": TRAIN}), "CT001", Status.FAIL)


CLOUD_FUNCTION = (
    "from kfp.v2.google.client import AIPlatformClient\n\n\n"
    "def trigger_pipeline(event, context):\n"
    "    client = AIPlatformClient(project_id='p', region='r')\n"
    "    client.create_run_from_job_spec(job_spec_path='gs://b/train.json')\n"
)


def test_ct001_an_event_handler_launches_the_training_pipeline(make_repo):
    """A cloud function on a Pub/Sub event that submits the compiled training pipeline is continuous training
    outside CI; the same submission from a plain script is started by hand."""
    files = {"src/train.py": TRAIN, "src/pipeline_triggering/main.py": CLOUD_FUNCTION}
    result = assert_status(make_repo(files), "CT001", Status.PASS)
    assert str(result.evidence[0]) == "src/pipeline_triggering/main.py:6"
    script = CLOUD_FUNCTION.replace("def trigger_pipeline(event, context):", "def main():")
    assert_status(make_repo({**files, "src/pipeline_triggering/main.py": script}), "CT001", Status.FAIL)


def test_ct002_a_retraining_webhook_leaves_drift_triggering_unknown(make_repo):
    """A web route that launches retraining may be called by a drift alert configured outside the code."""
    app = "from flask import Flask\napp = Flask(__name__)\n\n@app.route('{route}', methods=['POST'])\ndef hook():\n    start_training()\n"
    files = {
        "src/train.py": TRAIN,
        ".github/workflows/ct.yml": wf("python src/train.py", on="{schedule: [{cron: '0 3 * * *'}]}"),
        "src/inference/app.py": app.format(route="/retrain"),
    }
    assert_status(make_repo(files), "CT002", Status.UNKNOWN)
    assert_status(
        make_repo({**files, "src/inference/app.py": app.format(route="/predict")}), "CT002", Status.FAIL
    )


def test_ct_applies_to_a_model_trained_in_a_notebook(make_repo):
    """A served model trained in a notebook is retrained by hand: CT fails, pointing at the notebook."""
    files = {"train.ipynb": NOTEBOOK_FIT, "app.py": "from flask import Flask\napp = Flask(__name__)\n"}
    result = assert_status(make_repo(files), "CT001", Status.FAIL)
    assert str(result.evidence[0]) == "train.ipynb"
    assert_status(make_repo({**files, "train.ipynb": NOTEBOOK_EDA}), "CT001", Status.NOT_APPLICABLE)

"""Cloud ML platforms and orchestrators credited as the equivalents they are: Cloud Build configurations under
any name, CI triggers kept outside the repository, Vertex / SageMaker / Prefect counterparts of the usual
tools. Each fixture pairs a passing (or unknown) case with the failing one it must not hide."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

SHELL_STEP = "steps:\n- name: python:3.11\n  entrypoint: /bin/sh\n  args:\n  - -c\n  - |\n    {}\noptions:\n  logging: CLOUD_LOGGING_ONLY\n"


def test_cloudbuild_config_in_a_cloudbuild_directory_is_recognised(make_repo):
    files = {"cloudbuild/pr-checks.yaml": SHELL_STEP.format("pre-commit run --all-files")}
    assert_status(make_repo(files), "CI001", Status.PASS)
    assert_status(make_repo(files), "CI003", Status.PASS)
    # the same shape in an unrelated directory, with nothing that says Cloud Build, is not a CI configuration
    plain = "steps:\n- name: python:3.11\n  entrypoint: /bin/sh\n  args: [-c, pre-commit run --all-files]\n"
    assert_status(make_repo({"config/pr-checks.yaml": plain}), "CI001", Status.FAIL)
    # Cloud Build's substitutions mark the file under any name
    marked = plain.replace(
        "[-c, pre-commit run --all-files]", "\n  - -c\n  - ruff check . && echo ${_TEMPLATE}"
    )
    assert_status(make_repo({"config/checks.yaml": marked}), "CI003", Status.PASS)


def test_ci012_unknown_when_triggers_live_outside_the_repository(make_repo):
    files = {"cloudbuild/pr-checks.yaml": SHELL_STEP.format("pytest")}
    result = assert_status(make_repo(files), "CI012", Status.UNKNOWN)
    assert "outside the repository" in result.message
    # a GitHub workflow that runs only on main still fails: it declares its triggers
    files = {".github/workflows/ci.yml": "on:\n  push:\n    branches: [main]\njobs:\n  t:\n    runs-on: x\n"
             "    steps:\n      - run: pytest\n"}  # fmt: skip
    assert_status(make_repo(files), "CI012", Status.FAIL)


def test_ci011_cloudbuild_deploy_is_unknown_not_failed(make_repo):
    files = {
        "cloudbuild/terraform-apply.yaml": SHELL_STEP.format(
            "terraform init && terraform apply -auto-approve"
        ),
        "serve/Dockerfile": "FROM python:3.11\n",
    }
    result = assert_status(make_repo(files), "CI011", Status.UNKNOWN)
    assert "Cloud Build triggers" in result.message
    files["cloudbuild/terraform-apply.yaml"] = SHELL_STEP.format("terraform init && terraform plan")
    assert_status(make_repo(files), "CI011", Status.FAIL)


MERGED = """on:
  pull_request:
    types: [closed]
    branches: [master]
jobs:
  release:
    if: github.event.pull_request.merged == true
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@{version}
        with:
          repository: org/serve
          dockerfile: docker/serve.Dockerfile
"""


def test_ci011_merged_pull_request_push_is_automatic(make_repo):
    files = {
        ".github/workflows/release.yml": MERGED.format(version="v1"),
        "docker/serve.Dockerfile": "FROM x\n",
    }
    result = assert_status(make_repo(files), "CI011", Status.PASS)
    assert "merged pull_request" in result.message
    # build-push-action v2+ only builds unless push: true
    files[".github/workflows/release.yml"] = MERGED.format(version="v5")
    assert_status(make_repo(files), "CI011", Status.FAIL)


def test_ci012_fails_when_the_repository_submits_its_build_by_hand(make_repo):
    files = {
        "build/pipeline-deployment.yaml": SHELL_STEP.format("pytest"),
        "README.md": "Run `gcloud builds submit --no-source --config build/pipeline-deployment.yaml`\n",
    }
    assert_status(make_repo(files), "CI012", Status.FAIL)


TRAIN = (
    "from sklearn.linear_model import LinearRegression\n"
    "import pandas as pd\n\n"
    "def train(df):\n    model = LinearRegression()\n    model.fit(df[['x']], df['y'])\n    return model\n"
)
FLOW = """from prefect import flow
from project.train import train


@flow
def daily_training():
    train(None)


if __name__ == "__main__":
    daily_training.serve(name="daily-training"{schedule})
"""


def test_ct001_orchestrator_schedule_counts(make_repo):
    files = {"project/train.py": TRAIN, "flows/daily.py": FLOW.format(schedule=', cron="0 13 * * *"')}
    result = assert_status(make_repo(files), "CT001", Status.PASS)
    assert "cron" in result.message
    files["flows/daily.py"] = FLOW.format(schedule="")
    assert_status(make_repo(files), "CT001", Status.FAIL)


SCHEDULER = """resource "google_cloud_scheduler_job" "{name}" {{
  name     = var.name
  schedule = var.schedule
  pubsub_target {{
    topic_name = var.topic_name
    attributes = {{ {attribute} = var.path }}
  }}
}}
"""


def test_ct001_cloud_scheduler_in_terraform_counts(make_repo):
    files = {
        "src/train.py": TRAIN,
        "terraform/scheduler.tf": SCHEDULER.format(name="scheduled_pipeline", attribute="template_path"),
    }
    assert_status(make_repo(files), "CT001", Status.PASS)
    # a scheduled job that names no pipeline or training (a report, a cleanup) is not a training schedule
    files["terraform/scheduler.tf"] = SCHEDULER.format(name="nightly_report", attribute="report")
    assert_status(make_repo(files), "CT001", Status.FAIL)


KFP_COMPONENT = """from kfp.v2.dsl import Artifact, Metrics, Output, component


@component(base_image="python:3.11")
def train_job(model: Output[Artifact], metrics: Output[Metrics], n_estimators: int = 100):
    from sklearn.ensemble import RandomForestRegressor

    est = RandomForestRegressor(n_estimators=n_estimators, random_state=0)
    est.fit([[0.0], [1.0]], [0.0, 1.0])
    {log}
"""


def test_exp001_kfp_metrics_artifacts_are_tracking(make_repo):
    files = {"components/train.py": KFP_COMPONENT.format(log='metrics.log_metric("rmse", 0.1)')}
    result = assert_status(make_repo(files), "EXP001", Status.PASS)
    assert "kfp" in result.message
    assert_status(make_repo(files), "EXP002", Status.PASS)
    assert_status(make_repo(files), "EXP006", Status.PASS)
    files = {"components/train.py": KFP_COMPONENT.format(log="print(est)")}
    assert_status(make_repo(files), "EXP001", Status.FAIL)


VERTEX_UPLOAD = """import google.cloud.aiplatform as aip
from sklearn.linear_model import LinearRegression


def train_and_upload(df, parent):
    model = LinearRegression().fit(df[["x"]], df["y"])
    job = aip.CustomTrainingJob(display_name="train", script_path="train.py", container_uri="img")
    return job.run(model_display_name="churn"{parent})
"""


def test_ver006_vertex_model_registry_versions(make_repo):
    files = {"pipelines/train.py": VERTEX_UPLOAD.format(parent=", parent_model=parent")}
    assert_status(make_repo(files), "VER006", Status.PASS)
    files = {"pipelines/train.py": VERTEX_UPLOAD.format(parent="")}
    assert_status(make_repo(files), "VER006", Status.FAIL)


SAGEMAKER_PIPELINE = """resource "aws_sagemaker_pipeline" "training" {
  pipeline_name         = "training"
  pipeline_display_name = "training"
  role_arn              = var.role
  pipeline_definition = jsonencode({
    Version = "2020-12-01"
    Steps = [
      { Name = "Train", Type = "Training", Arguments = {} },
      { Name = "Register", Type = "%s", Arguments = { ModelPackageGroupName = var.group } },
    ]
  })
}
"""


def test_sagemaker_pipeline_and_registry_declared_in_terraform(make_repo):
    files = {"app/train.py": TRAIN, "infra/pipeline.tf": SAGEMAKER_PIPELINE % "RegisterModel"}
    result = assert_status(make_repo(files), "PIP001", Status.PASS)
    assert "sagemaker" in result.message
    assert_status(make_repo(files), "VER006", Status.PASS)
    files["infra/pipeline.tf"] = SAGEMAKER_PIPELINE % "Processing"
    assert_status(make_repo(files), "VER006", Status.FAIL)
    assert_status(make_repo({"app/train.py": TRAIN, "infra/s3.tf": 'resource "aws_s3_bucket" "b" {}\n'}),
                  "PIP001", Status.FAIL)  # fmt: skip


SERVE = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/predict')\ndef predict(x: float):\n    return x\n"
LAMBDA = """resource "aws_lambda_function" "api" {
  function_name = "predict"
  package_type  = "Image"
  image_uri     = var.image_uri
}
"""


def test_dep005_terraform_declaring_the_workload(make_repo):
    files = {"app/main.py": SERVE, "iac/lambda.tf": LAMBDA}
    assert_status(make_repo(files), "DEP005", Status.PASS)
    files["iac/lambda.tf"] = 'resource "aws_ecr_repository" "repo" {\n  name = "predict"\n}\n'
    assert_status(make_repo(files), "DEP005", Status.FAIL)


PROMOTE = """from google.cloud.aiplatform.models import ModelRegistry


def update_best_model(champion, challenger, m_champ, m_chall):
{body}
"""
GATED = """    challenger_wins = m_chall < m_champ
    if challenger_wins:
        ModelRegistry(model=champion).add_version_aliases(["default"], challenger.version_id)
        return True
    return False"""
UNGATED = """    ModelRegistry(model=champion).add_version_aliases(["default"], challenger.version_id)"""


def test_ct003_tst004_champion_challenger_alias_is_a_gate(make_repo):
    files = {"src/train.py": TRAIN, "src/update_best_model.py": PROMOTE.format(body=GATED)}
    result = assert_status(make_repo(files), "CT003", Status.PASS)
    assert "quality gate" in result.message
    assert_status(make_repo(files), "TST004", Status.PASS)
    # moving the alias with no comparison promotes whatever was trained
    files["src/update_best_model.py"] = PROMOTE.format(body=UNGATED)
    result = assert_status(make_repo(files), "CT003", Status.FAIL)
    assert result.credit == 0.5
    assert_status(make_repo(files), "TST004", Status.FAIL)


MLFLOW_STAGE = """import mlflow


def promote(rmse_rf, rmse_xgb):
    best = "rf" if rmse_rf < rmse_xgb else "xgb"
    client = mlflow.MlflowClient()
    client.transition_model_version_stage(name=best, version=1, stage="Staging")
"""


def test_ct003_stage_transition_without_comparison_with_a_bar_fails(make_repo):
    files = {"src/train.py": TRAIN, "flows/promote.py": MLFLOW_STAGE}
    assert_status(make_repo(files), "CT003", Status.FAIL)
    gated = MLFLOW_STAGE.replace(
        "    client = ",
        "    if min(rmse_rf, rmse_xgb) > 0.3:\n        raise ValueError(rmse_rf)\n    client = ",
    )
    assert_status(make_repo({"src/train.py": TRAIN, "flows/promote.py": gated}), "CT003", Status.PASS)


BATCH_PREDICT = """from kfp.v2.dsl import component


@component(base_image="python:3.11")
def batch_predict(model: str, training_dataset: str):
    job = {{"modelMonitoringConfig": {{"objectiveConfigs": [{{"{key}": {{"defaultSkewThreshold": 0.01}}}}]}}}}
    return job
"""


def test_dat003_managed_skew_detection_counts(make_repo):
    files = {"src/train.py": TRAIN, "components/predict.py": BATCH_PREDICT.format(key="trainingDataset")}
    # defaultSkewThreshold sets the skew objective of Vertex AI model monitoring
    assert_status(make_repo(files), "DAT003", Status.PASS)
    plain = BATCH_PREDICT.format(key="trainingDataset").replace("defaultSkewThreshold", "batchSize")
    assert_status(make_repo({"src/train.py": TRAIN, "components/predict.py": plain}), "DAT003", Status.FAIL)


KFP_PIPELINE = """from kfp.v2 import dsl
from kfp.v2.dsl import component


@component({image})
def train_step():
    from sklearn.linear_model import LinearRegression

    LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])


@dsl.pipeline(name="training")
def pipeline():
    train_step()
"""


def test_dep002_kfp_components_declaring_their_image(make_repo):
    files = {"pipelines/training.py": KFP_PIPELINE.format(image='base_image="python:3.11"')}
    result = assert_status(make_repo(files), "DEP002", Status.PASS)
    assert "python:3.11" in result.evidence[0].note
    files = {"pipelines/training.py": KFP_PIPELINE.format(image="")}
    assert_status(make_repo(files), "DEP002", Status.FAIL)


SUB_PYPROJECT = """[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "vertex-components"
version = "0.1.0"

[tool.pytest.ini_options]
testpaths = ["tests"]
"""


def test_flx001_tst002_sub_project_packages_and_pytest_configuration(make_repo):
    files = {
        "components/vertex/pyproject.toml": SUB_PYPROJECT,
        "components/vertex/src/vertex_components/__init__.py": "",
        "components/vertex/src/vertex_components/train.py": "x = 1\n",
        "components/vertex/tests/test_train.py": "def test_x():\n    assert True\n",
    }
    result = assert_status(make_repo(files), "FLX001", Status.PASS)
    assert "components/vertex/src/vertex_components" in result.message
    assert_status(make_repo(files), "TST002", Status.PASS)
    # a sub-directory pyproject.toml that builds nothing and configures nothing does not count
    files["components/vertex/pyproject.toml"] = '[project]\nname = "x"\n'
    assert_status(make_repo(files), "FLX001", Status.FAIL)
    assert_status(make_repo(files), "TST002", Status.FAIL)
    # nor does a project template's
    template = {
        "{{cookiecutter.name}}/pyproject.toml": SUB_PYPROJECT,
        "{{cookiecutter.name}}/src/pkg/__init__.py": "",
        "hooks/post_gen.py": "x = 1\n",
    }
    assert_status(make_repo(template), "FLX001", Status.FAIL)


def test_flx004_terraform_roots_per_environment(make_repo):
    files = {
        "src/train.py": TRAIN,
        "terraform/envs/dev/main.tf": 'module "stack" {\n  source = "../../modules/stack"\n}\n',
        "terraform/envs/prod/main.tf": 'module "stack" {\n  source = "../../modules/stack"\n}\n',
    }
    result = assert_status(make_repo(files), "FLX004", Status.PASS)
    assert "dev" in result.message and "prod" in result.message
    del files["terraform/envs/prod/main.tf"]
    assert_status(make_repo(files), "FLX004", Status.FAIL)


MAKEFILE = """compile-pipeline:
\tcd pipelines && python -m pipelines.$(pipeline).pipeline

{name}:
\t$(MAKE) compile-pipeline && cd pipelines && python -m pipelines.trigger --template_path=./$(pipeline).json
"""


def test_rep007_run_task_given_the_pipeline_by_name(make_repo):
    files = {"src/train.py": TRAIN, "Makefile": MAKEFILE.format(name="run")}
    result = assert_status(make_repo(files), "REP007", Status.PASS)
    assert "task run" in result.message
    # compiling a named pipeline is not running it
    files["Makefile"] = MAKEFILE.format(name="upload")
    assert_status(make_repo(files), "REP007", Status.FAIL)


MODEL_TRAIN = """import joblib
from sklearn.linear_model import {estimator}


def train(path, out):
    model = {estimator}()
    model.fit([[0.0], [1.0]], [0, 1])
    joblib.dump(model, out)
"""
SCRIPT = """from pkg import model


def main():
    model.train("data.csv", "model.joblib")


if __name__ == "__main__":
    main()
"""


def test_rep006_script_delegating_to_a_deterministic_project_trainer(make_repo):
    files = {
        "pkg/__init__.py": "",
        "pkg/model/__init__.py": "from pkg.model.train import train\n",
        "pkg/model/train.py": MODEL_TRAIN.format(estimator="LogisticRegression"),
        "scripts/train.py": SCRIPT,
    }
    assert_status(make_repo(files), "REP006", Status.NOT_APPLICABLE)
    files["pkg/model/train.py"] = MODEL_TRAIN.format(estimator="SGDClassifier")
    assert_status(make_repo(files), "REP006", Status.FAIL)


def test_ver002_unknown_when_a_tracked_blob_cannot_be_measured(make_repo, run_git):
    root = make_repo({"data/raw.csv": "a,b\n1,2\n", "README.md": "x\n"})
    blob = run_git(root, "rev-parse", "HEAD:data/raw.csv").strip()
    (root / "data/raw.csv").unlink()
    # the blob missing from the object store too, as in a partial clone
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = assert_status(root, "VER002", Status.UNKNOWN)
    assert "data/raw.csv" in str(result.evidence[0])
    # deleted from disk only: git still knows its size, and a small file passes
    root = make_repo({"data/raw.csv": "a,b\n1,2\n", "README.md": "x\n"})
    (root / "data/raw.csv").unlink()
    assert_status(root, "VER002", Status.PASS)


def test_flx002_vendor_public_buckets_are_not_environment_specific(make_repo):
    schema = 'SCHEMA = "gs://google-cloud-aiplatform/schema/modelevaluation/%s_metrics_1.0.0.yaml"\n'
    assert_status(make_repo({"components/evaluate.py": schema}), "FLX002", Status.PASS)
    own = 'SCHEMA = "gs://acme-ml-prod/schema/metrics.yaml"\n'
    assert_status(make_repo({"components/evaluate.py": own}), "FLX002", Status.FAIL)


PREDICT = """import joblib


# @dploy endpoint predict
def predict(body):
    model = joblib.load("models/lr.joblib")
    return model.predict(body)
"""


def test_dploy_kickstart_annotation_is_online_serving(make_repo):
    from mlops_audit.facts import serving
    from mlops_audit.repo import Repo

    root = make_repo({"pkg/predict.py": PREDICT})
    entries = serving.online_entries(Repo(root))
    assert [(e.framework, e.path, e.line) for e in entries] == [("dploy-kickstart", "pkg/predict.py", 4)]
    root = make_repo({"pkg/predict.py": PREDICT.replace("# @dploy endpoint predict", "# a helper")})
    assert not serving.online_entries(Repo(root))

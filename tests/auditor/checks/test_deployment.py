"""DEP checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from mlops_audit.checks import load_checks
from mlops_audit.model import Status

from tests.helpers.checks import assert_status

API = (
    "from fastapi import FastAPI\nimport mlflow\napp = FastAPI()\nmodel = mlflow.pyfunc.load_model({uri!r})\n"
)
GOOD_DOCKERFILE = """FROM python:3.12-slim@sha256:abc AS build
RUN pip wheel -w /w .
FROM python:3.12-slim@sha256:abc
COPY --from=build /w /w
USER app
HEALTHCHECK CMD curl -f http://localhost:8000/health
"""


def test_dep_profiles():
    checks = load_checks()
    assert checks["DEP001"].profiles == ("service",)
    assert "research" not in checks["DEP003"].profiles


def test_dep001_serving_code(make_repo):
    assert_status(make_repo({"api.py": API.format(uri="models:/m@champion")}), "DEP001", Status.PASS)
    demo = assert_status(make_repo({"app.py": "import gradio as gr\n"}), "DEP001", Status.FAIL)
    assert demo.credit > 0
    # a batch project (no serving code, serving framework, service manifest or exposed port) is not expected
    # to serve
    batch = assert_status(make_repo({"train.py": "x = 1\n"}), "DEP001", Status.NOT_APPLICABLE)
    assert "batch project" in batch.message
    batch_job = {"train.py": "x = 1\n", "k8s/job.yaml": "apiVersion: batch/v1\nkind: CronJob\nspec: {}\n"}
    assert_status(make_repo(batch_job), "DEP001", Status.NOT_APPLICABLE)
    # ... but a service it declares and does not implement fails
    declared = {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["fastapi>=0.110"]\n', "a.py": ""}
    fail = assert_status(make_repo(declared), "DEP001", Status.FAIL)
    assert fail.evidence[0].path == "pyproject.toml" and "fastapi" in fail.evidence[0].note
    exposed = {"Dockerfile": "FROM python:3.12\nEXPOSE 8000\n", "a.py": ""}
    assert str(assert_status(make_repo(exposed), "DEP001", Status.FAIL).evidence[0]) == "Dockerfile:2"
    service = {"k8s/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: m}\n", "a.py": ""}
    assert_status(make_repo(service), "DEP001", Status.FAIL)


def test_dep002_containerised(make_repo):
    assert_status(make_repo({"Dockerfile": "FROM python:3.12\n"}), "DEP002", Status.PASS)
    assert_status(make_repo({"compose.yaml": "services:\n  a:\n    image: x:1\n"}), "DEP002", Status.PASS)
    api = API.format(uri="models:/m@champion")
    devcontainer = {".devcontainer/devcontainer.json": "{}", ".devcontainer/Dockerfile": "FROM x:1\n"}
    dev = assert_status(make_repo({**devcontainer, "api.py": api}), "DEP002", Status.FAIL)
    assert "devcontainer" in dev.message
    # something deployed as an image without a Dockerfile: serving code, manifests, container orchestrators
    assert str(assert_status(make_repo({"api.py": api}), "DEP002", Status.FAIL).evidence[0]) == "api.py:3"
    job = {"k8s/train.yaml": "apiVersion: batch/v1\nkind: Job\nspec: {}\n", "train.py": "x = 1\n"}
    assert_status(make_repo(job), "DEP002", Status.FAIL)
    kfp = "from kfp import dsl\n@dsl.pipeline(name='p')\ndef p():\n    pass\n"
    assert_status(make_repo({"pipeline.py": kfp}), "DEP002", Status.FAIL)
    # a batch project run from its locked environment deploys no image (a devcontainer alone changes nothing)
    na = assert_status(make_repo({"a.py": ""}), "DEP002", Status.NOT_APPLICABLE)
    assert "nothing is deployed" in na.message
    assert_status(make_repo({**devcontainer, "train.py": "x = 1\n"}), "DEP002", Status.NOT_APPLICABLE)


def test_dep003_container_hygiene(make_repo):
    ok = assert_status(make_repo({"Dockerfile": GOOD_DOCKERFILE}), "DEP003", Status.PASS)
    assert any(str(e) == "Dockerfile:5" for e in ok.evidence)
    bad = assert_status(
        make_repo({"Dockerfile": "FROM python\nRUN pip install .\nCMD python app.py\n"}),
        "DEP003",
        Status.FAIL,
    )
    notes = {e.note for e in bad.evidence}
    assert {
        "unpinned base image python",
        "no USER: runs as root",
        "no HEALTHCHECK",
        "single-stage build",
    } <= notes
    assert bad.credit == 0
    partial = assert_status(
        make_repo({"Dockerfile": "FROM python:3.12-slim\nUSER app\n"}), "DEP003", Status.FAIL
    )
    assert partial.credit == 0.5
    probes = {
        "Dockerfile": "FROM python:3.12 AS b\nFROM python:3.12-slim\nUSER 1000\n",
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  livenessProbe: {}\n",
    }
    assert_status(make_repo(probes), "DEP003", Status.PASS)
    # BuildKit's per-Dockerfile ignore file is not a Dockerfile (it has no FROM, USER...).
    ignore = {"Dockerfile": GOOD_DOCKERFILE, "Dockerfile.dockerignore": "*\n!pyproject.toml\n"}
    ok = assert_status(make_repo(ignore), "DEP003", Status.PASS)
    assert {e.path for e in ok.evidence} == {"Dockerfile"}
    assert_status(make_repo({"a.py": ""}), "DEP003", Status.NOT_APPLICABLE)


def test_dep004_infrastructure_as_code(make_repo):
    api = API.format(uri="models:/m/1")
    assert_status(make_repo({"api.py": api, "infra/main.tf": "resource x y {}\n"}), "DEP004", Status.PASS)
    assert_status(make_repo({"api.py": api, "Dockerfile": "FROM x:1\n"}), "DEP004", Status.FAIL)
    assert_status(make_repo({"a.py": ""}), "DEP004", Status.NOT_APPLICABLE)


def test_dep005_deployment_manifest(make_repo):
    api = API.format(uri="models:/m/1")
    isvc = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\n"
    assert_status(make_repo({"api.py": api, "deploy/isvc.yaml": isvc}), "DEP005", Status.PASS)
    assert_status(
        make_repo({"api.py": api, "compose.yaml": "services:\n  api:\n    build: .\n"}), "DEP005", Status.PASS
    )
    tf = assert_status(make_repo({"api.py": api, "main.tf": "x\n"}), "DEP005", Status.FAIL)
    assert tf.credit == 0.5
    assert_status(make_repo({"api.py": api}), "DEP005", Status.FAIL)
    assert_status(make_repo({"a.py": ""}), "DEP005", Status.NOT_APPLICABLE)


def test_dep006_model_by_version(make_repo):
    ok = assert_status(make_repo({"api.py": API.format(uri="models:/churn@champion")}), "DEP006", Status.PASS)
    assert str(ok.evidence[0]) == "api.py:4"
    local = (
        "from flask import Flask\nimport joblib\napp = Flask(__name__)\nmodel = joblib.load('model.pkl')\n"
    )
    fail = assert_status(make_repo({"api.py": local}), "DEP006", Status.FAIL)
    assert str(fail.evidence[0]) == "api.py:4"
    # the model is loaded in a helper module the service imports
    helper = {
        "svc/__init__.py": "",
        "svc/api.py": "from fastapi import FastAPI\nfrom svc.loader import load\napp = FastAPI()\n",
        "svc/loader.py": "import joblib\ndef load():\n    return joblib.load('artifacts/model.joblib')\n",
    }
    assert_status(make_repo(helper), "DEP006", Status.FAIL)
    assert_status(make_repo({"api.py": API.format(uri="models:/churn/latest")}), "DEP006", Status.FAIL)
    env = "from fastapi import FastAPI\nimport os\napp = FastAPI()\nuri = os.environ['MODEL_URI']\n"
    assert_status(make_repo({"api.py": env}), "DEP006", Status.NOT_APPLICABLE)
    assert_status(make_repo({"a.py": ""}), "DEP006", Status.NOT_APPLICABLE)


def test_dep006_fstring_registry_uri(make_repo):
    head = "from fastapi import FastAPI\nimport os\napp = FastAPI()\n"
    alias = head + 'uri = os.environ.get("MODEL_URI") or f"models:/{name}@{cfg.alias}"\n'
    ok = assert_status(make_repo({"api.py": alias}), "DEP006", Status.PASS)
    assert str(ok.evidence[0]) == "api.py:4" and ok.evidence[0].note == "models:/{name}@{cfg.alias}"
    version = head + 'uri = f"models:/{name}/{version}"\n'
    assert_status(make_repo({"api.py": version}), "DEP006", Status.PASS)
    latest = head + 'uri = f"models:/{name}"\n'
    assert assert_status(make_repo({"api.py": latest}), "DEP006", Status.FAIL).credit == 0.6


def test_dep006_loader_two_imports_below_the_service(make_repo):
    """app -> pipeline -> load_model: the registry reference in the loader the pipeline imports counts."""
    files = {
        "svc/__init__.py": "",
        "svc/app.py": "from flask import Flask\nfrom svc.pipeline import predict\napp = Flask(__name__)\n",
        "svc/pipeline.py": "from svc.load_model import load\ndef predict(x):\n    return load().predict(x)\n",
        "svc/load_model.py": 'import mlflow\ndef load():\n    return mlflow.pyfunc.load_model(f"models:/{name}/{version}")\n',
    }
    result = assert_status(make_repo(files), "DEP006", Status.PASS)
    assert result.evidence[0].path == "svc/load_model.py"
    # three imports down is out of reach: nothing found
    deeper = {**files, "svc/load_model.py": "from svc.registry import load\n",
              "svc/registry.py": files["svc/load_model.py"]}  # fmt: skip
    assert_status(make_repo(deeper), "DEP006", Status.NOT_APPLICABLE)


def test_dep006_setting_followed_to_the_committed_env_file(make_repo):
    """``config("DEFAULT_MODEL_PATH")`` (Starlette, decouple...) is judged by the value ``.env.example`` gives it."""
    config = "from starlette.config import Config\nconfig = Config('.env')\nMODEL_PATH = config('DEFAULT_MODEL_PATH')\n"
    api = "from fastapi import FastAPI\nfrom svc.config import MODEL_PATH\napp = FastAPI()\n"
    files = {"svc/__init__.py": "", "svc/api.py": api, "svc/config.py": config}
    local = {**files, ".env.example": "API_KEY=x\nDEFAULT_MODEL_PATH=./sample_model/model.joblib\n"}
    result = assert_status(make_repo(local), "DEP006", Status.FAIL)
    assert str(result.evidence[0]) == ".env.example:2"
    registry = {**files, ".env.example": "DEFAULT_MODEL_PATH=models:/churn@champion\n"}
    assert_status(make_repo(registry), "DEP006", Status.PASS)
    # no committed value: where the model comes from cannot be read
    assert_status(make_repo(files), "DEP006", Status.NOT_APPLICABLE)


def test_dep006_command_line_model_server(make_repo):
    """``mlflow models serve -m <uri>`` in a compose file: a run's artifact is no registered version."""
    compose = (
        "services:\n  model-server:\n    image: x\n    command: >\n      mlflow models serve\n"
        "      -m runs:/${RUN_ID}/model\n      --port 5001\n"
    )
    result = assert_status(make_repo({"docker-compose.yml": compose}), "DEP006", Status.FAIL)
    assert str(result.evidence[0]) == "docker-compose.yml:6" and 0 < result.credit < 1
    alias = compose.replace("runs:/${RUN_ID}/model", "models:/churn@champion")
    assert_status(make_repo({"docker-compose.yml": alias}), "DEP006", Status.PASS)
    assert_status(make_repo({"docker-compose.yml": "services:\n  db:\n    image: postgres\n"}), "DEP006",
                  Status.NOT_APPLICABLE)  # fmt: skip


def test_dep005_heroku_and_azureml_deployments(make_repo):
    """heroku.yml (how Heroku builds and runs the web process) and an Azure ML managed online deployment are
    deployment manifests of the service; heroku.yml is no infrastructure as code (DEP004)."""
    api = API.format(uri="models:/m/1")
    heroku = "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: gunicorn app:app\n"
    assert_status(make_repo({"api.py": api, "heroku.yml": heroku}), "DEP005", Status.PASS)
    assert_status(make_repo({"api.py": api, "heroku.yml": heroku}), "DEP004", Status.FAIL)
    aml = (
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\n"
        "name: blue\nendpoint_name: taxi\nmodel: azureml:taxi-model@latest\n"
    )
    result = assert_status(
        make_repo({"api.py": api, "deploy/online-deployment.yml": aml}), "DEP005", Status.PASS
    )
    assert str(result.evidence[0]) == "deploy/online-deployment.yml:1"
    job = aml.replace("managedOnlineDeployment", "commandJob")  # a training job is no deployment
    assert_status(make_repo({"api.py": api, "deploy/job.yml": job}), "DEP005", Status.FAIL)


def test_dep002_a_managed_endpoint_runs_the_platforms_image(make_repo):
    """A model deployed only to a managed endpoint (SageMaker's prebuilt TensorFlow serving image), with at
    most Terraform for the cloud resources, deploys no image of the project; a web service beside it does."""
    sagemaker = (
        "from sagemaker.tensorflow import TensorFlowModel\n\n\ndef deploy(uri, role):\n"
        "    model = TensorFlowModel(model_data=uri, role=role, framework_version='2.6')\n"
        "    return model.deploy(initial_instance_count=1, instance_type='ml.m5.large')\n"
    )
    result = assert_status(
        make_repo({"src/flow.py": sagemaker, "infra/main.tf": "x\n"}), "DEP002", Status.NOT_APPLICABLE
    )
    assert "managed endpoint" in result.message
    app = API.format(uri="models:/m/1")
    assert_status(make_repo({"src/flow.py": sagemaker, "api.py": app}), "DEP002", Status.FAIL)

"""Serving facts: entry points, demos, local imports, model references."""

from __future__ import annotations

import pytest
from mlops_audit.facts import serving
from mlops_audit.repo import Repo


@pytest.mark.parametrize(
    ("files", "framework"),
    [
        ({"api.py": "from fastapi import FastAPI\napp = FastAPI()\n"}, "fastapi"),
        ({"api.py": "import flask\napp = flask.Flask(__name__)\n"}, "flask"),
        ({"svc.py": "from ray import serve\n@serve.deployment\nclass M:\n    pass\n"}, "ray-serve"),
        ({"svc.py": "import bentoml\n@bentoml.service\nclass M:\n    pass\n"}, "bentoml"),
        (
            {
                "h.py": "from ts.torch_handler.base_handler import BaseHandler\nclass H(BaseHandler):\n    pass\n"
            },
            "torchserve",
        ),
        ({"m.py": "import kserve\nclass M(kserve.Model):\n    pass\n"}, "kserve"),
        ({"handler.py": "def lambda_handler(event, context):\n    return 1\n"}, "lambda"),
        ({"Makefile": "serve:\n\tmlflow models serve -m models:/churn@champion\n"}, "mlflow-serve"),
        ({"isvc.yaml": "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"}, "kserve"),
    ],
)
def test_serving_frameworks(make_repo, files, framework):
    repo = Repo(make_repo(files))
    assert framework in serving.serving_inventory(repo)
    assert serving.model_serving_fact(repo).value is True


def test_demo_apps_are_not_model_serving(make_repo):
    repo = Repo(
        make_repo(
            {
                "demo.py": "import gradio as gr\ngr.Interface(fn=f, inputs='text', outputs='text').launch()\n",
                "dash.py": "import streamlit as st\nst.write('hi')\n",
                "tests/test_api.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            }
        )
    )
    assert set(serving.serving_inventory(repo)) == {"gradio", "streamlit"}
    assert serving.model_serving_fact(repo).value is False


def test_local_imports_resolution(make_repo):
    repo = Repo(
        make_repo(
            {
                "src/pkg/__init__.py": "",
                "src/pkg/features.py": "def build(x):\n    return x\n",
                "src/pkg/api.py": "from pkg.features import build\nfrom . import model\nimport numpy\n",
                "src/pkg/model.py": "",
                "src/pkg/serve.py": "from pkg import features\nfeatures.build(1)\n",
            }
        )
    )
    assert [t for t, _ in serving.local_imports(repo, "src/pkg/api.py")] == [
        "src/pkg/features.py",
        "src/pkg/model.py",
    ]
    assert [t for t, _ in serving.local_imports(repo, "src/pkg/serve.py")] == ["src/pkg/features.py"]


def test_model_references(make_repo):
    repo = Repo(
        make_repo(
            {
                "a.py": "m = load('models:/churn@champion')\n",
                "b.py": "m = load('models:/churn/3')\n",
                "c.py": "m = joblib.load('artifacts/model.pkl')\n",
                "d.py": "m = load('models:/churn/latest')\n",
                "e.py": "import os\nm = load(os.environ['MODEL_URI'])\n",
            }
        )
    )
    kinds = {
        p: [r.kind for r in serving.model_references(repo, [p])]
        for p in ("a.py", "b.py", "c.py", "d.py", "e.py")
    }
    assert kinds == {
        "a.py": ["registry-alias"],
        "b.py": ["registry-version"],
        "c.py": ["local-path"],
        "d.py": ["registry-latest"],
        "e.py": ["environment"],
    }


def test_managed_online_endpoints_are_serving(make_repo):
    """A model deployed to a managed online endpoint from code (SageMaker, Vertex AI, Azure ML, Watson), a
    ZenML deployer step, an Azure ML scoring script and an online-endpoint definition serve a model."""
    from mlops_audit.facts import serving
    from mlops_audit.repo import Repo

    files = {
        "deploy_sm.py": "from sagemaker.tensorflow import TensorFlowModel\nTensorFlowModel(m).deploy(1, 'ml.m5')\n",
        "deploy_vx.py": "from google.cloud import aiplatform\nmodel = aiplatform.Model(name)\nmodel.deploy(endpoint=e)\n",
        "pipelines/deploy.py": "from zenml.integrations.mlflow.steps import mlflow_model_deployer_step\n"
        "mlflow_model_deployer_step(model=m)\n",
        "score.py": "from azureml.core.model import Model\n\ndef init():\n    pass\n\ndef run(data):\n    return data\n",
        "deploy/online-endpoint.yml": "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n",
        "train.py": "from sagemaker.estimator import Estimator\nEstimator(image).fit(inputs)\n",  # training only
    }
    entries = serving.serving_entries(Repo(make_repo(files)))
    assert {(e.framework, e.path) for e in entries} == {
        ("sagemaker-endpoint", "deploy_sm.py"),
        ("vertex-endpoint", "deploy_vx.py"),
        ("zenml-deployer", "pipelines/deploy.py"),
        ("azureml-scoring", "score.py"),
        ("azureml-endpoint", "deploy/online-endpoint.yml"),
    }

"""Pipeline facts: frameworks, task chains, training code; inference "pipelines" are not pipelines."""

from __future__ import annotations

import pytest
from mlops_audit.facts import pipelines
from mlops_audit.repo import Repo


@pytest.mark.parametrize(
    ("source", "framework"),
    [
        ("from zenml import pipeline, step\n@pipeline\ndef p():\n    pass\n", "zenml"),
        ("from prefect import flow\n@flow\ndef f():\n    pass\n", "prefect"),
        ("from airflow import DAG\nwith DAG('x') as dag:\n    pass\n", "airflow"),
        ("from dagster import asset\n@asset\ndef a():\n    pass\n", "dagster"),
        ("from metaflow import FlowSpec\nclass F(FlowSpec):\n    pass\n", "metaflow"),
        ("from kfp import dsl\n@dsl.pipeline(name='x')\ndef p():\n    pass\n", "kubeflow"),
        ("from kedro.pipeline import node, pipeline\np = pipeline([node(f, 'a', 'b')])\n", "kedro"),
    ],
)
def test_python_frameworks(make_repo, source, framework):
    repo = Repo(make_repo({"src/flow.py": source}))
    assert framework in pipelines.pipeline_inventory(repo)
    assert pipelines.pipeline_fact(repo).value is True


def test_inference_pipelines_are_not_pipeline_definitions(make_repo):
    repo = Repo(
        make_repo(
            {
                "app.py": "from transformers import pipeline\nclf = pipeline('sentiment-analysis')\n",
                "model.py": "from sklearn.pipeline import Pipeline, make_pipeline\np = make_pipeline(a, b)\nq = Pipeline([])\n",
                "Makefile": "test:\n\tpytest\nlint:\n\truff check\n",
            }
        )
    )
    assert pipelines.pipeline_definitions(repo) == []
    assert pipelines.pipeline_fact(repo).value is False


def test_file_pipelines(make_repo):
    repo = Repo(
        make_repo(
            {
                "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
                "MLproject": "name: x\nentry_points:\n  main:\n    command: python train.py\n",
                "tests/test_flow.py": "from prefect import flow\n@flow\ndef f():\n    pass\n",
            }
        )
    )
    assert pipelines.pipeline_inventory(repo) == ["dvc", "mlflow-project"]


def test_makefile_task_chain(make_repo):
    repo = Repo(
        make_repo(
            {
                "Makefile": "all: data train evaluate\n\ndata:\n\tpython -m pkg.data\ntrain: data\n\tpython -m pkg.train\n"
                "evaluate: train\n\tpython -m pkg.evaluate\n",
            }
        )
    )
    chain = pipelines.task_chain(repo)
    assert chain and chain[0].name == "all"
    assert pipelines.pipeline_inventory(repo) == ["task-chain"]


def test_poe_sequence_chain(make_repo):
    repo = Repo(
        make_repo(
            {
                "pyproject.toml": '[tool.poe.tasks]\nprepare = "python -m pkg.data"\ntrain = "python -m pkg.train"\n'
                'pipeline = ["prepare", "train"]\n',
            }
        )
    )
    chain = pipelines.task_chain(repo)
    assert chain and chain[0].name == "pipeline" and chain[0].line == 4


def test_single_train_target_is_not_a_chain(make_repo):
    repo = Repo(make_repo({"Makefile": "train:\n\tpython train.py\n"}))
    assert pipelines.task_chain(repo) == []


def test_stage_kind():
    assert pipelines.stage_kind("make_dataset") == "data"
    assert pipelines.stage_kind("build_features") == "features"
    assert pipelines.stage_kind("train_model") == "train"
    assert pipelines.stage_kind("evaluate") == "evaluate"
    assert pipelines.stage_kind("test") is None and pipelines.stage_kind("utils") is None


def test_training_code_and_notebooks(make_repo):
    repo = Repo(
        make_repo(
            {
                "src/train.py": "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression()\nm.fit(X, y)\n",
                "src/prep.py": "from sklearn.preprocessing import StandardScaler\nscaler = StandardScaler()\nscaler.fit(X)\n",
                "tests/test_train.py": "model.fit(X, y)\n",
                "nb/explore.ipynb": '{"cells": [{"cell_type": "code", "source": ["model.fit(X, y)"]}]}',
            }
        )
    )
    assert pipelines.training_modules(repo) == [("src/train.py", 3)]
    assert pipelines.training_notebooks(repo) == ["nb/explore.ipynb"]
    assert pipelines.is_ml_project(repo)


def test_tfx_and_azureml_sdk_pipelines(make_repo):
    from mlops_audit.facts import pipelines
    from mlops_audit.repo import Repo

    tfx = "from tfx.orchestration import pipeline\np = pipeline.Pipeline(pipeline_name='t', components=[trainer])\n"
    aml = "from azureml.pipeline.core import Pipeline\nPipeline(workspace=ws, steps=[train_step])\n"
    found = pipelines.pipeline_definitions(Repo(make_repo({"tfx_pipe.py": tfx, "aml_pipe.py": aml})))
    assert {(d.framework, d.path) for d in found} == {("tfx", "tfx_pipe.py"), ("azureml", "aml_pipe.py")}


def test_a_file_this_python_cannot_parse_still_shows_its_imports_and_decorators(make_repo):
    """Newer syntax (a 3.12 f-string reusing its quotes) does not hide a Prefect flow."""
    from mlops_audit.facts import pipelines
    from mlops_audit.facts.python import module
    from mlops_audit.repo import Repo

    flow = (
        'from prefect import flow, task\n\n@flow(name="automl")\ndef run(cfg):\n    print(f"{cfg["name"]}")\n'
    )
    repo = Repo(make_repo({"automl_flow.py": flow}))
    info = module(repo, "automl_flow.py")
    if info.syntax_error is None:  # this Python parses it: nothing to salvage
        return
    assert ("prefect", 1) in info.imports and ("prefect.flow", 3) in info.decorators
    assert [(d.framework, d.line) for d in pipelines.pipeline_definitions(repo)] == [("prefect", 3)]

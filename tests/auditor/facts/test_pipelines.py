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


# ------------------------------------------------------------------- a training run of the repository's own
def _notebook(source: str) -> str:
    import json

    cell = {"cell_type": "code", "source": source, "execution_count": None, "outputs": [], "metadata": {}}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


TRAINER = "import torch\n\nclass Trainer:\n    def train(self):\n        loss = self.model(x)\n        loss.backward()\n        self.opt.step()\n"
PYPROJECT = '[project]\nname = "difflib-x"\n\n[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
LIBRARY = {
    "pyproject.toml": PYPROJECT,
    "difflib_x/__init__.py": "from .trainer import Trainer\n",
    "difflib_x/trainer.py": TRAINER,
}
GALLERY_FIT = "from sklearn.linear_model import LogisticRegression\nfrom difflib_x import Wrap\nWrap(LogisticRegression()).fit(X, y)\n"


def test_library_code_and_documentation_are_no_training_run(make_repo) -> None:
    repo = Repo(make_repo(LIBRARY))
    assert pipelines._all_training_modules(repo) == [("difflib_x/trainer.py", 6)]
    assert "library code in difflib_x/" in (pipelines.no_training_run(repo) or "")
    assert pipelines.training_modules(repo) == [] and not pipelines.is_ml_project(repo)
    assert pipelines.library_code_dir(repo) == "difflib_x"
    # gallery examples (plot_*.py), docs/ and tutorial notebooks show the library to its users
    docs = {
        **LIBRARY,
        "examples/regression/plot_quickstart.py": GALLERY_FIT,
        "docs/usage.py": GALLERY_FIT,
        "notebooks/tutorial.ipynb": _notebook("model.fit(X, y)"),
    }
    reason = pipelines.no_training_run(Repo(make_repo(docs)))
    assert reason and "documentation examples and tutorials" in reason
    # an example directory a gallery renders (mkdocs-gallery examples_dirs) is documentation too
    gallery = {
        **LIBRARY,
        "mkdocs.yml": "plugins:\n  - gallery:\n      examples_dirs:\n        - examples/regression\n",
        "examples/regression/coverage.py": GALLERY_FIT,
    }
    assert pipelines.no_training_run(Repo(make_repo(gallery)))


@pytest.mark.parametrize(
    "extra",
    [
        {
            "scripts/image_train.py": "from difflib_x.trainer import Trainer\nTrainer().train()\n"
        },  # follows it
        {"benchmarks/bench.py": GALLERY_FIT},  # a benchmark that trains, outside the documentation
        {"run.ipynb": _notebook("model.fit(X, y)")},  # a notebook of the project's own
        {"difflib_x/__main__.py": TRAINER},  # python -m difflib_x trains
        {"dvc.yaml": "stages:\n  train:\n    cmd: python -m difflib_x.trainer\n"},  # a declared pipeline
    ],
)
def test_library_with_a_run_of_its_own(make_repo, extra) -> None:
    repo = Repo(make_repo({**LIBRARY, **extra}))
    assert pipelines.no_training_run(repo) is None
    assert pipelines.library_code_dir(repo) is None
    assert pipelines.is_ml_project(repo)


def test_library_with_a_console_script_has_a_run_of_its_own(make_repo) -> None:
    scripts = PYPROJECT + '\n[project.scripts]\ndifflib-train = "difflib_x.trainer:main"\n'
    assert pipelines.no_training_run(Repo(make_repo({**LIBRARY, "pyproject.toml": scripts}))) is None


def test_numbered_lesson_notebooks_are_no_training_run(make_repo) -> None:
    lessons = {f"{i:02d}-lesson-{i}.ipynb": _notebook("learn.fit(3)") for i in range(1, 6)}
    repo = Repo(make_repo({**lessons, "clean/01-lesson-1.ipynb": _notebook("learn.fit(3)")}))
    assert "5 numbered lesson notebooks" in (pipelines.no_training_run(repo) or "")
    assert pipelines.training_notebooks(repo) == [] and not pipelines.is_ml_project(repo)
    # a helper module beside the notebooks is part of the book
    helper = {"book/helpers_05.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n"}
    book = {f"book/{k}": v for k, v in lessons.items()}
    assert pipelines.no_training_run(Repo(make_repo({**book, **helper})))


@pytest.mark.parametrize(
    "files",
    [
        # four lessons are no course
        {f"{i:02d}-step.ipynb": _notebook("model.fit(X, y)") for i in range(1, 5)},
        # a training script of the project's own
        {
            **{f"{i:02d}-step.ipynb": _notebook("model.fit(X, y)") for i in range(1, 6)},
            "src/train.py": "from sklearn.svm import SVC\nSVC().fit(X, y)\n",
        },
        # most notebooks are not numbered lessons
        {
            **{f"{i:02d}-step.ipynb": _notebook("model.fit(X, y)") for i in range(1, 6)},
            **{f"explore_{i}.ipynb": _notebook("model.fit(X, y)") for i in range(1, 5)},
        },
    ],
)
def test_notebook_projects_have_a_run_of_their_own(make_repo, files) -> None:
    repo = Repo(make_repo(files))
    assert pipelines.no_training_run(repo) is None
    assert pipelines.is_ml_project(repo)


HOLLOW = "from kfp import dsl\n\n@dsl.component\ndef train():\n    print('Training model')\n\n@dsl.pipeline(name='p')\ndef p():\n    train()\n"


def test_a_pipeline_whose_steps_only_print_is_no_training_run(make_repo) -> None:
    repo = Repo(
        make_repo({"pipeline/pipeline.py": HOLLOW, "src/train.py": "def train():\n    print('training')\n"})
    )
    assert pipelines.pipeline_definitions(repo)
    assert "kubeflow pipeline" in (pipelines.no_training_run(repo) or "")
    assert not pipelines.is_ml_project(repo)


@pytest.mark.parametrize(
    "extra",
    [
        {
            "src/train.py": "import pandas as pd\n\ndef train():\n    return pd.read_csv('d.csv')\n"
        },  # data code
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: Rscript train.R\n"
        },  # a command that may train in any language
        {"explore.ipynb": _notebook("print(1)")},  # notebooks: their code is not followed here
        # a step that runs a container image built elsewhere
        {"pipeline/pipeline.py": HOLLOW + "op = dsl.ContainerOp(name='t', image='trainer:1')\n"},
    ],
)
def test_a_pipeline_with_substance_is_a_training_run(make_repo, extra) -> None:
    repo = Repo(make_repo({"pipeline/pipeline.py": HOLLOW, **extra}))
    assert pipelines.no_training_run(repo) is None
    assert pipelines.is_ml_project(repo)


@pytest.mark.parametrize(
    "source",
    [
        # a JAX / optax training step
        "import jax\nimport optax\n\ndef step(params, opt_state, batch):\n    loss, grads = jax.value_and_grad(f)(params, batch)\n"
        "    updates, opt_state = tx.update(grads, opt_state, params)\n    return optax.apply_updates(params, updates)\n",
        # a TF Estimator (TPUEstimator) run
        "import tensorflow as tf\n\nestimator = tf.estimator.tpu.TPUEstimator(model_fn)\nestimator.train(input_fn, max_steps=1000)\n",
        # a TensorFlow custom training loop
        "import tensorflow as tf\n\nwith tf.GradientTape() as tape:\n    loss = model(x)\ngrads = tape.gradient(loss, v)\noptimizer.apply_gradients(zip(grads, v))\n",
    ],
)
def test_jax_estimator_and_custom_loops_train(make_repo, source) -> None:
    repo = Repo(make_repo({"big_vision/train.py": source}))
    assert [p for p, _ in pipelines.training_modules(repo)] == ["big_vision/train.py"]
    assert pipelines.is_ml_project(repo)


def test_updates_that_are_no_training(make_repo) -> None:
    source = "import jax\n\njax.config.update('jax_platforms', 'cpu')\nsettings.apply_updates(new)\nrunner.train_status()\n"
    assert pipelines.training_modules(Repo(make_repo({"tool.py": source}))) == []


CCDS_TRAIN = (
    "from loguru import logger\n\n\ndef main(model_path=MODELS_DIR / 'model.pkl'):\n"
    "    # ---- REPLACE THIS WITH YOUR OWN CODE ----\n    logger.info('Training some model...')\n"
)


def test_a_templates_scaffold_training_step_is_training(make_repo) -> None:
    """A cookiecutter / copier template is judged as the project it generates: the train*.py of its templated
    directory is that project's training step, placeholder body and all."""
    files = {
        "cookiecutter.json": '{"repo_name": "x"}\n',
        "{{ cookiecutter.repo_name }}/{{ cookiecutter.module_name }}/modeling/train.py": CCDS_TRAIN,
        "{{ cookiecutter.repo_name }}/{{ cookiecutter.module_name }}/dataset.py": "x = 1\n",
    }
    repo = Repo(make_repo(files))
    [(path, _)] = pipelines.training_modules(repo)
    assert path.endswith("modeling/train.py") and pipelines.is_ml_project(repo)
    # the same file outside a template, or a template without a training step, trains nothing
    assert (
        pipelines.training_modules(Repo(make_repo({k: v for k, v in files.items() if "json" not in k}))) == []
    )
    no_step = {k: v for k, v in files.items() if "train" not in k}
    assert pipelines.template_training_steps(Repo(make_repo(no_step))) == []

"""EXP checks: pass, fail and not-applicable fixtures for each."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN
from tests.helpers.repos import git

PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE

FULL = """
import mlflow
import subprocess
with mlflow.start_run():
    mlflow.log_params({"lr": 0.1})
    model.fit(X, y)
    mlflow.log_metric("f1", 0.9)
    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
"""


UNTRACKED_FIT = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"


def test_exp001_tracker_used(make_repo) -> None:
    result = assert_status(make_repo({"train.py": FULL}), "EXP001", PASS)
    assert str(result.evidence[0]) == "train.py:1"
    assert_status(make_repo({"MLproject": "name: x\n", "train.py": "print(1)\n"}), "EXP001", PASS)
    untracked = "import json\nfrom sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\nprint(json.dumps({'f1': 0.9}))\n"
    assert_status(make_repo({"train.py": untracked}), "EXP001", FAIL)
    # a library or a tool that trains nothing has no runs to track; a file name that mentions a tracker
    # (mlflow.db in a template's question file) is no tracker
    tool = {
        "src/tool/training.py": "def describe():\n    return 'training'\n",
        "copier.yml": "_exclude: [mlflow.db]\n",
    }
    assert_status(make_repo(tool), "EXP001", NA)
    assert_status(
        make_repo({"train.py": untracked, "conf/run.yaml": "outputs: [mlflow.db, wandb.json]\n"}),
        "EXP001",
        FAIL,
    )
    assert_status(make_repo({"train.py": untracked, "conf/run.yaml": "logger: wandb\n"}), "EXP001", PASS)
    assert_status(make_repo({"README.md": "mlflow\n"}), "EXP001", NA)


#: a training script that logs its parameters (and registers nothing)
TRACKED_FIT = (
    "import mlflow\nfrom sklearn.linear_model import Ridge\nRidge().fit(X, y)\nmlflow.log_params(p)\n"
)


def test_exp002_params_and_metrics(make_repo) -> None:
    assert_status(make_repo({"train.py": FULL}), "EXP002", PASS)
    assert_status(
        make_repo({"train.py": "import wandb\nrun = wandb.init(config=cfg)\nrun.log({'loss': 1})\n"}),
        "EXP002",
        PASS,
    )
    only_params = assert_status(
        make_repo({"train.py": "import mlflow\nmlflow.log_param('a', 1)\n"}), "EXP002", FAIL
    )
    assert only_params.credit == 0.5 and str(only_params.evidence[0]) == "train.py:2"
    assert (
        "needs EXP001 first" in assert_status(make_repo({"train.py": UNTRACKED_FIT}), "EXP002", FAIL).message
    )


def test_exp003_artefacts_not_committed(make_repo) -> None:
    assert_status(make_repo({"train.py": FULL, ".gitignore": "mlruns/\n"}), "EXP003", PASS)
    result = assert_status(
        make_repo(
            {
                "train.py": FULL,
                "mlruns/0/abc/meta.yaml": "x\n",
                "wandb/run-20240101_120000-abc123/files/x": "y",
            }
        ),
        "EXP003",
        FAIL,
    )
    assert {e.note for e in result.evidence} == {"MLflow", "W&B"}
    assert_status(make_repo({"runs/x/events.out.tfevents.1700000000.host": b"\0"}), "EXP003", FAIL)


def test_exp003_ignored_untracked_artefacts_do_not_count(make_repo) -> None:
    root = make_repo({"train.py": FULL})
    (root / "mlflow.db").write_bytes(b"sqlite")  # untracked and not ignored: not committed
    assert_status(root, "EXP003", PASS)
    git(root, "add", "mlflow.db")
    git(root, "commit", "-q", "-m", "oops")
    assert_status(root, "EXP003", FAIL)


def test_exp004_model_registry(make_repo) -> None:
    assert_status(make_repo({"train.py": FULL}), "EXP004", PASS)
    logged = "import mlflow\nmlflow.log_params(p)\nmlflow.sklearn.log_model(m, 'model')\n"
    assert assert_status(make_repo({"train.py": logged}), "EXP004", FAIL).credit > 0
    assert_status(make_repo({"train.py": TRACKED_FIT}), "EXP004", FAIL)
    assert (
        "needs EXP001 first" in assert_status(make_repo({"train.py": UNTRACKED_FIT}), "EXP004", FAIL).message
    )


def test_exp005_commit_linkage(make_repo) -> None:
    explicit = "import mlflow\nmlflow.set_tag('git_commit', os.environ['GITHUB_SHA'])\n"
    result = assert_status(make_repo({"train.py": explicit}), "EXP005", PASS)
    assert str(result.evidence[0]) == "train.py:2"
    assert_status(make_repo({"train.py": FULL}), "EXP005", PASS)  # MLflow tags git checkouts itself
    tb = "from torch.utils.tensorboard import SummaryWriter\nw = SummaryWriter()\nw.add_scalar('loss', 1)\n"
    assert_status(make_repo({"train.py": tb}), "EXP005", FAIL)
    assert (
        "needs EXP001 first" in assert_status(make_repo({"train.py": UNTRACKED_FIT}), "EXP005", FAIL).message
    )


def test_exp006_models_logged(make_repo) -> None:
    assert_status(make_repo({"train.py": FULL}), "EXP006", PASS)
    no_model = "import mlflow\nfrom sklearn.linear_model import Ridge\nRidge().fit(X, y)\nmlflow.log_metric('a', 1)\n"
    assert_status(make_repo({"train.py": no_model}), "EXP006", FAIL)
    assert_status(
        make_repo({"report.py": "import mlflow\nmlflow.search_runs()\n"}), "EXP006", NA
    )  # no training
    assert (
        "needs EXP001 first" in assert_status(make_repo({"train.py": UNTRACKED_FIT}), "EXP006", FAIL).message
    )


def test_exp004_models_uri_in_a_docker_volume_is_no_registry(make_repo) -> None:
    files = {
        "train.py": TRACKED_FIT,
        "docker-compose.yaml": "services:\n  airflow:\n    volumes:\n      - ./airflow/models:/opt/airflow/models\n",
    }
    assert_status(make_repo(files), "EXP004", FAIL)
    files["conf/serve.yaml"] = 'model_uri: "models:/churn@champion"\n'
    assert_status(make_repo(files), "EXP004", PASS)


def test_exp001_tensorboard_through_tf_summary_aliases(make_repo) -> None:
    tf2 = (
        "import tensorflow.compat.v2 as tf2\n"
        "writer = tf2.summary.create_file_writer(model_dir)\n"
        "with writer.as_default():\n    tf2.summary.scalar('loss', loss, step=step)\n"
    )
    assert_status(make_repo({"model.py": tf2}), "EXP001", PASS)
    v1 = "import tensorflow as tf\ntf.summary.scalar('accuracy', acc)\n"
    assert_status(make_repo({"model.py": v1}), "EXP001", PASS)
    writer = (
        "from torch.utils.tensorboard import SummaryWriter as SW\nw = SW('runs')\nw.add_scalar('l', 1.0)\n"
    )
    assert_status(make_repo({"train.py": writer}), "EXP001", PASS)
    assert_status(
        make_repo({"model.py": "import tensorflow as tf\nmodel.summary()\nmodel.fit(x, y)\n"}), "EXP001", FAIL
    )


def test_exp002_framework_callbacks_autologging_and_dvc_params(make_repo) -> None:
    """Metrics logged by a framework callback or logger (DVCLive's Keras callback), Comet's auto-logging, and
    the params a DVC stage declares (``dvc exp`` records them) count as logging."""
    keras = (
        "from dvclive.keras import DVCLiveCallback\nimport tensorflow as tf\n"
        "model.fit(x, y, callbacks=[DVCLiveCallback()])\n"
    )
    dvc = "stages:\n  train:\n    cmd: python train.py\n    params: [train]\n    metrics: [dvclive/metrics.json]\n"
    result = assert_status(
        make_repo({"train.py": keras, "dvc.yaml": dvc, "params.yaml": "train: {}\n"}), "EXP002", PASS
    )
    assert {e.path for e in result.evidence} == {"train.py", "dvc.yaml"}
    assert_status(make_repo({"train.py": keras}), "EXP002", FAIL)  # metrics only: no parameters
    comet = (
        "import comet_ml\nexperiment = comet_ml.Experiment(project_name='churn')\n"
        "experiment.log_parameters(hypers)\nimport tensorflow as tf\nmodel.fit(x, y)\n"
    )
    assert_status(make_repo({"train.py": comet}), "EXP002", PASS)


@pytest.mark.parametrize("check_id", ["EXP001", "EXP002", "EXP004", "EXP005", "EXP006"])
def test_exp_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.FAIL)


AZUREML_TRAIN = (
    "from azureml.core.run import Run\nfrom sklearn.linear_model import Ridge\n\nrun = Run.get_context()\n"
    "model = Ridge().fit(X, y)\nrun.log('mse', 0.1)\n"
)
AZUREML_REGISTER = (
    "from azureml.core import Run\nfrom azureml.core.model import Model\n\nrun = Run.get_context()\n"
    "Model.register(workspace=ws, model_path='outputs/model.pkl', model_name='diabetes')\n"
)
VERTEX = (
    "from google.cloud import aiplatform as vertex_ai\n\nvertex_ai.init(project=p, experiment='churn')\n"
    "vertex_ai.start_run('run-1')\nvertex_ai.log_params(args)\nmodel.fit(X, y)\nvertex_ai.log_metrics({'auc': auc})\n"
)


def test_exp001_managed_platform_tracking(make_repo) -> None:
    """Azure ML runs (Run.get_context + run.log) and Vertex AI Experiments are experiment tracking; importing
    the SDK to submit pipelines is not."""
    assert "azureml" in assert_status(make_repo({"train.py": AZUREML_TRAIN}), "EXP001", PASS).message
    assert "vertex" in assert_status(make_repo({"train.py": VERTEX}), "EXP001", PASS).message
    submit = "from azureml.core import Workspace\nfrom sklearn.svm import SVC\nws = Workspace.get('x')\nSVC().fit(X, y)\n"
    assert_status(make_repo({"train.py": submit}), "EXP001", FAIL)
    init_only = "from google.cloud import aiplatform\naiplatform.init(project=p)\nfrom sklearn.svm import SVC\nSVC().fit(X, y)\n"
    assert_status(make_repo({"train.py": init_only}), "EXP001", FAIL)


def test_exp004_managed_platform_registry(make_repo) -> None:
    """Azure ML Model.register and Vertex AI Model.upload publish to the platforms' model registries, with or
    without their run tracking in the same file."""
    files = {"train.py": AZUREML_TRAIN, "register.py": AZUREML_REGISTER}
    assert_status(make_repo(files), "EXP004", PASS)
    upload = "from google.cloud import aiplatform as vertex_ai\nvertex_ai.Model.upload(display_name='m', artifact_uri=u)\n"
    assert_status(make_repo({"train.py": VERTEX, "components.py": upload}), "EXP004", PASS)
    assert_status(make_repo({"train.py": VERTEX}), "EXP004", FAIL)
    # Azure ML records the git commit of the runs it tracks (its git integration), like MLflow
    assert_status(make_repo(files), "EXP005", PASS)
    assert_status(make_repo({"train.py": VERTEX}), "EXP005", FAIL)


def test_exp001_jax_training_without_a_tracker(make_repo) -> None:
    """A JAX / optax training loop that writes metrics to JSON lines is training with no tracker."""
    train = (
        "import json\nimport optax\n\ndef update(params, updates):\n    return optax.apply_updates(params, updates)\n"
        "print(json.dumps({'loss': 1.0}))\n"
    )
    assert_status(make_repo({"big_vision/train.py": train}), "EXP001", FAIL)
    tracked = "import wandb\n" + train + "wandb.log({'loss': 1.0})\n"
    assert_status(make_repo({"big_vision/train.py": tracked}), "EXP001", PASS)


def test_exp001_a_templates_scaffold_has_runs_to_track(make_repo) -> None:
    """A project template whose scaffold has a training step generates projects with runs to track."""
    base = {"copier.yml": "project_name: {type: str}\n"}
    step = "def main():\n    print('Training some model...')\n"
    assert_status(make_repo({**base, "{{ project_name }}/train.py": step}), "EXP001", FAIL)
    tracked = "import mlflow\n\n\ndef main():\n    mlflow.log_param('a', 1)\n"
    assert_status(make_repo({**base, "{{ project_name }}/train.py": tracked}), "EXP001", PASS)
    assert_status(make_repo({**base, "{{ project_name }}/util.py": step}), "EXP001", NA)


METAFLOW = (
    "import comet_ml\nfrom metaflow import FlowSpec, step\nfrom sklearn.svm import SVC\n\n\nclass Train(FlowSpec):\n"
    "    @step\n    def train(self):\n        exp = comet_ml.Experiment()\n        exp.log_parameters({'c': 1})\n"
    "        clf = SVC().fit(self.X, self.y)\n        self.model = clf\n        self.next(self.end)\n"
)


def test_exp006_a_metaflow_artifact_is_a_logged_model(make_repo) -> None:
    """Metaflow stores every ``self.<attr>`` of a step as an artifact of the run: ``self.model = clf`` logs the
    model with its run (and versions it, VER006); keeping it in a local variable does not."""
    assert_status(make_repo({"src/flow.py": METAFLOW}), "EXP006", PASS)
    assert_status(make_repo({"src/flow.py": METAFLOW}), "VER006", PASS)
    local = METAFLOW.replace("self.model = clf", "model = clf")
    assert_status(make_repo({"src/flow.py": local}), "EXP006", FAIL)
    assert_status(make_repo({"src/flow.py": local}), "VER006", FAIL)


def test_exp002_a_tracker_handed_in_as_a_resource(make_repo) -> None:
    """A Dagster asset logs through the MLflow resource it is handed (a parameter named ``mlflow``): its
    log_params / log_metric calls are tracked logging; the resource module sets the tracker up."""
    resources = "from dagster_mlflow import mlflow_tracking\nimport mlflow\n\nresources = {'mlflow': mlflow_tracking}\n"
    asset = (
        "from dagster import asset\n\n\n@asset(required_resource_keys={'mlflow'})\ndef train(context, mlflow):\n"
        "    mlflow.log_params({'lr': 0.1})\n    mlflow.log_metric('val_loss', 0.2)\n"
    )
    assert_status(make_repo({"src/resources.py": resources, "src/assets.py": asset}), "EXP002", PASS)
    silent = asset.replace(
        "    mlflow.log_params({'lr': 0.1})\n    mlflow.log_metric('val_loss', 0.2)\n", "    return 1\n"
    )
    assert_status(make_repo({"src/resources.py": resources, "src/assets.py": silent}), "EXP002", FAIL)


AZUREML_RUN = "from azureml.core import Run\nrun = Run.get_context()\n"


def test_exp002_parameters_through_a_generic_log_or_a_parameters_file(make_repo) -> None:
    """AzureML's one ``run.log`` takes parameters and metrics alike: logging the parameters with it counts;
    so does code that tracks a run and writes its parameters to a file beside the metrics."""
    params = AZUREML_RUN + "for k, v in train_args.items():\n    run.log(k, v)\nrun.log('mse', mse)\n"
    assert_status(make_repo({"train.py": params}), "EXP002", PASS)
    metrics_only = AZUREML_RUN + "for k, v in metrics.items():\n    run.log(k, v)\nrun.log('mse', mse)\n"
    assert assert_status(make_repo({"train.py": metrics_only}), "EXP002", FAIL).credit == 0.5
    summary = (
        "import json\nimport os\nimport tensorflow as tf\n\ntf.summary.scalar('loss', loss, step=1)\n"
        "with open(os.path.join(model_dir, 'flags.json'), 'w') as f:\n    json.dump(flags, f)\n"
    )
    assert_status(make_repo({"run.py": summary}), "EXP002", PASS)
    results = summary.replace("flags.json", "result.json")
    assert_status(make_repo({"run.py": results}), "EXP002", FAIL)


def test_exp006_a_platform_keeps_the_model_with_its_run(make_repo) -> None:
    """A TFX Trainer's model is an artifact of the pipeline run; an AzureML run uploads ./outputs."""
    train = "from sklearn.linear_model import Ridge\nimport joblib\nimport os\nmodel = Ridge().fit(X, y)\nrun.log('mse', 1)\n"
    outputs = AZUREML_RUN + train + "joblib.dump(model, os.path.join('outputs', 'model.pkl'))\n"
    assert_status(make_repo({"train.py": outputs}), "EXP006", PASS)
    local = AZUREML_RUN + train + "joblib.dump(model, os.path.join('models', 'model.pkl'))\n"
    assert_status(make_repo({"train.py": local}), "EXP006", FAIL)
    tfx = (
        "from tfx.v1.components import Trainer\nimport tensorflow as tf\n\n"
        "trainer = Trainer(module_file='model.py', examples=examples)\n"
    )
    files = {
        "pipeline.py": tfx,
        "model.py": "import tensorflow as tf\ntf.summary.scalar('loss', 1)\nmodel.fit(x)\n",
    }
    assert_status(make_repo(files), "EXP006", PASS)


DAGSTER_RUNS = (
    "from dagster import asset\nimport mlflow\nimport random\n\n@asset\ndef train_model():\n"
    "    mlflow.log_params({'a': 1})\n    mlflow.log_metric('val_loss', random.random())\n"
)
DAGSTER_FIT = DAGSTER_RUNS.replace(
    "import random\n", "import random\nfrom sklearn.linear_model import Ridge\n"
).replace("    mlflow.log_params", "    Ridge().fit(X, y)\n    mlflow.log_params")


def test_exp004_tst004_not_applicable_without_a_model(make_repo) -> None:
    """A pipeline whose step only logs a run (a random metric) trains no model: nothing to register or gate."""
    assert_status(make_repo({"src/assets.py": DAGSTER_RUNS}), "EXP004", NA)
    assert_status(make_repo({"src/assets.py": DAGSTER_RUNS}), "TST004", NA)
    assert_status(make_repo({"src/assets.py": DAGSTER_FIT}), "EXP004", FAIL)
    assert_status(make_repo({"src/assets.py": DAGSTER_FIT}), "TST004", FAIL)


RUN_TABLES = """from sqlalchemy.orm import Mapped, mapped_column


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(primary_key=True)
    config: Mapped[dict] = mapped_column(JSON)
    output_dir: Mapped[str] = mapped_column()


class Metric(Base):
    __tablename__ = "metrics"
    run_id: Mapped[str] = mapped_column()
    metric_value: Mapped[float] = mapped_column()
"""
AUTOML = "from sklearn.ensemble import RandomForestClassifier\n\ndef train(X, y):\n    return RandomForestClassifier().fit(X, y)\n"


def test_exp001_home_grown_run_tables(make_repo) -> None:
    """An application that records every run in its own tables (a Run table with its configuration and
    output directory, a Metric table) tracks experiments; tables of other things do not."""
    files = {"backend/models.py": RUN_TABLES, "backend/services/automl.py": AUTOML}
    assert "run tables" in assert_status(make_repo(files), "EXP001", PASS).message
    assert_status(make_repo(files), "EXP002", PASS)
    assert_status(make_repo(files), "EXP006", PASS)
    assert_status(make_repo(files), "EXP005", FAIL)
    users = RUN_TABLES.replace("class Run(", "class User(").replace("class Metric(", "class Invoice(")
    assert_status(make_repo({**files, "backend/models.py": users}), "EXP001", FAIL)
    no_metrics = RUN_TABLES.replace("class Metric(", "class Setting(")
    assert_status(make_repo({**files, "backend/models.py": no_metrics}), "EXP001", FAIL)


NB_MLFLOW = (
    '{"cells": [{"cell_type": "code", "source": ["import mlflow\\n", "from sklearn.linear_model import Ridge\\n", '
    '"with mlflow.start_run():\\n", "    mlflow.log_param(\'a\', 1)\\n", "    Ridge().fit(X, y)\\n"]}], "metadata": {}}'
)


def test_exp005_mlflow_used_only_from_notebooks_records_no_commit(make_repo) -> None:
    """MLflow takes the git commit from the main script's checkout: runs started only from notebooks record
    none. The same tracking from a script records it."""
    result = assert_status(make_repo({"train.ipynb": NB_MLFLOW}), "EXP005", FAIL)
    assert "notebooks" in result.message
    assert_status(make_repo({"train.ipynb": NB_MLFLOW, "train.py": FULL}), "EXP005", PASS)

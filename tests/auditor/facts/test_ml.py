"""ML usage facts: trackers, what is logged, validation, drift, seeds and training files."""

from __future__ import annotations

import json

from mlops_audit.facts import ml, tracking, validation
from mlops_audit.facts import seeds as seedfacts
from mlops_audit.repo import Repo


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "source": source, "execution_count": None, "outputs": [], "metadata": {}}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


def test_trackers_in_code_notebooks_and_configs(make_repo) -> None:
    root = make_repo(
        {
            "train.py": "import mlflow\nmlflow.log_param('a', 1)\n",
            "nb.ipynb": notebook("import wandb\nwandb.init(project='x')"),
            "lit.py": "from lightning.pytorch.loggers import TensorBoardLogger\nTensorBoardLogger('logs')\n",
            "hf.py": "from transformers import TrainingArguments\nTrainingArguments('o', report_to=['comet_ml'])\n",
            "conf/logger.yaml": "logger:\n  _target_: lightning.pytorch.loggers.NeptuneLogger\n  project: neptune/x\n",
            "requirements.txt": "clearml\n",  # a dependency is not a use
        }
    )
    repo = Repo(root)
    found = tracking.tracker_usages(repo)
    assert set(found) == {"mlflow", "wandb", "tensorboard", "neptune", "comet"}
    assert str(found["mlflow"][0]) == "train.py:1"
    assert found["wandb"][0].path == "nb.ipynb" and found["wandb"][0].note.startswith("cell 1")
    assert str(found["neptune"][0]) == "conf/logger.yaml:2"
    assert tracking.experiment_tracking_fact(repo).value is True
    assert tracking.trackers_inventory(repo) == ["mlflow", "wandb", "tensorboard", "neptune", "comet"]


def test_no_tracker(make_repo) -> None:
    root = make_repo(
        {"train.py": "import logging\nlogging.info('mlflow is not used')\n", "requirements.txt": "mlflow\n"}
    )
    assert tracking.experiment_tracking_fact(Repo(root)).value is False


def test_logging_kinds(make_repo) -> None:
    root = make_repo(
        {
            "train.py": """
                import mlflow
                import numpy as np
                mlflow.log_params({"a": 1})
                x = np.log(3)
                mlflow.sklearn.log_model(m, "model", registered_model_name="churn")
            """,
            "serve.py": "import mlflow\nmodel = mlflow.pyfunc.load_model('models:/churn@champion')\n",
        }
    )
    logged = tracking.logging_usages(Repo(root))
    assert [str(e) for e in logged["params"]] == ["train.py:3"]
    assert "metrics" not in logged  # np.log is not a metric
    assert str(logged["models"][0]) == "train.py:5"
    assert {str(e) for e in logged["registry"]} == {"train.py:5", "serve.py:2"}


def test_autolog_counts_for_params_metrics_and_models(make_repo) -> None:
    root = make_repo({"t.py": "import mlflow\nmlflow.sklearn.autolog()\n"})
    logged = tracking.logging_usages(Repo(root))
    assert {"params", "metrics", "models"} <= set(logged)


def test_commit_linkage(make_repo) -> None:
    root = make_repo({"t.py": "import mlflow, subprocess\nmlflow.set_tag('git_commit', sha)\n"})
    assert str(tracking.commit_linkage(Repo(root))[0]) == "t.py:2"
    root = make_repo({"t.py": "import mlflow\nmlflow.log_metric('a', 1)\n"})
    assert tracking.commit_linkage(Repo(root)) == []


def test_data_validation_tools(make_repo) -> None:
    root = make_repo(
        {
            "schemas.py": """
                import pandera as pa
                from pydantic import BaseModel
                class Settings(BaseModel):
                    debug: bool
                class TransactionRecord(BaseModel):
                    amount: float
            """,
            "gx/expectations/train.json": '{"expectation_suite_name": "t", "expectations": []}',
            "tfx/schema.pbtxt": "feature {}\n",
        }
    )
    repo = Repo(root)
    found = validation.data_validation_usages(repo)
    assert set(found) == {"pandera", "pydantic", "great_expectations", "tfdv"}
    assert str(found["pydantic"][0]) == "schemas.py:5"
    assert validation.data_validation_fact(repo).value is True
    assert validation.data_validation_inventory(repo) == ["great_expectations", "pandera", "pydantic", "tfdv"]


def test_pydantic_settings_alone_are_not_data_validation(make_repo) -> None:
    root = make_repo(
        {"cfg.py": "from pydantic import BaseModel\nclass TrainConfig(BaseModel):\n    lr: float\n"}
    )
    assert validation.data_validation_fact(Repo(root)).value is False


def test_drift_tools_and_custom_tests(make_repo) -> None:
    root = make_repo(
        {
            "monitor.py": "from evidently.presets import DataDriftPreset\nreport = Report([DataDriftPreset()])\n",
            "stats.py": "from scipy.stats import ks_2samp\nstat, p = ks_2samp(ref, cur)\n",
            "psi.py": "import numpy as np\ndef population_stability_index(a, b):\n    return 0\n",
            "alibi.py": "from alibi_detect.cd import KSDrift\n",
        }
    )
    found = validation.drift_usages(Repo(root))
    assert set(found) == {"evidently", "custom", "alibi-detect"}
    assert "stats.py:2" in {str(e) for e in found["custom"]}
    assert "psi.py:2" in {str(e) for e in found["custom"]}


def test_no_drift_in_plain_statistics(make_repo) -> None:
    root = make_repo({"eda.py": "from scipy.stats import wasserstein_distance\nwasserstein_distance(a, b)\n"})
    assert validation.drift_monitoring_fact(Repo(root)).value is False


def test_seeds(make_repo) -> None:
    root = make_repo(
        {
            "a.py": "import numpy as np\nnp.random.seed(0)\n",
            "b.py": "from sklearn.model_selection import train_test_split\ntrain_test_split(X, y, random_state=42)\n",
            "c.py": "import numpy as np\nrng = np.random.default_rng(7)\n",
            "d.py": "import lightning as L\nL.seed_everything(1)\n",
            "nb.ipynb": notebook("import torch\ntorch.manual_seed(0)"),
            "unseeded.py": "import numpy as np\nrng = np.random.default_rng()\nf(random_state=None)\n",
        }
    )
    repo = Repo(root)
    seeds = seedfacts.seed_usages(repo)
    assert set(seeds) == {"a.py", "b.py", "c.py", "d.py", "nb.ipynb"}
    assert seedfacts.seeds_set_fact(repo).value is True


def test_no_seeds(make_repo) -> None:
    root = make_repo({"train.py": "import random\nrandom.shuffle(x)\n"})
    assert seedfacts.seeds_set_fact(Repo(root)).value is False


def test_a_dead_seeding_helper_sets_no_seed(make_repo) -> None:
    """A seed inside a function that nothing calls is not a seed set; once something calls it, it is."""
    util = "import numpy as np\ndef shuffle_in_parallel(seed, a):\n    np.random.seed(seed)\n"
    dead = make_repo({"src/util.py": util, "src/train.py": "from util import load\nSEED = 1\n"})
    assert seedfacts.seeds_set_fact(Repo(dead)).value is False
    live = make_repo({"src/util.py": util, "src/train.py": "from util import shuffle_in_parallel\n"})
    assert seedfacts.seeds_set_fact(Repo(live)).value is True


def test_training_units(make_repo) -> None:
    root = make_repo(
        {
            "src/pkg/train.py": "def main(cfg):\n    model.fit(cfg.X, cfg.y)\n",
            "src/pkg/training.py": "def describe():\n    return render('training')\n",  # named, trains nothing
            "src/pkg/model.py": "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n",
            "src/pkg/prep.py": "from sklearn.preprocessing import StandardScaler\nStandardScaler().fit(X)\n",
            "tests/test_train.py": "from sklearn.linear_model import Ridge\nRidge().fit(X, y)\n",
        }
    )
    assert sorted(u.path for u in ml.training_units(Repo(root))) == ["src/pkg/model.py", "src/pkg/train.py"]


def test_imported_project_files(make_repo) -> None:
    root = make_repo(
        {
            "src/pkg/train.py": "from pkg.utils import seed_all\nfrom . import data\nimport numpy\nseed_all()\ndata.load()\n",
            "src/pkg/utils.py": "",
            "src/pkg/data.py": "",
            "src/other/model.py": "",
        }
    )
    repo = Repo(root)
    unit = next(u for u in ml.code_units(repo, b"seed") if u.path == "src/pkg/train.py")
    assert ml.imported_project_files(repo, unit) == {"src/pkg/utils.py", "src/pkg/data.py"}

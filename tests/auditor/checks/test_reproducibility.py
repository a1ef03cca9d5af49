"""REP checks: pass, fail and not-applicable fixtures for each."""

from __future__ import annotations

import json

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE


def nb(*cells: tuple[str, int | None, int]) -> str:
    out = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
    raw = [
        {"cell_type": "code", "source": s, "execution_count": n, "outputs": out * k, "metadata": {}}
        for s, n, k in cells
    ]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": raw})


def test_rep001_deps_declared(make_repo) -> None:
    result = assert_status(
        make_repo({"main.py": "import numpy\n", "requirements.txt": "numpy\n"}), "REP001", PASS
    )
    assert str(result.evidence[0]) == "requirements.txt:1"
    assert_status(make_repo({"main.py": "import numpy\n"}), "REP001", FAIL)
    assert_status(make_repo({"README.md": "hello\n"}), "REP001", NA)


def test_rep002_locked(make_repo) -> None:
    assert_status(
        make_repo({"main.py": "", "pyproject.toml": "[project]\nname='x'\n", "uv.lock": ""}), "REP002", PASS
    )
    assert_status(make_repo({"main.py": "", "requirements.txt": "numpy==1.26.4\n"}), "REP002", PASS)
    result = assert_status(
        make_repo({"main.py": "", "requirements.txt": "numpy>=1\n", "dvc.lock": "stages: {}\n"}),
        "REP002",
        FAIL,
    )
    assert str(result.evidence[0]) == "requirements.txt:1"
    frozen = assert_status(
        make_repo({"main.py": "", "requirements.txt": "numpy==1.26.4\nfoo @ file:///tmp/foo\n"}),
        "REP002",
        FAIL,
    )
    assert frozen.credit > 0 and "file:" in frozen.message
    assert_status(make_repo({"main.py": ""}), "REP002", NA)


def test_rep002_one_pinned_environment_among_unpinned_ones(make_repo) -> None:
    """A pinned requirements file does not lock the project when its other runtime environments are ranges."""
    files = {
        "week_0/train.py": "",
        "week_0/requirements.txt": "numpy==1.26.4\n",
        "week_9/requirements.txt": "numpy==1.26.4\nwandb\n",
    }
    result = assert_status(make_repo(files), "REP002", FAIL)
    assert result.credit == 0.5 and "week_9/requirements.txt" in result.message
    conda = "name: x\ndependencies:\n  - python=3.11\n  - pip\n  - pandas>=1.3\n"
    result = assert_status(make_repo({**files, "week_9/requirements.txt": "numpy==1.26.4\n", "env/conda.yml": conda}),
                           "REP002", FAIL)  # fmt: skip
    assert "env/conda.yml" in result.message
    # tooling environments (dev, test, docs) and an exactly pinned conda environment do not count
    tooling = {**files, "week_9/requirements.txt": "numpy==1.26.4\n", "requirements-dev.txt": "ruff\n",
               "docs/requirements.txt": "mkdocs\n", "env/conda.yml": conda.replace(">=", "=")}  # fmt: skip
    assert_status(make_repo(tooling), "REP002", PASS)


def test_rep003_imports_declared(make_repo) -> None:
    files = {
        "src/pkg/__init__.py": "",
        "src/pkg/train.py": "import os\nimport sklearn.ensemble\nimport yaml\nfrom pkg import utils\nfrom . import x\n",
        "pyproject.toml": '[project]\nname = "pkg"\ndependencies = ["scikit-learn", "PyYAML"]\n',
    }
    assert_status(make_repo(files), "REP003", PASS)
    files["src/pkg/plot.py"] = "import seaborn as sns\n"
    result = assert_status(make_repo(files), "REP003", FAIL)
    assert "seaborn" in result.message and str(result.evidence[0]) == "src/pkg/plot.py:1"
    assert 0 < result.credit < 1
    blocked = assert_status(make_repo({"main.py": "import numpy\n"}), "REP003", FAIL)
    assert blocked.message.startswith("needs REP001 first")  # nothing declared scores no better than a gap


def test_rep003_egg_fragment_names_the_requirement(make_repo) -> None:
    files = {
        "train.py": "import panopticapi\nimport pycocotools\n",
        "requirements.txt": "git+https://github.com/cocodataset/panopticapi.git#egg=panopticapi\n"
        "git+https://github.com/x/cocoapi.git@v2#subdirectory=PythonAPI&egg=pycocotools\n",
    }
    assert_status(make_repo(files), "REP003", PASS)
    files["requirements.txt"] = "git+https://github.com/cocodataset/panopticapi.git\n"
    assert "panopticapi" in assert_status(make_repo(files), "REP003", FAIL).message


def test_rep003_import_names_of_renamed_distributions(make_repo) -> None:
    files = {
        "train.py": "from absl import flags\nimport imblearn\nimport hypertune\n",
        "requirements.txt": "absl-py\nimbalanced-learn\ncloudml-hypertune\n",
    }
    assert_status(make_repo(files), "REP003", PASS)
    files["requirements.txt"] = "imbalanced-learn\ncloudml-hypertune\n"
    assert "absl" in assert_status(make_repo(files), "REP003", FAIL).message


def test_rep003_python2_stdlib_is_not_third_party(make_repo) -> None:
    files = {
        "serve.py": "import SocketServer\nimport ConfigParser, Queue\nimport urllib2\nimport cPickle\n"
        "from StringIO import StringIO\nimport numpy\n",
        "requirements.txt": "numpy\n",
    }
    assert_status(make_repo(files), "REP003", PASS)


def test_rep003_optional_import_needs_no_declaration(make_repo) -> None:
    files = {
        "db.py": "import numpy\ntry:\n    import pymysql\nexcept ImportError:\n    pymysql = None\n"
        "try:\n    from sentence_transformers import SentenceTransformer\n"
        "except (ModuleNotFoundError, OSError):\n    SentenceTransformer = None\n",
        "requirements.txt": "numpy\n",
    }
    assert_status(make_repo(files), "REP003", PASS)
    files["other.py"] = "import pymysql\n"  # a hard import elsewhere is required
    result = assert_status(make_repo(files), "REP003", FAIL)
    assert str(result.evidence[0]) == "other.py:1"
    files["other.py"] = "try:\n    import pymysql\nexcept KeyError:\n    pass\n"
    assert_status(make_repo(files), "REP003", FAIL)


def test_rep003_setup_py_constant_list_is_resolved(make_repo) -> None:
    setup = (
        "from setuptools import setup\nREQUIRED_PACKAGES = ['numpy>=1.20', 'tensorflow']\n"
        "setup(name='x', install_requires=REQUIRED_PACKAGES)\n"
    )
    files = {"setup.py": setup, "train.py": "import numpy\nimport tensorflow\n"}
    assert_status(make_repo(files), "REP003", PASS)
    files["train.py"] += "import pandas\n"
    assert "pandas" in assert_status(make_repo(files), "REP003", FAIL).message


def test_rep003_conda_environment_recognised_by_content(make_repo) -> None:
    files = {
        "train.py": "import numpy\nimport sklearn\n",
        "ci/train-env.yaml": "name: train\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n"
        "  - numpy\n  - pip:\n    - scikit-learn\n",
    }
    assert_status(make_repo(files), "REP003", PASS)
    assert_status(make_repo(files), "REP001", PASS)
    # a Helm chart lists dependencies too, as mappings: not a conda environment
    files["ci/train-env.yaml"] = (
        "name: chart\nversion: 1.0.0\ndependencies:\n  - name: numpy\n    repository: https://x\n"
    )
    assert_status(make_repo(files), "REP001", FAIL)


def test_rep004_python_pinned(make_repo) -> None:
    assert_status(make_repo({"main.py": "", ".python-version": "3.12\n"}), "REP004", PASS)
    assert_status(make_repo({"main.py": "", "runtime.txt": "python-3.11.4\n"}), "REP004", PASS)
    assert_status(make_repo({"main.py": "", "requirements.txt": "numpy\n"}), "REP004", FAIL)
    assert_status(make_repo({"notes.md": "x\n"}), "REP004", NA)
    # a dev container image's <image version>-<python version> tag pins Python; an unversioned tag does not
    devcontainer = "FROM mcr.microsoft.com/devcontainers/python:0-3.10\n"
    assert_status(make_repo({"main.py": "", ".devcontainer/Dockerfile": devcontainer}), "REP004", PASS)
    latest = "FROM mcr.microsoft.com/devcontainers/python:latest\n"
    assert_status(make_repo({"main.py": "", ".devcontainer/Dockerfile": latest}), "REP004", FAIL)


def test_rep005_environment_as_code(make_repo) -> None:
    assert_status(make_repo({"main.py": "", "environment.yml": "dependencies:\n  - numpy\n"}), "REP005", PASS)
    assert_status(make_repo({"main.py": "", "docker/Dockerfile": "FROM python:3.12\n"}), "REP005", PASS)
    result = assert_status(make_repo({"main.py": "", "requirements.txt": "numpy\n"}), "REP005", FAIL)
    assert result.credit > 0
    assert_status(make_repo({"notes.md": "x\n"}), "REP005", NA)


def test_rep006_seeds_on_training_path(make_repo) -> None:
    seeded = {
        "src/pkg/utils.py": "import random\ndef seed_all(s):\n    random.seed(s)\n",
        "src/pkg/train.py": "from pkg.utils import seed_all\nimport torch\nseed_all(1)\nmodel.fit(x)\n",
        "notebooks/explore.ipynb": nb(("import torch\ntorch.manual_seed(0)\nmodel.fit(x)", None, 0)),
    }
    assert_status(make_repo(seeded), "REP006", PASS)
    via_import = {
        "src/pkg/seeding.py": "import numpy as np\nnp.random.seed(0)\n",
        "src/pkg/train.py": "from pkg import seeding\nfrom xgboost import XGBClassifier\nXGBClassifier().fit(X, y)\n",
    }
    assert_status(make_repo(via_import), "REP006", PASS)
    unseeded = {
        "train.py": "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n"
    }
    result = assert_status(make_repo(unseeded), "REP006", FAIL)
    assert str(result.evidence[0]) == "train.py:2"
    assert_status(make_repo({"app.py": "print('no training')\n"}), "REP006", NA)


def test_rep006_a_seeding_helper_nobody_calls_seeds_nothing(make_repo) -> None:
    """A seed inside an imported module's function counts only when the training file names that function."""
    util = "import numpy as np\ndef load_params():\n    return {}\ndef shuffle_in_parallel(seed, a):\n    np.random.seed(seed)\n"
    train = "from util import load_params\nimport tensorflow as tf\nSEED = 20210715\nmodel.fit(x)\n"
    failed = assert_status(make_repo({"src/util.py": util, "src/train.py": train}), "REP006", FAIL)
    assert failed.evidence[0].path == "src/train.py"
    called = (
        train.replace("load_params\n", "load_params, shuffle_in_parallel\n")
        + "shuffle_in_parallel(SEED, x)\n"
    )
    assert_status(make_repo({"src/util.py": util, "src/train.py": called}), "REP006", PASS)


def test_rep007_one_command(make_repo) -> None:
    assert_status(make_repo({"main.py": "", "dvc.yaml": "stages: {}\n"}), "REP007", PASS)
    assert_status(make_repo({"main.py": "", "Makefile": "repro:\n\tdvc repro\n"}), "REP007", PASS)
    poe = '[project]\nname = "x"\n[tool.poe.tasks]\npipeline = ["data", "train"]\ndata = "python d.py"\ntrain = "python t.py"\n'
    assert_status(make_repo({"main.py": "", "pyproject.toml": poe}), "REP007", PASS)
    fit = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
    assert_status(make_repo({"train.py": fit, "Makefile": "lint:\n\truff check .\n"}), "REP007", FAIL)
    no_training = assert_status(
        make_repo({"main.py": "", "Makefile": "lint:\n\truff check .\n"}), "REP007", NA
    )
    assert "no results to reproduce" in no_training.message
    assert_status(make_repo({"notes.md": ""}), "REP007", NA)


def test_rep008_absolute_paths(make_repo) -> None:
    result = assert_status(
        # mlops-audit: ignore[REP008] the fixture of this check's own test
        make_repo({"load.py": "import pandas as pd\ndf = pd.read_csv('/home/alice/data/train.csv')\n"}),
        "REP008",
        FAIL,
    )
    assert str(result.evidence[0]) == "load.py:2"
    assert_status(make_repo({"c.yaml": "data: C:\\Users\\bob\\data.csv\n"}), "REP008", FAIL)
    assert_status(
        make_repo({"nb.ipynb": nb(("df = load('/content/drive/MyDrive/x.csv')", None, 0))}), "REP008", FAIL
    )
    assert_status(
        make_repo({"load.py": "# e.g. /home/alice/data\nROOT = Path(__file__).parent\npath = '/tmp/x'\n"}),
        "REP008",
        PASS,
    )
    assert_status(make_repo({"README.md": "/home/alice\n"}), "REP008", NA)


def test_rep009_notebooks_in_order(make_repo) -> None:
    assert_status(make_repo({"a.ipynb": nb(("a = 1", 1, 0), ("b = 2", 2, 1))}), "REP009", PASS)
    assert_status(make_repo({"a.ipynb": nb(("a = 1", None, 0), ("b = 2", None, 0))}), "REP009", PASS)
    result = assert_status(make_repo({"a.ipynb": nb(("a = 1", 5, 0), ("b = 2", 2, 1))}), "REP009", FAIL)
    assert result.evidence[0].path == "a.ipynb" and result.evidence[0].note.startswith("cell 2")
    assert_status(
        make_repo({"a.ipynb": nb(("a = 1", 1, 0), ("b = 2", None, 0), ("c = 3", 2, 1))}), "REP009", FAIL
    )
    assert_status(make_repo({"main.py": ""}), "REP009", NA)


def test_rep010_notebooks_stripped(make_repo) -> None:
    assert_status(make_repo({"a.ipynb": nb(("a = 1", None, 0))}), "REP010", PASS)
    result = assert_status(
        make_repo({"a.ipynb": nb(("a = 1", None, 0)), "b.ipynb": nb(("print(1)", 1, 1))}), "REP010", FAIL
    )
    assert [e.path for e in result.evidence] == ["b.ipynb"] and result.credit == 0.5
    assert_status(make_repo({"main.py": ""}), "REP010", NA)


def test_rep008_notebook_outputs_are_data_not_code(make_repo) -> None:
    out = [{"output_type": "stream", "name": "stderr", "text": "warning: /home/jhoward/git/fastai/x.py:3\n"}]
    cell = {
        "cell_type": "code",
        "source": "learn.fit(1)\n",
        "execution_count": 1,
        "outputs": out,
        "metadata": {},
    }
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    assert_status(make_repo({"nb.ipynb": json.dumps(doc)}), "REP008", PASS)
    cell["source"] = "df = pd.read_csv('/Users/bob/data.csv')\n"
    result = assert_status(make_repo({"nb.ipynb": json.dumps(doc)}), "REP008", FAIL)
    assert result.evidence[0].path == "nb.ipynb" and "cell 1" in result.evidence[0].note


def test_rep006_deterministic_estimator_needs_no_seed(make_repo) -> None:
    linear = (
        "import pandas as pd\nfrom sklearn import linear_model\ndf = pd.read_csv('prices.csv')\n"
        "model = linear_model.LinearRegression()\nmodel.fit(df[['rooms']], df['value'])\n"
    )
    assert_status(make_repo({"model.py": linear}), "REP006", NA)
    ordered = (
        "from sklearn.model_selection import train_test_split\nfrom sklearn.neighbors import KNeighborsClassifier\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, y, shuffle=False)\nKNeighborsClassifier().fit(X_tr, y_tr)\n"
    )
    assert_status(make_repo({"train.py": ordered}), "REP006", NA)
    stub = "def train_model():\n    print('training')\n\nif __name__ == '__main__':\n    train_model()\n"
    assert_status(make_repo({"src/train.py": stub}), "REP006", NA)
    shuffled = ordered.replace("shuffle=False", "test_size=0.2")
    assert_status(make_repo({"train.py": shuffled}), "REP006", FAIL)
    saga = linear.replace("LinearRegression()", "LogisticRegression(solver='saga')")
    assert_status(make_repo({"model.py": saga}), "REP006", FAIL)
    forest = "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n"
    assert_status(make_repo({"model.py": forest}), "REP006", FAIL)


def test_rep006_seed_in_params_dict_counts(make_repo) -> None:
    code = (
        "import xgboost as xgb\nparams = {'max_depth': 3, 'seed': 42}\n"
        "model = xgb.XGBClassifier(**params)\nmodel.fit(X, y)\n"
    )
    assert_status(make_repo({"train.py": code}), "REP006", PASS)
    code = (
        "from sklearn.ensemble import RandomForestClassifier\nparams = {}\nparams['random_state'] = cfg.seed\n"
        "RandomForestClassifier(**params).fit(X, y)\n"
    )
    assert_status(make_repo({"train.py": code}), "REP006", PASS)
    assert_status(make_repo({"train.py": code.replace("'random_state'", "'n_estimators'")}), "REP006", FAIL)


def test_rep007_a_pipeline_framework_runs_the_whole_pipeline(make_repo) -> None:
    flow = (
        "from metaflow import FlowSpec, step\n\nclass Train(FlowSpec):\n    @step\n    def start(self):\n"
        "        from sklearn.linear_model import Ridge\n        self.model = Ridge().fit(X, y)\n"
    )
    readme = "# Train\n\n    python flow.py run\n"
    result = assert_status(make_repo({"flow.py": flow, "README.md": readme}), "REP007", PASS)
    assert "metaflow" in result.message
    assert_status(make_repo({"flow.py": flow}), "REP007", FAIL)  # nothing says how to run it


@pytest.mark.parametrize("check_id", ["REP007"])
def test_rep_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.FAIL)


def test_rep006_library_code_is_the_callers_randomness(make_repo) -> None:
    """A library's package Trainer shuffles for its caller: no training path of the repository's own; its
    tutorial notebook and gallery example are training code the repository runs, and they set no seed."""
    package_only = {k: v for k, v in LIBRARY.items() if not k.startswith(("examples/", "notebooks/"))}
    assert_status(make_repo(package_only), "REP006", Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY), "REP006", Status.FAIL)


AML_PIPELINE = (
    "from azureml.pipeline.core import Pipeline\nfrom azureml.pipeline.steps import PythonScriptStep\n\n"
    "steps = [PythonScriptStep(script_name='train.py'), PythonScriptStep(script_name='evaluate.py')]\n"
    "Pipeline(workspace=ws, steps=steps).publish(name='train')\n"
)
AML_TRAIN = "from sklearn.linear_model import Ridge\nmodel = Ridge().fit(X, y)\n"


def test_rep007_ci_runs_the_platform_pipeline_definition(make_repo):
    """CI that runs an AzureML (Kubeflow, Vertex...) pipeline's definition script builds, submits and runs the
    pipeline: the workflow is the one command. Running something else does not count."""
    ci = "on: push\njobs:\n  p:\n    runs-on: x\n    steps:\n      - run: python -m ml_service.pipelines.build_train\n"
    files = {
        "ml_service/pipelines/build_train.py": AML_PIPELINE,
        "src/train.py": AML_TRAIN,
        ".github/workflows/p.yml": ci,
    }
    assert "CI runs the azureml pipeline" in assert_status(make_repo(files), "REP007", PASS).message
    other = {**files, ".github/workflows/p.yml": ci.replace("ml_service.pipelines.build_train", "pytest")}
    assert_status(make_repo(other), "REP007", FAIL)


ZENML_PIPELINE = (
    "from zenml import pipeline, step\nfrom sklearn.linear_model import Ridge\n\n@step\ndef train():\n"
    "    return Ridge().fit(X, y)\n\n@pipeline\ndef training_pipeline():\n    train()\n"
)


def test_rep007_a_framework_pipeline_needs_a_documented_command(make_repo):
    """A ZenML / Prefect / Dagster pipeline reproduces in one command when the README, a task or CI says how
    to run it: the script that runs it, or the framework's command. Undocumented, it fails."""
    files = {
        "pipelines/training_pipeline.py": ZENML_PIPELINE,
        "run.py": "from pipelines.training_pipeline import training_pipeline\n\ntraining_pipeline()\n",
        "README.md": "# Churn\n\nTrain the model:\n\n    python run.py\n",
    }
    result = assert_status(make_repo(files), "REP007", PASS)
    assert "README.md:5" in [str(e) for e in result.evidence]
    undocumented = {**files, "README.md": "# Churn\n\nA ZenML project.\n"}
    assert "documented" in assert_status(make_repo(undocumented), "REP007", FAIL).message

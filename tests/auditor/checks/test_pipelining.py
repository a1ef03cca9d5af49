"""PIP checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

TRAIN = "from sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier()\nm.fit(X, y)\n"
NOTEBOOK = '{"cells": [{"cell_type": "code", "source": ["model.fit(X, y)"]}], "metadata": {}}'
DVC = """stages:
  prepare:
    cmd: python src/data.py
    deps: [data/raw]
    outs: [data/processed]
  train:
    cmd: python src/train.py
    deps: [data/processed]
    outs: [models/model.pkl]
"""


def test_pip001_pipeline_defined(make_repo):
    ok = assert_status(make_repo({"dvc.yaml": DVC, "src/train.py": TRAIN}), "PIP001", Status.PASS)
    assert str(ok.evidence[0]) == "dvc.yaml:2"
    fail = assert_status(make_repo({"train.py": TRAIN}), "PIP001", Status.FAIL)
    assert str(fail.evidence[0]) == "train.py:3"
    hf = "from transformers import pipeline\nclf = pipeline('sentiment-analysis')\n"
    assert_status(make_repo({"train.py": TRAIN, "infer.py": hf}), "PIP001", Status.FAIL)
    partial = assert_status(
        make_repo({"train.py": TRAIN, "Makefile": "train:\n\tpython train.py\n"}), "PIP001", Status.FAIL
    )
    assert partial.credit > 0
    assert_status(make_repo({"lib.py": "x = 1\n"}), "PIP001", Status.NOT_APPLICABLE)


def test_pip002_modular_steps(make_repo):
    modular = {
        "src/pkg/data.py": "x = 1\n",
        "src/pkg/features.py": "x = 1\n",
        "src/pkg/train.py": TRAIN,
        "src/pkg/evaluate.py": "x = 1\n",
    }
    assert_status(make_repo(modular), "PIP002", Status.PASS)
    mono = assert_status(make_repo({"main.py": TRAIN}), "PIP002", Status.FAIL)
    assert mono.credit == 0
    zen = (
        "import pandas as pd\nfrom zenml import pipeline, step\n@step\ndef load_data():\n    return pd.read_csv('d.csv')\n"
        "@step\ndef train_model():\n    pass\n"
        "@step\ndef evaluate_model():\n    pass\n@pipeline\ndef p():\n    pass\n"
    )
    assert_status(make_repo({"run.py": zen}), "PIP002", Status.PASS)
    assert_status(make_repo({"lib.py": "x = 1\n"}), "PIP002", Status.NOT_APPLICABLE)


def test_pip003_training_outside_notebooks(make_repo):
    assert_status(make_repo({"nb/a.ipynb": NOTEBOOK, "src/train.py": TRAIN}), "PIP003", Status.PASS)
    fail = assert_status(make_repo({"nb/a.ipynb": NOTEBOOK}), "PIP003", Status.FAIL)
    assert str(fail.evidence[0]) == "nb/a.ipynb"
    assert_status(make_repo({"src/train.py": TRAIN}), "PIP003", Status.NOT_APPLICABLE)


API = "from fastapi import FastAPI\n{imports}\napp = FastAPI()\n"


def test_pip004_shared_preprocessing(make_repo):
    shared = {
        "src/pkg/__init__.py": "",
        "src/pkg/features.py": "def build_features(df):\n    return df\n",
        "src/pkg/train.py": "from pkg.features import build_features\n" + TRAIN,
        "src/pkg/api.py": API.format(imports="from pkg.features import build_features"),
    }
    ok = assert_status(make_repo(shared), "PIP004", Status.PASS)
    assert str(ok.evidence[0]) == "src/pkg/api.py:2"
    pipeline = {
        "train.py": "from sklearn.pipeline import make_pipeline\nm = make_pipeline(a, b)\nm.fit(X, y)\n",
        "api.py": API.format(imports="import joblib\nmodel = joblib.load(path)"),
    }
    assert_status(make_repo(pipeline), "PIP004", Status.PASS)
    skew = {
        "train.py": TRAIN,
        "api.py": API.format(imports="def preprocess(x):\n    return x"),
    }
    assert_status(make_repo(skew), "PIP004", Status.FAIL)
    assert_status(make_repo({"train.py": TRAIN}), "PIP004", Status.NOT_APPLICABLE)
    assert_status(make_repo({"api.py": API.format(imports="")}), "PIP004", Status.NOT_APPLICABLE)


def test_pip004_no_preprocessing_on_either_side(make_repo):
    """Raw features go to the model in training and in serving: no preprocessing to share. Preprocessing on
    either side (a scaler in training, a feature step training does not import, a transform in the service)
    keeps the check applicable."""
    raw_api = API.format(imports="import joblib\nmodel = joblib.load('model.pkl')")
    result = assert_status(make_repo({"train.py": TRAIN, "api.py": raw_api}), "PIP004", Status.NOT_APPLICABLE)
    assert "neither training nor serving preprocesses" in result.message
    scaled = (
        "from sklearn.preprocessing import StandardScaler\nX = StandardScaler().fit_transform(X)\n" + TRAIN
    )
    assert_status(make_repo({"train.py": scaled, "api.py": raw_api}), "PIP004", Status.FAIL)
    step = {
        "train.py": TRAIN,
        "api.py": raw_api,
        "src/preprocess_data.py": "def resize(img):\n    return img\n",
    }
    assert_status(make_repo(step), "PIP004", Status.FAIL)


def test_pip005_stage_io(make_repo):
    assert_status(make_repo({"dvc.yaml": DVC}), "PIP005", Status.PASS)
    bad = assert_status(
        make_repo({"dvc.yaml": DVC + "  evaluate:\n    cmd: python ev.py\n"}), "PIP005", Status.FAIL
    )
    assert str(bad.evidence[0]) == "dvc.yaml:10" and 0 < bad.credit < 1
    assert_status(make_repo({"a.py": ""}), "PIP005", Status.NOT_APPLICABLE)


@pytest.mark.parametrize("check_id", ["PIP001", "PIP002", "PIP003"])
def test_pip_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    # PIP003: the script of its own trains outside the notebooks
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.PASS if check_id == "PIP003" else Status.FAIL)


def test_pip002_the_module_that_trains_is_the_train_step(make_repo):
    """Beside data and evaluation modules, run.py that trains (a TF Estimator here) is the train step; alone,
    a training module is no modular pipeline."""
    estimator = "import tensorflow as tf\n\nestimator = tf.estimator.Estimator(model_fn)\nestimator.train(input_fn, max_steps=10)\n"
    files = {
        "data.py": "def input_fn():\n    return 1\n",
        "metrics.py": "def auc():\n    return 1\n",
        "run.py": estimator,
    }
    result = assert_status(make_repo(files), "PIP002", Status.PASS)
    assert "train" in result.message
    assert_status(make_repo({"run.py": estimator, "data.py": "x = 1\n"}), "PIP002", Status.FAIL)


def test_pip004_serving_reaches_the_training_preprocessing_through_its_helper(make_repo):
    """The service imports its inference helper, which tokenizes with the training data module; with the same
    lesson copied in several folders, a script's import resolves to the file beside it."""
    data = "class DataModule:\n    def tokenize_data(self, x):\n        return x\n"
    helper = "from data import DataModule\n\nclass Predictor:\n    def predict(self, t):\n        return DataModule().tokenize_data(t)\n"
    files = {}
    for week in ("week_1", "week_2"):
        files |= {
            f"{week}/data.py": data,
            f"{week}/train.py": "from data import DataModule\n" + TRAIN,
            f"{week}/inference.py": helper,
            f"{week}/app.py": API.format(imports="from inference import Predictor"),
        }
    result = assert_status(make_repo(files), "PIP004", Status.PASS)
    assert str(result.evidence[0]).startswith("week_1/app.py")
    skew = {**files}
    for week in ("week_1", "week_2"):
        skew[f"{week}/inference.py"] = (
            "class Predictor:\n    def predict(self, t):\n        return t.lower().split()\n"
        )
    assert_status(make_repo(skew), "PIP004", Status.FAIL)


def test_pip004_saved_model_with_its_tf_transform_layer(make_repo):
    exporter = (
        "import tensorflow as tf\nimport tensorflow_transform as tft\n\n"
        "def export(model, tft_output):\n    model.tft_layer = tft_output.transform_features_layer()\n"
    )
    train = (
        "import tensorflow as tf\nfrom exporter import export\n\nmodel.fit(x)\nexport(model, tft_output)\n"
    )
    files = {
        "exporter.py": exporter,
        "train.py": train,
        "api.py": API.format(imports="def preprocess(x):\n    return x"),
    }
    assert_status(make_repo(files), "PIP004", Status.PASS)
    files["exporter.py"] = exporter.replace("tft_output.transform_features_layer()", "None")
    assert_status(make_repo(files), "PIP004", Status.FAIL)


def test_pip002_an_evaluation_script_named_for_its_metric(make_repo):
    """``scripts/image_nll.py`` evaluates the trained model (its negative log-likelihood): an evaluation step."""
    files = {
        "pkg/image_datasets.py": "import numpy as np\n\ndef load_data(path):\n    return np.load(path)\n",
        "scripts/image_train.py": "import torch\n\nloss.backward()\n",
        "scripts/image_nll.py": "import torch\n\ndef run_bpd_evaluation(model, data):\n    return model(data)\n",
    }
    assert "evaluate" in assert_status(make_repo(files), "PIP002", Status.PASS).message
    files["scripts/image_sample.py"] = files.pop("scripts/image_nll.py")
    assert_status(make_repo(files), "PIP002", Status.FAIL)


HOLLOW_KFP = (
    "from kfp import dsl\n\n@dsl.component\ndef train():\n    print('Training model')\n\n"
    "@dsl.pipeline(name='p')\ndef pipe():\n    train()\n"
)


def test_pip001_a_hollow_pipeline_is_no_ml_workflow(make_repo):
    """A declared pipeline whose steps, and the project's code, import no modelling or data library and train
    nothing is no ML workflow; the same pipeline over real training code is."""
    result = assert_status(make_repo({"pipeline/pipeline.py": HOLLOW_KFP}), "PIP001", Status.FAIL)
    assert "train nothing" in result.message
    real = {"pipeline/pipeline.py": HOLLOW_KFP, "src/train.py": TRAIN}
    assert_status(make_repo(real), "PIP001", Status.PASS)
    # its steps do no ML work either, however they are named
    hollow_steps = {"pipeline/pipeline.py": HOLLOW_KFP, "src/train.py": "print('Training model')\n",
                    "src/preprocess.py": "print('Preprocessing')\n", "src/evaluate.py": "print('Evaluating')\n"}  # fmt: skip
    assert "no step does ML work" in assert_status(make_repo(hollow_steps), "PIP002", Status.FAIL).message
    real_steps = {**hollow_steps, "src/train.py": TRAIN}
    assert_status(make_repo(real_steps), "PIP002", Status.PASS)


def _nb(*lines: str) -> str:
    import json

    return json.dumps(
        {"cells": [{"cell_type": "code", "source": [ln + "\n" for ln in lines]}], "metadata": {}}
    )


def test_pip004_model_trained_in_a_notebook(make_repo):
    """The served model is trained in a notebook: a notebook sklearn Pipeline loaded by the service carries
    its preprocessing; a service that re-implements the notebook's one-hot encoding does not share it."""
    app = API.format(
        imports="import pickle\nimport pandas as pd\nmodel = pickle.load(open('model.pkl', 'rb'))"
    )
    pipe = _nb(
        "from sklearn.pipeline import make_pipeline",
        "from sklearn.preprocessing import OneHotEncoder",
        "from sklearn.linear_model import LogisticRegression",
        "model = make_pipeline(OneHotEncoder(), LogisticRegression()).fit(X, y)",
    )
    assert_status(make_repo({"train.ipynb": pipe, "app.py": app}), "PIP004", Status.PASS)
    dummies = _nb(
        "import pandas as pd",
        "from sklearn.linear_model import LogisticRegression",
        "X = pd.get_dummies(df)",
        "model = LogisticRegression().fit(X, y)",
    )
    skew = app + "\ndef encode(row):\n    return pd.get_dummies(row)\n"
    assert_status(make_repo({"train.ipynb": dummies, "app.py": skew}), "PIP004", Status.FAIL)


def test_pip004_a_preprocessing_stage_outside_the_served_pipeline(make_repo):
    """The model pipeline holds a scaler, but a DVC ``preprocess`` stage builds the features before training
    and the service never applies it: training / serving skew. Without that stage the pipeline is whole."""
    files = {
        "src/preprocess_data.py": "import pandas as pd\n\ndf = pd.get_dummies(pd.read_csv('raw.csv'))\n",
        "src/train.py": "from sklearn.pipeline import make_pipeline\nm = make_pipeline(a, b)\nm.fit(X, y)\n",
        "api.py": API.format(imports="import joblib\nmodel = joblib.load(path)"),
        "dvc.yaml": "stages:\n  preprocess:\n    cmd: python3 ./src/preprocess_data.py raw.csv\n"
        "  train:\n    cmd: python3 ./src/train.py\n",
    }
    result = assert_status(make_repo(files), "PIP004", Status.FAIL)
    assert str(result.evidence[0]) == "dvc.yaml:2"
    whole = {**files, "dvc.yaml": "stages:\n  train:\n    cmd: python3 ./src/train.py\n"}
    assert_status(make_repo(whole), "PIP004", Status.PASS)


def test_pip002_a_report_module_is_an_evaluation_step(make_repo):
    """Benchmark scripts split into loaders (data), a training utility and ``report.py`` (the evaluation
    report): three separate steps. Without the report module only the data step is named."""
    files = {
        "examples/bench/data_loader.py": "import pandas as pd\n\ndef load(path):\n    return pd.read_csv(path)\n",
        "examples/bench/util.py": "from sklearn.linear_model import Ridge\n\ndef fit(X, y):\n    return Ridge().fit(X, y)\n",
        "examples/bench/report.py": "import pandas as pd\n\ndef summarize(results):\n    return pd.DataFrame(results).mean()\n",
    }
    assert "evaluate" in assert_status(make_repo(files), "PIP002", Status.PASS).message
    files["examples/bench/plots.py"] = files.pop("examples/bench/report.py")
    assert_status(make_repo(files), "PIP002", Status.FAIL)

"""TST checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

FEATURES = "import pandas as pd\n\ndef build(df):\n    return df.dropna()\n"
REAL_TEST = "from churn.features import build\n\ndef test_build(frame):\n    assert build(frame).notna().all().all()\n"
TRAIN = (
    "from sklearn.linear_model import LogisticRegression\n\n"
    "def main(X, y):\n    model = LogisticRegression()\n    model.fit(X, y)\n    return model\n"
)


def test_tst001_tests_exist(make_repo):
    assert_status(make_repo({"tests/test_features.py": REAL_TEST}), "TST001", Status.PASS)
    ccds = {"tests/test_data.py": "def test_code_is_tested():\n    assert False\n"}
    result = assert_status(make_repo(ccds), "TST001", Status.FAIL)
    assert "placeholder" in result.message and str(result.evidence[0]) == "tests/test_data.py:1"
    assert_status(make_repo({"src/churn/features.py": FEATURES}), "TST001", Status.FAIL)


def test_tst001_test_files_named_by_ci_or_by_the_pytest_configuration(make_repo):
    """``src/tests/model_tests.py`` is no test file by pytest's default names, but CI runs pytest on it by path
    (here a Cloud Build step), or the pytest configuration's ``python_files`` matches it."""
    build = "steps:\n- name: python:3.12\n  entrypoint: pytest\n  args: ['src/tests/model_tests.py::test_fit', -s]\n"
    files = {"src/tests/model_tests.py": REAL_TEST, "cloudbuild.yaml": build}
    assert_status(make_repo(files), "TST001", Status.PASS)
    ini = {
        "src/tests/model_tests.py": REAL_TEST,
        "pytest.ini": "[pytest]\npython_files = *_tests.py check_*.py\n",
    }
    assert_status(make_repo(ini), "TST001", Status.PASS)
    toml = '[tool.pytest.ini_options]\npython_files = ["*_tests.py"]\n'
    assert_status(
        make_repo({"src/tests/model_tests.py": REAL_TEST, "pyproject.toml": toml}), "TST001", Status.PASS
    )
    # named by neither: CI runs another command on it, or nothing runs it
    other = build.replace("entrypoint: pytest", "entrypoint: python").replace("::test_fit", "")
    assert_status(make_repo({**files, "cloudbuild.yaml": other}), "TST001", Status.FAIL)
    assert_status(make_repo({"src/tests/model_tests.py": REAL_TEST}), "TST001", Status.FAIL)


def test_tst002_pytest_configured(make_repo):
    files = {
        "tests/test_a.py": REAL_TEST,
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
    }
    assert str(assert_status(make_repo(files), "TST002", Status.PASS).evidence[0]) == "pyproject.toml:1"
    assert_status(
        make_repo({"tests/test_a.py": REAL_TEST, "pytest.ini": "[pytest]\n"}), "TST002", Status.PASS
    )
    assert_status(make_repo({"tests/test_a.py": REAL_TEST}), "TST002", Status.FAIL)
    # code without tests: configuring pytest comes first
    assert_status(make_repo({"src/a.py": "x = 1\n"}), "TST002", Status.FAIL)
    assert_status(make_repo({"README.md": "# docs only\n"}), "TST002", Status.NOT_APPLICABLE)


def test_tst003_ml_code_tested(make_repo):
    files = {"src/churn/features.py": FEATURES, "tests/test_features.py": REAL_TEST}
    result = assert_status(make_repo(files), "TST003", Status.PASS)
    assert str(result.evidence[0]) == "tests/test_features.py:1"
    other = {
        "src/churn/features.py": FEATURES,
        "src/churn/util.py": "def f():\n    return 1\n",
        "tests/test_util.py": "from churn.util import f\n\ndef test_f():\n    assert f() == 1\n",
    }
    assert assert_status(make_repo(other), "TST003", Status.FAIL).credit == 0.3
    assert_status(make_repo({"src/churn/features.py": FEATURES}), "TST003", Status.FAIL)
    assert_status(make_repo({"src/tool.py": "def f():\n    return 1\n"}), "TST003", Status.NOT_APPLICABLE)


def test_tst004_quality_gate(make_repo):
    gate = {"src/train.py": TRAIN, "tests/test_model.py": "from train import main\n\ndef test_q(data):\n"
            "    score = main(*data).score(*data)\n    assert score >= 0.8\n"}  # fmt: skip
    result = assert_status(make_repo(gate), "TST004", Status.PASS)
    assert str(result.evidence[0]) == "tests/test_model.py:5"
    assert_status(make_repo({"src/train.py": TRAIN}), "TST004", Status.FAIL)
    assert_status(make_repo({"src/tool.py": "def f():\n    return 1\n"}), "TST004", Status.NOT_APPLICABLE)


def test_tst005_coverage(make_repo):
    files = {"tests/test_a.py": REAL_TEST, ".coveragerc": "[run]\nbranch = True\n"}
    assert_status(make_repo(files), "TST005", Status.PASS)
    in_ci = {"tests/test_a.py": REAL_TEST, ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: x\n"
             "    steps:\n      - run: uv run pytest --cov=src\n"}  # fmt: skip
    assert (
        str(assert_status(make_repo(in_ci), "TST005", Status.PASS).evidence[0])
        == ".github/workflows/ci.yml:6"
    )
    assert_status(make_repo({"tests/test_a.py": REAL_TEST}), "TST005", Status.FAIL)
    assert_status(make_repo({"src/a.py": "x = 1\n"}), "TST005", Status.NOT_APPLICABLE)


def _gate_status(make_repo, code: str, path: str = "src/evaluate.py") -> Status:
    from mlops_audit.checks import decide
    from mlops_audit.repo import Repo

    return decide(Repo(make_repo({"src/train.py": TRAIN, path: code})), "TST004").status


def test_tst004_gate_compares_a_metric_not_any_number(make_repo):
    features = "def test_importance(top):\n    assert top['f1'] > top['f2']\n"
    assert _gate_status(make_repo, "import sklearn\n" + features, "tests/test_explain.py") is Status.FAIL
    accumulation = "if args.gradient_accumulation_steps > 1 and x:\n    raise ValueError('no')\n"
    assert _gate_status(make_repo, accumulation) is Status.FAIL
    tolerance = "def check(max_conf_score, eps):\n    if max_conf_score > eps:\n        raise ValueError('bad input')\n"
    assert _gate_status(make_repo, tolerance, "src/model_scores.py") is Status.FAIL
    real = "def gate(metrics):\n    if metrics['f1'] < 0.8:\n        raise SystemExit('f1 below the bar')\n"
    assert _gate_status(make_repo, real) is Status.PASS
    champion = "if new_model_mse < production_model_mse:\n    register()\nelse:\n    run.parent.cancel()\n"
    assert _gate_status(make_repo, champion) is Status.PASS
    flag = "should_promote = True\nif latest_metric >= current_metric:\n    log('ok')\nelse:\n    should_promote = False\n"
    assert _gate_status(make_repo, flag) is Status.PASS
    best = (
        "if acc > best_acc:\n    best_acc = acc\n    torch.save(model, 'ckpt.pth')\n"  # keeps the best epoch
    )
    assert _gate_status(make_repo, best) is Status.FAIL
    rule = "def failed_thresholds(metrics, thresholds):\n    return [k for k, low in thresholds.items() if metrics[k] < low]\n"
    assert _gate_status(make_repo, rule) is Status.PASS


def test_tst004_trivial_threshold_is_no_gate(make_repo):
    for trivial in ("assert accuracy > 0.0\n", "assert roc_auc >= 0.5\n", "assert 0.0 <= f1 <= 1.0\n",
                    "if accuracy < 0:\n    raise ValueError\n", "assert loss >= 0\n"):  # fmt: skip
        assert _gate_status(make_repo, trivial) is Status.FAIL, trivial
    for real in ("assert accuracy > 0.7\n", "assert roc_auc >= 0.75\n", "assert rmse < 3.5\n",
                 "assert evaluate(model, X, y) >= MIN_SCORE\n"):  # fmt: skip
        assert _gate_status(make_repo, real) is Status.PASS, real


def test_tst004_not_applicable_to_serving_code_that_trains_nothing(make_repo) -> None:
    app = "import joblib\nfrom sklearn.base import BaseEstimator\nmodel = joblib.load('model.joblib')\n"
    assert assert_status(
        make_repo({"service/models.py": app}), "TST004", Status.NOT_APPLICABLE
    ).message.startswith("no training code or pipeline")


@pytest.mark.parametrize("check_id", ["TST004"])
def test_tst_no_training_run_of_its_own(make_repo, check_id) -> None:
    """A library's package code, gallery examples and tutorial notebooks, and numbered lesson notebooks, are
    no training run of the repository's own: nothing to check; a training script of its own is."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), check_id, Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), check_id, Status.FAIL)


def test_tst004_gate_that_sets_a_decision_attribute(make_repo):
    """``if self.test_accuracy >= self.accuracy_threshold: self.registered = True`` (a Metaflow step) decides
    the model's fate like a local flag does; the same comparison that only prints decides nothing."""
    step = (
        "from sklearn.svm import SVC\n\n\nclass Training:\n    def register(self):\n        SVC().fit(self.X, self.y)\n"
        "        if self.test_accuracy >= self.accuracy_threshold:\n            self.registered = True\n"
    )
    assert_status(make_repo({"src/pipelines/training.py": step}), "TST004", Status.PASS)
    printed = step.replace("self.registered = True", "print('above the bar')")
    assert_status(make_repo({"src/pipelines/training.py": printed}), "TST004", Status.FAIL)


def test_tst003_follows_a_package_reexport(make_repo):
    """A test that imports the package whose ``__init__.py`` re-exports the ML module (``from .clip import *``,
    ``from vit_pytorch.vit import ViT``) tests that module; a package __init__ re-exporting only a helper
    does not."""
    model = "import torch\n\n\ndef load(name):\n    return torch.nn.Linear(2, 2)\n"
    test = "import clip\n\n\ndef test_load():\n    assert clip.load('ViT-B/32') is not None\n"
    relative = {
        "clip/__init__.py": "from .clip import *\n",
        "clip/clip.py": model,
        "tests/test_clip.py": test,
    }
    assert_status(make_repo(relative), "TST003", Status.PASS)
    absolute = {**relative, "clip/__init__.py": "from clip.clip import load\n"}
    assert_status(make_repo(absolute), "TST003", Status.PASS)
    helper = {
        **relative,
        "clip/__init__.py": "from .util import f\n",
        "clip/util.py": "def f():\n    return 1\n",
    }
    assert_status(make_repo(helper), "TST003", Status.FAIL)


def test_tst002_tst005_configuration_in_a_directory_above_the_tests(make_repo):
    """pytest reads its configuration from the tests' directory upwards: a subproject's pyproject.toml (a
    template's ``{{ cookiecutter.repo_name }}/``, a monorepo's package) or ``src/tests/pytest.ini``
    configures the tests below it; a configuration beside other code does not."""
    sub = "{{ cookiecutter.repo_name }}"
    toml = "[tool.pytest.ini_options]\naddopts = '--cov src -ra'\n\n[tool.coverage.report]\nfail_under = 0\n"
    files = {f"{sub}/tests/test_a.py": REAL_TEST, f"{sub}/pyproject.toml": toml}
    assert (
        str(assert_status(make_repo(files), "TST002", Status.PASS).evidence[0]) == f"{sub}/pyproject.toml:1"
    )
    assert_status(make_repo(files), "TST005", Status.PASS)
    ini = {"src/tests/test_a.py": REAL_TEST, "src/tests/pytest.ini": "[pytest]\naddopts = -ra\n"}
    assert_status(make_repo(ini), "TST002", Status.PASS)
    # the configuration of a sibling directory does not apply to these tests
    elsewhere = {"tests/test_a.py": REAL_TEST, "docs/pyproject.toml": toml}
    assert_status(make_repo(elsewhere), "TST002", Status.FAIL)
    assert_status(make_repo(elsewhere), "TST005", Status.FAIL)


def test_tst003_template_tests_import_the_templated_package(make_repo):
    """A project template's test imports its package through a template variable; it parses with the
    variable replaced and resolves to the templated package directory."""
    pkg = "{{ cookiecutter.repo_name }}/src/{{ cookiecutter.python_package }}"
    test = (
        "import pytest\nfrom {{ cookiecutter.python_package }}.pipelines.nodes import build\n\n"
        "def test_build(frame):\n    assert build(frame).notna().all().all()\n"
    )
    files = {f"{pkg}/pipelines/nodes.py": FEATURES, "{{ cookiecutter.repo_name }}/tests/test_nodes.py": test}
    assert_status(make_repo(files), "TST003", Status.PASS)
    other = test.replace("pipelines.nodes", "settings")
    files = {
        **files,
        "{{ cookiecutter.repo_name }}/tests/test_nodes.py": other,
        f"{pkg}/settings.py": "X = 1\n",
    }
    assert_status(make_repo(files), "TST003", Status.FAIL)


HOLLOW_KFP = (
    "from kfp import dsl\n\n@dsl.component\ndef train():\n    print('Training model')\n\n"
    "@dsl.pipeline(name='p')\ndef pipe():\n    train()\n"
)


def test_tst003_not_applicable_for_a_hollow_pipeline(make_repo):
    """Modules named train.py / preprocess.py in a pipeline whose steps only print hold no ML code to test;
    the same layout with real ML code fails without tests."""
    files = {
        "pipeline/pipeline.py": HOLLOW_KFP,
        "src/train.py": "print('Training model')\n",
        "src/preprocess.py": "print('Preprocessing data')\n",
    }
    assert_status(make_repo(files), "TST003", Status.NOT_APPLICABLE)
    real = {**files, "src/train.py": TRAIN}
    assert_status(make_repo(real), "TST003", Status.FAIL)


def test_tst001_a_test_that_swallows_its_errors_is_a_placeholder(make_repo):
    """A test that asserts nothing and catches what the code raises (it only prints) cannot fail; a test that
    catches to skip, or asserts, is real."""
    swallow = (
        "from churn.model import load\n\ndef test_prediction():\n    model = load()\n    try:\n"
        "        model.predict([[1]])\n    except Exception as e:\n        print(f'failed: {e}')\n"
    )
    result = assert_status(make_repo({"tests/test_prediction.py": swallow}), "TST001", Status.FAIL)
    assert "placeholder" in result.message
    asserted = swallow.replace(
        "        model.predict([[1]])\n", "        assert model.predict([[1]]) == [1]\n"
    )
    assert_status(make_repo({"tests/test_prediction.py": asserted}), "TST001", Status.PASS)
    skipped = swallow.replace("print(f'failed: {e}')", "pytest.skip(str(e))")
    assert_status(make_repo({"tests/test_prediction.py": skipped}), "TST001", Status.PASS)


NB_FIT = '{"cells": [{"cell_type": "code", "source": ["from sklearn.linear_model import Ridge\\n", "model = Ridge().fit(X, y)\\n"]}], "metadata": {}}'
NB_EDA = '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n", "df.describe()\\n"]}], "metadata": {}}'


def test_tst003_tst004_ml_code_that_lives_in_notebooks(make_repo):
    """A repository whose model is trained in notebooks has ML code to test and a model to gate; notebooks
    that train nothing leave both not applicable."""
    result = assert_status(make_repo({"pipeline.ipynb": NB_FIT}), "TST003", Status.FAIL)
    assert str(result.evidence[0]) == "pipeline.ipynb"
    assert_status(make_repo({"pipeline.ipynb": NB_FIT}), "TST004", Status.FAIL)
    assert_status(make_repo({"eda.ipynb": NB_EDA}), "TST003", Status.NOT_APPLICABLE)
    assert_status(make_repo({"eda.ipynb": NB_EDA}), "TST004", Status.NOT_APPLICABLE)


FLAG_GATE = (
    "from sklearn.metrics import r2_score\n\ndef main(y, p, scores):\n    score = r2_score(y, p)\n"
    "    if score >= max(list(scores.values())):\n"
    "        deploy_flag = 1\n    else:\n        deploy_flag = 0\n    open('deploy_flag', 'w').write(str(deploy_flag))\n"
    "    return deploy_flag\n"
)
REGISTER = (
    "import mlflow\n\ndef main():\n    deploy_flag = int(open('deploy_flag').read())\n{override}"
    "    if deploy_flag == 1:\n        mlflow.register_model('runs:/x/model', 'm')\n"
)


def test_tst004_a_flag_gate_the_registration_overrides(make_repo):
    """The evaluation writes a deploy flag, but the registration step sets it to 1 before testing it: every
    model is registered, nothing is gated. Honoured, the flag is a gate."""
    files = {
        "src/train.py": TRAIN,
        "src/evaluate.py": FLAG_GATE,
        "src/register.py": REGISTER.format(override="    deploy_flag=1\n"),
    }
    result = assert_status(make_repo(files), "TST004", Status.FAIL)
    assert "overrides" in result.message
    honoured = {**files, "src/register.py": REGISTER.format(override="")}
    assert_status(make_repo(honoured), "TST004", Status.PASS)


def test_tst004_a_library_that_trains_only_in_its_package_and_benchmarks(make_repo):
    """An encoder library fits inside its package and in benchmark scripts comparing encoders: no model of its
    own to gate. A training script of its own brings one."""
    files = {
        "pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "encoders"\n',
        "encoders/__init__.py": "",
        "encoders/target.py": "from sklearn.base import BaseEstimator\n\nclass T(BaseEstimator):\n"
        "    def fit(self, X, y):\n        self.m = self.inner.fit(X, y)\n        return self\n",
        "examples/benchmarking/bench.py": TRAIN.replace("def main", "def bench"),
    }
    assert_status(make_repo(files), "TST004", Status.NOT_APPLICABLE)
    assert_status(make_repo({**files, "scripts/train.py": TRAIN}), "TST004", Status.FAIL)

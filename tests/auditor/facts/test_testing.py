"""facts.testing: real vs placeholder tests, what tests import, pytest/coverage config, quality gates."""

from __future__ import annotations

from mlops_audit.facts import testing
from mlops_audit.repo import Repo

CCDS_PLACEHOLDER = "def test_code_is_tested():\n    assert False\n"
FEATURES = "import pandas as pd\n\ndef build(df):\n    return df.dropna()\n"


def test_placeholder_test_is_not_a_test(make_repo):
    repo = Repo(make_repo({"tests/test_data.py": CCDS_PLACEHOLDER, "tests/test_b.py": "def test_x():\n    assert True\n"
                           "\ndef test_y():\n    pass\n\nclass TestZ:\n    def test_z(self):\n        '''todo'''\n"}))  # fmt: skip
    assert testing.real_tests(repo) == []
    assert len(testing.placeholder_tests(repo)) == 4
    assert testing.has_tests_fact(repo).value is False


def test_real_tests(make_repo):
    files = {
        "src/churn/features.py": FEATURES,
        "tests/test_features.py": "import pandas as pd\nfrom churn.features import build\n\n"
        "def test_build():\n    assert build(pd.DataFrame({'a': [1, None]})).shape == (1, 1)\n",
        "tests/conftest.py": "import pytest\n",
    }
    repo = Repo(make_repo(files))
    assert testing.real_tests(repo) == [("tests/test_features.py", 4)]
    fact = testing.has_tests_fact(repo)
    assert fact.value is True and str(fact.evidence[0]) == "tests/test_features.py"
    assert testing.tested_ml_modules(repo) == [("tests/test_features.py", 2, "src/churn/features.py")]
    assert testing.test_frameworks_inventory(repo) == ["pytest"]


def test_unittest_testcase_is_real(make_repo):
    files = {"test_app.py": "import unittest\nfrom app import add\n\nclass T(unittest.TestCase):\n"
             "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n", "app.py": "def add(a, b):\n    return a + b\n"}  # fmt: skip
    repo = Repo(make_repo(files))
    assert testing.real_tests(repo) == [("test_app.py", 5)]
    assert testing.test_frameworks_inventory(repo) == ["unittest"]


def test_no_tests(make_repo):
    repo = Repo(make_repo({"src/x.py": "x = 1\n"}))
    assert testing.test_files(repo) == []
    assert testing.has_tests_fact(repo).value is False


def test_pytest_and_coverage_config(make_repo):
    files = {
        "pyproject.toml": "[project]\nname='x'\n\n[tool.pytest.ini_options]\naddopts = '--cov=src'\n\n"
        "[tool.coverage.run]\nbranch = true\n",
        "tests/test_a.py": "def test_a():\n    assert 1\n",
    }
    repo = Repo(make_repo(files))
    assert testing.pytest_configs(repo) == [("pyproject.toml", 4)]
    assert ("pyproject.toml", 7) in testing.coverage_configs(repo)
    assert ("pyproject.toml", 5) in testing.coverage_configs(repo)


def test_ini_configs(make_repo):
    files = {"setup.cfg": "[metadata]\nname = x\n[tool:pytest]\ntestpaths = tests\n[coverage:run]\nbranch = True\n",
             "tests/test_a.py": "def test_a():\n    assert 1\n"}  # fmt: skip
    repo = Repo(make_repo(files))
    assert testing.pytest_configs(repo) == [("setup.cfg", 3)]
    assert testing.coverage_configs(repo) == [("setup.cfg", 5)]


def test_no_config(make_repo):
    repo = Repo(make_repo({"tests/test_a.py": "def test_a():\n    assert 1\n"}))
    assert testing.pytest_configs(repo) == []
    assert testing.coverage_configs(repo) == []


def test_quality_gates(make_repo):
    files = {
        "tests/test_model.py": "from src.evaluate import gate\n\ndef test_quality():\n    metrics = gate()\n"
        "    assert metrics['f1'] >= 0.8\n",
        "src/evaluate.py": "import sys\n\ndef gate(auc, champion_auc):\n    if auc < champion_auc:\n"
        "        sys.exit(1)\n",
        "src/other.py": "def f(xs):\n    assert {'metrics', 'params'} <= set(xs)\n    assert len(scores) > 0\n",
    }
    repo = Repo(make_repo(files))
    gates = {(g.path, g.line) for g in testing.quality_gates(repo)}
    assert gates == {("tests/test_model.py", 5), ("src/evaluate.py", 4)}


def test_training_code(make_repo):
    files = {
        "src/train.py": "from sklearn.linear_model import LogisticRegression\n\ndef main(X, y):\n"
        "    model = LogisticRegression()\n    model.fit(X, y)\n    return model\n",
        "src/util.py": "def fit(x):\n    return x\n",
    }
    repo = Repo(make_repo(files))
    assert testing.training_code(repo) == [("src/train.py", 5)]
    assert "src/train.py" in testing.ml_modules(repo)

"""REP checks: pass, fail and not-applicable fixtures for each."""

from __future__ import annotations

import json

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

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
    assert_status(make_repo({"main.py": "import numpy\n"}), "REP003", NA)  # nothing declared: REP001's job


def test_rep004_python_pinned(make_repo) -> None:
    assert_status(make_repo({"main.py": "", ".python-version": "3.12\n"}), "REP004", PASS)
    assert_status(make_repo({"main.py": "", "runtime.txt": "python-3.11.4\n"}), "REP004", PASS)
    assert_status(make_repo({"main.py": "", "requirements.txt": "numpy\n"}), "REP004", FAIL)
    assert_status(make_repo({"notes.md": "x\n"}), "REP004", NA)


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


def test_rep007_one_command(make_repo) -> None:
    assert_status(make_repo({"main.py": "", "dvc.yaml": "stages: {}\n"}), "REP007", PASS)
    assert_status(make_repo({"main.py": "", "Makefile": "repro:\n\tdvc repro\n"}), "REP007", PASS)
    poe = '[project]\nname = "x"\n[tool.poe.tasks]\npipeline = ["data", "train"]\ndata = "python d.py"\ntrain = "python t.py"\n'
    assert_status(make_repo({"main.py": "", "pyproject.toml": poe}), "REP007", PASS)
    assert_status(make_repo({"main.py": "", "Makefile": "lint:\n\truff check .\n"}), "REP007", FAIL)
    assert_status(make_repo({"notes.md": ""}), "REP007", NA)


def test_rep008_absolute_paths(make_repo) -> None:
    result = assert_status(
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

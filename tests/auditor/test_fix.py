"""`mlops-audit fix` on a sloppy repository: what it adds, what it never touches, and that it is idempotent."""

from __future__ import annotations

import json
import pickle
import socket
from pathlib import Path

import pytest
from mlops_audit import audit
from mlops_audit.checks import load_checks
from mlops_audit.cli import main
from mlops_audit.fix import FIXERS, fixable, plan_fixes, run_fix
from mlops_audit.model import Status

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["0.93\n"]}],
            "source": [
                "import pandas as pd\n",
                "from sklearn.ensemble import RandomForestClassifier\n",
                "df = pd.read_csv('data/customers.csv')\n",
                "clf = RandomForestClassifier().fit(df[['age', 'spend']], df['churned'])\n",
                "print(clf.score(df[['age', 'spend']], df['churned']))\n",
            ],
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

FLASK_APP = """
import pickle

from flask import Flask, jsonify, request

app = Flask(__name__)
with open("model.pkl", "rb") as handle:
    model = pickle.load(handle)


@app.route("/predict", methods=["POST"])
def predict():
    return jsonify(model.predict([request.json["features"]]).tolist())
"""

#: The checks the issue names as fixable on a sloppy repository.
MUST_FIX = {
    "CI004": "pre-commit",
    "CI001": "CI configured",
    "VER009": ".gitignore for data and models",
    "TST002": "pytest configuration",
    "DAT001": "a data-validation suite skeleton",
    "DOC002": "a license",
    "CI006": "dependency-update automation",
}
#: Not applicable before (there is no CI to look into), passing after.
CI_RUNS = {"CI002": "CI runs tests", "CI003": "CI runs lint", "CI010": "CI runs the audit"}


@pytest.fixture
def sloppy(make_repo) -> Path:
    """A notebook with outputs, unpinned requirements, a committed CSV and pickle, a Flask app; no CI, no
    tests, no configuration."""
    rows = "".join(f"{20 + i % 50},{i * 3.5:.1f},{i % 2}\n" for i in range(300))
    return make_repo(
        {
            "README.md": "# churn\n\nNotebook experiments.\n",
            "requirements.txt": "pandas\nscikit-learn\nflask\n",
            "train.ipynb": json.dumps(NOTEBOOK, indent=1),
            "data/customers.csv": "age,spend,churned\n" + rows,
            "model.pkl": pickle.dumps({"weights": [1, 2, 3]}),
            "app.py": FLASK_APP,
            ".gitignore": "__pycache__/\n",
        }
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def statuses(root: Path) -> tuple[dict[str, Status], int]:
    report = audit(root, use_cache=False)
    return {o.check.id: o.status for o in report.outcomes}, report.score


def test_fix_on_a_sloppy_repository(sloppy, no_network, capsys):
    before_files = snapshot(sloppy)
    before, score_before = statuses(sloppy)
    for check_id, what in MUST_FIX.items():
        assert before[check_id] is Status.FAIL, f"{check_id} ({what}) should fail before fix"

    assert run_fix(sloppy) == 0
    out = capsys.readouterr().out
    after, score_after = statuses(sloppy)

    fixed = sorted(c for c, s in before.items() if s is Status.FAIL and after[c] is Status.PASS)
    assert len(fixed) >= 10, fixed
    for check_id, what in {**MUST_FIX, **CI_RUNS}.items():
        assert after[check_id] is Status.PASS, f"{check_id} ({what}) should pass after fix"
    # 26 -> 55 here: the four CT checks apply (a notebook trains the model the app serves) and rightly stay
    # failed, since fix cannot add a CT workflow for training that lives only in a notebook
    assert score_after - score_before >= 25, (score_before, score_after)
    assert f"score: {score_before} -> {score_after}" in out
    assert "Still needs a person" in out

    # existing files are untouched, except .gitignore, which only grows at its end
    after_files = snapshot(sloppy)
    for path, content in before_files.items():
        if path == ".gitignore":
            assert after_files[path].startswith(content) and len(after_files[path]) > len(content)
        else:
            assert after_files[path] == content, f"{path} was modified"
    created = set(after_files) - set(before_files)
    assert {
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        "LICENSE",
        "pytest.ini",
    } <= created
    assert "dvc.yaml" not in created and not any(p.startswith("configs/") for p in created)  # notebook-only
    suite = json.loads(after_files["gx/expectations/customers.json"])
    assert suite["expectations"][0]["kwargs"]["column_list"] == ["age", "spend", "churned"]

    # a second run changes nothing
    capsys.readouterr()
    assert run_fix(sloppy) == 0
    assert snapshot(sloppy) == after_files
    assert "nothing to fix automatically" in capsys.readouterr().out


def test_dry_run_prints_a_diff_and_writes_nothing(sloppy, no_network, capsys):
    before = snapshot(sloppy)
    with pytest.raises(SystemExit) as exc:
        main(["fix", str(sloppy), "--dry-run", "--select", "DOC002,VER009"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "+++ b/LICENSE" in out and "--- /dev/null" in out
    assert "--- a/.gitignore" in out and "+mlruns/" in out
    assert snapshot(sloppy) == before


def test_select_limits_the_fix(sloppy, no_network):
    plan, _, ctx = plan_fixes(sloppy, select=["DOC002"])
    ctx.close()
    assert [c.path for c in plan.changes] == ["LICENSE"]


def test_unknown_select_is_a_usage_error(sloppy, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fix", str(sloppy), "--select", "NOPE001"])
    assert exc.value.code == 2


def test_every_fix_name_has_a_fixer():
    missing = {c.id: c.fix for c in load_checks().values() if c.fix and c.fix not in FIXERS}
    assert not missing
    assert sum(1 for c in load_checks().values() if c.fix) >= 15


def test_fixed_workflow_and_hooks_follow_their_ecosystems(sloppy, no_network):
    """What `fix` writes into a foreign repository calls the tools directly (no uv project, no poe tasks) and
    passes the same validators as the template's own files."""
    import shutil
    import subprocess
    import sys

    import yaml

    run_fix(sloppy, echo=lambda _: None)
    workflow = sloppy / ".github" / "workflows" / "ci.yml"
    bindir = Path(sys.executable).parent
    for tool, args in (
        ("check-jsonschema", ["--builtin-schema", "vendor.github-workflows", str(workflow)]),
        ("zizmor", ["--offline", str(workflow)]),
    ):
        exe = shutil.which(tool, path=str(bindir)) or shutil.which(tool)
        assert exe, f"{tool} is required (dev dependency group)"
        proc = subprocess.run([exe, *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    text = workflow.read_text()
    assert "poe" not in text and "ruff check ." in text and "pytest" in text and "mlops-audit ." in text
    hooks = yaml.safe_load((sloppy / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    for hook in hooks:
        assert hook["language"] == "python" and hook["additional_dependencies"], hook["id"]
        assert all("==" in dep for dep in hook["additional_dependencies"]), hook["id"]
    assert not (sloppy / ".github" / "workflows" / "ct.yml").exists()


# ------------------------------------------------------------------ Dockerfile and CT for a foreign repository
TRAIN_SCRIPT = '''"""Fit a least-squares churn score on data/customers.csv and save it to model.json."""
import csv
import json

import numpy as np

with open("data/customers.csv", newline="") as handle:
    rows = list(csv.DictReader(handle))
X = np.array([[float(r["age"]), float(r["spend"]), 1.0] for r in rows])
y = np.array([float(r["churned"]) for r in rows])
weights, *_ = np.linalg.lstsq(X, y, rcond=None)
with open("model.json", "w") as handle:
    json.dump({"weights": weights.tolist()}, handle)
print("trained on", len(rows), "rows")
'''
EVALUATE_SCRIPT = """import csv
import json
import sys

import numpy as np


def main():
    with open("model.json") as handle:
        weights = np.array(json.load(handle)["weights"])
    with open("data/customers.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    X = np.array([[float(r["age"]), float(r["spend"]), 1.0] for r in rows])
    y = np.array([float(r["churned"]) for r in rows])
    accuracy = float(((X @ weights > 0.5) == (y > 0.5)).mean())
    print(f"accuracy={accuracy:.3f}")
    with open("evaluated.txt", "w") as handle:
        handle.write(f"{accuracy}\\n")
    sys.exit(0 if accuracy > 0.4 else 1)


if __name__ == "__main__":
    main()
"""
DRIFT_SCRIPT = '''"""Compare the spend of the newest rows with the older ones; non-zero exit on drift."""
import sys

import numpy as np

if __name__ == "__main__":
    data = np.loadtxt("data/customers.csv", delimiter=",", skiprows=1)
    reference, current = data[:150, 1], data[150:, 1]
    shift = abs(current.mean() - reference.mean()) / (reference.std() or 1.0)
    print(f"drift={shift:.3f}")
    sys.exit(1 if shift > 10 else 0)
'''
SCRIPTS_APP = """import json

import numpy as np
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    with open("model.json") as handle:
        weights = np.array(json.load(handle)["weights"])
    return jsonify(float(np.array([*request.json["features"], 1.0]) @ weights))
"""
BIN = Path(__import__("sys").executable).parent


def tool(name: str) -> str:
    import shutil

    exe = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert exe, f"{name} is required (dev dependency group)"
    return exe


@pytest.fixture
def scripts_repo(make_repo) -> Path:
    """Loose scripts: unpinned requirements, drift, train and evaluate scripts, a Flask app; no CI, no container. The
    requirements are installed in this test environment (dev group), so their install step runs offline."""
    rows = "".join(f"{20 + i % 50},{i * 3.5:.1f},{i % 2}\n" for i in range(300))
    return make_repo(
        {
            "README.md": "# churn\n\nScripts that train a churn model and serve it.\n",
            "requirements.txt": "numpy\nflask\n",
            "train.py": TRAIN_SCRIPT,
            "evaluate.py": EVALUATE_SCRIPT,
            "monitoring/check_drift.py": DRIFT_SCRIPT,
            "app.py": SCRIPTS_APP,
            "data/customers.csv": "age,spend,churned\n" + rows,
        }
    )


def test_dockerfile_fix_builds_from_the_repository(scripts_repo, no_network):
    """The Dockerfile `fix` adds passes hadolint, copies files that exist, installs the repository's own
    requirements and points its server at the repository's app object."""
    import ast
    import subprocess

    before, _ = statuses(scripts_repo)
    assert before["DEP002"] is Status.FAIL
    run_fix(scripts_repo, echo=lambda _: None)
    dockerfile = scripts_repo / "Dockerfile"
    assert dockerfile.is_file() and (scripts_repo / ".dockerignore").is_file()
    proc = subprocess.run([tool("hadolint"), str(dockerfile)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    text = dockerfile.read_text()
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line[0].isspace()]
    copies = [args.split() for word, args in instructions if word == "COPY"]
    for args in copies:
        if any(a.startswith("--from=") for a in args):
            continue
        sources = [a for a in args if not a.startswith("--")][:-1]
        assert sources and all((scripts_repo / s).exists() for s in sources), args
    assert ["requirements.txt", "./"] in copies
    assert "pip install --no-cache-dir --requirement requirements.txt gunicorn==" in text
    cmd = json.loads(next(args for word, args in instructions if word == "CMD"))
    assert cmd[:3] == ["gunicorn", "--bind", "0.0.0.0:8000"]
    module, variable = cmd[3].split(":")
    tree = ast.parse((scripts_repo / f"{module}.py").read_text())
    assert variable in {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets}

    after, _ = statuses(scripts_repo)
    assert (
        after["DEP002"] is Status.PASS and after["DEP003"] is Status.PASS and after["REP005"] is Status.PASS
    )


def test_ct_workflow_fix_runs_the_repository_scripts(scripts_repo, no_network):
    """The CT workflow `fix` adds is a valid, hardened GitHub workflow without secrets, and every `run:` step
    of it succeeds in the repository, as the runner's bash runs it (offline: pip may not reach an index)."""
    import os
    import subprocess

    import yaml

    before, _ = statuses(scripts_repo)
    assert {before[c] for c in ("CT001", "CT002", "CT003")} == {Status.FAIL}
    fixes = fixable(scripts_repo, audit(scripts_repo, use_cache=False))
    assert fixes["CT001"] == fixes["CT002"] == fixes["CT003"] == [".github/workflows/ct.yml"]
    assert fixes["DEP002"] == ["Dockerfile", ".dockerignore"] and "CT004" not in fixes
    run_fix(scripts_repo, echo=lambda _: None)
    workflow = scripts_repo / ".github" / "workflows" / "ct.yml"
    for exe, args in (
        (tool("check-jsonschema"), ["--builtin-schema", "vendor.github-workflows", str(workflow)]),
        (tool("zizmor"), ["--offline", str(workflow)]),
    ):
        proc = subprocess.run([exe, *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    text = workflow.read_text()
    assert "secrets." not in text and "${{" not in text
    document = yaml.safe_load(text)
    assert document[True].keys() == {"schedule", "workflow_dispatch"}
    (job,) = document["jobs"].values()
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert uses == ["actions/checkout", "actions/setup-python"]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs == [
        "python -m pip install --requirement requirements.txt",
        "python monitoring/check_drift.py",
        "python train.py",
        "python evaluate.py",
    ]
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    for script in runs:
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=scripts_repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"{script}\n{proc.stdout}{proc.stderr}"
    assert (scripts_repo / "model.json").is_file() and (scripts_repo / "evaluated.txt").is_file()

    after, _ = statuses(scripts_repo)
    assert {after[c] for c in ("CT001", "CT002", "CT003")} == {Status.PASS}


@pytest.mark.parametrize(
    ("files", "check_id", "says"),
    [
        pytest.param({"app.py": FLASK_APP}, "DEP002", "declare the dependencies", id="docker-no-requirements"),
        pytest.param(
            {"requirements.txt": "flask\n", "app.py": "from flask import Flask\n\n\ndef create_app():\n"
             "    return Flask(__name__)\n"},
            "DEP002",
            "write the Dockerfile by hand",
            id="docker-app-factory",
        ),
        pytest.param(
            {"requirements.txt": "scikit-learn\n", "model.py": "from sklearn.linear_model import Ridge\n\n\n"
             "def fit(X, y):\n    return Ridge().fit(X, y)\n"},
            "CT001",
            "add a training script",
            id="ct-no-training-script",
        ),
        pytest.param(
            {"requirements.txt": "scikit-learn\n", "train.py": "from sklearn.linear_model import Ridge\n\n"
             "Ridge().fit([[0], [1]], [0, 1])\n"},
            "CT002",
            "add a drift check script",
            id="ct-no-drift-script",
        ),
    ],
)  # fmt: skip
def test_a_layout_that_cannot_host_the_piece_gets_nothing(make_repo, files, check_id, says):
    profile = {".mlops-audit.toml": 'profile = "pipeline"\n'}  # CT checks apply to pipelines
    root = make_repo({"README.md": "# demo\n", **profile, **files})
    plan, report, ctx = plan_fixes(root, select=[check_id])
    ctx.close()
    assert {o.check.id: o.status for o in report.outcomes}[check_id] is Status.FAIL
    assert not plan.changes and check_id not in plan.fixed
    assert check_id not in fixable(root, report)
    (line,) = plan.manual
    assert line.startswith(check_id) and says in line, line


def test_pieces_that_must_name_the_repositorys_own_code_are_left_to_a_person(make_repo):
    """A Hydra tree or a dvc.yaml copied from the template would call modules this repository does not have:
    fix adds no config tree, and a dvc.yaml only of the repository's own scripts."""
    train = "from sklearn.linear_model import Ridge\n\nif __name__ == '__main__':\n    Ridge().fit([[0], [1]], [0, 1])\n"
    root = make_repo({"README.md": "# demo\n", "requirements.txt": "scikit-learn\n", "train.py": train})
    plan, _report, ctx = plan_fixes(root, select=["VER007", "PIP001", "VER003"])
    ctx.close()
    paths = {c.path for c in plan.changes}
    assert not any(p.startswith("configs/") for p in paths)
    assert any(line.startswith("VER007") and "_target_" in line for line in plan.manual)
    dvc = next(c.content for c in plan.changes if c.path == "dvc.yaml")
    assert "cmd: python train.py" in dvc and "-m " not in dvc
    assert "PIP001" in plan.fixed and "VER003" not in plan.fixed


def test_report_formats_offer_fix_only_where_the_plan_adds_something(make_repo):
    """`-f markdown` prints `mlops-audit fix --select ID` for a piece `fix` adds here (CI001: a workflow), never
    for a failing check whose fixer has nothing to add in this layout (CT001: no training script to call)."""
    from click.testing import CliRunner
    from mlops_audit.cli import _build

    root = make_repo(
        {
            "README.md": "# demo\n",
            ".mlops-audit.toml": 'profile = "pipeline"\n',
            "requirements.txt": "scikit-learn\n",
            "model.py": "from sklearn.linear_model import Ridge\n\n\ndef fit(X, y):\n    return Ridge().fit(X, y)\n",
        }
    )
    statuses = {o.check.id: o.status for o in audit(root, use_cache=False).outcomes}
    assert statuses["CI001"] is Status.FAIL and statuses["CT001"] is Status.FAIL
    result = CliRunner().invoke(_build(), ["audit", str(root), "-f", "markdown", "--no-cache"])
    assert "mlops-audit fix --select CI001" in result.output
    assert "CT001" in result.output and "mlops-audit fix --select CT001" not in result.output

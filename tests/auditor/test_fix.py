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
from mlops_audit.fix import FIXERS, plan_fixes, run_fix
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
    "FLX004": "a config skeleton (per-environment configs)",
    "DAT001": "a data-validation suite skeleton",
    "PIP001": "a pipeline definition",
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
    assert score_after - score_before >= 30, (score_before, score_after)
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
        "dvc.yaml",
    } <= created
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

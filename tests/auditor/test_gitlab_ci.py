"""The documented GitLab CI job (docs/examples/gitlab-ci.yml): valid for GitLab, reports wired, script runs.

The job's ``script:`` lines run here in one bash session, as the GitLab runner runs them (stop at the first
failing command), with this environment's ``mlops-audit`` in place of the ``pip install`` of ``before_script``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JOB_FILE = ROOT / "docs" / "examples" / "gitlab-ci.yml"
BIN = Path(sys.executable).parent
README = "# Demo\n\n" + "A demo repository that predicts things from data for the GitLab test. " * 6 + "\n"


def job() -> dict:
    return yaml.safe_load(JOB_FILE.read_text(encoding="utf-8"))["mlops-audit"]


def test_schema():
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(JOB_FILE)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_reports_are_the_files_the_script_writes():
    spec = job()
    script = "\n".join(spec["script"])
    reports = spec["artifacts"]["reports"]
    assert f"--format codeclimate --output {reports['codequality']}" in script
    assert f"--format junit --output {reports['junit']}" in script
    assert "--format markdown --output mlops-audit.md" in script
    assert spec["artifacts"]["when"] == "always", "reports are needed most when the gate fails"
    assert set(spec["artifacts"]["paths"]) >= {reports["codequality"], reports["junit"], "mlops-audit.md"}
    assert any("mlops-audit==" in line for line in spec["before_script"]), "pin the auditor's version"


@pytest.mark.parametrize(
    ("files", "options", "exit_code"),
    [
        pytest.param({"README.md": README, "LICENSE": "MIT\n"}, "--select DOC002", 0, id="passes"),
        pytest.param({"README.md": README}, "--select DOC002 --fail-on warning", 1, id="gate-fails"),
    ],
)
def test_the_script_reports_and_gates(make_repo, tmp_path, files, options, exit_code):
    repo = make_repo(files, name="project")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "MLOPS_AUDIT_OPTIONS": options,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-c", "\n".join(job()["script"])],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == exit_code, proc.stdout + proc.stderr
    issues = json.loads((repo / "gl-code-quality-report.json").read_text())
    assert isinstance(issues, list)
    assert bool(issues) == bool(exit_code), issues
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
    suite = ET.parse(repo / "mlops-audit-junit.xml").getroot()
    assert "DOC002" in ET.tostring(suite, encoding="unicode")
    assert "DOC002" in (repo / "mlops-audit.md").read_text()
    assert "mlops-audit" in proc.stdout and "Documentation" in proc.stdout  # the text report, in the log

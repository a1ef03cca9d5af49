"""Third-party checks through the ``mlops_audit.checks`` entry-point group: the example plugin, really installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """Install the example plugin (without dependencies) into a directory put on PYTHONPATH."""
    site = tmp_path_factory.mktemp("plugin-site")
    uv = shutil.which("uv")
    assert uv, "uv is required to install the example plugin"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(PLUGIN)],
        check=True,
        capture_output=True,
    )
    assert list(site.glob("mlops_audit_example_plugin-*.dist-info"))
    return site


def run_cli(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "mlops_audit", *args], capture_output=True, text=True, env=env
    )


def test_plugin_check_appears_in_rules(plugin_site):
    proc = run_cli(plugin_site, "rules", "-f", "json")
    rules = {r["id"]: r for r in json.loads(proc.stdout)}
    assert rules["ORG001"]["plugin"] == "mlops-audit-example-plugin"
    assert rules["ORG001"]["principle"] == "documentation"
    explained = run_cli(plugin_site, "explain", "ORG001").stdout
    assert "CODEOWNERS" in explained and "Plugin:    mlops-audit-example-plugin" in explained


def test_plugin_check_runs_in_the_report(plugin_site, make_repo):
    root = make_repo({"README.md": "# x\n"})
    proc = run_cli(plugin_site, str(root), "-f", "json", "--select", "ORG001")
    result = json.loads(proc.stdout)["results"][0]
    assert (
        result["id"] == "ORG001"
        and result["status"] == "fail"
        and result["plugin"] == "mlops-audit-example-plugin"
    )
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text("* @ml-team\n")
    proc = run_cli(plugin_site, str(root), "-f", "json", "--select", "ORG001")
    assert json.loads(proc.stdout)["results"][0]["status"] == "pass"


def test_without_the_plugin_the_check_is_unknown(make_repo):
    proc = subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(make_repo({"README.md": "x"})), "--select", "ORG001"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "ORG001" in proc.stderr

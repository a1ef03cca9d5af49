"""The GitHub Action (action.yml) and the copy-paste workflow that uses it (docs/examples/github-workflow.yml).

Static: the metadata validates against GitHub's schema, every ``uses:`` is pinned to a commit, no ``${{ }}``
expression reaches a shell script, and zizmor finds nothing. Dynamic: the action's own shell steps run here
against fixture repositories (the install step is replaced by this environment's ``mlops-audit``), with the
``${{ }}`` expressions of their ``env:`` evaluated the way the runner would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / "docs" / "examples" / "github-workflow.yml"
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
README = "# Demo\n\n" + "A demo repository that predicts things from data for the action test. " * 6 + "\n"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps_of(document: dict) -> list[dict]:
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def test_inputs_and_outputs():
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {
        "path",
        "args",
        "version",
        "python-version",
        "sarif",
        "fail-on",
        "fail-under",
    }
    assert action["inputs"]["path"]["default"] == "."
    assert action["inputs"]["version"]["default"] == "local"
    assert set(action["outputs"]) == {"score", "level", "exit-code"}
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.audit.outputs.{name} }}}}"


@pytest.mark.parametrize("path", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_every_action_is_pinned_to_a_commit(path):
    text = path.read_text(encoding="utf-8")
    uses = [step["uses"] for step in steps_of(load(path)) if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{ref} is not pinned to a full commit SHA"
        line = next(line for line in text.splitlines() if ref in line)
        assert re.search(r"#\s*v\d+\.\d+\.\d+", line), f"{ref}: say which release the SHA is (# vX.Y.Z)"


@pytest.mark.parametrize("path", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_no_expression_inside_a_shell_script(path):
    for step in steps_of(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], f"step {step.get('name')!r}: pass values through env:"


def test_zizmor_finds_nothing():
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--no-progress", str(ACTION), str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("path", "schema"),
    [(ACTION, "vendor.github-actions"), (WORKFLOW, "vendor.github-workflows")],
    ids=["action", "workflow"],
)
def test_schema(path, schema):
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_workflow_uses_this_action_with_sarif_permissions():
    workflow = load(WORKFLOW)
    audit = next(s for s in steps_of(workflow) if s.get("uses", "").startswith("mlops-audit/mlops-audit@"))
    assert set(audit["with"]) <= set(load(ACTION)["inputs"])
    assert audit["with"].get("sarif")
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"


# --- the action's shell steps, run here --------------------------------------------------------------------


class Runner:
    """Runs the ``run:`` steps of the composite action like the runner: env expressions, outputs, summary."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str]):
        self.tmp, self.workspace = tmp, workspace
        action = load(ACTION)
        self.inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        self.inputs.update(inputs)
        self.steps = action["runs"]["steps"]
        self.outputs: dict[str, dict[str, str]] = {}
        self.summary = tmp / "summary.md"
        self.summary.write_text("")
        # what the install step leaves behind: a venv whose bin/ holds mlops-audit and python
        venv_bin = tmp / "runner-temp" / "mlops-audit-venv" / "bin"
        venv_bin.mkdir(parents=True)
        (venv_bin / "mlops-audit").symlink_to(BIN / "mlops-audit")
        (venv_bin / "python").symlink_to(sys.executable)

    def evaluate(self, value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("inputs."):
                return self.inputs[expression.removeprefix("inputs.")]
            if expression == "github.action_path":
                return str(ROOT)
            step_output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            if step_output:
                return self.outputs.get(step_output.group(1), {}).get(step_output.group(2), "")
            raise AssertionError(f"expression not simulated: {expression}")

        return EXPRESSION.sub(one, str(value))

    def run_step(self, name: str) -> subprocess.CompletedProcess[str]:
        step = next(s for s in self.steps if s.get("name") == name)
        output_file = self.tmp / f"output-{name}.txt"
        output_file.write_text("")
        env = {
            **os.environ,
            **{key: self.evaluate(value) for key, value in step.get("env", {}).items()},
            "RUNNER_TEMP": str(self.tmp / "runner-temp"),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "XDG_CACHE_HOME": str(self.tmp / "cache"),
            "NO_COLOR": "1",
        }
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
        )
        if "id" in step:
            pairs = (line.partition("=") for line in output_file.read_text().splitlines() if "=" in line)
            self.outputs[step["id"]] = {key: value for key, _, value in pairs}
        return proc


def test_the_install_step_installs_the_local_checkout(tmp_path):
    """version: local installs the action's own checkout into a venv (needs PyPI for the build backend)."""
    runner = Runner(tmp_path, tmp_path, {"version": "local"})
    shutil.rmtree(tmp_path / "runner-temp" / "mlops-audit-venv")
    runner.outputs["python"] = {"python-path": sys.executable}
    step = next(s for s in runner.steps if s.get("name") == "Install mlops-audit")
    assert runner.evaluate(step["env"]["ACTION_PATH"]) == str(ROOT)
    proc = runner.run_step("Install mlops-audit")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mlops-audit " in proc.stdout
    assert (tmp_path / "runner-temp" / "mlops-audit-venv" / "bin" / "mlops-audit").exists()


@pytest.mark.parametrize(
    ("files", "inputs", "exit_code"),
    [
        pytest.param(
            {"README.md": README, "LICENSE": "MIT License\n"},
            {"args": "--select DOC002", "sarif": "out/audit.sarif", "upload-sarif": "false"},
            0,
            id="passes",
        ),
        pytest.param(
            {"README.md": README},
            {"args": "--select DOC002", "fail-on": "warning"},
            1,
            id="gate-fails",
        ),
        pytest.param(
            {"README.md": README, "LICENSE": "MIT License\n"},
            {"args": "--select NOPE999"},
            2,
            id="usage-error",
        ),
    ],
)
def test_the_action_steps_report_and_gate(make_repo, tmp_path, files, inputs, exit_code):
    workspace = make_repo(files, name="workspace")
    runner = Runner(tmp_path, workspace, inputs)

    audit = runner.run_step("Run mlops-audit")
    outputs = runner.outputs["audit"]
    assert outputs["exit-code"] == str(exit_code), audit.stdout + audit.stderr
    if exit_code == 2:
        assert audit.returncode == 2 and "::error" in audit.stdout
        return
    assert audit.returncode == 0, audit.stdout + audit.stderr
    report = json.loads(
        subprocess.run(
            [str(BIN / "mlops-audit"), str(workspace), *inputs["args"].split(), "-f", "json", "--no-cache"],
            capture_output=True,
            text=True,
        ).stdout
    )
    assert outputs["score"] == str(report["scores"]["overall"])
    assert outputs["level"] == str(report["maturity"]["level"])
    assert "DOC002" in runner.summary.read_text(), "the Markdown report goes to the job summary"
    if inputs.get("sarif"):
        sarif = json.loads((workspace / inputs["sarif"]).read_text())
        assert sarif["version"] == "2.1.0"

    gate = runner.run_step("Gate")
    assert gate.returncode == exit_code, gate.stdout + gate.stderr
    assert f"exit code {exit_code}" in gate.stdout

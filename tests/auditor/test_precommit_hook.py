"""The pre-commit hook (.pre-commit-hooks.yaml) installs the auditor and gates a commit like the CLI does.

``pre-commit try-repo`` installs the hook from a git repository. It only sees tracked files of a checkout
(untracked files are left out of its shadow commit), so the test commits a snapshot of this checkout's working
tree — tracked and untracked, minus ignored files — into a temporary repository and points ``try-repo`` at it.
Installing the hook's environment needs the build backend and the auditor's dependencies from PyPI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mlops_audit import __version__

from tests.helpers.repos import CHECKOUT, GIT_ENV, snapshot_checkout

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
README = "# Demo\n\n" + "A demo repository that predicts things from data for the hook test. " * 6 + "\n"


def test_manifest_declares_the_audit_hook():
    hooks = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"mlops-audit"}, "fix must stay an explicit command, not a hook"
    hook = by_id["mlops-audit"]
    assert hook["entry"] == "mlops-audit"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    assert "--no-cache" not in str(hook.get("args", [])), "the cache stays on in hooks"


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-commit git repository holding this checkout's working tree as it is now."""
    return snapshot_checkout(tmp_path_factory.mktemp("hook-source") / "repo")


def try_repo(source: Path, repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(home / "pre-commit"),
        "XDG_CACHE_HOME": str(home / "cache"),  # the auditor's own cache, out of the user's home
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(source), "mlops-audit", "--all-files", "--verbose"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.parametrize(
    ("files", "expected_exit", "verdict"),
    [
        pytest.param(
            {
                "README.md": README,
                "LICENSE": "MIT License\n",
                "pyproject.toml": '[tool.mlops-audit]\nselect = ["DOC002"]\n',
            },
            0,
            "Passed",
            id="gate-passes",
        ),
        pytest.param(
            {
                "README.md": README,
                "pyproject.toml": '[tool.mlops-audit]\nselect = ["DOC002"]\nfail-on = "warning"\n',
            },
            1,
            "Failed",
            id="gate-fails",
        ),
    ],
)
def test_try_repo_runs_the_audit_as_a_gate(hook_source, make_repo, tmp_path, files, expected_exit, verdict):
    repo = make_repo(files, name="project")
    proc = try_repo(hook_source, repo, tmp_path)
    output = proc.stdout + proc.stderr
    assert "An error has occurred" not in output, output
    assert proc.returncode == expected_exit, output
    hook_line = next((line for line in proc.stdout.splitlines() if line.startswith("mlops-audit")), "")
    assert hook_line.endswith(verdict), output
    assert f"mlops-audit {__version__}" in output, output  # the audit's report is shown (--verbose)
    if expected_exit:
        assert "DOC002" in output, output  # with the failing check
    # the gate matches the CLI's own exit code on the same repository
    cli = subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(repo), "--no-cache"], capture_output=True, text=True
    )
    assert cli.returncode == expected_exit, cli.stdout + cli.stderr

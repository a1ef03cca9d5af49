"""Helpers shared by the copier template's tests (imported by tests/template/conftest.py and the test modules).

The template sources (``copier.yml`` and ``template/``) are copied into a temporary git repository and
committed there, so the tests render exactly the working tree (uncommitted edits included) and never depend
on the state of this repository's own git history. The two fully-run variants are rendered and synced once
per session and shared by every end-to-end test.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import copier
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_SOURCES = ("copier.yml", "template")
# What a checkout of this repository holds that the template and the auditor's build need.
CHECKOUT_ENTRIES = (
    "pyproject.toml",
    "hatch_build.py",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "auditor",
    "copier.yml",
    "template",
    "cookiecutter",
)
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "template-tests",
    "GIT_AUTHOR_EMAIL": "template-tests@example.com",
    "GIT_COMMITTER_NAME": "template-tests",
    "GIT_COMMITTER_EMAIL": "template-tests@example.com",
}

# The two fully-run variants of the issue: (a) the defaults on Python 3.11; (b) GitLab, no DVC, no serving, 3.12.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "gitlab": {
        "ci_provider": "gitlab",
        "data_versioning": "none",
        "serving": False,
        "python_version": "3.12",
    },
}


# Variables of the environment running these tests that must not leak into a generated project's tools
# (COVERAGE_PROCESS_*: the coverage of this suite would start in the project's own processes).
OUTER_ENVIRONMENT = {
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "MLFLOW_TRACKING_URI",
    "PYTHONPATH",
    "COVERAGE_PROCESS_CONFIG",
    "COVERAGE_PROCESS_START",
}


@functools.cache
def mlops_audit_requirement() -> str:
    """The generated projects run the auditor of this checkout, never one from an index: a wheel built once
    per test session (a fresh path each session, so uv's tool cache can never serve a stale build)."""
    out = Path(tempfile.mkdtemp(prefix="mlops-audit-wheel-"))
    atexit.register(shutil.rmtree, out, True)
    uv = require_tool("uv")
    subprocess.run([uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO_ROOT)], check=True)
    wheel = next(out.glob("mlops_audit-*.whl"))
    return f"mlops-audit @ {wheel.as_uri()}"


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def require_tool(name: str) -> str:
    """Path of an executable; a missing tool is a test failure, never a skip."""
    # `uv run` exports the path of its own binary as UV: prefer it to a (pyenv) shim found on PATH.
    candidates = [
        os.environ.get("UV") if name == "uv" else None,
        Path(sys.executable).parent / name,
        shutil.which(name),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail(f"required tool {name!r} is not installed (install the dev dependency group: uv sync)")


def python_for(version: str) -> str:
    """An interpreter of ``version`` (e.g. "3.12"): this one, one on PATH, or one under ~/.pyenv/versions."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    candidates: list[Path] = []
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(Path(found))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)
    for candidate in candidates:
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return str(candidate)
    pytest.fail(f"no Python {version} interpreter found on PATH or under {pyenv}")


def make_template_repo(root: Path, sources: Path = REPO_ROOT, tag: str | None = "v0.1.0") -> Path:
    """Copy the template sources into a fresh git repository at ``root`` and commit (and tag) them."""
    root.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_SOURCES:
        source = sources / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "template")
    if tag:
        git(root, "tag", tag)
    return root


def copy_working_tree(root: Path, entries: tuple[str, ...] = CHECKOUT_ENTRIES) -> None:
    """Copy this repository's working-tree files under ``entries`` to ``root``: tracked and untracked ones, not
    the ignored ones, uncommitted edits included (a file deleted in the working tree is not copied)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *entries],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = REPO_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)


def render(template: Path, destination: Path, answers: Mapping[str, Any] | None = None) -> Path:
    """``copier copy --defaults`` of the committed template, with the test's auditor requirement."""
    data = {"mlops_audit_requirement": mlops_audit_requirement(), **(answers or {})}
    copier.run_copy(
        str(template), str(destination), data=data, defaults=True, unsafe=True, vcs_ref="HEAD", quiet=True
    )
    return destination


def run(
    command: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command and fail the test with its output when it exits non-zero."""
    full_env = {k: v for k, v in os.environ.items() if k not in OUTER_ENVIRONMENT}
    full_env.update(env or {})
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-8000:]}\n--- stderr ---\n{result.stderr[-8000:]}"
        )
    return result

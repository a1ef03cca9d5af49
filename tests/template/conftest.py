"""Session fixtures for the copier template's tests: the template repository and the two fully-run variants.

See ``tests.helpers.template`` for how the template is rendered: its sources are copied into a temporary git
repository and committed there, so the tests see the working tree and not this repository's history.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.template import (
    GIT_IDENTITY,
    VARIANTS,
    git,
    make_template_repo,
    python_for,
    render,
    require_tool,
    run,
)


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template_repo(tmp_path_factory.mktemp("template-src") / "repo")


@pytest.fixture(scope="session")
def project_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for running the generated projects: offline-friendly, bytecode compiled, isolated hooks."""
    env = {
        "UV_COMPILE_BYTECODE": "1",
        "UV_NO_PROGRESS": "1",
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "GX_ANALYTICS_ENABLED": "false",
        **GIT_IDENTITY,
    }
    # One uv cache for every variant of the session; a developer or CI may point it elsewhere.
    env["UV_CACHE_DIR"] = os.environ.get("UV_CACHE_DIR") or str(
        Path(
            subprocess.run(
                [require_tool("uv"), "cache", "dir"], capture_output=True, text=True
            ).stdout.strip()
        )
    )
    return env


def _synced_project(name: str, factory: pytest.TempPathFactory, template: Path, env: dict[str, str]) -> Path:
    answers = VARIANTS[name]
    project = render(template, factory.mktemp(f"project-{name}") / "project", answers)
    uv = require_tool("uv")
    python = python_for(answers.get("python_version", "3.11"))
    run([uv, "sync", "--python", python], project, env=env)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Initial commit from the template")
    return project


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory, template_repo: Path, project_env) -> Path:
    return _synced_project("default", tmp_path_factory, template_repo, project_env)


@pytest.fixture(scope="session")
def gitlab_project(tmp_path_factory: pytest.TempPathFactory, template_repo: Path, project_env) -> Path:
    return _synced_project("gitlab", tmp_path_factory, template_repo, project_env)


@pytest.fixture(params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    name = request.param
    yield name, request.getfixturevalue(f"{name}_project")

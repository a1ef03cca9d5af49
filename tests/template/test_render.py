"""Render a pairwise-covering set of answer combinations and check each rendered tree statically."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from allpairspy import AllPairs

from tests.helpers.template import render, require_tool, run

DIMENSIONS: dict[str, list[Any]] = {
    "python_version": ["3.11", "3.12", "3.13"],
    "ci_provider": ["github", "gitlab", "none"],
    "data_versioning": ["dvc", "none"],
    "serving": [True, False],
    "ct_schedule": ["0 4 * * 1", "none"],
    "license": ["MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"],
    "project_name": ["My ML Project", "Churn Predictor 2"],
}
COMBINATIONS = [dict(zip(DIMENSIONS, values, strict=True)) for values in AllPairs(list(DIMENSIONS.values()))]
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
COPIER_DELIMITERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


def _id(answers: dict[str, Any]) -> str:
    return "-".join(str(v).replace(" ", "").replace("*", "x") for v in answers.values())


def test_combinations_cover_every_pair() -> None:
    names = list(DIMENSIONS)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            seen = {(c[first], c[second]) for c in COMBINATIONS}
            assert len(seen) == len(DIMENSIONS[first]) * len(DIMENSIONS[second]), (first, second)


@pytest.fixture(scope="module", params=COMBINATIONS, ids=_id)
def rendered(request, template_repo: Path, tmp_path_factory) -> tuple[dict[str, Any], Path]:
    answers = request.param
    return answers, render(template_repo, tmp_path_factory.mktemp("render") / "project", answers)


def package_of(answers: dict[str, Any]) -> str:
    return re.sub(r"[^a-z0-9]+", "_", answers["project_name"].lower()).strip("_")


def expected_files(answers: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(paths that must exist, paths that must not exist) for the answers."""
    package = package_of(answers)
    present = {
        ".copier-answers.yml",
        ".gitignore",
        ".env.example",
        ".pre-commit-config.yaml",
        ".python-version",
        "LICENSE",
        "MODEL_CARD.md",
        "README.md",
        "pyproject.toml",
        "configs/config.yaml",
        "configs/data/builtin.yaml",
        "configs/data/file.yaml",
        "configs/data/sql.yaml",
        "configs/model/logistic_regression.yaml",
        "configs/model/random_forest.yaml",
        "configs/model/hist_gradient_boosting.yaml",
        "configs/model/lightgbm.yaml",
        "docs/extending.md",
        "configs/env/dev.yaml",
        "configs/env/staging.yaml",
        "configs/env/prod.yaml",
        "configs/experiment/tiny.yaml",
        "gx/expectations/training_data.json",
        "gx/expectations/inference_batch.json",
        f"src/{package}/__init__.py",
        f"src/{package}/config.py",
        f"src/{package}/train.py",
        f"src/{package}/evaluate.py",
        f"src/{package}/drift.py",
        f"src/{package}/repro.py",
        f"src/{package}/pipeline.py",
        f"src/{package}/sources.py",
        f"src/{package}/classifier.py",
        "tests/conftest.py",
        "tests/test_sources.py",
        "tests/test_frameworks.py",
        "tests/test_pipeline.py",
    }
    absent: set[str] = set()
    github = {
        ".github/workflows/ci.yml",
        ".github/workflows/ct.yml",
        ".github/workflows/template-update.yml",
        ".github/dependabot.yml",
    }
    gitlab = {".gitlab-ci.yml", "renovate.json"}
    dvc = {"dvc.yaml", ".dvc/config", ".dvcignore"}
    serving = {
        "Dockerfile",
        ".dockerignore",
        f"src/{package}/serve.py",
        "tests/test_serve.py",
        "deploy/k8s/base/kustomization.yaml",
        "deploy/k8s/base/deployment.yaml",
        "deploy/k8s/overlays/dev/kustomization.yaml",
        "deploy/k8s/overlays/staging/kustomization.yaml",
        "deploy/k8s/overlays/prod/kustomization.yaml",
    }
    (present if answers["ci_provider"] == "github" else absent).update(github)
    (present if answers["ci_provider"] == "gitlab" else absent).update(gitlab)
    (present if answers["data_versioning"] == "dvc" else absent).update(dvc)
    (present if answers["serving"] else absent).update(serving)
    if answers["ci_provider"] == "github" and answers["serving"]:
        present.add(".github/workflows/cd.yml")
    else:
        absent.add(".github/workflows/cd.yml")
    return present, absent


def _text_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def test_expected_file_set(rendered) -> None:
    answers, project = rendered
    present, absent = expected_files(answers)
    files = {p.relative_to(project).as_posix() for p in _text_files(project)}
    assert present <= files, sorted(present - files)
    assert not absent & files, sorted(absent & files)
    assert not any(name.endswith(".jinja") or "{" in name for name in files)


def test_no_copier_leftovers(rendered) -> None:
    _, project = rendered
    for path in _text_files(project):
        text = GITHUB_EXPRESSION.sub("", path.read_text(encoding="utf-8"))
        match = COPIER_DELIMITERS.search(text)
        assert match is None, (
            f"{path.relative_to(project)}: leftover {match.group()!r} near {text[match.start() - 40 : match.end() + 40]!r}"
        )


def test_structured_files_parse(rendered) -> None:
    answers, project = rendered
    for path in _text_files(project):
        if path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
    assert pyproject["tool"]["ruff"]["lint"]["select"], "ruff rules must be selected explicitly"
    dev = pyproject["dependency-groups"]["dev"]
    # the auditor runs in its own tool environment: never a dependency of the project's lock
    assert not any(d.startswith("mlops-audit") for d in dev)
    assert "uvx --from 'mlops-audit" in pyproject["tool"]["poe"]["tasks"]["audit"]["cmd"]
    assert any(d.startswith("dvc==") for d in dev) == (answers["data_versioning"] == "dvc")
    assert all("==" in d for d in dev if not d.startswith("mlops-audit")), "dev tools must be pinned"
    tasks = pyproject["tool"]["poe"]["tasks"]
    vocabulary = {
        "data",
        "validate",
        "train",
        "evaluate",
        "pipeline",
        "drift",
        "predict",
        "repro",
        "test",
        "lint",
    }
    assert vocabulary | {"audit"} <= set(tasks)
    assert ("serve" in tasks) == answers["serving"]
    assert (project / ".python-version").read_text().strip() == answers["python_version"]
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] and recorded["_commit"] == "v0.1.0"
    assert recorded["ci_provider"] == answers["ci_provider"]
    license_text = (project / "LICENSE").read_text()
    expected = {"MIT": "MIT License", "Apache-2.0": "Apache License", "BSD-3-Clause": "BSD 3-Clause"}
    assert expected.get(answers["license"], "All rights reserved") in license_text


def test_ruff_clean(rendered) -> None:
    _, project = rendered
    ruff = require_tool("ruff")
    run([ruff, "check", "--no-cache", "."], project)
    run([ruff, "format", "--check", "--no-cache", "."], project)


def test_ci_files_valid(rendered) -> None:
    answers, project = rendered
    schema = require_tool("check-jsonschema")
    if answers["ci_provider"] == "github":
        workflows = sorted(str(p) for p in (project / ".github" / "workflows").glob("*.yml"))
        run([schema, "--builtin-schema", "vendor.github-workflows", *workflows], project)
        run([schema, "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"], project)
        run(
            [
                require_tool("zizmor"),
                "--offline",
                "--no-progress",
                "--persona=pedantic",
                "--collect=all",
                ".",
            ],
            project,
        )
        ct = yaml.safe_load((project / ".github" / "workflows" / "ct.yml").read_text())
        triggers = ct[True] if True in ct else ct["on"]  # YAML 1.1 reads the key `on` as True
        assert ("schedule" in triggers) == (answers["ct_schedule"] != "none")
    elif answers["ci_provider"] == "gitlab":
        run([schema, "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"], project)
        run([schema, "--builtin-schema", "vendor.renovate", "renovate.json"], project)
        # GitLab runs a script line only if it is a string; the schema lets a line with ": " through, which YAML
        # reads as a mapping (write such a line as a block scalar, `- |`)
        document = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
        lines = [
            (name, line)
            for name, job in document.items()
            if isinstance(job, dict)
            for key in ("before_script", "script", "after_script")
            for line in job.get(key) or []
        ]
        assert lines and not [(name, line) for name, line in lines if not isinstance(line, str)]


def test_dockerfile_lint(rendered) -> None:
    answers, project = rendered
    if not answers["serving"]:
        assert not (project / "Dockerfile").exists()
        return
    run([require_tool("hadolint"), "Dockerfile"], project)
    text = (project / "Dockerfile").read_text()
    assert re.search(r"^USER 10001", text, re.MULTILINE), "the runtime stage must not run as root"
    assert text.count("FROM ") >= 2, "multi-stage build expected"
    assert f"ARG PYTHON_VERSION={answers['python_version']}" in text


def test_pre_commit_hooks_are_local(rendered) -> None:
    """Hooks run the project's own pinned tools offline: no remote hook repository."""
    _, project = rendered
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert {repo["repo"] for repo in config["repos"]} <= {"local", "meta"}
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {
        "ruff-check",
        "ruff-format",
        "end-of-file-fixer",
        "trailing-whitespace",
        "nbstripout",
        "mlops-audit",
    } <= set(hooks)
    for hook in hooks.values():
        if "entry" in hook:
            assert hook["entry"].startswith("uv run --no-sync "), hook["id"]
            assert hook["language"] == "system"


def test_kubernetes_manifests(rendered) -> None:
    answers, project = rendered
    if not answers["serving"]:
        assert not (project / "deploy").exists()
        return
    k8s = project / "deploy" / "k8s"
    deployment = yaml.safe_load((k8s / "base" / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {
        container["readinessProbe"]["httpGet"]["path"],
        container["livenessProbe"]["httpGet"]["path"],
    } == {
        "/ready",
        "/health",
    }
    assert container["resources"]["limits"]["memory"]
    base = yaml.safe_load((k8s / "base" / "kustomization.yaml").read_text())
    assert all((k8s / "base" / resource).is_file() for resource in base["resources"])
    for environment in ("dev", "staging", "prod"):
        overlay = yaml.safe_load((k8s / "overlays" / environment / "kustomization.yaml").read_text())
        assert overlay["resources"] == ["../../base"]
        assert overlay["namespace"].endswith(f"-{environment}")
        assert overlay["images"][0]["name"] == container["image"]

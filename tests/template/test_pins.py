"""Supply-chain pins: every GitHub action by full commit SHA with its release tag, every image by version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.helpers.template import REPO_ROOT, render

TEMPLATE_DIR = REPO_ROOT / "template"
PINNED_USES = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+\.\d+\.\d+$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<value>.+?)\s*$")
# Every pinned action SHA, each confirmed against two independent public sources (see CHANGELOG.md).
KNOWN_PINS = {
    "actions/checkout": ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "astral-sh/setup-uv": ("c771a70e6277c0a99b617c7a806ffedaca235ff9", "v9.0.0"),
}


def _workflow_sources() -> list[Path]:
    return sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file() and "workflows" in p.parts)


def test_template_has_workflows() -> None:
    assert len(_workflow_sources()) >= 4


@pytest.mark.parametrize("path", _workflow_sources(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_sha(path: Path) -> None:
    uses = [m.group("value") for line in path.read_text().splitlines() if (m := USES_LINE.match(line))]
    assert uses, f"{path.name} uses no action"
    for value in uses:
        if value.startswith(("./", "$/")):
            continue  # a reusable workflow of the same repository
        match = PINNED_USES.match(value)
        assert match, f"{path.name}: `uses: {value}` is not pinned as <action>@<40-hex sha> # vX.Y.Z"
        sha, tag = KNOWN_PINS[match.group("action")]
        assert value == f"{match.group('action')}@{sha} # {tag}"


def test_rendered_workflows_are_pinned(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "project")
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert {p.name for p in workflows} == {"ci.yml", "ct.yml", "cd.yml", "template-update.yml"}
    for workflow in workflows:
        document = yaml.safe_load(workflow.read_text())
        assert document.get("permissions") == {"contents": "read"}, (
            f"{workflow.name}: least privilege at the top"
        )
        for job in document["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                    if step["uses"].startswith("actions/checkout@"):
                        assert step.get("with", {}).get("persist-credentials") is False


def test_gitlab_and_docker_images_are_versioned(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "project", {"ci_provider": "gitlab"})
    document = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    images = [document["default"]["image"]]
    for job in document.values():
        if isinstance(job, dict):
            image = job.get("image")
            images.append(image["name"] if isinstance(image, dict) else image)
            images += job.get("services", [])
    for image in filter(None, images):
        assert re.search(r":\d+(\.\d+)+", image) and not image.endswith(":latest"), image
    for line in (project / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            assert "latest" not in line and ":" in line, line

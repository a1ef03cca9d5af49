"""Cloud ML platforms and orchestrators credited as the equivalents they are: Cloud Build configurations under
any name, CI triggers kept outside the repository, Vertex / SageMaker / Prefect counterparts of the usual
tools. Each fixture pairs a passing (or unknown) case with the failing one it must not hide."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

SHELL_STEP = "steps:\n- name: python:3.11\n  entrypoint: /bin/sh\n  args:\n  - -c\n  - |\n    {}\noptions:\n  logging: CLOUD_LOGGING_ONLY\n"


def test_cloudbuild_config_in_a_cloudbuild_directory_is_recognised(make_repo):
    files = {"cloudbuild/pr-checks.yaml": SHELL_STEP.format("pre-commit run --all-files")}
    assert_status(make_repo(files), "CI001", Status.PASS)
    assert_status(make_repo(files), "CI003", Status.PASS)
    # the same shape in an unrelated directory, with nothing that says Cloud Build, is not a CI configuration
    plain = "steps:\n- name: python:3.11\n  entrypoint: /bin/sh\n  args: [-c, pre-commit run --all-files]\n"
    assert_status(make_repo({"config/pr-checks.yaml": plain}), "CI001", Status.FAIL)
    # Cloud Build's substitutions mark the file under any name
    marked = plain.replace(
        "[-c, pre-commit run --all-files]", "\n  - -c\n  - ruff check . && echo ${_TEMPLATE}"
    )
    assert_status(make_repo({"config/checks.yaml": marked}), "CI003", Status.PASS)


def test_ci012_unknown_when_triggers_live_outside_the_repository(make_repo):
    files = {"cloudbuild/pr-checks.yaml": SHELL_STEP.format("pytest")}
    result = assert_status(make_repo(files), "CI012", Status.UNKNOWN)
    assert "outside the repository" in result.message
    # a GitHub workflow that runs only on main still fails: it declares its triggers
    files = {".github/workflows/ci.yml": "on:\n  push:\n    branches: [main]\njobs:\n  t:\n    runs-on: x\n"
             "    steps:\n      - run: pytest\n"}  # fmt: skip
    assert_status(make_repo(files), "CI012", Status.FAIL)


def test_ci011_cloudbuild_deploy_is_unknown_not_failed(make_repo):
    files = {
        "cloudbuild/terraform-apply.yaml": SHELL_STEP.format(
            "terraform init && terraform apply -auto-approve"
        ),
        "serve/Dockerfile": "FROM python:3.11\n",
    }
    result = assert_status(make_repo(files), "CI011", Status.UNKNOWN)
    assert "Cloud Build triggers" in result.message
    files["cloudbuild/terraform-apply.yaml"] = SHELL_STEP.format("terraform init && terraform plan")
    assert_status(make_repo(files), "CI011", Status.FAIL)


MERGED = """on:
  pull_request:
    types: [closed]
    branches: [master]
jobs:
  release:
    if: github.event.pull_request.merged == true
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@{version}
        with:
          repository: org/serve
          dockerfile: docker/serve.Dockerfile
"""


def test_ci011_merged_pull_request_push_is_automatic(make_repo):
    files = {
        ".github/workflows/release.yml": MERGED.format(version="v1"),
        "docker/serve.Dockerfile": "FROM x\n",
    }
    result = assert_status(make_repo(files), "CI011", Status.PASS)
    assert "merged pull_request" in result.message
    # build-push-action v2+ only builds unless push: true
    files[".github/workflows/release.yml"] = MERGED.format(version="v5")
    assert_status(make_repo(files), "CI011", Status.FAIL)

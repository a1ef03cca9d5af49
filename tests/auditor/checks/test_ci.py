"""CI checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from mlops_audit.model import Status

from tests.helpers.checks import assert_status

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def wf(*steps: str, on: str = "[push, pull_request]", extra: str = "", job_extra: str = "") -> str:
    body = "".join(f"      - {s}\n" for s in steps)
    return f"on: {on}\n{extra}jobs:\n  build:\n    runs-on: ubuntu-latest\n{job_extra}    steps:\n{body}"


NO_CI = {"README.md": "# project\n", "pyproject.toml": "[project]\nname = 'x'\n"}


def test_ci001(make_repo):
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI001", Status.PASS)
    assert_status(make_repo({"Jenkinsfile": "node { sh 'pytest' }\n"}), "CI001", Status.PASS)
    # Google Cloud Build, recognised by its builders under any file name
    build = "steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build, -t, img, .]\n"
    assert_status(make_repo({"build/pipeline-deployment.yaml": build}), "CI001", Status.PASS)
    assert_status(
        make_repo({"build/pipeline.yaml": "steps:\n- name: build\n  args: [x]\n"}), "CI001", Status.FAIL
    )
    result = assert_status(make_repo(NO_CI), "CI001", Status.FAIL)
    assert result.evidence


def test_ci002_tests_in_ci(make_repo):
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: uv run pytest")}), "CI002", Status.PASS)
    cloudbuild = "steps:\n- name: python:3.12\n  entrypoint: {}\n  args: [{}]\n"
    build = {"cloudbuild.yaml": cloudbuild.format("pytest", "src/tests/model_tests.py")}
    assert_status(make_repo(build), "CI002", Status.PASS)
    build = {"cloudbuild.yaml": cloudbuild.format("python", "build/utils.py")}
    assert_status(make_repo(build), "CI002", Status.FAIL)
    # through a task runner
    files = {".gitlab-ci.yml": "check:\n  script: [make check]\n", "Makefile": "check:\n\tpytest -q\n"}
    result = assert_status(make_repo(files), "CI002", Status.PASS)
    assert str(result.evidence[0]) == "Makefile:2"
    assert_status(
        make_repo({".github/workflows/ci.yml": wf("run: uv run ruff check .")}), "CI002", Status.FAIL
    )
    assert "needs CI001 first" in assert_status(make_repo(NO_CI), "CI002", Status.FAIL).message
    assert_status(make_repo({".github/workflows/ci.yml": "on: [push\n"}), "CI002", Status.NOT_APPLICABLE)


def test_ci002_script_command_named_in_the_line_before(make_repo):
    """``pip install pytest`` then ``pytest`` in a script CI calls: the second command is its own, on its line."""
    files = {
        ".github/workflows/ci.yml": wf("run: bash ci/run_tests.sh"),
        "ci/run_tests.sh": "pip install pytest\npytest",
    }
    result = assert_status(make_repo(files), "CI002", Status.PASS)
    assert str(result.evidence[0]) == "ci/run_tests.sh:2"
    files["ci/run_tests.sh"] = "pip install pytest\n"
    assert_status(make_repo(files), "CI002", Status.FAIL)


def test_ci003_lint_in_ci(make_repo):
    assert_status(
        make_repo({".github/workflows/ci.yml": wf("run: uv run ruff check .")}), "CI003", Status.PASS
    )
    assert_status(
        make_repo({".github/workflows/ci.yml": wf("uses: pre-commit/action@v3.0.1")}), "CI003", Status.PASS
    )
    files = {
        ".github/workflows/ci.yml": wf("run: pytest"),
        ".pre-commit-config.yaml": "repos: []\nci:\n  skip: []\n",
    }
    assert_status(make_repo(files), "CI003", Status.PASS)
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI003", Status.FAIL)
    assert "needs CI001 first" in assert_status(make_repo(NO_CI), "CI003", Status.FAIL).message


PRECOMMIT = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.0
    hooks:
      - id: ruff
      - id: ruff-format
"""


def test_ci004_precommit(make_repo):
    assert_status(make_repo({".pre-commit-config.yaml": PRECOMMIT}), "CI004", Status.PASS)
    lefthook = "pre-commit:\n  commands:\n    lint:\n      run: ruff check\n    fmt:\n      run: black .\n"
    assert_status(make_repo({"lefthook.yml": lefthook}), "CI004", Status.PASS)
    only_lint = PRECOMMIT.replace("      - id: ruff-format\n", "")
    result = assert_status(make_repo({".pre-commit-config.yaml": only_lint}), "CI004", Status.FAIL)
    assert 0 < result.credit < 1
    assert_status(make_repo(NO_CI), "CI004", Status.FAIL)


def test_ci005_linter(make_repo):
    explicit = {"pyproject.toml": "[tool.ruff.lint]\nselect = ['E', 'F']\n"}
    result = assert_status(make_repo(explicit), "CI005", Status.PASS)
    assert str(result.evidence[0]) == "pyproject.toml:2"
    defaults = assert_status(make_repo({"ruff.toml": "line-length = 100\n"}), "CI005", Status.FAIL)
    assert defaults.credit == 0.6
    hook_only = assert_status(make_repo({".pre-commit-config.yaml": PRECOMMIT}), "CI005", Status.FAIL)
    assert hook_only.credit == 0.5
    assert_status(make_repo({".flake8": "[flake8]\nselect = E,W,F\n"}), "CI005", Status.PASS)
    assert_status(make_repo(NO_CI), "CI005", Status.FAIL)


LOCAL_HOOKS = """\
repos:
  - repo: local
    hooks:
      - id: format-fix
        entry: uv run make format-fix
        language: system
      - id: lint
        entry: uv run make lint
        language: system
"""


def test_ci004_local_hooks_followed_through_the_task_runner(make_repo):
    """Local hooks that call a Makefile target are judged by what the target runs."""
    makefile = "lint:\n\truff check src\n\nformat-fix:\n\truff format src\n"
    files = {".pre-commit-config.yaml": LOCAL_HOOKS, "Makefile": makefile}
    result = assert_status(make_repo(files), "CI004", Status.PASS)
    assert {e.note for e in result.evidence} == {"lint", "format-fix"}
    # targets that neither lint nor format, or no Makefile at all
    other = {".pre-commit-config.yaml": LOCAL_HOOKS, "Makefile": "lint:\n\techo ok\n\nformat-fix:\n\ttrue\n"}
    assert_status(make_repo(other), "CI004", Status.FAIL)
    assert_status(make_repo({".pre-commit-config.yaml": LOCAL_HOOKS}), "CI004", Status.FAIL)


TEMPLATED_PYPROJECT = """\
[project]
name = {{ cookiecutter.name|tojson }}
{%- if cookiecutter.manager == "poetry" %}
[tool.poetry]
name = "{{ cookiecutter.name }}"
{% else %}
[tool.poetry]
name = "x"
{% endif %}

[tool.ruff.lint]
select = ["E", "F", "I"]
"""


def test_ci004_ci005_project_template(make_repo):
    """A cookiecutter template is judged by the project it generates: its hooks and linter configuration."""
    gen = "{{ cookiecutter.repo_name }}"
    template = {"cookiecutter.json": '{"repo_name": "x"}\n', "README.md": "# template\n"}
    files = {
        **template,
        f"{gen}/.pre-commit-config.yaml": PRECOMMIT,
        f"{gen}/pyproject.toml": TEMPLATED_PYPROJECT,
    }
    result = assert_status(make_repo(files), "CI004", Status.PASS)
    assert result.evidence[0].path == f"{gen}/.pre-commit-config.yaml"
    result = assert_status(make_repo(files), "CI005", Status.PASS)
    assert result.evidence[0].path == f"{gen}/pyproject.toml"
    # a repository of several starters, each with its question file
    starters = {"starter-a/cookiecutter.json": "{}\n", f"starter-a/{gen}/pyproject.toml": TEMPLATED_PYPROJECT}
    assert_status(make_repo({"README.md": "# starters\n", **starters}), "CI005", Status.PASS)
    # the generated project's default rules, or its hooks without a formatter, still fail
    defaults = {**template, f"{gen}/pyproject.toml": "[tool.ruff]\nline-length = 99\n"}
    assert_status(make_repo(defaults), "CI005", Status.FAIL)
    only_lint = {
        **template,
        f"{gen}/.pre-commit-config.yaml": PRECOMMIT.replace("      - id: ruff-format\n", ""),
    }
    assert_status(make_repo(only_lint), "CI004", Status.FAIL)
    # a templated directory without a question file is not a template's project
    no_questions = {"README.md": "# x\n", f"{gen}/pyproject.toml": TEMPLATED_PYPROJECT}
    assert_status(make_repo(no_questions), "CI005", Status.FAIL)


def test_ci006_dependency_bot(make_repo):
    bot = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n"
    assert_status(make_repo({".github/dependabot.yml": bot}), "CI006", Status.PASS)
    assert_status(make_repo({"renovate.json": "{}\n"}), "CI006", Status.PASS)
    assert_status(make_repo({".github/renovate.json5": "{}\n"}), "CI006", Status.PASS)
    assert_status(make_repo(NO_CI), "CI006", Status.FAIL)


def test_ci007_permissions(make_repo):
    top = wf("run: pytest", extra="permissions:\n  contents: read\n")
    assert_status(make_repo({".github/workflows/ci.yml": top}), "CI007", Status.PASS)
    per_job = wf("run: pytest", job_extra="    permissions: {contents: read}\n")
    assert_status(make_repo({".github/workflows/ci.yml": per_job}), "CI007", Status.PASS)
    result = assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI007", Status.FAIL)
    assert str(result.evidence[0]) == ".github/workflows/ci.yml:3"
    write_all = wf("run: pytest", extra="permissions: write-all\n")
    result = assert_status(make_repo({".github/workflows/ci.yml": write_all}), "CI007", Status.FAIL)
    assert str(result.evidence[0]) == ".github/workflows/ci.yml:2"
    assert_status(make_repo({".gitlab-ci.yml": "t:\n  script: [pytest]\n"}), "CI007", Status.NOT_APPLICABLE)


def test_ci008_pinned_actions(make_repo):
    pinned = wf(
        f"uses: actions/checkout@{SHA}", "uses: ./.github/actions/setup", "uses: docker://alpine@sha256:abc"
    )
    assert_status(make_repo({".github/workflows/ci.yml": pinned}), "CI008", Status.PASS)
    loose = wf(f"uses: actions/checkout@{SHA}", "uses: astral-sh/setup-uv@v5")
    result = assert_status(make_repo({".github/workflows/ci.yml": loose}), "CI008", Status.FAIL)
    assert str(result.evidence[0]) == ".github/workflows/ci.yml:7" and result.credit == 0.5
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI008", Status.NOT_APPLICABLE)
    # a reusable workflow of the same repository, in GitHub's self-repository form or as a path
    caller = (
        "on: workflow_dispatch\npermissions: {}\njobs:\n  deploy:\n    uses: $/.github/workflows/cd.yml\n"
        "  again:\n    uses: ./.github/workflows/cd.yml\n"
    )
    called = wf(f"uses: actions/checkout@{SHA}", on="workflow_call")
    repo = make_repo({".github/workflows/ct.yml": caller, ".github/workflows/cd.yml": called})
    assert_status(repo, "CI008", Status.PASS)


def test_ci009_dangerous_triggers(make_repo):
    safe = wf("run: echo \"$TITLE\"\n        env:\n          TITLE: ${{ github.event.issue.title }}",
              "run: echo ${{ github.event.pull_request.number }}")  # fmt: skip
    assert_status(make_repo({".github/workflows/ci.yml": safe}), "CI009", Status.PASS)
    injected = wf('run: |\n          echo start\n          echo "${{ github.event.issue.title }}"')
    result = assert_status(make_repo({".github/workflows/ci.yml": injected}), "CI009", Status.FAIL)
    assert str(result.evidence[0]) == ".github/workflows/ci.yml:8"
    prt = wf(f"uses: actions/checkout@{SHA}\n        with:\n          ref: ${{{{ github.event.pull_request.head.sha }}}}",
             on="pull_request_target")  # fmt: skip
    result = assert_status(make_repo({".github/workflows/ci.yml": prt}), "CI009", Status.FAIL)
    assert "pull_request_target" in result.message
    assert_status(make_repo(NO_CI), "CI009", Status.NOT_APPLICABLE)


TRACKING_DOCKERFILE = (
    "FROM python:3.12-slim AS build\nRUN pip install mlflow psycopg2-binary\nFROM python:3.12-slim\n"
    'USER 10001\nEXPOSE 5000\nENTRYPOINT ["mlflow", "server"]\n'
)
TRACKING_COMPOSE = (
    "services:\n  db:\n    image: postgres:17.6-bookworm\n  store:\n    image: minio/minio:RELEASE.2025-04-22T22-12-26Z\n"
    "  mlflow:\n    build: {context: .., dockerfile: tracking-server/Dockerfile}\n"
)


def test_ci011_a_tracking_server_stack_is_not_a_deliverable(make_repo):
    """A compose stack of supporting services (a database, an object store, an MLflow tracking server built
    here) is run by the project, not delivered by it: nothing to deploy, as for any batch project."""
    stack = {
        ".github/workflows/ci.yml": wf("run: pytest"),
        "tracking-server/compose.yaml": TRACKING_COMPOSE,
        "tracking-server/Dockerfile": TRACKING_DOCKERFILE,
    }
    assert_status(make_repo(stack), "CI011", Status.NOT_APPLICABLE)
    # The project's own image in the same stack is a deliverable again...
    app = TRACKING_COMPOSE + "  api:\n    build: ..\n"
    fail = assert_status(make_repo({**stack, "tracking-server/compose.yaml": app, "Dockerfile": "FROM python:3.12\n"}),
                         "CI011", Status.FAIL)  # fmt: skip
    assert {e.path for e in fail.evidence} >= {"Dockerfile"}
    # ...and so is an image that serves something else than a tracking server, or an unknown image.
    other = TRACKING_DOCKERFILE.replace('["mlflow", "server"]', '["uvicorn", "app:app"]')
    assert_status(make_repo({**stack, "tracking-server/Dockerfile": other}), "CI011", Status.FAIL)
    unknown = TRACKING_COMPOSE.replace("postgres:17.6-bookworm", "acme/feature-store:1.0")
    assert_status(make_repo({**stack, "tracking-server/compose.yaml": unknown}), "CI011", Status.FAIL)


def test_ci010_audit_in_ci(make_repo):
    assert_status(
        make_repo({".github/workflows/ci.yml": wf("run: uvx mlops-audit check")}), "CI010", Status.PASS
    )
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI010", Status.FAIL)
    assert "needs CI001 first" in assert_status(make_repo(NO_CI), "CI010", Status.FAIL).message


def test_ci011_python_deploy_script_in_a_release_job(make_repo):
    """A release job whose script runs the project's deploy script (``python3 src/model_deploy_pipeline.py``)."""
    script = "#!/bin/sh\ndvc repro\npython3 ./src/pipelines/model_deploy_pipeline.py ./models/model.joblib\n"
    files = {
        ".github/workflows/release.yml": wf("run: ./scripts/release.sh", on="{release: {types: [created]}}"),
        "scripts/release.sh": script,
        "Dockerfile": "FROM python:3.12\n",
    }
    result = assert_status(make_repo(files), "CI011", Status.PASS)
    assert str(result.evidence[0]) == "scripts/release.sh:3"
    # a script whose name only mentions something else is no deployment
    files["scripts/release.sh"] = script.replace("model_deploy_pipeline", "redeploy_notes")
    assert_status(make_repo(files), "CI011", Status.FAIL)


def test_ci011_continuous_delivery(make_repo):
    env = wf("run: ./deploy.sh", on="{push: {branches: [main]}}", job_extra="    environment: production\n")
    assert_status(make_repo({".github/workflows/cd.yml": env}), "CI011", Status.PASS)
    push = wf("run: docker build -t x . && docker push x", on="{push: {tags: ['v*']}}")
    assert_status(make_repo({".github/workflows/cd.yml": push}), "CI011", Status.PASS)
    manual = wf("run: uv publish", on="workflow_dispatch")
    result = assert_status(make_repo({".github/workflows/cd.yml": manual}), "CI011", Status.FAIL)
    assert result.credit == 0.5
    # something to deploy (a container definition, serving code) and no job deploys it
    docker = {".github/workflows/ci.yml": wf("run: pytest"), "Dockerfile": "FROM python:3.12\n"}
    fail = assert_status(make_repo(docker), "CI011", Status.FAIL)
    assert any(e.path == "Dockerfile" for e in fail.evidence)
    api = "from fastapi import FastAPI\napp = FastAPI()\n"
    assert_status(
        make_repo({".github/workflows/ci.yml": wf("run: pytest"), "api.py": api}), "CI011", Status.FAIL
    )
    # a batch project with nothing to roll out: not applicable; a publishing job is still judged
    batch = assert_status(
        make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI011", Status.NOT_APPLICABLE
    )
    assert "nothing to deploy" in batch.message
    assert_status(make_repo({".gitlab-ci.yml": "t:\n  script: [pytest]\n"}), "CI011", Status.NOT_APPLICABLE)
    assert_status(make_repo({".github/workflows/cd.yml": manual}), "CI011", Status.FAIL)
    assert_status(make_repo(NO_CI), "CI011", Status.NOT_APPLICABLE)


def test_ci012_pull_requests(make_repo):
    assert_status(make_repo({".github/workflows/ci.yml": wf("run: pytest")}), "CI012", Status.PASS)
    main_only = wf("run: pytest", on="{push: {branches: [main]}}")
    assert_status(make_repo({".github/workflows/ci.yml": main_only}), "CI012", Status.FAIL)
    assert_status(make_repo({".gitlab-ci.yml": "t:\n  script: [pytest]\n"}), "CI012", Status.PASS)
    assert_status(make_repo({"Jenkinsfile": "node { sh 'pytest' }\n"}), "CI012", Status.NOT_APPLICABLE)
    assert "needs CI001 first" in assert_status(make_repo(NO_CI), "CI012", Status.FAIL).message


def test_ci002_followed_through_a_script_that_calls_a_script(make_repo):
    """CI calls a script that calls another script that runs the tests: followed up to three levels."""
    files = {
        ".github/workflows/ci.yml": wf("run: bash .ci/run"),
        ".ci/run": "#!/usr/bin/env bash\nset -e\nuv sync\nbash scripts/test.sh\n",
        "scripts/test.sh": '#!/usr/bin/env bash\nexec uv run pytest "$@"\n',
    }
    result = assert_status(make_repo(files), "CI002", Status.PASS)
    assert str(result.evidence[0]) == "scripts/test.sh:2"
    loop = {".github/workflows/ci.yml": wf("run: bash a.sh"), "a.sh": "bash b.sh\n", "b.sh": "bash a.sh\n"}
    assert_status(make_repo(loop), "CI002", Status.FAIL)  # a loop of scripts ends, and runs no tests


def test_ci002_azure_pipelines_under_any_name_with_local_templates(make_repo):
    """Azure Pipelines kept as ``.pipelines/ci.yml`` are recognised by content, and the steps of a local
    template they include (``- template: quality.yml``) are read in place."""
    ci = (
        "trigger:\n  branches:\n    include: [main]\npool:\n  vmImage: ubuntu-latest\n"
        "steps:\n- template: quality.yml\n- script: echo done\n"
    )
    quality = "steps:\n- script: |\n    flake8 .\n    python -m pytest tests\n  displayName: quality\n"
    files = {".pipelines/ci.yml": ci, ".pipelines/quality.yml": quality, "README.md": "# x\n"}
    result = assert_status(make_repo(files), "CI002", Status.PASS)
    assert str(result.evidence[0]).startswith(".pipelines/quality.yml:")
    assert_status(make_repo(files), "CI003", Status.PASS)
    # a Kubernetes manifest in a deploy/ folder is no pipeline
    k8s = {
        "deploy/pipeline/app.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
        "README.md": "# x\n",
    }
    assert_status(make_repo(k8s), "CI001", Status.FAIL)

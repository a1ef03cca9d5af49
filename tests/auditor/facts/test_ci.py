"""facts.ci: the normalised CI model of six providers, and commands followed into task runners and scripts."""

from __future__ import annotations

from mlops_audit.facts import ci
from mlops_audit.repo import Repo

GHA = """\
name: CI
on:
  push:
    branches: [main]
    tags: ["v*"]
  pull_request:
  schedule:
    - cron: "0 3 * * 1"
  workflow_dispatch:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: |
          uv sync --locked
          uv run pytest -q
"""


def _repo(make_repo, files) -> Repo:
    return Repo(make_repo(files))


def test_github_actions_model(make_repo):
    repo = _repo(make_repo, {".github/workflows/ci.yml": GHA})
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "github" and pipe.parsed
    assert {"push", "tags", "pull_request", "schedule", "workflow_dispatch"} <= pipe.events
    sched = next(t for t in pipe.triggers if t.event == "schedule")
    assert sched.crons == ("0 3 * * 1",) and sched.line == 7
    assert pipe.permissions == {"contents": "read"} and pipe.permissions_line == 10
    [job] = pipe.jobs
    assert job.environment == "staging" and job.environment_line == 15
    assert job.steps[0].uses == "actions/checkout@v4" and job.steps[0].uses_line == 17
    texts = [(c.text, c.line) for c in job.commands]
    assert texts == [("uv sync --locked", 20), ("uv run pytest -q", 21)]
    assert ci.test_commands(repo)[0].line == 21
    refs = ci.github_actions(repo)
    assert refs[0].ref == "v4" and not refs[0].pinned


def test_yaml_on_key_as_true_and_list_forms(make_repo):
    repo = _repo(make_repo, {".github/workflows/a.yml": "on: [push, pull_request]\njobs: {}\n"})
    assert ci.pipelines(repo)[0].events == {"push", "pull_request"}


def test_gitlab_with_schedule_rules_and_extends(make_repo):
    files = {
        ".gitlab-ci.yml": """\
stages: [test, train]
.py:
  image: python:3.12
  before_script: [pip install -e .]
test:
  extends: .py
  script:
    - pytest
train:
  stage: train
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
    - python -m churn.train
deploy:
  environment: production
  script: ["docker push registry/churn:latest"]
  only: [tags]
"""
    }
    repo = _repo(make_repo, files)
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "gitlab"
    assert {"push", "schedule", "tags"} <= pipe.events
    train = pipe.job("train")
    assert train.events == frozenset({"schedule"})
    assert [c.text for c in pipe.job("test").commands] == ["pip install -e .", "pytest"]
    assert pipe.job("deploy").environment == "production"
    assert ci.test_commands(repo)[0].line == 8


def test_azure_pipelines(make_repo):
    files = {
        "azure-pipelines.yml": """\
trigger: [main]
schedules:
  - cron: "0 0 * * *"
    branches: {include: [main]}
stages:
  - stage: ci
    jobs:
      - job: test
        steps:
          - script: python -m pytest
            displayName: tests
  - stage: cd
    jobs:
      - deployment: release
        environment: prod
        strategy:
          runOnce:
            deploy:
              steps:
                - bash: ./deploy.sh
"""
    }
    repo = _repo(make_repo, files)
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "azure" and {"push", "schedule", "pull_request"} <= pipe.events
    assert ci.test_commands(repo)[0].text == "python -m pytest"
    deploy = pipe.job("cd.release")
    assert deploy.environment == "prod" and deploy.commands[0].text == "./deploy.sh"


def test_circleci_with_scheduled_workflow(make_repo):
    files = {
        ".circleci/config.yml": """\
version: 2.1
jobs:
  test:
    docker: [{image: cimg/python:3.12}]
    steps:
      - checkout
      - run: pip install tox && tox
  train:
    docker: [{image: cimg/python:3.12}]
    steps:
      - run:
          name: train
          command: python train.py
workflows:
  ci:
    jobs: [test]
  nightly:
    triggers:
      - schedule:
          cron: "0 2 * * *"
          filters: {branches: {only: [main]}}
    jobs: [train]
"""
    }
    repo = _repo(make_repo, files)
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "circleci"
    assert pipe.job("train").events == frozenset({"schedule"})
    assert pipe.job("test").events == frozenset({"push"})
    assert [c.text for c in ci.test_commands(repo)] == ["pip install tox && tox"]
    assert pipe.job("train").commands[0].line == 13


def test_jenkinsfile(make_repo):
    files = {
        "Jenkinsfile": """\
pipeline {
  agent any
  triggers { cron('H 4 * * *') }
  stages {
    stage('Test') {
      steps { sh 'make test' }
    }
    stage('Deploy') {
      steps {
        sh '''
          docker push registry/app
        '''
      }
    }
  }
}
"""
    }
    repo = _repo(make_repo, files)
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "jenkins" and "schedule" in pipe.events
    assert [j.id for j in pipe.jobs] == ["Test", "Deploy"]
    assert pipe.job("Test").commands[0].text == "make test" and pipe.job("Test").commands[0].line == 6
    assert pipe.job("Deploy").commands[0].line == 11
    assert ci.is_test("make test")


def test_bitbucket(make_repo):
    files = {
        "bitbucket-pipelines.yml": """\
image: python:3.12
pipelines:
  default:
    - step:
        name: test
        script:
          - pip install -r requirements.txt
          - pytest
  pull-requests:
    '**':
      - step:
          script: [ruff check .]
  branches:
    main:
      - step:
          name: deploy
          deployment: production
          script:
            - pipe: atlassian/aws-ecs-deploy:1.0.0
"""
    }
    repo = _repo(make_repo, files)
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "bitbucket" and {"push", "pull_request"} <= pipe.events
    assert ci.test_commands(repo)[0].line == 8
    assert ci.lint_commands(repo)
    deploy = pipe.job("deploy")
    assert deploy.environment == "production" and deploy.steps[0].uses.startswith("atlassian/")


CLOUDBUILD = """\
steps:
- name: 'gcr.io/cloud-builders/git'
  args: ['clone', '--depth', '1', '$_REPO_URL']
  id: 'Clone'
- name: '$_CICD_IMAGE_URI'
  entrypoint: 'pytest'
  args: ['src/tests/model_tests.py', '-s']
  id: 'Unit Test Model'
- name: python:3.12
  entrypoint: bash
  args: ['-c', 'pip install ruff && ruff check src']
- name: 'gcr.io/cloud-builders/docker'
  args: ['build', '-t', '$_IMAGE', '.']
timeout: 3600s
"""


def test_cloud_build_under_any_name(make_repo):
    """A Cloud Build configuration is recognised by name (cloudbuild*.yaml) or, under another name, by its
    builders and shape; each step's entrypoint (or builder tool) and args, or its bash -c script, is a command.
    Its triggers live in the Google Cloud project: none is declared."""
    repo = _repo(make_repo, {"build/pipeline-deployment.yaml": CLOUDBUILD})
    [pipe] = ci.pipelines(repo)
    assert pipe.provider == "cloudbuild" and pipe.events == set()
    texts = [c.text for c in pipe.jobs[0].commands]
    assert texts[1] == "pytest src/tests/model_tests.py -s" and texts[-1] == "docker build -t $_IMAGE ."
    assert [c.line for c in ci.test_commands(repo)] == [5] and ci.lint_commands(repo)
    assert ci.ci_runs_tests_fact(repo).value is True
    # any YAML with a steps list is not a build: no Cloud Build builder, or keys Cloud Build does not have
    others = {
        "conf/steps.yaml": "steps:\n- name: prepare\n  args: [1]\n",  # no builder image
        "deploy/build.yaml": "steps:\n- name: gcr.io/cloud-builders/docker\n  args: [build]\njobs: []\n",
    }
    assert ci.ci_files(_repo(make_repo, others)) == {}


def test_every_provider_detected(make_repo):
    files = {
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        ".gitlab-ci.yml": "test:\n  script: [pytest]\n",
        "azure-pipelines.yml": "steps: [{script: pytest}]\n",
        ".circleci/config.yml": "version: 2.1\njobs: {}\n",
        "Jenkinsfile": "node { sh 'pytest' }\n",
        "bitbucket-pipelines.yml": "pipelines: {default: [{step: {script: [pytest]}}]}\n",
        "cloudbuild.yaml": "steps:\n- name: python:3.12\n  entrypoint: pytest\n",
    }
    repo = _repo(make_repo, files)
    assert ci.providers(repo) == list(ci.PROVIDERS)
    assert ci.has_ci_fact(repo).value is True
    assert ci.ci_providers_inventory(repo) == [
        "github-actions", "gitlab-ci", "azure-pipelines", "circleci", "jenkins", "bitbucket-pipelines",
        "google-cloud-build",
    ]  # fmt: skip


def test_no_ci(make_repo):
    repo = _repo(make_repo, {"README.md": "# x\n"})
    assert ci.has_ci_fact(repo).value is False
    assert ci.ci_runs_tests_fact(repo).value is False
    assert ci.pipelines(repo) == []


def test_tests_through_make_target_count(make_repo):
    files = {
        ".github/workflows/ci.yml": "on: push\njobs:\n  c:\n    runs-on: x\n    steps:\n      - run: make check\n",
        "Makefile": ".PHONY: check\ncheck: lint unit\nlint:\n\truff check .\nunit:\n\t@uv run python -m pytest -q\n",
    }
    repo = _repo(make_repo, files)
    found = ci.test_commands(repo)
    assert [(c.path, c.line, c.via) for c in found] == [("Makefile", 6, "make check")]
    assert ci.ci_runs_tests_fact(repo).value is True
    assert [c.path for c in ci.lint_commands(repo)] == ["Makefile"]


def test_make_target_without_tests_does_not_count(make_repo):
    files = {
        ".github/workflows/ci.yml": "on: push\njobs:\n  c:\n    runs-on: x\n    steps:\n      - run: make build\n",
        "Makefile": "build:\n\tpython -m build\n",
    }
    repo = _repo(make_repo, files)
    assert ci.test_commands(repo) == []
    assert ci.ci_runs_tests_fact(repo).value is False


def _wf(command: str) -> str:
    return f"on: push\njobs:\n  c:\n    runs-on: x\n    steps:\n      - run: {command}\n"


def test_following_task_runners(make_repo):
    files = {
        ".github/workflows/a.yml": _wf("just ci"),
        ".github/workflows/b.yml": _wf("uv run poe check"),
        ".github/workflows/c.yml": _wf("tox -e lint"),
        ".github/workflows/d.yml": _wf("nox -s tests"),
        ".github/workflows/e.yml": _wf("bash scripts/test.sh"),
        ".github/workflows/f.yml": _wf("mise run verify"),
        ".github/workflows/g.yml": _wf("hatch run cov"),
        ".github/workflows/h.yml": _wf("uv run pre-commit run --all-files"),
        "justfile": "default:\n  echo hi\n\nci: lint\n  pytest\n\nlint:\n  ruff check .\n",
        "pyproject.toml": (
            '[tool.poe.tasks]\ncheck = ["lint", "unit"]\nlint = "ruff check ."\nunit = {cmd = "pytest -x"}\n'
            '[tool.hatch.envs.default.scripts]\ncov = "pytest --cov"\n'
        ),
        "tox.ini": "[tox]\nenvlist = py312\n[testenv]\ncommands = pytest\n[testenv:lint]\ncommands =\n    ruff check .\n",
        "noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n    session.install('.')\n"
        "    session.run('pytest', '-q')\n",
        "scripts/test.sh": "#!/bin/sh\nset -e\n# run the tests\npython -m pytest tests\n",
        "mise.toml": '[tasks.verify]\nrun = "pytest"\n',
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.8.0\n"
        "    hooks:\n      - id: ruff\n",
    }
    repo = _repo(make_repo, files)
    by_via = {}
    for cmd in ci.all_commands(repo):
        if cmd.via:
            by_via.setdefault(cmd.via, []).append((cmd.text, cmd.path, cmd.line))
    assert by_via["just ci"] == [("ruff check .", "justfile", 8), ("pytest", "justfile", 5)]
    assert ("pytest -x", "pyproject.toml", 4) in by_via["uv run poe check"]
    assert ("ruff check .", "pyproject.toml", 3) in by_via["uv run poe check"]
    assert by_via["tox -e lint"] == [("ruff check .", "tox.ini", 7)]
    assert by_via["nox -s tests"] == [("pytest -q", "noxfile.py", 6)]
    assert by_via["bash scripts/test.sh"] == [
        ("set -e", "scripts/test.sh", 2),
        ("python -m pytest tests", "scripts/test.sh", 4),
    ]
    assert by_via["mise run verify"][0][0] == "pytest"
    assert by_via["hatch run cov"][0][0] == "pytest --cov"
    assert by_via["uv run pre-commit run --all-files"] == [("ruff", ".pre-commit-config.yaml", 5)]
    assert "lint" in ci.classify("ruff")


def test_local_composite_action_and_reusable_workflow(make_repo):
    files = {
        ".github/actions/check/action.yml": "runs:\n  using: composite\n  steps:\n    - run: pytest\n      shell: bash\n",
        ".github/workflows/ci.yml": "on: pull_request\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: ./.github/actions/check\n  b:\n    uses: ./.github/workflows/train.yml\n",
        ".github/workflows/train.yml": "on: workflow_call\njobs:\n  t:\n    runs-on: x\n    steps:\n"
        "      - run: python train.py\n",
    }
    repo = _repo(make_repo, files)
    ci_pipe = next(p for p in ci.pipelines(repo) if p.path.endswith("ci.yml"))
    commands = ci.pipeline_commands(repo, ci_pipe)
    assert ("pytest", ".github/actions/check/action.yml", 4) in [(c.text, c.path, c.line) for c in commands]
    assert any(c.text == "python train.py" and c.job == "b" for c in commands)


def test_classifier():
    assert ci.is_test("uv run pytest -q")
    assert ci.is_test("python -m unittest discover")
    assert ci.is_test("make test")
    assert ci.is_test("poe test")
    assert ci.is_test("tox")
    assert not ci.is_test("pip install pytest")
    assert not ci.is_test("tox -e lint") and ci.is_lint("tox -e lint")
    assert ci.is_test("tox -e py312") and ci.is_test("tox -p auto") and ci.is_test("nox -s tests")
    assert "metrics_report" in ci.classify('cat metrics.md >> "$GITHUB_STEP_SUMMARY"')
    assert "metrics_report" not in ci.classify('echo "done" >> "$GITHUB_STEP_SUMMARY"')
    assert not ci.is_test('echo "run pytest later"')
    assert ci.is_lint("uv run ruff check .")
    assert not ci.is_lint("uv run ruff format .")
    assert "format" in ci.classify("black .")
    assert "train" in ci.classify("uv run python -m churn.train")
    assert "train" in ci.classify("dvc repro")
    assert "train" not in ci.classify("pytest tests/test_train.py")
    assert "deploy" in ci.classify("docker push ghcr.io/x/y:latest")
    assert "metrics_report" in ci.classify("dvc metrics diff main --md >> report.md")


def test_malformed_yaml_is_noted_not_raised(make_repo):
    repo = _repo(make_repo, {".github/workflows/bad.yml": "on: [push\njobs: {\n"})
    [pipe] = ci.pipelines(repo)
    assert pipe.parsed is False
    assert any("YAML" in n.message for n in repo.notes)
    assert ci.ci_runs_tests_fact(repo).value is None


def test_alias_bomb_is_not_expanded(make_repo):
    lines = ['a0: &a0 ["pytest"]'] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    repo = _repo(make_repo, {".gitlab-ci.yml": "\n".join(lines) + "\njob:\n  script: *a29\n"})
    [pipe] = ci.pipelines(repo)
    assert pipe.parsed is False and ci.all_commands(repo) == []
    assert any("aliases" in n.message for n in repo.notes)


def test_every_runner_module_is_a_row_of_the_dispatch_table():
    import pkgutil

    from mlops_audit.facts.ci import runners

    modules = {m.name for m in pkgutil.iter_modules(runners.__path__)} - {"base", "pytasks"}
    rows = {r.follow.__module__.rsplit(".", 1)[-1] for r in runners.RUNNERS}
    assert modules == rows
    assert len({r.name for r in runners.RUNNERS}) == len(runners.RUNNERS)

"""Continuous integration: ONE normalised model of the CI pipelines of seven providers, and of what they run.

Providers: GitHub Actions (``.github/workflows/*.yml``), GitLab CI (``.gitlab-ci.yml`` and its local
includes), Azure Pipelines (``azure-pipelines.yml``), CircleCI (``.circleci/config.yml``), Jenkins
(``Jenkinsfile``, read with regular expressions: Groovy is not parsed), Bitbucket Pipelines and Google Cloud
Build (``cloudbuild.yaml`` and build configurations recognised by their content).

Each becomes a :class:`Pipeline` with :class:`Trigger` s (normalised events: ``push``, ``pull_request``,
``schedule`` with its crons, ``workflow_dispatch``/``manual``, ``workflow_call``, ``repository_dispatch``, ``tags``,
``release``, ``api``...), :class:`Job` s (permissions, environment, the events a job is restricted to) and
:class:`Step` s (``uses:`` actions with their refs, and the shell :class:`Command` s they run with file:line).

Commands are followed ONE level into the task runners and scripts CI calls — Makefile targets (with their
prerequisites), justfile recipes, tox envs, nox sessions and invoke tasks (AST), poe / pdm / hatch / rye scripts,
mise tasks, Taskfile tasks, ``pre-commit run`` hooks, local composite actions and reusable workflows, and shell
scripts (``bash scripts/test.sh``). A followed command keeps ``via`` = the CI command that led to it.

Use :func:`pipelines`, :func:`all_commands`, :func:`runs` and the classifiers (:func:`classify`,
:func:`test_commands`, :func:`lint_commands`...). Malformed files become notes and ``Pipeline.parsed = False``.

Layout (each module imports only the ones listed before it):

- :mod:`.model` — the plain data: Pipeline, Job, Step, Command, Trigger, the event sets;
- :mod:`.values` — tolerant readers of parsed YAML/TOML values;
- :mod:`.shell` — the command reader: scripts into commands with lines, commands into :class:`Invocation` s;
- :mod:`.providers` — one module per CI system (``parse(repo, path) -> Pipeline``) and the ``PARSERS`` table;
- :mod:`.runners` — one module per task runner / hook manager / script kind behind ONE dispatch table,
  ``runners.RUNNERS``. Adding a runner = adding a module with ``follow(repo, invocation, segment)`` (and
  ``configured(repo)`` when a file of its own configures it) and one row of that table;
- :mod:`.classify` — what a command does (test, lint, train, deploy...);
- :mod:`.views` — commands of every pipeline followed one level, ``uses:`` references, steps;
- this module — the public API (every name other modules use is re-exported here) and the report facts
  ``has_ci`` and ``ci_runs_tests`` with the ``ci_providers`` and ``task_runners`` inventories.

YAML is loaded by :func:`..yamlfile.load_config` (with its alias-bomb guard), re-exported here as
:func:`load_config`.
"""

from __future__ import annotations

from ...repo import Repo
from .. import FactValue, inventory, report_fact
from ..yamlfile import MAX_YAML_NODES, load_config
from .classify import (
    CATEGORIES,
    DEPLOY_ACTIONS,
    LINT_ACTIONS,
    TEST_ACTIONS,
    classify,
    is_lint,
    is_test,
    step_text,
)
from .model import EVENT_TRIGGERS, REVIEW_TRIGGERS, Command, Job, Pipeline, Step, Trigger
from .providers import PROVIDERS, ci_files, pipelines, provider_of
from .providers import providers as providers  # the function (it shadows the subpackage of the same name)
from .providers.github import local_action_steps, local_actions, local_uses_path
from .runners import RUNNERS, expand, task_runner_files
from .runners.tox import tox_envs
from .shell import Invocation, invocation, locate, script_commands, segments, split_script
from .views import (
    ActionRef,
    all_commands,
    all_steps,
    github_actions,
    lint_commands,
    pipeline_commands,
    runs,
    test_commands,
)

__all__ = [
    "CATEGORIES",
    "DEPLOY_ACTIONS",
    "EVENT_TRIGGERS",
    "LINT_ACTIONS",
    "MAX_YAML_NODES",
    "PROVIDERS",
    "REVIEW_TRIGGERS",
    "RUNNERS",
    "TEST_ACTIONS",
    "ActionRef",
    "Command",
    "Invocation",
    "Job",
    "Pipeline",
    "Step",
    "Trigger",
    "all_commands",
    "all_steps",
    "ci_files",
    "ci_providers_inventory",
    "ci_runs_tests_fact",
    "classify",
    "expand",
    "github_actions",
    "has_ci_fact",
    "invocation",
    "is_lint",
    "is_test",
    "lint_commands",
    "load_config",
    "local_action_steps",
    "local_actions",
    "local_uses_path",
    "locate",
    "pipeline_commands",
    "pipelines",
    "provider_of",
    "providers",
    "runs",
    "script_commands",
    "segments",
    "split_script",
    "step_text",
    "task_runner_files",
    "task_runners_inventory",
    "test_commands",
    "tox_envs",
]


@report_fact("has_ci")
def has_ci_fact(repo: Repo) -> FactValue:
    files = ci_files(repo)
    return FactValue.of([p for provider in PROVIDERS for p in files.get(provider, [])][:5])


@report_fact("ci_runs_tests")
def ci_runs_tests_fact(repo: Repo) -> FactValue:
    if not ci_files(repo):
        return FactValue(False)
    found = test_commands(repo)
    if found:
        return FactValue.of([c.location for c in found[:5]])
    steps = [(p.path, s.uses_line) for p, _, s in all_steps(repo) if s.uses and TEST_ACTIONS.search(s.uses)]
    if steps:
        return FactValue.of(steps[:5])
    if any(not p.parsed for p in pipelines(repo)):
        return FactValue(None)
    return FactValue(False)


@inventory("ci_providers")
def ci_providers_inventory(repo: Repo) -> list[str]:
    names = {"github": "github-actions", "gitlab": "gitlab-ci", "azure": "azure-pipelines",
             "circleci": "circleci", "jenkins": "jenkins", "bitbucket": "bitbucket-pipelines",
             "cloudbuild": "google-cloud-build"}  # fmt: skip
    return [names[p] for p in providers(repo)]


@inventory("task_runners")
def task_runners_inventory(repo: Repo) -> list[str]:
    return sorted(task_runner_files(repo))

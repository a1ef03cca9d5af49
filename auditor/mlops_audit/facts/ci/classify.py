"""What a command does: :func:`classify` reads a shell command as any of :data:`CATEGORIES` (test, lint,
format, train, deploy, audit, drift, evaluate, metrics_report); the ``*_ACTIONS`` patterns do the same for
``uses:`` actions, orbs, pipes and tasks."""

from __future__ import annotations

import re
from functools import lru_cache

from ... import lazyre
from .model import Command, Step
from .shell import invocation, segments

_INSTALL = lazyre.compile(
    r"^(pip3?|uv\s+pip|uv\s+add|uv\s+sync|uv\s+tool\s+install|pipx|poetry\s+(add|install)|conda|mamba|micromamba|"
    r"apt(-get)?|brew|npm\s+(i|install|ci)|yum|apk|choco|echo|printf|cat|cd|export|git|curl|wget)\b"
)
_PATTERNS: dict[str, re.Pattern[str]] = {
    "test": lazyre.compile(
        r"(^|[\s/])(pytest|py\.test|nose2?|ward|behave)\b|-m\s+(pytest|unittest)\b|\bunittest\s+discover|"
        r"\bhatch\s+test\b|\bcoverage\s+run\b|^(tox|nox)\b(?!.*\s(-e|--env|-s|--sessions?|-m|-t|--tags|-k|-l|--list)\b)"
    ),
    "lint": lazyre.compile(
        r"(^|[\s/])(ruff(?!\s+format)|flake8|pylint|pyflakes|pycodestyle|mypy|pyright|basedpyright|pytype|bandit|"
        r"pydocstyle|pre-commit\s+run|prek\s+run|lefthook\s+run|nbqa|sqlfluff\s+lint|hadolint|yamllint|"
        r"ty\s+check|black\s+(.*\s)?--check|isort\s+(.*\s)?(--check|-c\b)|ruff\s+format\s+(.*\s)?--check)"
    ),
    "format": lazyre.compile(r"(^|[\s/])(ruff\s+format|black|isort|autopep8|yapf)\b"),
    "train": lazyre.compile(
        r"(^|[\s/._:=-])(re)?train(ing|er)?([\s/._:-]|$)|\bdvc\s+(repro|exp\s+run)\b|\bmlflow\s+run\b|"
        r"\bkedro\s+run\b|\bzenml\s+pipeline\s+run\b|\bfit_model\b|\bmetaflow\b|\bsagemaker\b.*\btraining"
    ),
    "deploy": lazyre.compile(
        r"\bdocker\s+(image\s+)?push\b|\bbuildx\s+build\b.*--push|\btwine\s+upload\b|\b(uv|poetry|flit|hatch|pdm)\s+"
        r"publish\b|\bkubectl\s+(apply|rollout|set\s+image)|\bhelm\s+(upgrade|install)\b|\bgcloud\s+.*\bdeploy\b|"
        r"\baz\s+(webapp|containerapp|ml|functionapp)\b.*\b(create|deploy|up|update)\b|\b(sam|serverless|sls|cdk|"
        r"fly|flyctl|modal|vercel|bentoml|railway)\s+deploy\b|\bterraform\s+apply\b|\bpulumi\s+up\b|"
        r"\baws\s+(ecs\s+update-service|lambda\s+update-function-code|sagemaker\s+(create|update)-endpoint)|"
        r"\bmlflow\s+(deployments|sagemaker)\b|\bgh\s+release\s+create\b|\bskaffold\s+run\b|\bargocd\s+app\s+sync\b|"
        r"(^|[\s/])(make|just|poe|task|invoke|inv)\s+(deploy|publish|release)\b|(^|[\s/])deploy[\w.-]*\.sh\b|"
        r"(^|\s)python[\d.]*\s+(-\w+\s+)*(-m\s+)?[\w./-]*?(^|[/._-]|\b)deploy(ment)?([_-][\w-]*)?(\.py)?(\s|$)"
    ),
    "audit": lazyre.compile(r"\bmlops[-_]audit\b"),
    "drift": lazyre.compile(
        r"drift|\bevidently\b|\bnannyml\b|alibi[-_]detect|\bwhylogs\b|\bdeepchecks\b|\bfrouros\b", re.I
    ),
    "evaluate": lazyre.compile(
        r"evaluat|\bvalidat|promot|champion|challenger|\bregister|\bcompare\b|\bdvc\s+metrics\b|\bquality[-_ ]gate|"
        r"\bbenchmark",
        re.I,
    ),
    "metrics_report": lazyre.compile(
        r"\bdvc\s+(metrics|plots|params|exp)\s+(diff|show)\b|\bcml\s+(comment|send-comment|publish|pr)\b|"
        r"\bcml-send-comment\b|\bgh\s+pr\s+comment\b|\bmlflow\b.*\b(compare|diff)\b"
    ),
}
#: Categories :func:`classify` assigns (``runs(repo, "test")``).
CATEGORIES = tuple(_PATTERNS)
_TEST_TASK = lazyre.compile(
    r"^(make|gmake|just|poe|task|invoke|inv|mise\s+run|mise|npm\s+run|yarn|pdm|hatch|rye|pixi|hatch\s+run|"
    r"tox\s+(run\s+)?-e|tox\s+(run\s+)?--env|nox\s+-s|nox\s+--sessions?)\s+([\w:.-]*\s+)*?"
    r"[\w:.-]*(tests?|unit|unittests?|integration|e2e|pytest|coverage|cov|py3\d+|py3)\b"
)
_LINT_TASK = lazyre.compile(
    r"^(make|gmake|just|poe|task|invoke|inv|mise\s+run|mise|npm\s+run|pdm|hatch\s+run|pixi|rye|"
    r"tox\s+(run\s+)?-e|nox\s+-s)\s+([\w:.-]*\s+)*?[\w:.-]*(lint|linting|style|flake8|ruff|typecheck|mypy|"
    r"check-format|format-check|quality|qa|static)\b"
)


@lru_cache(maxsize=8192)
def classify(text: str) -> frozenset[str]:
    """What a shell command does: any of :data:`CATEGORIES` (``test``, ``lint``, ``format``, ``train``,
    ``deploy``, ``audit``, ``drift``, ``evaluate``, ``metrics_report``). Installs and ``echo`` do not count."""
    found: set[str] = set()
    whole = text.strip()
    if "GITHUB_STEP_SUMMARY" in whole and re.search(r"metric|accuracy|score|f1|auc|rmse|loss", whole, re.I):
        found.add("metrics_report")  # a metrics table written to the job summary
    for segment in segments(whole):
        seg = segment.strip()
        inv = invocation(seg)
        if inv is None:
            continue
        peeled = " ".join((inv.program, *inv.args)).strip()
        if _INSTALL.match(peeled):
            continue
        for name, rx in _PATTERNS.items():
            if name == "metrics_report":
                if rx.search(seg):
                    found.add(name)
                continue
            if rx.search(peeled) or rx.search(seg):
                found.add(name)
        if _TEST_TASK.search(peeled):
            found.add("test")
        if _LINT_TASK.search(peeled):
            found.add("lint")
    if (
        "test" in found
        and "train" in found
        and not re.search(r"(^|\s)(python\S*\s+\S*train|dvc|mlflow|kedro)", whole)
    ):
        found.discard("train")  # pytest tests/test_train.py is a test, not a training run
    return frozenset(found)


def is_test(cmd: Command | str) -> bool:
    """Whether the command runs tests."""
    return "test" in classify(cmd if isinstance(cmd, str) else cmd.text)


def is_lint(cmd: Command | str) -> bool:
    """Whether the command lints."""
    return "lint" in classify(cmd if isinstance(cmd, str) else cmd.text)


#: ``uses:`` actions / orbs / pipes / tasks that lint or format-check.
LINT_ACTIONS = lazyre.compile(
    r"(ruff-action|pre-commit/action|psf/black|flake8|pylint|python-lint|lint-action|super-linter|mypy|"
    r"pre-commit-ci|trunk-io/trunk-action|reviewdog)",
    re.I,
)
TEST_ACTIONS = lazyre.compile(r"(pytest|tox-action|nox-action|python/test)", re.I)
DEPLOY_ACTIONS = lazyre.compile(
    r"(pypi-publish|gh-action-pypi|webapps-deploy|k8s-deploy|deploy-cloudrun|deploy-appengine|"
    r"amazon-ecs-deploy|aws-lambda-deploy|sagemaker|flyctl-actions|action-gh-release|helm|"
    r"azure/(container-apps-deploy|functions-action|aml)|heroku-deploy|vercel-action|kubectl|argocd|ssh-deploy)",
    re.I,
)


def step_text(step: Step) -> str:
    """Everything a step says about itself, for keyword searches: name, uses, run, inputs."""
    return " ".join(
        [step.name, step.uses or "", step.run or "", " ".join(f"{k}={v}" for k, v in step.with_.items())]
    )

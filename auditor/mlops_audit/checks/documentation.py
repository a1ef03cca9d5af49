"""DOC: documentation — README, LICENSE, model card, documentation site."""

from __future__ import annotations

import re

from .. import lazyre
from ..facts import project, serving
from ..facts.pipelines import no_training_run, pipeline_definitions
from ..model import Result, Severity
from ..repo import Repo
from .base import check

_MIN_README_WORDS = 40
#: Words of a heading that introduces the commands (``## 🛠 Installation``, ``Usage\n-----``, ``## Training``).
_USAGE_WORDS = (
    r"(?<![^\W_])(usage|quick\s*-?\s*start|getting\s+started|get\s+started|install|how\s+to|run|setup|set\s+up|"
    r"train|reproduc|example|tutorial|demo)|快速开始|快速上手|使用|安装"
)
_USAGE = lazyre.compile(
    rf"^[ \t]{{0,3}}#{{1,6}}[ \t]*[^\n]*?({_USAGE_WORDS})"  # ATX heading, emoji or numbering before the word
    rf"|^[^\n]*?({_USAGE_WORDS})[^\n]*\n[ \t]{{0,3}}(=+|-+)[ \t]*$"  # setext heading (underlined)
    rf"|<h[1-6][^>]*>[^<\n]*?({_USAGE_WORDS})",  # HTML heading
    re.IGNORECASE | re.MULTILINE,
)
#: A command that runs the project, as the first word of a line in a fenced code block: Python and its
#: package managers, task runners, and the command-line tools of ML frameworks and servers.
_COMMAND = lazyre.compile(
    r"^\s*(?:\$\s*|>\s*)?(python3?|pip3?|uv|uvx|make|poetry|pdm|hatch|pixi|conda|mamba|micromamba|"
    r"docker(?:-compose)?|jupyter|dvc|mlflow|kedro|zenml|dagster|prefect|airflow|streamlit|uvicorn|gunicorn|"
    r"flask|bentoml|pytest|tox|nox|poe|cookiecutter|copier|bash|sh)\s"
)
#: A script run in prose or inline code ("run python app.py in the terminal"); it counts when the script exists.
_PROSE_SCRIPT = lazyre.compile(r"(?<![\w.-])(?:python3?|bash|sh|streamlit\s+run)\s+([\w./-]+\.(?:py|sh))\b")
#: A relative Markdown or HTML link (``[project](sub/dir)``, ``href="sub/dir/README.md"``).
_RELATIVE_LINK = lazyre.compile(
    r"\]\(\s*<?(?:\./)?([^)\s>#:?]+)(?=[)\s>#])|href=[\"'](?:\./)?([^\"'#:?]+)[\"'#]"
)
#: Sub-project READMEs that say how to run them, linked from an index README: a monorepo or a set of starters.
_MIN_INDEXED = 2


def _command_block_line(text: str) -> int | None:
    """The line of the first command (``python train.py``, ``pip install``, ``uv run``, ``make``...) inside a
    fenced code block of ``text`` (fences paired in order, so text between two blocks is never read)."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if fence is None:
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
        elif stripped.startswith(fence):
            fence = None
        elif _COMMAND.match(line):
            return number
    return None


def _prose_script_line(repo: Repo, text: str) -> int | None:
    """The line where prose or inline code runs a script of the repository (``run python app.py``)."""
    for m in _PROSE_SCRIPT.finditer(text):
        script = m.group(1).lstrip("./")
        if script in repo.entries or any(p.endswith("/" + script) for p in repo.with_suffix(script[-3:])):
            return text.count("\n", 0, m.start()) + 1
    return None


def _usage_line(repo: Repo, text: str, prose: bool = True) -> int | None:
    """The line of the usage heading, of the first command of a code block, or (``prose``) of a script run in
    prose."""
    usage = _USAGE.search(text)
    if usage:
        return text.count("\n", 0, usage.start()) + 1
    return _command_block_line(text) or (_prose_script_line(repo, text) if prose else None)


def _indexed_readmes(repo: Repo, path: str, text: str) -> list[tuple[str, int]]:
    """(README, line) of the sub-directories the README ``path`` links to whose own README says how to run
    them: the root README of a monorepo or of a set of starters, as an index."""
    base = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    readmes = {p.rsplit("/", 1)[0]: p for p in project.readmes(repo) if "/" in p}
    found: dict[str, tuple[str, int]] = {}
    for m in _RELATIVE_LINK.finditer(text):
        target = (base + (m.group(1) or m.group(2) or "")).strip("/")
        directory = target.rsplit("/", 1)[0] if project.is_readme_name(target.rsplit("/", 1)[-1]) else target
        sub = readmes.get(directory)
        if sub is None or directory in found:
            continue
        line = _usage_line(repo, repo.read_text(sub) or "")
        if line is not None:
            found[directory] = (sub, line)
    return list(found.values())


@check("DOC001", Severity.ERROR, "README explains the project", fix="readme", level=0)
def readme_present(repo: Repo) -> Result:
    """A README at the root that says what the project is and how to run it (a usage, quick start,
    installation, setup, training or run section — ATX, underlined or HTML heading, emoji allowed — or a fenced
    code block with a ``python`` / ``pip`` / ``uv`` / ``make`` command).

    It counts when it has at least 40 words and a heading such as "Usage", "Quick start", "Getting
    started", "Install" or "How to run", a command in a code block (the tools of Python, task runners, ML
    frameworks: ``kedro new``, ``streamlit run``...), or prose that runs a script of the repository ("run
    ``python app.py``"; a script that does not exist does not count). The README of a monorepo or of a set of
    starters may be an index instead: it links at least two sub-directories whose own README says how to run
    them.

    Why it matters: the README is the first thing a reviewer, an on-call engineer or a new team member reads;
    without it nobody knows which command trains the model or how to reproduce a result.

    How to fix: add ``README.md`` with a one-paragraph description and a "Quick start" or "Usage" section
    giving the commands that install, train and evaluate (``mlops-audit fix --select DOC001`` renders the
    template's README). A README that is too short, or has no such section, earns partial credit.

    Example (``README.md``)::

        # churn-model

        Predicts which customers will cancel their subscription in the next 30 days, from the billing
        and support history exported nightly to the warehouse. The model is retrained weekly, validated
        against the current champion and served by the retention team's API.

        ## Quick start

            uv sync
            uv run poe pipeline    # download, validate, train, evaluate
    """
    found = project.readmes(repo)
    if not found:
        return Result.failed("no README file")
    path = found[0]
    text = repo.read_text(path) or ""
    words = len(text.split())
    if words < _MIN_README_WORDS:
        return Result.failed(f"{path} has only {words} words", path, credit=0.3)
    line = _usage_line(repo, text, prose=False)
    if line is None:
        indexed = _indexed_readmes(repo, path, text)
        if len(indexed) >= _MIN_INDEXED:
            return Result.passed(
                f"{path} indexes {len(indexed)} sub-projects whose READMEs say how to run them",
                [(path, None), *indexed[:3]],
            )
        line = _prose_script_line(repo, text)
    if line is None:
        return Result.failed(f"{path} has no usage / quick start section", path, credit=0.6)
    return Result.passed(f"{path} describes the project and how to run it", [(path, line)])


@check("DOC002", Severity.WARNING, "A license is declared", fix="license", level=0)
def license_present(repo: Repo) -> Result:
    """The repository carries a LICENSE (or COPYING) file.

    Why it matters: without a license nobody — not even other teams of the same company, in some legal
    setups — may reuse the code or the model; model cards and registries ask for it.

    How to fix: add a ``LICENSE`` file (``mlops-audit fix --select DOC002`` writes the one chosen in the
    template, Apache-2.0 by default) and the ``license`` field in ``pyproject.toml``.

    Example::

        curl -fsSL https://www.apache.org/licenses/LICENSE-2.0.txt -o LICENSE
        git add LICENSE    # and license = "Apache-2.0" in pyproject.toml
    """
    found = project.licenses(repo)
    if found:
        return Result.passed(f"license file {found[0]}", found[:1])
    return Result.failed("no LICENSE or COPYING file")


@check(
    "DOC003",
    Severity.WARNING,
    "A model card documents the model",
    fix="model_card",
    level=2,
    profiles=("pipeline", "service"),
)
def model_card(repo: Repo) -> Result:
    """A model card (``MODEL_CARD.md``, ``model_card.md``, ``docs/model-card.md``...) documents the model.

    A report the code renders for every trained model from a template (``templates/report.html`` named in the
    code, with the model's metrics, feature importance or SHAP values, and a confusion matrix, ROC curve or
    residuals) is a generated model card and counts.

    Not applicable when the repository has no model of its own: a library or a course whose training code only
    trains models for the reader (examples, tutorials, lesson notebooks), that serves none and declares no
    pipeline.

    Why it matters: the intended use, training data, metrics, limitations and ethical considerations of a
    model must be written down before it serves decisions; reviewers and auditors ask for it.

    How to fix: add ``MODEL_CARD.md`` with sections for model details, intended use, training data,
    evaluation metrics and limitations (``mlops-audit fix --select DOC003`` renders the template's card).

    Example (``MODEL_CARD.md``)::

        # Model card: churn-model

        ## Model details
        Gradient-boosted trees, retrained weekly, registered as churn@champion.
        ## Intended use
        Rank customers for retention offers; not for pricing or credit decisions.
        ## Training data
        Twelve months of billing and support history, EU customers only.
        ## Metrics
        ROC AUC 0.87 and F1 0.71 on the last month, held out.
        ## Limitations
        Degrades for customers with less than three months of history.
    """
    found = project.model_cards(repo)
    if found:
        return Result.passed(f"model card {found[0]}", found[:1])
    reports = project.rendered_model_reports(repo)
    if reports:
        return Result.passed(f"a model report is rendered for each run from {reports[0]}", reports[:1])
    reason = no_training_run(repo)
    if reason and not pipeline_definitions(repo) and not serving.online_entries(repo):
        return Result.not_applicable(f"no model of its own to document: {reason}")
    return Result.failed("no model card (MODEL_CARD.md)")


@check("DOC004", Severity.INFO, "Documentation beyond the README", level=2)
def documentation_site(repo: Repo) -> Result:
    """A ``docs/`` folder or a documentation site configuration (mkdocs, sphinx, zensical).

    Equivalent site generators count (Pelican, Docusaurus, mdBook, Quarto, Jupyter Book), and so do the
    ``docs/`` pages of a sub-project of a monorepo or of a template's generated project, and a documentation
    folder named otherwise (``guide/``, ``.guide/``, ``documentation/``, ``handbook/``, ``wiki/``, ``manual/``)
    with at least three pages.

    Why it matters: architecture, data contracts, runbooks and decisions outgrow a README; a docs folder keeps
    them versioned with the code.

    How to fix: add ``docs/`` with at least an architecture page (Markdown or reStructuredText), or a site
    configuration (``mkdocs.yml``, ``docs/conf.py`` for Sphinx, ``zensical.toml``).

    Example (``mkdocs.yml``, with the pages in ``docs/``)::

        site_name: churn-model
        nav:
          - Home: index.md
          - Architecture: architecture.md
          - Data contracts: data.md
    """
    found = project.docs_sites(repo)
    if found:
        return Result.passed("documentation found", found[:2])
    return Result.failed("no docs/ pages or documentation site configuration")

"""DOC checks: pass and fail fixtures (README, LICENSE, model card, documentation site)."""

from __future__ import annotations

import pytest
from mlops_audit.model import Status

from tests.helpers.checks import assert_status
from tests.helpers.own_training import LESSONS, LIBRARY, LIBRARY_RUN

DESCRIPTION = (
    "Predicts which customers will cancel their subscription in the next thirty days, from the billing and "
    "support history exported nightly to the warehouse. The model is retrained weekly, validated against the "
    "current champion and served by the retention team's prediction API."
)
README = f"# churn-model\n\n{DESCRIPTION}\n\n## Quick start\n\n    uv sync\n    uv run poe pipeline\n"


def test_doc001_readme_with_usage_passes(make_repo):
    result = assert_status(make_repo({"README.md": README}), "DOC001", Status.PASS)
    assert "describes the project" in result.message
    assert str(result.evidence[0]) == "README.md:5"  # the line of the "Quick start" heading
    install = README.replace("## Quick start", "### Installation")
    assert_status(make_repo({"README.rst": install}), "DOC001", Status.PASS)


def test_doc001_missing_short_or_without_usage_fails(make_repo):
    result = assert_status(make_repo({"train.py": "print(1)\n"}), "DOC001", Status.FAIL)
    assert result.message == "no README file" and result.credit == 0
    short = assert_status(make_repo({"README.md": "# churn\n\nTODO\n"}), "DOC001", Status.FAIL)
    assert "only 3 words" in short.message and short.credit == 0.3
    no_usage = README.replace("## Quick start", "## Notes")
    result = assert_status(make_repo({"README.md": no_usage}), "DOC001", Status.FAIL)
    assert "no usage / quick start section" in result.message and result.credit == 0.6
    assert str(result.evidence[0]) == "README.md"


def test_doc002_license_file_passes(make_repo):
    result = assert_status(make_repo({"LICENSE": "MIT License\n"}), "DOC002", Status.PASS)
    assert result.message == "license file LICENSE" and str(result.evidence[0]) == "LICENSE"
    result = assert_status(make_repo({"COPYING.txt": "GPL\n", "README.md": "x\n"}), "DOC002", Status.PASS)
    assert str(result.evidence[0]) == "COPYING.txt"
    # a license of a vendored package counts only when the root has none
    both = {"LICENSE.md": "Apache\n", "vendor/lib/LICENSE": "BSD\n"}
    assert str(assert_status(make_repo(both), "DOC002", Status.PASS).evidence[0]) == "LICENSE.md"


def test_doc002_no_license_fails(make_repo):
    result = assert_status(make_repo({"README.md": README, "licenses.py": "x = 1\n"}), "DOC002", Status.FAIL)
    assert "no LICENSE or COPYING file" in result.message and not result.evidence


def test_doc003_model_card_passes(make_repo):
    card = "# Model card\n\n## Intended use\n\nretention offers\n"
    result = assert_status(make_repo({"docs/model-card.md": card}), "DOC003", Status.PASS)
    assert result.message == "model card docs/model-card.md"
    assert_status(make_repo({"MODEL_CARD.md": card}), "DOC003", Status.PASS)


def test_doc003_no_model_card_fails(make_repo):
    # a card about something else, or one in a format the check does not read, is no model card
    files = {"README.md": README, "docs/card.md": "# Card\n", "model_card.pdf": b"%PDF-1.4\n"}
    result = assert_status(make_repo(files), "DOC003", Status.FAIL)
    assert "no model card" in result.message


REPORT_TEMPLATE = (
    "<h1>Run {{ run.id }}</h1><h2>Metrics</h2>{{ metrics }}<h2>Feature importance</h2><img src='{{ shap }}'>"
    "<h2>Confusion matrix</h2>{{ confusion }}\n"
)


def test_doc003_model_report_rendered_per_run(make_repo):
    render = "from jinja2 import Environment\ntemplate = env.get_template('report.html')\n"
    files = {"flows/train.py": render, "backend/templates/report.html": REPORT_TEMPLATE}
    result = assert_status(make_repo(files), "DOC003", Status.PASS)
    assert result.evidence[0].path == "backend/templates/report.html"
    # a template no code renders, or a report without the model's metrics and explanations, is no model card
    assert_status(make_repo({**files, "flows/train.py": "print(1)\n"}), "DOC003", Status.FAIL)
    drift = {**files, "backend/templates/report.html": "<h1>Data drift</h1>{{ drift_table }}\n"}
    assert_status(make_repo(drift), "DOC003", Status.FAIL)


def test_doc003_no_model_of_its_own(make_repo):
    """A library whose training code is package code, examples and tutorials, or a course's lesson notebooks,
    has no model of its own to document; a training script of its own has one."""
    for files in (LIBRARY, LESSONS):
        assert_status(make_repo(files), "DOC003", Status.NOT_APPLICABLE)
    assert_status(make_repo(LIBRARY_RUN), "DOC003", Status.FAIL)


def test_doc004_docs_folder_or_site_passes(make_repo):
    result = assert_status(make_repo({"docs/architecture.md": "# Architecture\n"}), "DOC004", Status.PASS)
    assert [str(e) for e in result.evidence] == ["docs/architecture.md"]
    sphinx = {"docs/conf.py": "project = 'churn'\n", "docs/index.rst": "Churn\n=====\n"}
    evidence = assert_status(make_repo(sphinx), "DOC004", Status.PASS).evidence
    assert [str(e) for e in evidence] == ["docs/conf.py", "docs/index.rst"]
    assert_status(make_repo({"mkdocs.yml": "site_name: churn\n"}), "DOC004", Status.PASS)


@pytest.mark.parametrize(
    "path",
    [
        "website/pelicanconf.py",  # Pelican
        "website/docusaurus.config.js",  # Docusaurus
        "book/book.toml",  # mdBook
        "_quarto.yml",  # Quarto
        "book/_toc.yml",  # Jupyter Book
        "doc/conf.py",  # Sphinx in doc/
        "{{ cookiecutter.repo_name }}/docs/source/conf.py",  # Sphinx of a template's generated project
        "credit-scorer/docs/guides/risk.md",  # a monorepo sub-project's docs/ pages
    ],
)
def test_doc004_equivalent_site_generators_and_nested_docs(make_repo, path):
    assert_status(make_repo({"README.md": README, path: "x = 1\n"}), "DOC004", Status.PASS)


def test_doc004_documentation_folder_named_otherwise(make_repo):
    pages = {f".guide/pipeline/lesson-{i}.md": f"# Lesson {i}\n" for i in range(3)}
    result = assert_status(make_repo({"README.md": README, **pages}), "DOC004", Status.PASS)
    assert result.evidence[0].path.startswith(".guide/")
    # one or two loose pages, or a README in the folder, are no documentation
    few = {
        "README.md": README,
        "guide/README.md": "# x\n",
        "guide/setup.md": "# Setup\n",
        "guide/b.md": "# b\n",
    }
    assert_status(make_repo(few), "DOC004", Status.FAIL)


def test_doc004_deep_or_unrelated_files_are_no_docs(make_repo):
    vendored = {"README.md": README, "a/b/c/docs/page.md": "# x\n", "website/conf.py": "x = 1\n"}
    assert_status(make_repo(vendored), "DOC004", Status.FAIL)


def test_doc004_readme_only_fails(make_repo):
    # a docs/ folder without pages (images only) is not documentation
    files = {"README.md": README, "docs/diagram.png": b"\x89PNG\r\n"}
    result = assert_status(make_repo(files), "DOC004", Status.FAIL)
    assert "no docs/ pages or documentation site configuration" in result.message


PASS, FAIL = Status.PASS, Status.FAIL

INTRO = (
    "# churn\n\n"
    + "This project predicts customer churn from billing data and serves the model. " * 6
    + "\n\n"
)


def test_doc001_readme_usage_section(make_repo) -> None:
    result = assert_status(make_repo({"README.md": INTRO + "## Quick start\n\nuv sync\n"}), "DOC001", PASS)
    assert str(result.evidence[0]) == "README.md:5"
    assert_status(make_repo({"README.md": INTRO + "## Results\n\nIt works.\n"}), "DOC001", FAIL)
    assert_status(make_repo({"README.md": "# x\nshort\n"}), "DOC001", FAIL)


def test_doc001_setext_emoji_and_more_usage_words(make_repo) -> None:
    for section in (
        "Installation\n------------\n\npip install churn\n",
        "Usage\n=====\n\nSee below.\n",
        "## 🛠 Requirements & installation\n",
        "## ⚡ Quickstart and documentation\n",
        "## Training\n\nTrain the model.\n",
        "## How to Use this Book\n",
        "## Setup Instructions\n",
        "## 1. Getting started\n",
        "### 快速开始\n",
    ):
        assert_status(make_repo({"README.md": INTRO + section}), "DOC001", PASS)


def test_doc001_fenced_command_block_shows_how_to_run(make_repo) -> None:
    block = INTRO + "## Frontend\n\n```bash\n$ python app.py\n```\n"
    result = assert_status(make_repo({"README.md": block}), "DOC001", PASS)
    assert str(result.evidence[0]) == "README.md:8"
    # a command outside any code block, or code that runs nothing, is no usage
    prose = INTRO + "## Frontend\n\n```python\nimport churn\n```\nmake sure it works\n"
    assert_status(make_repo({"README.md": prose}), "DOC001", FAIL)


def test_doc001_commands_of_ml_tools_in_code_blocks(make_repo) -> None:
    for command in ("kedro new --starter=spaceflights", "streamlit run app.py", "bash scripts/train.sh"):
        block = INTRO + f"## Starters\n\n```bash\n{command}\n```\n"
        assert_status(make_repo({"README.md": block}), "DOC001", PASS)
    # a word of prose in a code block is no command
    block = INTRO + "## Starters\n\n```\nthe kedro framework\n```\n"
    assert_status(make_repo({"README.md": block}), "DOC001", FAIL)


def test_doc001_script_run_in_prose_counts_when_it_exists(make_repo) -> None:
    prose = INTRO + "## Frontend\n\nTo run the frontend, run python app.py in the terminal.\n"
    result = assert_status(make_repo({"README.md": prose, "app.py": "print(1)\n"}), "DOC001", PASS)
    assert str(result.evidence[0]) == "README.md:7"
    inline = prose.replace("python app.py", "`python src/app.py`")
    assert_status(make_repo({"README.md": inline, "src/app.py": "print(1)\n"}), "DOC001", PASS)
    # the script the README names does not exist: no way to run it
    assert_status(make_repo({"README.md": prose, "notebook.ipynb": "{}\n"}), "DOC001", FAIL)


def test_doc001_monorepo_index_of_runnable_subprojects(make_repo) -> None:
    index = INTRO + "## Projects\n\n| [Churn](churn) | tabular |\n| [Vision](./vision/README.md) | images |\n"
    index += "[Site](https://example.org/churn)\n"  # an external link is no sub-project
    sub = INTRO + "## Quick start\n\n```bash\npython run.py\n```\n"
    files = {"README.md": index, "churn/README.md": sub, "vision/README.md": sub}
    result = assert_status(make_repo(files), "DOC001", PASS)
    assert "indexes 2 sub-projects" in result.message
    assert [e.path for e in result.evidence] == ["README.md", "churn/README.md", "vision/README.md"]
    # one linked sub-project is no index; sub-directories the README does not link do not count
    assert_status(make_repo({**files, "vision/README.md": INTRO}), "DOC001", FAIL)
    unlinked = {
        "README.md": INTRO + "## Projects\n\nSee the folders.\n",
        "a/README.md": sub,
        "b/README.md": sub,
    }
    assert_status(make_repo(unlinked), "DOC001", FAIL)

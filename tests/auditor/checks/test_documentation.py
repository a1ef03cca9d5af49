"""DOC checks: pass, fail and not-applicable fixtures."""

from __future__ import annotations

from conftest import assert_status
from mlops_audit.model import Status

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

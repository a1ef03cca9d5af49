"""The documentation site builds strictly and offline, and its reference pages follow the code.

One build per module (``mkdocs build --strict`` with the venv's mkdocs, as a subprocess); the tests then read
the HTML it wrote.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from mlops_audit.checks import load_checks
from mlops_audit.formats import FORMATS

ROOT = Path(__file__).resolve().parents[2]
MKDOCS = Path(sys.executable).with_name("mkdocs")
EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(out), "--config-file", str(ROOT / "mkdocs.yml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").is_file()
    return out


def html_pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


class AssetCollector(HTMLParser):
    """Every URL the browser would load by itself: stylesheets, scripts, images, frames, media, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if (
            tag == "link"
            and values.get("href")
            and (values.get("rel") or "") not in ("canonical", "alternate")
        ):
            self.assets.append(values["href"] or "")
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and values.get("src"):
            self.assets.append(values["src"] or "")
        if tag == "object" and values.get("data"):
            self.assets.append(values["data"] or "")


def test_the_site_loads_nothing_from_the_network(site):
    for name, text in html_pages(site).items():
        collector = AssetCollector()
        collector.feed(text)
        external = [url for url in collector.assets if EXTERNAL.match(url)]
        assert not external, f"{name} loads {external}"
        assert not re.search(r'<(script|img)[^>]+src="(https?:)?//', text, re.IGNORECASE), name
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_every_check_has_an_anchor(site):
    pages = html_pages(site)
    everything = "\n".join(pages.values())
    checks = load_checks()
    assert checks
    for check_id, check in checks.items():
        assert f'id="{check_id.lower()}"' in everything, f"no anchor for {check_id}"
        page = f"checks/{check.principle.value.replace('_', '-')}/index.html"
        assert f'id="{check_id.lower()}"' in pages[page], f"{check_id} is not on {page}"
    index = pages["checks/index.html"]
    assert all(check_id in index for check_id in checks)


def test_check_pages_are_the_docstrings(site):
    pages = html_pages(site)
    for check in load_checks().values():
        page = pages[f"checks/{check.principle.value.replace('_', '-')}/index.html"]
        first_words = " ".join(check.summary.replace("``", "").split()[:4])
        text = text_of(page)
        assert " ".join(first_words.split()) in " ".join(text.split()), f"{check.id}: docstring not rendered"


def test_reference_pages_follow_the_code(site):
    pages = html_pages(site)
    template = pages["template/index.html"]
    questions = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    for name in questions:
        if not name.startswith("_"):
            assert name in template, f"template option {name} is not documented"
    formats = text_of(pages["formats/index.html"])
    for name in FORMATS:
        assert f"--format {name}" in formats or name == "text"
    config = pages["configuration/index.html"]
    from mlops_audit.config import KEYS

    for key in KEYS:
        assert f"<code>{key}</code>" in config, f"configuration key {key} is not documented"
    ci = text_of(pages["ci/index.html"])
    assert "mlops-audit/mlops-audit@" in ci and "codequality" in ci and "id: mlops-audit" in ci


def test_nav_has_every_page(site):
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    titles = [next(iter(entry)) for entry in config["nav"]]
    for title in ("Quick start", "Template options", "Checks", "CI integration", "JSON report schema"):
        assert title in titles
    assert (site / "json-schema" / "index.html").is_file()


def test_the_readme_links_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mkdocs serve" in readme and "docs/" in readme


def test_check_pages_show_why_how_and_example(site):
    """Each check's section shows the docstring's three sections as labels, and its example as code."""
    pages = html_pages(site)
    per_page: dict[str, int] = {}
    for check in load_checks().values():
        page = f"checks/{check.principle.value.replace('_', '-')}/index.html"
        per_page[page] = per_page.get(page, 0) + 1
    for page, count in per_page.items():
        html_text = pages[page]
        assert html_text.count("<strong>Why it matters:</strong>") == count, page
        assert html_text.count("<strong>How to fix:</strong>") == count, page
        assert len(re.findall(r"<strong>Example( \([^)]*\))?:</strong>", html_text)) == count, page
    versioning = pages["checks/versioning/index.html"]
    assert "<strong>Example (<code>.dvc/config</code>):</strong>" in versioning
    assert "``" not in text_of(versioning)

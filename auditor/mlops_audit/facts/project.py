"""Project-level facts: README, LICENSE, documentation, model cards, and sub-projects of a monorepo."""

from __future__ import annotations

import re

from .. import lazyre
from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact

_README = lazyre.compile(r"^readme(\.(md|rst|txt|markdown|adoc|org))?$", re.IGNORECASE)
_LICENSE = lazyre.compile(r"^(licen[cs]e|copying)([.-].*)?$", re.IGNORECASE)
_MODEL_CARD = lazyre.compile(r"(^|/)(model[_-]?card|modelcard)[^/]*\.(md|rst|txt|ya?ml|json)$", re.IGNORECASE)

#: Files whose presence makes a directory a sub-project of a monorepo.
SUBPROJECT_MARKERS = ("pyproject.toml", "dvc.yaml", "MLproject", "setup.py")


def is_readme_name(name: str) -> bool:
    return bool(_README.match(name))


@memoized
def readmes(repo: Repo) -> list[str]:
    """README files, the root one first."""
    found = [p for p, e in repo.entries.items() if _README.match(e.name)]
    return sorted(found, key=lambda p: (p.count("/"), p))


@memoized
def licenses(repo: Repo) -> list[str]:
    found = [p for p, e in repo.entries.items() if _LICENSE.match(e.name) and "/" not in p]
    return found or [p for p, e in repo.entries.items() if _LICENSE.match(e.name)]


@memoized
def model_cards(repo: Repo) -> list[str]:
    return [p for p in repo.entries if _MODEL_CARD.search(p)]


#: A template the code renders into a report per model: its name, and what a model report holds.
_REPORT_TEMPLATE = lazyre.compile(
    r"(^|/)[^/]*(model[_-]?card|modelcard|report)[^/]*\.(html|md|j2|jinja2?)$", re.I
)
_REPORT_SECTIONS = (
    lazyre.compile(rb"metric", re.I),
    lazyre.compile(rb"feature[_ -]?importance|shap|permutation[_ -]importance", re.I),
    lazyre.compile(rb"confusion|roc|precision|recall|residual", re.I),
)


@memoized
def rendered_model_reports(repo: Repo) -> list[str]:
    """Templates the code renders into a report of each trained model (``templates/report.html`` named by the
    Python code, holding its metrics, feature importance or SHAP values, and a confusion matrix, ROC or
    residuals): a model card generated for every run."""
    out = []
    for path in repo.entries:
        if not _REPORT_TEMPLATE.search(path):
            continue
        data = repo.read_bytes(path) or b""
        if not all(section.search(data) for section in _REPORT_SECTIONS):
            continue
        name = path.rsplit("/", 1)[-1].encode()
        if repo.grep(repo.with_suffix(".py"), name):
            out.append(path)
    return out


@memoized
def docs_sites(repo: Repo) -> list[str]:
    """Documentation site configurations (mkdocs, sphinx, zensical, and the equivalent generators: Pelican,
    Docusaurus, mdBook, Quarto, Jupyter Book) and docs folders with pages (``docs/`` or ``doc/``, at the root
    or in a sub-project of a monorepo; or a folder of at least three pages named ``guide/``, ``.guide/``,
    ``documentation/``, ``handbook/``, ``wiki/`` or ``manual/``)."""
    configs = [
        p
        for p in repo.entries
        if p in ("mkdocs.yml", "mkdocs.yaml", "zensical.toml") or _SITE_CONFIG.search(p)
    ]
    pages = [p for p in repo.entries if _DOCS_PAGE.match(p)]
    if not pages:  # a documentation folder by another name: pages enough to be more than a loose note
        guides = [p for p in repo.entries if _GUIDE_PAGE.match(p) and not _README.match(p.rsplit("/", 1)[-1])]
        pages = guides if len(guides) >= _MIN_GUIDE_PAGES else []
    pages.sort(key=lambda p: p.count("/"))
    return configs + pages[:1]


_SITE_CONFIG = lazyre.compile(
    r"(^|/)docs?/(source/)?conf\.py$|(^|/)(pelicanconf\.py|docusaurus\.config\.[jt]s|book\.toml|_quarto\.ya?ml)$"
    r"|(^|/)_toc\.ya?ml$"
)
#: pages of a docs folder at the root or one or two directories down (a sub-project's docs/)
_DOCS_PAGE = lazyre.compile(r"^([^/]+/){0,2}docs?/[^/].*\.(md|rst)$")
#: pages of a documentation folder named otherwise (``.guide/``, ``guides/``, ``documentation/``, ``wiki/``)
_GUIDE_PAGE = lazyre.compile(
    r"^([^/]+/)?\.?(guides?|documentation|handbook|wiki|manual)/[^/].*\.(md|rst)$", re.I
)
_MIN_GUIDE_PAGES = 3


def anchor(repo: Repo) -> str | None:
    """A real file to point at when a finding is about something absent: README, pyproject, or any file."""
    for candidate in (*readmes(repo)[:1], "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"):
        if candidate in repo.entries:
            return candidate
    return next(iter(repo.entries), None)


@memoized
def subprojects(repo: Repo) -> list[str]:
    """Directories (not the root) that hold their own pyproject.toml, setup.py, dvc.yaml, MLproject or Kedro
    project: a monorepo's parts, each audited on its own as well."""
    found = set()
    for path, entry in repo.entries.items():
        if "/" in path and entry.name in SUBPROJECT_MARKERS:
            directory = path.rsplit("/", 1)[0]
            if not _is_vendored(directory):
                found.add(directory)
    # a sub-project nested in another keeps only the outermost
    ordered = sorted(found, key=lambda d: (d.count("/"), d))
    outer: list[str] = []
    for d in ordered:
        if not any(d.startswith(o + "/") for o in outer):
            outer.append(d)
    return sorted(outer)


#: Question files of project templates (cookiecutter, copier): the templated directory beside one is the project
#: the template generates, judged as the template's own project.
TEMPLATE_QUESTIONS = ("cookiecutter.json", "copier.yml", "copier.yaml")


@memoized
def template_projects(repo: Repo) -> list[str]:
    """Templated project directories (``{{ cookiecutter.repo_name }}``, ``{{cookiecutter.__directory_name}}``)
    beside a cookiecutter or copier question file, at the root or one directory down (a repository of several
    starters): the projects the template generates."""
    found = set()
    for path in repo.entries:
        parts = path.split("/")
        for depth in (0, 1):
            if len(parts) > depth + 1 and "{{" in parts[depth] and "{{" not in "".join(parts[:depth]):
                base = "/".join(parts[:depth])
                if any(f"{base}/{q}".lstrip("/") in repo.entries for q in TEMPLATE_QUESTIONS):
                    found.add("/".join(parts[: depth + 1]))
                break
    return sorted(found)


def _is_vendored(directory: str) -> bool:
    parts = directory.split("/")
    return any(
        p
        in {"node_modules", "site-packages", "vendor", "third_party", "tests", "test", "fixtures", "examples"}
        or p.startswith(".")
        for p in parts
    )


@report_fact("readme")
def readme_fact(repo: Repo) -> FactValue:
    return FactValue.of(readmes(repo)[:3])


@report_fact("license")
def license_fact(repo: Repo) -> FactValue:
    return FactValue.of(licenses(repo)[:3])


@inventory("documentation")
def documentation_inventory(repo: Repo) -> list[str]:
    tools = []
    if any(p.startswith("mkdocs.") for p in repo.entries):
        tools.append("mkdocs")
    if "zensical.toml" in repo.entries:
        tools.append("zensical")
    if any(p.endswith("docs/conf.py") for p in repo.entries):
        tools.append("sphinx")
    return tools

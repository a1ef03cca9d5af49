"""Sub-projects: Python projects kept in a sub-directory of the repository (``pipelines/pyproject.toml``,
``components/<group>/pyproject.toml``), each with its own build and test configuration. A repository whose
root holds no ``pyproject.toml`` is often such a collection; its packages and pytest configuration live in
the sub-projects.

Project templates (``{{ cookiecutter.name }}/``), vendored code, virtual environments and test fixtures are
not sub-projects of the repository.
"""

from __future__ import annotations

from .. import lazyre
from ..repo import Repo, memoized
from .textconfig import dig, load_toml, toml_line

_TEST_PATH = lazyre.compile(r"(^|/)tests?/|(^|/)test_[^/]*\.py$")
_MAX_DEPTH = 3  # components/vertex-components/pyproject.toml
_SKIP = lazyre.compile(
    r"(^|/)(\.[^/]+|node_modules|site-packages|venv|env|vendor|third_party|tests?|fixtures?|examples?|"
    r"docs?|templates?)/|\{\{|\{%"
)


@memoized
def subproject_dirs(repo: Repo) -> list[str]:
    """Directories below the root (at most three levels) that hold a ``pyproject.toml``."""
    out = []
    for path in repo.named("pyproject.toml"):
        if "/" not in path or path.count("/") > _MAX_DEPTH or _SKIP.search(path):
            continue
        out.append(path.rsplit("/", 1)[0])
    return sorted(out)


def _package_dir(repo: Repo, root: str) -> str | None:
    inits = [p for p in repo.named("__init__.py") if p.startswith(root + "/")]
    for p in sorted(inits):
        rel = p[len(root) + 1 :].split("/")
        if (len(rel) == 3 and rel[0] == "src") or (len(rel) == 2 and rel[0] not in ("tests", "test")):
            return f"{root}/{'/'.join(rel[:-1])}"
    return None


@memoized
def packages(repo: Repo) -> list[tuple[str, int | None, str]]:
    """Sub-projects that build a package: ``pyproject.toml`` with ``[build-system]`` and a package directory
    beside it (``src/<pkg>/__init__.py`` or ``<pkg>/__init__.py``): ``(pyproject, line, package dir)``."""
    out = []
    for root in subproject_dirs(repo):
        path = f"{root}/pyproject.toml"
        data = load_toml(repo, path) or {}
        if not isinstance(data.get("build-system"), dict):
            continue
        pkg = _package_dir(repo, root)
        if pkg:
            out.append((path, toml_line(repo.read_text(path), "build-system"), pkg))
    return out


@memoized
def pytest_configs(repo: Repo) -> list[tuple[str, int | None]]:
    """pytest configured in a sub-project (``[tool.pytest.ini_options]`` of its ``pyproject.toml``, or its
    ``pytest.ini``) that holds tests of its own."""
    out: list[tuple[str, int | None]] = []
    roots = subproject_dirs(repo)
    tests = [p for p in repo.entries if roots and _TEST_PATH.search(p)]
    for root in roots:
        if not any(p.startswith(root + "/") for p in tests):
            continue
        path = f"{root}/pyproject.toml"
        data = load_toml(repo, path) or {}
        if isinstance(dig(data, "tool", "pytest"), dict):
            text = repo.read_text(path)
            out.append((path, toml_line(text, "tool.pytest.ini_options") or toml_line(text, "tool.pytest")))
        elif f"{root}/pytest.ini" in repo.entries:
            out.append((f"{root}/pytest.ini", 1))
    return out

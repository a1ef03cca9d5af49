"""What `fix` infers from the repository it fixes: the template's answers (names, Python version, CI provider)
and the repository's own layout (how it installs, which scripts train / evaluate / check drift, which module
serves), from which the pieces for a foreign repository are rendered. Files are read and parsed, never run."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import lazyre
from .._version import __version__
from ..facts import dependencies, serving, testing
from ..facts.python import module
from ..repo import Repo
from ..report import Report

_PY_VERSIONS = ("3.11", "3.12", "3.13")
#: A path that can stand unquoted in a shell command, a YAML scalar and a Dockerfile instruction.
_SAFE_PATH = lazyre.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")
#: Script names of the pipeline steps a continuous-training workflow runs, in order (first match per step).
STEP_SCRIPTS: dict[str, re.Pattern[str]] = {
    "drift": lazyre.compile(r"(^|_)(drift|monitor)\w*$"),
    "train": lazyre.compile(r"^(re)?train\w*$"),
    "evaluate": lazyre.compile(r"^(evaluat\w*|eval|validate_model|promot\w*)$"),
}
#: The WSGI/ASGI server each framework's app runs under in the image, with the version installed when the
#: repository does not declare it.
SERVERS = {
    "flask": ("gunicorn", "23.0.0"),
    "fastapi": ("uvicorn", "0.34.0"),
    "starlette": ("uvicorn", "0.34.0"),
}


# --------------------------------------------------------------------------------------------- answers
def infer_answers(repo: Repo, report: Report, root: Path) -> dict[str, Any]:
    """Template answers that fit the repository being fixed."""
    pyproject = _toml(repo, "pyproject.toml")
    project = got if isinstance(got := pyproject.get("project", {}), dict) else {}
    raw_name = given if isinstance(given := project.get("name"), str) else root.resolve().name
    name = re.sub(r"[^A-Za-z0-9 _-]+", "-", raw_name).strip(" -_") or "ml-project"
    if not name[0].isalpha():
        name = "ml-" + name
    name = name[:64] if len(name) >= 2 else name + "-project"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug[:1].isalpha():
        slug = "ml-" + slug
    package = _package_name(repo) or slug.replace("-", "_")
    facts = report.project.facts
    answers: dict[str, Any] = {
        "project_name": name,
        "project_slug": slug,
        "package_name": package,
        "python_version": _python_version(repo, project),
        "ci_provider": "gitlab" if ".gitlab-ci.yml" in repo.entries else "github",
        "data_versioning": "dvc",
        "serving": bool(facts.get("model_serving") and facts["model_serving"].value),
        "mlops_audit_requirement": f"mlops-audit=={__version__}",
    }
    if isinstance(project.get("description"), str) and 10 <= len(project["description"]) <= 200:
        answers["description"] = project["description"].replace('"', "'")
    return answers


def _toml(repo: Repo, path: str) -> dict[str, Any]:
    text = repo.read_text(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _package_name(repo: Repo) -> str | None:
    candidates = sorted(
        p.split("/")[-2]
        for p in repo.entries
        if p.endswith("/__init__.py") and (p.count("/") == 1 or (p.startswith("src/") and p.count("/") == 2))
    )
    for name in candidates:
        if re.fullmatch(r"[a-z][a-z0-9_]*", name) and name not in {"tests", "test", "src", "docs", "scripts"}:
            return name
    return None


def _python_version(repo: Repo, project: dict[str, Any]) -> str:
    pinned = (repo.read_text(".python-version") or "").strip()
    for version in _PY_VERSIONS:
        if pinned.startswith(version):
            return version
    requires = project.get("requires-python")
    if isinstance(requires, str):
        match = re.search(r"3\.(\d+)", requires)
        if match and f"3.{match.group(1)}" in _PY_VERSIONS:
            return f"3.{match.group(1)}"
    return "3.11"


# ---------------------------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class Install:
    """How the repository's own dependencies are installed: ``pip install --requirement <file>`` of a root
    requirements file, or ``pip install .`` of a root ``pyproject.toml`` project that pip can build (a
    ``[build-system]`` and a package directory; a flat layout of loose scripts is not installable)."""

    requirements: str | None  # the root requirements file, or None for the pyproject project
    self_contained: bool  # the file names only index packages (no -r/-e/local paths): copy it alone
    declared: frozenset[str]  # normalised names of the declared distributions

    @property
    def pip_args(self) -> str:
        return f"--requirement {self.requirements}" if self.requirements else "."


@dataclass(frozen=True)
class Step:
    """A pipeline step the repository can run: ``python <script>`` or ``python -m <module>``."""

    name: str  # drift / train / evaluate
    path: str
    command: str


@dataclass(frozen=True)
class App:
    """An online serving app: ``<module>:<variable>`` built by ``framework`` in ``path``."""

    framework: str
    path: str
    target: str  # module:variable, importable from ``pythonpath``
    pythonpath: str  # "" (the repository root) or "src"


@dataclass(frozen=True)
class Layout:
    install: Install | None
    steps: tuple[Step, ...] = ()
    app: App | None = None
    problems: dict[str, str] = field(default_factory=dict)  # piece -> why it cannot be added here

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


def infer_layout(repo: Repo) -> Layout:
    """The repository's install method, pipeline scripts and serving app (each None / empty when absent)."""
    install = _install(repo)
    steps = tuple(s for s in (_step(repo, name, install) for name in STEP_SCRIPTS) if s is not None)
    app, why = _app(repo)
    problems = {"app": why} if why else {}
    return Layout(install, steps, app, problems)


def _install(repo: Repo) -> Install | None:
    if "requirements.txt" in repo.entries:
        reqs = dependencies.requirements_in(repo, "requirements.txt")
        text = repo.read_text("requirements.txt") or ""
        includes = any(
            line.strip().startswith(("-r", "-c", "--requirement", "--constraint"))
            for line in text.splitlines()
        )
        return Install(
            "requirements.txt",
            self_contained=not includes and not any(r.local for r in reqs),
            declared=frozenset(r.name for r in reqs if r.name),
        )
    pyproject = _toml(repo, "pyproject.toml")
    project = pyproject.get("project")
    installable = "build-system" in pyproject and _package_name(repo) is not None
    if installable and isinstance(project, dict) and isinstance(project.get("name"), str):
        deps = got if isinstance(got := project.get("dependencies"), list) else []
        names = {
            dependencies.normalize(m.group(0)) for d in deps if (m := re.match(r"[A-Za-z0-9._-]+", str(d)))
        }
        return Install(None, self_contained=False, declared=frozenset(names))
    return None


def _step(repo: Repo, name: str, install: Install | None) -> Step | None:
    """The shallowest runnable script for a pipeline step (a ``__main__`` guard or top-level calls)."""
    pattern = STEP_SCRIPTS[name]
    tests = set(testing.test_files(repo))
    candidates = sorted(
        (p for p in repo.with_suffix(".py") if pattern.search(Path(p).stem) and p not in tests),
        key=lambda p: (p.count("/"), p),
    )
    for path in candidates:
        if not _SAFE_PATH.fullmatch(path) or not _runnable(repo, path):
            continue
        if path.startswith("src/"):
            if install is None or install.requirements is not None:
                continue  # a src/ module runs only from the installed project
            dotted = path[len("src/") : -len(".py")].replace("/", ".")
            return Step(name, path, f"python -m {dotted}")
        return Step(name, path, f"python {path}")
    return None


def _runnable(repo: Repo, path: str) -> bool:
    info = module(repo, path)
    if info is None or info.syntax_error:
        return False
    if info.has_main_guard:
        return True
    text = repo.read_text(path) or ""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in tree.body)


def _app(repo: Repo) -> tuple[App | None, str]:
    entries = [e for e in serving.online_entries(repo) if e.path.endswith(".py")]
    if not entries:
        return None, "no online serving entry point"
    for entry in sorted(entries, key=lambda e: (e.path.count("/"), e.path)):
        if entry.framework not in SERVERS:
            continue
        variable = _app_variable(repo.read_text(entry.path) or "", entry.line)
        if variable is None or not _SAFE_PATH.fullmatch(entry.path):
            continue
        pythonpath = "src" if entry.path.startswith("src/") else ""
        dotted = entry.path.removeprefix("src/")[: -len(".py")].replace("/", ".")
        return App(entry.framework, entry.path, f"{dotted}:{variable}", pythonpath), ""
    frameworks = ", ".join(sorted({e.framework for e in entries}))
    return None, (
        f"the {frameworks} app is not a module-level `app = Flask(...)` / `FastAPI(...)` object that a "
        "server can import"
    )


def _app_variable(text: str, line: int | None) -> str | None:
    """The module-level name bound to the app constructor call on ``line``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and node.lineno <= (line or node.lineno) <= (node.end_lineno or node.lineno)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            return node.targets[0].id
    return None

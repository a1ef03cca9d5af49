"""Machine-learning code: the code units (modules and notebooks) that mention what a fact looks for, the files
that train models and the project modules they import.

Every fact comes from Python files and notebooks (via :mod:`.python` / :mod:`.notebooks`, parsed only when their
bytes mention what is looked for). Trackers are in :mod:`.tracking`, data validation and drift in
:mod:`.validation`, seeds and randomness in :mod:`.seeds`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, memoized, word
from .notebooks import NotebookCode, notebook_codes_containing
from .python import Call, ModuleInfo, module, modules_containing, prefilter, python_files
from .source import ask, source_question

# ------------------------------------------------------------------------------------------- code units


@dataclass(frozen=True, slots=True)
class CodeUnit:
    """A Python module or a notebook's code, with the way to point at one of its lines."""

    path: str
    info: ModuleInfo
    nb: NotebookCode | None = None

    @property
    def is_notebook(self) -> bool:
        return self.nb is not None

    def ev(self, line: int | None, what: str = "") -> Evidence:
        if self.nb is not None and line:
            return self.nb.evidence(line, what)
        return Evidence(self.path, line, what)

    def call_ev(self, call: Call) -> Evidence:
        return self.ev(call.line, call.name)


def code_units(repo: Repo, *needles: bytes) -> list[CodeUnit]:
    """Python modules and notebooks whose bytes contain one of ``needles`` (memoised per needle set)."""

    def compute() -> list[CodeUnit]:
        units = [CodeUnit(m.path, m) for m in modules_containing(repo, *needles)]
        units += [CodeUnit(c.path, c.info, c) for c in notebook_codes_containing(repo, *needles)]
        return units

    return repo.memo(("ml.code_units", needles), compute)


class _EvidenceList(list[Evidence]):
    """A list of evidence that knows its items: adding to it stays O(1) on trees with thousands of hits."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Evidence] = set()


def add_found(found: dict[str, list[Evidence]], key: str, ev: Evidence) -> None:
    items = found.get(key)
    if items is None:
        items = found[key] = _EvidenceList()
    seen = getattr(items, "seen", None)
    if seen is None:
        if ev not in items:
            items.append(ev)
    elif ev not in seen:
        seen.add(ev)
        items.append(ev)


def imports_from(unit: CodeUnit, roots: Iterable[str]) -> list[tuple[str, int]]:
    return unit.info.imports_any(*roots)


# ------------------------------------------------------------------------------------------------ training


_TRAIN_FILE = lazyre.compile(r"(^|[_-])(train|training|fit)([_-]|$)", re.IGNORECASE)


_TRAIN_ATTRS = frozenset(
    {"fit", "train", "fit_generator", "train_on_batch", "partial_fit", "train_model", "apply_updates",
     "apply_gradients"}
)  # fmt: skip


_TRAIN_WORDS = prefilter(*(word(attr) for attr in sorted(_TRAIN_ATTRS)))  # a training call names one


ML_ROOTS = (
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "lightning",
    "pytorch_lightning",
    "transformers",
    "jax",
    "flax",
    "statsmodels",
    "prophet",
    "sentence_transformers",
    "autogluon",
    "pycaret",
)


_SKLEARN_NOT_MODELS = (
    "sklearn.preprocessing",
    "sklearn.metrics",
    "sklearn.impute",
    "sklearn.feature_extraction",
    "sklearn.feature_selection",
    "sklearn.compose",
    "sklearn.decomposition",
    "sklearn.datasets",
    "sklearn.model_selection",
    "sklearn.utils",
    "sklearn.base",
    "sklearn.exceptions",
)


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or parts[-1].startswith("test_")
        or (parts[-1].endswith("_test.py"))
    )


def _imports_ml(info: ModuleInfo) -> bool:
    if info.imports_any(*ML_ROOTS):
        return True
    return any(n.startswith("sklearn") and not n.startswith(_SKLEARN_NOT_MODELS) for n, _ in info.imports)


@memoized
def training_units(repo: Repo) -> list[CodeUnit]:
    """Files that train a model: ``train*.py`` scripts, and modules or notebooks that import a modelling
    library and call ``fit`` / ``train`` (tests excluded). The package code of a library with no training run of
    its own is left out (:func:`pipelines.library_code_dir`): its randomness is the caller's; its examples and
    notebooks stay, they are training code the repository runs."""
    from .pipelines import library_code_dir

    library = library_code_dir(repo)
    out = []
    units = code_units(repo, *_TRAIN_WORDS)
    seen = {u.path for u in units}
    for path in python_files(repo):
        stem = path.rsplit("/", 1)[-1][:-3]
        if path not in seen and _TRAIN_FILE.search(stem):
            info = module(repo, path)
            if info is not None:
                units = [*units, CodeUnit(path, info)]
    for unit in units:
        if is_test_path(unit.path) or (
            library and not unit.is_notebook and unit.path.startswith(library + "/")
        ):
            continue
        stem = unit.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        named = bool(_TRAIN_FILE.search(stem)) and not unit.is_notebook
        trains = any(c.attr in _TRAIN_ATTRS for c in unit.info.calls)
        fits = trains and _imports_ml(unit.info)
        # a file named for training trains when it calls a training method or imports a modelling library
        # (``training.py`` of a tool that only talks about training is not training code)
        if (named and unit.info.calls and (trains or _imports_ml(unit.info))) or fits:
            out.append(unit)
    return out


def train_calls(unit: CodeUnit) -> list[Call]:
    return [c for c in unit.info.calls if c.attr in _TRAIN_ATTRS or c.attr.startswith("train")]


_FROM_IMPORT = lazyre.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w \t,]+)", re.MULTILINE)


def imported_project_files(repo: Repo, unit: CodeUnit) -> set[str]:
    """Python files of the project that ``unit`` imports (``from pkg import mod``, ``import pkg.mod``,
    ``from .mod import f``), resolved by path suffix; best effort, never raises."""
    directory = unit.path.rsplit("/", 1)[0] + "/" if "/" in unit.path else ""
    imports = {n for n, _ in unit.info.imports}
    if not unit.is_notebook:  # `from pkg import mod`: the AST facts keep only `pkg`
        imports.update(ask(repo, unit.path, from_imported_names))
    roots = {n.split(".", 1)[0] for n in imports if not n.startswith(".")}
    names = imports | {
        c.name
        for c in unit.info.calls
        if "." in c.name and (c.name.startswith(".") or c.name.split(".", 1)[0] in roots)
    }
    wanted: set[str] = set()
    local: set[str] = set()
    for name in names:
        relative = name.startswith(".")
        parts = [p for p in name.lstrip(".").split(".") if p and not p.endswith("()")]
        for i in range(1, len(parts) + 1):
            stem = "/".join(parts[:i])
            (local if relative else wanted).update((stem + ".py", stem + "/__init__.py"))
    by_suffix = _python_files_by_suffix(repo)
    out = {path for stem in wanted for path in by_suffix.get(stem, ())}
    out.update(path for stem in local if (path := directory + stem) in by_suffix.get(stem, ()))
    out.discard(unit.path)
    return out


@source_question
def from_imported_names(text: str) -> list[str]:
    """``pkg.mod`` for every name of every ``from pkg import mod`` statement of a module's text."""
    out = []
    for m in _FROM_IMPORT.finditer(text):
        base = m.group(1)
        for name in re.split(r"[\s,()]+", m.group(2)):
            if name.isidentifier():
                out.append(f"{base}.{name}" if not base.endswith(".") else base + name)
    return out


def _python_files_by_suffix(repo: Repo) -> dict[str, list[str]]:
    """Every Python file under each of its path suffixes (``a/b/c.py`` under ``a/b/c.py``, ``b/c.py`` and
    ``c.py``): the files a module name can resolve to, looked up instead of scanned for each importer."""

    def compute() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path in repo.with_suffix(".py"):
            start = 0
            while True:
                index.setdefault(path[start:], []).append(path)
                slash = path.find("/", start)
                if slash < 0:
                    break
                start = slash + 1
        return index

    return repo.memo("ml.python_files_by_suffix", compute)


def flatten(found: dict[str, list[Evidence]], limit: int = 5) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[tuple[str, int | None]] = set()
    for evs in found.values():
        for ev in evs[:2]:
            if (ev.path, ev.line) not in seen:
                seen.add((ev.path, ev.line))
                out.append(ev)
    return out[:limit]


_TOP_DEF = lazyre.compile(r"^(?:async\s+)?def\s+(\w+)")


@source_question
def enclosing_function(text: str, line: int | None) -> str | None:
    """The top-level function whose body holds ``line`` of a module's ``text``, or None (module level, inside a
    class or another statement, or a position out of range)."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines) or not lines[line - 1][:1].isspace():
        return None
    for previous in reversed(lines[: line - 1]):
        if previous[:1].isspace() or not previous.strip():
            continue
        m = _TOP_DEF.match(previous)
        return m.group(1) if m else None
    return None

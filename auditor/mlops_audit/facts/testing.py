"""Tests: which test files exist, whether they are real (a generated placeholder is not a test), what project
code they import, how pytest and coverage are configured, and where model quality is gated.

Test files are parsed with :mod:`ast` (never imported). A test function is a *placeholder* when its body does
nothing that touches code: ``pass``, ``...``, a docstring, ``assert True``/``assert False`` or asserts and
``self.assert*`` calls over constants only, ``raise NotImplementedError`` (cookiecutter-data-science's
``def test_code_is_tested(): assert False`` is the model); or when it asserts nothing and swallows the errors
of what it runs (``try: model.predict(x) except Exception as e: print(e)``): it cannot fail.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
from dataclasses import dataclass, field

from .. import lazyre
from ..repo import Repo, makes_file_fact, memoized, word
from . import FactValue, gates, inventory, report_fact
from . import python as pyfacts
from .source import ask, source_question
from .textconfig import dig, ini_sections, load_toml, pyproject, toml_line

_TEST_NAME = lazyre.compile(r"^(test_.*|.*_test|tests?)\.py$")
_SKIP_DIRS = lazyre.compile(r"(^|/)(\.venv|venv|\.tox|\.nox|site-packages|node_modules|\.git|build|dist)/")

#: Libraries whose use marks a module as ML or data code.
ML_LIBRARIES = (
    "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "jax", "flax", "transformers",
    "pytorch_lightning", "lightning", "statsmodels", "pandas", "polars", "numpy", "datasets", "scipy", "optuna",
    "prophet", "spacy", "gensim", "mlflow", "pyspark", "dask", "sentence_transformers", "timm", "onnx",
)  # fmt: skip
_ML_NEEDLES = tuple(n for lib in ML_LIBRARIES for n in (f"import {lib}".encode(), f"from {lib}".encode()))
_ML_NAME = lazyre.compile(
    r"(^|[/_.])(data|datasets?|features?|feature_\w+|preprocess\w*|processing|train\w*|models?|modeling|"
    r"pipelines?|predict\w*|inference|evaluat\w*|transforms?|etl|ingest\w*|clean\w*|split\w*|encod\w*)([/_.]|$)"
)
_METRIC_NEEDLES = (b"accuracy", b"f1", b"auc", b"rmse", b"score", b"loss", b"metric", b"precision", b"recall",
                   b"Threshold", b"threshold", b"champion", b"mse", b"mae", b"r2", b"evaluat", b"SCORE",
                   b"ACC", b"AUC", b"F1", b"MSE", b"LOSS")  # fmt: skip


@dataclass(frozen=True, slots=True)
class TestFunction:
    name: str
    line: int
    placeholder: bool


@dataclass(slots=True)
class TestModule:
    path: str
    functions: list[TestFunction] = field(default_factory=list)
    imports: list[tuple[str, int]] = field(default_factory=list)  # absolute module names (relative skipped)
    parsed: bool = True

    @property
    def real(self) -> list[TestFunction]:
        return [f for f in self.functions if not f.placeholder]


def _is_test_path(path: str) -> bool:
    if _SKIP_DIRS.search(path) or not path.endswith(".py"):
        return False
    name = path.rsplit("/", 1)[-1]
    if name == "conftest.py":
        return False
    if _TEST_NAME.match(name):
        return True
    return bool(re.search(r"(^|/)tests?/", path)) and name.startswith("test")


@memoized
def test_files(repo: Repo) -> list[str]:
    """Python files that hold tests by name (``test_*.py``, ``*_test.py``, ``tests/test*.py``), by the pytest
    ``python_files`` patterns the project configures, or because CI passes them to pytest by path
    (``pytest src/tests/model_tests.py``)."""
    patterns = _python_files_patterns(repo)
    named = _ci_pytest_paths(repo)
    return [
        p
        for p in repo.entries
        if _is_test_path(p)
        or p in named
        or (
            patterns
            and p.endswith(".py")
            and not _SKIP_DIRS.search(p)
            and any(fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pat) for pat in patterns)
        )
    ]


def _python_files_patterns(repo: Repo) -> list[str]:
    """The ``python_files`` globs of the pytest configuration (pyproject, pytest.ini, tox.ini, setup.cfg)."""
    found: object = None
    if "pyproject.toml" in repo.entries:
        found = dig(pyproject(repo), "tool", "pytest", "ini_options", "python_files")
    for path, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        if found is None and path in repo.entries:
            found = ini_sections(repo.read_text(path)).get(section, (0, {}))[1].get("python_files")
    if isinstance(found, str):
        found = found.split()
    return [p for p in found if isinstance(p, str)] if isinstance(found, list) else []


_PYTEST_CMD = lazyre.compile(r"(^|[\s/])(py\.test|pytest)(\s|$)")


def _ci_pytest_paths(repo: Repo) -> set[str]:
    """Python files CI runs pytest on by name: ``pytest src/tests/model_tests.py::test_x -s``."""
    if not any(p.endswith(".py") and not _is_test_path(p) and "test" in p for p in repo.entries):
        return set()
    from . import ci

    out = set()
    for cmd in ci.all_commands(repo):
        if not _PYTEST_CMD.search(cmd.text):
            continue
        for token in cmd.text.split():
            path = token.split("::", 1)[0].strip("'\"").removeprefix("./")
            if path.endswith(".py") and path in repo.entries:
                out.add(path)
    return out


@makes_file_fact("testing.module/3")
def test_module(repo: Repo, path: str) -> TestModule:
    def compute() -> TestModule:
        info = TestModule(path)
        text = repo.read_text(path)
        if text is None:
            info.parsed = False
            return info
        tree = _parse_test(text)
        if tree is None:
            repo.note(path, "not parsed: syntax error")
            info.parsed = False
            return info
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                info.imports += [(a.name, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                info.imports.append((node.module, node.lineno))
                info.imports += [
                    (f"{node.module}.{a.name}", node.lineno) for a in node.names if a.name != "*"
                ]
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                info.functions.append(TestFunction(node.name, node.lineno, _placeholder(node)))
            elif isinstance(node, ast.ClassDef) and (
                node.name.startswith("Test") or any("TestCase" in ast.unparse(b) for b in node.bases)
            ):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith(
                        "test"
                    ):
                        info.functions.append(TestFunction(item.name, item.lineno, _placeholder(item)))
        return info

    return repo.file_fact(  # kept in the audit cache: an unchanged test file is not parsed again
        "testing.module/3",
        path,
        compute,
        encode=_encode_test_module,
        decode=lambda raw: _decode_test_module(raw, path),
    )


#: A template variable in a project template's file or path: ``{{ cookiecutter.python_package }}``.
_TEMPLATE_VAR = lazyre.compile(r"\{\{\s*(\w+(?:\.\w+)*)\s*(?:\|[^{}]*)?\}\}")


def untemplate(text: str) -> str:
    """``text`` with every template variable replaced by an identifier named after it
    (``{{ cookiecutter.python_package }}`` -> ``tpl_cookiecutter_python_package``), so a template's test
    ``from {{ cookiecutter.python_package }}.nodes import split`` parses and resolves to the templated
    package ``src/{{ cookiecutter.python_package }}/nodes.py``."""
    return _TEMPLATE_VAR.sub(lambda m: "tpl_" + m.group(1).replace(".", "_"), text)


def _parse_test(text: str) -> ast.Module | None:
    """The test file's syntax tree; a project template's file is parsed with its variables replaced
    (:func:`untemplate`). ``None`` when it does not parse."""
    for source in (text, untemplate(text)) if "{{" in text else (text,):
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError):
            continue
    return None


def _encode_test_module(info: TestModule) -> tuple[list[tuple[str, int, bool]], list[tuple[str, int]], bool]:
    return ([(f.name, f.line, f.placeholder) for f in info.functions], list(info.imports), info.parsed)


def _decode_test_module(
    raw: tuple[list[tuple[str, int, bool]], list[tuple[str, int]], bool], path: str
) -> TestModule:
    functions, imports, parsed = raw
    return TestModule(path, [TestFunction(*f) for f in functions], imports, parsed)


def _placeholder(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when the test's body touches no code (only constants are asserted), or when it cannot fail on
    what it exercises: no assertion at all, and an ``except`` that swallows the error (prints it)."""
    return all(_trivial(stmt) for stmt in func.body) or _swallows_failures(func)


_CHECKING_CALLS = ("assert", "raises", "fail", "skip", "xfail", "exit", "warns")


def _swallows_failures(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """No assertion (``assert``, ``self.assert*``, ``pytest.raises``, ``assert_frame_equal``...) anywhere in
    the test, and a ``try`` whose handler neither raises nor fails the test: whatever the code does, it
    passes."""
    nodes = list(ast.walk(func))
    for node in nodes:
        if isinstance(node, ast.Assert):
            return False
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.startswith(_CHECKING_CALLS):
                return False
    handlers = [h for n in nodes if isinstance(n, ast.Try) for h in n.handlers]
    return bool(handlers) and any(
        not any(isinstance(n, ast.Raise) for stmt in h.body for n in ast.walk(stmt)) for h in handlers
    )


def _trivial(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Constant):
            return True  # docstring, ...
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr.startswith(("assert", "fail", "skip"))
        ):
            return all(_constant_only(a) for a in value.args)
        return False
    if isinstance(stmt, ast.Assert):
        return _constant_only(stmt.test)
    if isinstance(stmt, ast.Raise):
        exc = stmt.exc
        name = exc.func if isinstance(exc, ast.Call) else exc
        return isinstance(name, ast.Name) and name.id in ("NotImplementedError", "AssertionError")
    return False


def _constant_only(node: ast.AST) -> bool:
    return not any(isinstance(n, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)) for n in ast.walk(node))


@memoized
def test_modules(repo: Repo) -> list[TestModule]:
    return [test_module(repo, p) for p in test_files(repo)]


@memoized
def real_tests(repo: Repo) -> list[tuple[str, int]]:
    """(path, line) of every real test function."""
    return [(m.path, f.line) for m in test_modules(repo) for f in m.real]


@memoized
def placeholder_tests(repo: Repo) -> list[tuple[str, int]]:
    return [(m.path, f.line) for m in test_modules(repo) for f in m.functions if f.placeholder]


# ------------------------------------------------------------------------------------- project modules


@memoized
def module_index(repo: Repo) -> dict[str, str]:
    """Dotted module names -> path for the project's own Python files (tests excluded). Every suffix of a
    path is a name (``src/churn/features.py`` is ``src.churn.features``, ``churn.features`` and ``features``),
    the longest path winning ties, so imports resolve whatever the layout."""
    index: dict[str, str] = {}
    tests = set(test_files(repo))
    for path in sorted(pyfacts.python_files(repo), key=lambda p: -p.count("/")):
        if path in tests or _SKIP_DIRS.search(path) or path.rsplit("/", 1)[-1] == "conftest.py":
            continue
        parts = (untemplate(path) if "{{" in path else path)[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            name = ".".join(parts[i:])
            if name and name.isascii():
                index.setdefault(name, path)
    return index


@memoized
def ml_modules(repo: Repo) -> dict[str, str]:
    """Project modules that are ML or data code -> why (the ML library imported, or a data/feature/train/model
    name)."""
    out: dict[str, str] = {}
    tests = set(test_files(repo))
    for path in repo.grep(pyfacts.python_files(repo), *_ML_NEEDLES):
        if path in tests or _SKIP_DIRS.search(path):
            continue
        libs = pyfacts.imports_any(pyfacts.imports_of(repo, path), *ML_LIBRARIES)  # a scan, no parse
        if libs:
            out[path] = f"imports {libs[0][0]}"
    for path in pyfacts.python_files(repo):
        if (
            path not in out
            and path not in tests
            and not _SKIP_DIRS.search(path)
            and _ML_NAME.search(path[:-3])
        ) and path.rsplit("/", 1)[-1] not in ("__init__.py", "setup.py", "conftest.py", "noxfile.py"):
            out[path] = "data/feature/train/model module"
    return out


_TRAIN_CALLS = (".fit", ".train", ".backward", ".fit_generator", ".train_model", ".partial_fit", ".apply_updates",
                ".apply_gradients")  # fmt: skip
#: The prefilter of :func:`training_code`: a file calling one of ``_TRAIN_CALLS`` names it as a word.
_TRAIN_CALL_WORDS = tuple(word(c[1:]) for c in _TRAIN_CALLS)
_TRAIN_SCRIPT = lazyre.compile(r"(^|/)(re)?train\w*\.py$")


@memoized
def training_code(repo: Repo) -> list[tuple[str, int]]:
    """Where the project trains models: a module importing an ML library that calls ``fit``/``train``/
    ``backward``, or a ``train*.py`` script that imports one; none when the repository has no training run of
    its own (:func:`pipelines.no_training_run`)."""
    from .pipelines import no_training_run

    if no_training_run(repo):
        return []
    out: list[tuple[str, int]] = []
    tests = set(test_files(repo))
    importers = [p for p, why in ml_modules(repo).items() if why.startswith("imports")]
    scripts = [p for p in importers if _TRAIN_SCRIPT.search(p)]
    selected = set(repo.grep(scripts, b".fit", b"train", b".backward(")) | set(
        repo.grep([p for p in importers if p not in scripts], *_TRAIN_CALL_WORDS)
    )
    for info in pyfacts.modules(repo, [p for p in importers if p in selected]):
        if info.path in tests or _SKIP_DIRS.search(info.path):
            continue
        libs = info.imports_any(*ML_LIBRARIES)
        if not libs:
            continue
        calls = [c for c in info.calls_to(*_TRAIN_CALLS) if not c.name.startswith(("self.", "super"))]
        if calls:
            out.append((info.path, calls[0].line))
        elif _TRAIN_SCRIPT.search(info.path):
            out.append((info.path, libs[0][1]))
    if not out:  # a project template's scaffold: its training step stands for the generated project's
        from .pipelines import template_training_steps

        out = template_training_steps(repo)
    return out


@memoized
def tested_ml_modules(repo: Repo) -> list[tuple[str, int, str]]:
    """(test path, import line, project module path) for every ML/data module a test imports, directly or
    through a package ``__init__.py`` that re-exports it (``import clip`` with ``from .clip import *``,
    ``from vit_pytorch import ViT`` with ``from vit_pytorch.vit import ViT``)."""
    index = module_index(repo)
    ml = ml_modules(repo)
    out: list[tuple[str, int, str]] = []
    for mod in test_modules(repo):
        if not mod.real:
            continue
        for name, line in mod.imports:
            target = index.get(name)
            if target and target in ml:
                out.append((mod.path, line, target))
            elif target and target.endswith("__init__.py"):
                out += [(mod.path, line, t) for t in _reexported(repo, target, index) if t in ml]
    return list(dict.fromkeys(out))


def _reexported(repo: Repo, init: str, index: dict[str, str]) -> list[str]:
    """The project modules a package ``__init__.py`` imports (relative or absolute), one level deep."""
    info = pyfacts.module(repo, init)
    if info is None:
        return []
    package = init.rsplit("/", 1)[0] if "/" in init else ""
    out = []
    for name, _line in info.imports:
        if name.startswith("."):
            stripped = name.lstrip(".")
            base = package
            for _ in range(len(name) - len(stripped) - 1):
                base = base.rsplit("/", 1)[0] if "/" in base else ""
            path = "/".join(filter(None, [base, stripped.replace(".", "/")]))
            candidates = [path + ".py", path + "/__init__.py"]
            out += [c for c in candidates if c in repo.entries]
        elif (target := index.get(name)) and target != init:
            out.append(target)
    return out


@memoized
def tested_project_modules(repo: Repo) -> list[tuple[str, int, str]]:
    index = module_index(repo)
    out = []
    for mod in test_modules(repo):
        for name, line in mod.imports:
            if name in index and not pyfacts_is_stdlib_like(name):
                out.append((mod.path, line, index[name]))
    return out


def pyfacts_is_stdlib_like(name: str) -> bool:
    return name.split(".", 1)[0] in {"os", "sys", "re", "json", "pathlib", "typing", "unittest", "pytest"}


# ------------------------------------------------------------------------------------------ configuration


def _config_dirs(repo: Repo) -> list[str]:
    """The directories whose configuration files apply to the tests: the root, then every directory above a
    test file (pytest looks for its configuration from the tests' directory upwards, so a subproject's
    ``pyproject.toml`` or a ``tests/pytest.ini`` configures the tests below it)."""
    dirs: set[str] = set()
    for path in test_files(repo):
        parts = path.split("/")[:-1]
        dirs.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return ["", *sorted(dirs)]


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


@memoized
def pytest_configs(repo: Repo) -> list[tuple[str, int | None]]:
    """Where pytest is configured: ``[tool.pytest.ini_options]``/``[tool.pytest]``, pytest.ini, .pytest.ini,
    setup.cfg ``[tool:pytest]``, tox.ini ``[pytest]``, at the root or in a directory above the tests
    (:func:`_config_dirs`)."""
    out: list[tuple[str, int | None]] = []
    for directory in _config_dirs(repo):
        toml = _join(directory, "pyproject.toml")
        if toml in repo.entries and isinstance(dig(load_toml(repo, toml), "tool", "pytest"), dict):
            text = repo.read_text(toml)
            out.append((toml, toml_line(text, "tool.pytest.ini_options") or toml_line(text, "tool.pytest")))
        for name in ("pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"):
            if _join(directory, name) in repo.entries:
                out.append((_join(directory, name), 1))
        for name, section in (("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
            path = _join(directory, name)
            if path in repo.entries:
                sections = ini_sections(repo.read_text(path))
                if section in sections:
                    out.append((path, sections[section][0]))
    return out


_COV_OPT = lazyre.compile(r"--cov\b")


@memoized
def coverage_configs(repo: Repo) -> list[tuple[str, int | None]]:
    """Where coverage is configured: ``[tool.coverage.*]``, .coveragerc, ``[coverage:*]`` sections, ``--cov``
    in pytest options (at the root or in a directory above the tests: :func:`_config_dirs`), or
    ``coverage run`` / ``--cov`` in CI commands."""
    out: list[tuple[str, int | None]] = []
    for directory in _config_dirs(repo):
        toml = _join(directory, "pyproject.toml")
        if toml in repo.entries and isinstance(dig(load_toml(repo, toml), "tool", "coverage"), dict):
            text = repo.read_text(toml) or ""
            m = re.search(r"(?m)^\[tool\.coverage", text)
            out.append((toml, text.count("\n", 0, m.start()) + 1 if m else None))
        if _join(directory, ".coveragerc") in repo.entries:
            out.append((_join(directory, ".coveragerc"), 1))
        for name in ("setup.cfg", "tox.ini"):
            path = _join(directory, name)
            if path in repo.entries:
                for section, (line, _) in ini_sections(repo.read_text(path)).items():
                    if section.startswith("coverage:"):
                        out.append((path, line))
                        break
        for name in ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini"):
            path = _join(directory, name)
            if path in repo.entries and repo.contains(path, b"--cov"):
                ctext = repo.read_text(path) or ""
                m = _COV_OPT.search(ctext)
                if m:
                    out.append((path, ctext.count("\n", 0, m.start()) + 1))
    from . import ci

    for cmd in ci.runs(repo, re.compile(r"--cov\b|\bcoverage\s+run\b|\bpytest-cov\b(?!.*install)")):
        out.append(cmd.location)
        break
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------------------------------ quality gates


@dataclass(frozen=True, slots=True)
class Gate:
    path: str
    line: int
    text: str


_GATE_MODULE = lazyre.compile(
    r"evaluat|valid|gate|promot|train|metric|scor|quality|pipeline|model|champion|assess", re.I
)


@pyfacts.parse_ahead_paths
@memoized
def gate_files(repo: Repo) -> list[str]:
    """The Python files that may hold a model quality gate: tests that exercise ML code, and evaluation /
    training / pipeline modules, that name a metric and raise, exit, return or register."""
    out: list[str] = []
    ml = ml_modules(repo)
    tests = set(test_files(repo))
    index = module_index(repo)
    for path in repo.grep([p for p in pyfacts.python_files(repo) if p in tests or p in ml], *_METRIC_NEEDLES):
        if _SKIP_DIRS.search(path) or not repo.contains(
            path,
            b"assert",
            b"raise",
            b"exit",
            b"Threshold",
            b"fail(",
            b"cancel",
            b"promot",
            b"regist",
            b"return",
        ):
            continue
        if path not in tests and not _GATE_MODULE.search(path):
            continue  # gates live in evaluation / training / pipeline code
        if path in tests:  # a test gates a model when it exercises ML code
            mod = test_module(repo, path)
            roots = {name.split(".", 1)[0] for name, _ in mod.imports}
            if not (roots & set(ML_LIBRARIES) or any(index.get(name) in ml for name, _ in mod.imports)):
                continue
        if gate_possible(repo, path):
            out.append(path)  # a cheap read of its bytes first: most model code holds no gate to parse for
    return out


@makes_file_fact("gates.possible/2")
def gate_possible(repo: Repo, path: str) -> bool:
    """Whether a cheap read of the file's bytes finds what a quality gate needs (kept in the audit cache)."""
    return repo.file_fact("gates.possible/2", path, functools.partial(_may_hold_gate, repo, path))


def _may_hold_gate(repo: Repo, path: str) -> bool:
    return gates.may_hold_gate(repo.read_bytes(path) or b"")


@memoized
def quality_gates(repo: Repo) -> list[Gate]:
    """Model quality gates: a metric compared (``<``, ``>=``...) with a non-trivial threshold or a champion in
    an ``assert``, in an ``if`` that raises, exits or decides (returns, registers, promotes, cancels), or in a
    comprehension of a gate function (``failed_thresholds``); or MLflow ``validation_thresholds`` /
    ``MetricThreshold`` (collected by the Python facts' one walk of each file: :mod:`.gates`)."""
    return [
        Gate(info.path, line, text)
        for info in pyfacts.modules(repo, gate_files(repo))
        for line, text in info.gates
    ]


_FLAG_SET = lazyre.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(0|1|True|False)\s*(#.*)?$")


def overridden_gate(repo: Repo, gate: Gate) -> str | None:
    """The file that defeats a gate which only sets a flag (``if score >= best: deploy_flag = 1``): another
    module of the project sets the same flag to a constant and tests it afterwards (``deploy_flag=1`` then
    ``if deploy_flag==1: register``), so the gate decides nothing; None when the gate stands."""
    flags = ask(repo, gate.path, _flags_set_after, gate.line)
    for flag in flags:
        for path in repo.grep(pyfacts.python_files(repo), flag.encode()):
            if path == gate.path or _SKIP_DIRS.search(path):
                continue
            if ask(repo, path, _sets_then_tests, flag):
                return path
    return None


@source_question
def _flags_set_after(text: str, line: int) -> list[str]:
    """The flags set to a constant in the four lines after ``line`` (sorted)."""
    lines = text.splitlines()
    return sorted({m.group(1) for ln in lines[line : line + 4] if (m := _FLAG_SET.match(ln))})


@source_question
def _sets_then_tests(text: str, flag: str) -> bool:
    """Whether the text sets ``flag`` to 1 / True and tests it within the next three lines."""
    test = re.compile(r"^\s*(el)?if\s*\(?\s*" + re.escape(flag) + r"\b")
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        m = _FLAG_SET.match(ln)
        if (
            m
            and m.group(1) == flag
            and m.group(2) in ("1", "True")
            and any(test.match(nxt) for nxt in lines[i + 1 : i + 4])
        ):
            return True
    return False


# ------------------------------------------------------------------------------------------------- report


@report_fact("has_tests")
def has_tests_fact(repo: Repo) -> FactValue:
    real = real_tests(repo)
    if real:
        return FactValue.of(list(dict.fromkeys(p for p, _ in real))[:5])
    if any(not m.parsed for m in test_modules(repo)):
        return FactValue(None)
    return FactValue(False)


@inventory("test_frameworks")
def test_frameworks_inventory(repo: Repo) -> list[str]:
    found: set[str] = set()
    modules = test_modules(repo)
    if pytest_configs(repo):
        found.add("pytest")
    for mod in modules:
        roots = {name.split(".", 1)[0] for name, _ in mod.imports}
        if "pytest" in roots:
            found.add("pytest")
        if "unittest" in roots:
            found.add("unittest")
        if "hypothesis" in roots:
            found.add("hypothesis")
        if "nose2" in roots or "nose" in roots:
            found.add("nose2")
    if any(m.functions for m in modules) and not found:
        found.add("pytest")  # bare test functions: pytest style
    return sorted(found)

"""Tests: which test files exist, whether they are real (a generated placeholder is not a test), what project
code they import, how pytest and coverage are configured, and where model quality is gated.

Test files are parsed with :mod:`ast` (never imported). A test function is a *placeholder* when its body does
nothing that touches code: ``pass``, ``...``, a docstring, ``assert True``/``assert False`` or asserts and
``self.assert*`` calls over constants only, ``raise NotImplementedError`` (cookiecutter-data-science's
``def test_code_is_tested(): assert False`` is the model).
"""

from __future__ import annotations

import ast
import fnmatch
import re
from dataclasses import dataclass, field

from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from . import python as pyfacts
from .textconfig import dig, ini_sections, pyproject, toml_line

_TEST_NAME = re.compile(r"^(test_.*|.*_test|tests?)\.py$")
_SKIP_DIRS = re.compile(r"(^|/)(\.venv|venv|\.tox|\.nox|site-packages|node_modules|\.git|build|dist)/")

#: Libraries whose use marks a module as ML or data code.
ML_LIBRARIES = (
    "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "jax", "flax", "transformers",
    "pytorch_lightning", "lightning", "statsmodels", "pandas", "polars", "numpy", "datasets", "scipy", "optuna",
    "prophet", "spacy", "gensim", "mlflow", "pyspark", "dask", "sentence_transformers", "timm", "onnx",
)  # fmt: skip
_ML_NEEDLES = tuple(n for lib in ML_LIBRARIES for n in (f"import {lib}".encode(), f"from {lib}".encode()))
_ML_NAME = re.compile(
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


_PYTEST_CMD = re.compile(r"(^|[\s/])(py\.test|pytest)(\s|$)")


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


def test_module(repo: Repo, path: str) -> TestModule:
    def compute() -> TestModule:
        info = TestModule(path)
        text = repo.read_text(path)
        if text is None:
            info.parsed = False
            return info
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
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
        "testing.module/1",
        path,
        compute,
        encode=_encode_test_module,
        decode=lambda raw: _decode_test_module(raw, path),
    )


def _encode_test_module(info: TestModule) -> tuple[list[tuple[str, int, bool]], list[tuple[str, int]], bool]:
    return ([(f.name, f.line, f.placeholder) for f in info.functions], list(info.imports), info.parsed)


def _decode_test_module(
    raw: tuple[list[tuple[str, int, bool]], list[tuple[str, int]], bool], path: str
) -> TestModule:
    functions, imports, parsed = raw
    return TestModule(path, [TestFunction(*f) for f in functions], imports, parsed)


def _placeholder(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when the test's body touches no code: only constants are asserted."""
    return all(_trivial(stmt) for stmt in func.body)


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
        parts = path[:-3].split("/")
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
    for info in pyfacts.modules_containing(repo, *_ML_NEEDLES):
        if info.path in tests or _SKIP_DIRS.search(info.path):
            continue
        libs = info.imports_any(*ML_LIBRARIES)
        if libs:
            out[info.path] = f"imports {libs[0][0]}"
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
    for info in pyfacts.modules_containing(repo, b".fit", b"train", b".backward(", paths=importers):
        if info.path in tests or _SKIP_DIRS.search(info.path):
            continue
        libs = info.imports_any(*ML_LIBRARIES)
        if not libs:
            continue
        calls = [c for c in info.calls_to(*_TRAIN_CALLS) if not c.name.startswith(("self.", "super"))]
        if calls:
            out.append((info.path, calls[0].line))
        elif re.search(r"(^|/)(re)?train\w*\.py$", info.path):
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


@memoized
def pytest_configs(repo: Repo) -> list[tuple[str, int | None]]:
    """Where pytest is configured: ``[tool.pytest.ini_options]``/``[tool.pytest]``, pytest.ini, .pytest.ini,
    setup.cfg ``[tool:pytest]``, tox.ini ``[pytest]``."""
    out: list[tuple[str, int | None]] = []
    data = pyproject(repo)
    if isinstance(dig(data, "tool", "pytest"), dict):
        text = repo.read_text("pyproject.toml")
        out.append(
            ("pyproject.toml", toml_line(text, "tool.pytest.ini_options") or toml_line(text, "tool.pytest"))
        )
    for path in ("pytest.ini", ".pytest.ini", "pytest.toml", ".pytest.toml"):
        if path in repo.entries:
            out.append((path, 1))
    for path, section in (("setup.cfg", "tool:pytest"), ("tox.ini", "pytest")):
        if path in repo.entries:
            sections = ini_sections(repo.read_text(path))
            if section in sections:
                out.append((path, sections[section][0]))
    return out


_COV_OPT = re.compile(r"--cov\b")


@memoized
def coverage_configs(repo: Repo) -> list[tuple[str, int | None]]:
    """Where coverage is configured: ``[tool.coverage.*]``, .coveragerc, ``[coverage:*]`` sections, ``--cov``
    in pytest options, or ``coverage run`` / ``--cov`` in CI commands."""
    out: list[tuple[str, int | None]] = []
    data = pyproject(repo)
    text = repo.read_text("pyproject.toml") if data else None
    if isinstance(dig(data, "tool", "coverage"), dict):
        m = re.search(r"(?m)^\[tool\.coverage", text or "")
        out.append(("pyproject.toml", (text or "").count("\n", 0, m.start()) + 1 if m else None))
    if ".coveragerc" in repo.entries:
        out.append((".coveragerc", 1))
    for path in ("setup.cfg", "tox.ini"):
        if path in repo.entries:
            for name, (line, _) in ini_sections(repo.read_text(path)).items():
                if name.startswith("coverage:"):
                    out.append((path, line))
                    break
    for path in ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini"):
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


_GATE_MODULE = re.compile(
    r"evaluat|valid|gate|promot|train|metric|scor|quality|pipeline|model|champion|assess", re.I
)


@memoized
def quality_gates(repo: Repo) -> list[Gate]:
    """Model quality gates: a metric compared (``<``, ``>=``...) with a non-trivial threshold or a champion in
    an ``assert``, in an ``if`` that raises, exits or decides (returns, registers, promotes, cancels), or in a
    comprehension of a gate function (``failed_thresholds``); or MLflow ``validation_thresholds`` /
    ``MetricThreshold``."""
    out: list[Gate] = []
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
        out.extend(_gates_in(repo, path))
    return out


def _gates_in(repo: Repo, path: str) -> list[Gate]:
    def compute() -> list[Gate]:
        text = repo.read_text(path)
        if not text:
            return []
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return []
        found: list[Gate] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and _metric_compare(node.test):
                found.append(Gate(path, node.lineno, _src(node)))
            elif (
                isinstance(node, ast.If)
                and _metric_compare(node.test, failing=_raises_or_exits(node.body))
                and (_raises_or_exits(node.body) or _decides(node.body) or _decides(node.orelse))
            ):
                found.append(Gate(path, node.lineno, _src(node.test)))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _GATE_FUNCTION.search(
                node.name
            ):
                # ``def failed_thresholds(m, t): return [k for k, low in t.items() if m[k] < low]``
                for sub in ast.walk(node):
                    if isinstance(sub, ast.comprehension) and any(_metric_compare(c) for c in sub.ifs):
                        found.append(Gate(path, sub.ifs[0].lineno, _src(sub.ifs[0])))
                        break
            elif isinstance(node, ast.Call):
                func = node.func  # the last name of ``a.b.MetricThreshold``, without unparsing every call
                name = (
                    func.id
                    if isinstance(func, ast.Name)
                    else func.attr
                    if isinstance(func, ast.Attribute)
                    else ""
                )
                if name.endswith("MetricThreshold") or any(
                    k.arg == "validation_thresholds" for k in node.keywords
                ):
                    found.append(Gate(path, node.lineno, _src(node)))
        return found

    return repo.file_fact(  # kept in the audit cache: an unchanged file is not parsed again
        "testing.gates/2",
        path,
        compute,
        encode=lambda gates: [(g.line, g.text) for g in gates],
        decode=lambda raw: [Gate(path, line, text) for line, text in raw],
    )


def _src(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:120]
    except (ValueError, RecursionError):
        return ""


_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
#: One token of an identifier (``val_f1_score`` -> val, f1, score) that names a model metric, or the value of
#: an evaluation function (``evaluate(model)``).
_METRIC_TOKEN = re.compile(
    r"^(acc(uracy)?|top\d+(acc)?|f1|fbeta|auc|roc|rocauc|aucroc|prauc|rmse|mse|mae|mape|smape|r2|rsquared|"
    r"precision|recall|scores?|loss(es)?|logloss|metrics?|ndcg|bleu|rouge\w*|perplexity|ppl|iou|miou|dice|"
    r"brier|map|wer|cer|errors?|evaluat\w*|eval)$"
)
#: Metrics where higher is better (a lower bound at or below chance is no gate); the others are errors.
_HIGHER_BETTER = re.compile(
    r"^(acc(uracy)?|top\d+(acc)?|f1|fbeta|auc|roc|rocauc|aucroc|prauc|r2|rsquared|precision|recall|scores?|"
    r"ndcg|bleu|rouge\w*|iou|miou|dice|map)$"
)
_AUC = re.compile(r"^(auc|roc|rocauc|aucroc)$")
#: Numerical tolerances: ``if max_conf_score > self.eps: raise`` checks inputs, it does not gate a model.
_TOLERANCE = re.compile(r"^(eps|epsilon|tol|tolerance|atol|rtol)$")
_THRESHOLD_TOKEN = re.compile(
    r"^(thresholds?|thresh|min|max|minimum|maximum|baseline|champion|best|prod|production|current|previous|"
    r"prev|old|target|expected|required|limit|bound|floor|ceiling|cutoff|low|high|lower|upper)$"
)
#: Functions whose comparisons are the gate itself (``failed_thresholds``, ``beats_champion``).
_GATE_FUNCTION = re.compile(r"threshold|gate|champion|promot|quality", re.I)
_DECISION_CALL = re.compile(
    r"promot|regist|alias|transition|cancel|reject|deploy|publish|fail|abort|stop_run|skip", re.I
)


_DECISION_FLAG = re.compile(
    r"promot|regist|deploy|reject|accept|approv|bless|better|should|passed|failed", re.I
)


def _tokens(word: str) -> list[str]:
    """``val_F1Score`` -> ["val", "f1", "score"]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", word)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def _words(node: ast.AST) -> list[str]:
    """The identifiers an expression reads: names, attributes, string subscripts and ``.get("key")``."""
    words: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            words.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            words.append(sub.attr)
        elif (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.slice, ast.Constant)
            and isinstance(sub.slice.value, str)
        ):
            words.append(sub.slice.value)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get":
            words += [
                a.value for a in sub.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
    return [w for w in words if len(w) < 60]


def _metric_tokens(node: ast.AST) -> list[str]:
    return [t for w in _words(node) for t in _tokens(w) if _METRIC_TOKEN.match(t)]


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _number(node.operand)
        return None if value is None else -value
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
        arg = node.args[0] if node.args else None
        if (
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and arg.value.strip("+- ").lower() == "inf"
        ):
            return float("-inf") if arg.value.strip().startswith("-") else float("inf")
    return None


def _threshold_side(node: ast.AST) -> bool:
    """Can ``node`` be the bar a metric is held to: a number, or a value that is not a collection, not a
    numerical tolerance and not another entry of the same table (``top["f2"]`` beside ``top["f1"]``)?"""
    if _number(node) is not None:
        return True
    if isinstance(node, (ast.Constant, ast.Set, ast.List, ast.Tuple, ast.Dict)):
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return False
    tokens = [t for w in _words(node) for t in _tokens(w)]
    if any(_TOLERANCE.match(t) for t in tokens):
        return False
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return any(_THRESHOLD_TOKEN.match(t) or _METRIC_TOKEN.match(t) for t in tokens)
    return True


def _trivial_bar(metric: list[str], lower_bound: bool, bound: float) -> bool:
    """A bar every model clears: a score above 0 (an AUC above 0.5), a score below 1, an error above 0."""
    higher = any(_HIGHER_BETTER.match(t) for t in metric)
    if higher:
        if lower_bound:
            return bound <= (0.5 if any(_AUC.match(t) for t in metric) else 0.0)
        return bound >= 1.0
    return bound <= 0.0 if lower_bound else bound == float("inf")


def _metric_compare(test: ast.AST, *, failing: bool = False) -> bool:
    """Does ``test`` hold a model metric to a bar — a threshold or another metric (the champion's)? ``failing``:
    the test describes the failure (``if auc < 0.8: raise``), so the bar it implies is the other way round."""
    if isinstance(test, ast.BoolOp):
        return any(_metric_compare(v, failing=failing) for v in test.values)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _metric_compare(test.operand, failing=not failing)
    if not isinstance(test, ast.Compare):
        return False
    sides = [test.left, *test.comparators]
    for i, op in enumerate(test.ops):
        if not isinstance(op, _ORDER):
            continue
        left, right = sides[i], sides[i + 1]
        left_metric, right_metric = _metric_tokens(left), _metric_tokens(right)
        if left_metric and right_metric:
            return True  # new vs champion
        if not (left_metric or right_metric) or not _threshold_side(right if left_metric else left):
            continue
        metric, bar = (left_metric, right) if left_metric else (right_metric, left)
        greater = isinstance(op, (ast.Gt, ast.GtE))
        lower_bound = greater == bool(left_metric)  # metric > bar, or bar < metric
        if failing:
            lower_bound = not lower_bound
        value = _number(bar)
        if value is not None and _trivial_bar(metric, lower_bound, value):
            continue
        return True
    return False


def _decides(body: list[ast.stmt]) -> bool:
    """A branch that decides the model's fate: returns a decision, promotes, registers, cancels... or sets a
    decision flag (``should_promote = False``)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return) and node.value is not None:
                return True
            if isinstance(node, ast.Assign) and any(
                (isinstance(t, ast.Name) and _DECISION_FLAG.search(t.id))
                or (isinstance(t, ast.Attribute) and _DECISION_FLAG.search(t.attr))  # self.registered = True
                for t in node.targets
            ):
                return True
            if isinstance(node, ast.Call):
                func = node.func
                name = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else ""
                )
                if _DECISION_CALL.search(name):
                    return True
    return False


def _raises_or_exits(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func) if isinstance(node.func, (ast.Name, ast.Attribute)) else ""
                if name in ("sys.exit", "exit", "quit", "pytest.fail", "os._exit") or name.endswith(".fail"):
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

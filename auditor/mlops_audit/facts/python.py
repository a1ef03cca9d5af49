"""Python source facts, from the AST only (the audited code is never imported or executed).

:func:`analyze_source` turns source text into a :class:`ModuleInfo`: imports, calls with their resolved dotted
names (``np.random.seed`` -> ``numpy.random.seed``), decorators, keyword arguments with literal values, string
literals and top-level numeric assignments. :func:`module` does it for one file of a repository, once; use
:func:`modules_containing` to parse only the files whose bytes mention what a check looks for.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from .. import lazyre
from .. import needles as needlesets
from ..cache_protocol import fact_blob
from ..repo import Repo, makes_file_fact
from . import gates as gatefacts

T = TypeVar("T")

_MISSING = object()
_EMPTY: dict[str, Any] = {}  # the shared kwargs/refs of calls that have none: read-only by convention


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # resolved dotted name: "mlflow.log_param", "sklearn.ensemble.RandomForestClassifier"
    line: int
    kwargs: dict[str, Any]  # keyword -> literal value, or the `NON_LITERAL` marker
    args: tuple[Any, ...] = ()  # positional arguments: literal values or NON_LITERAL
    # argument -> resolved dotted name, for arguments that are names (``Loader=yaml.SafeLoader``); positional
    # arguments are keyed by their index ("0", "1", ...)
    refs: dict[str, str] = field(default_factory=dict)

    @property
    def attr(self) -> str:
        """The last component of the name: ``set_registered_model_alias`` for ``client.set_...``."""
        return self.name.rsplit(".", 1)[-1]


class _NonLiteral:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NON_LITERAL"


NON_LITERAL: Any = _NonLiteral()


@dataclass(slots=True)
class ModuleInfo:
    path: str
    imports: list[tuple[str, int]] = field(default_factory=list)  # ("sklearn.ensemble", line)
    calls: list[Call] = field(default_factory=list)
    decorators: list[tuple[str, int]] = field(default_factory=list)  # resolved decorator call/attr names
    strings: list[tuple[str, int]] = field(default_factory=list)
    assignments: list[tuple[str, Any, int]] = field(default_factory=list)  # NAME = literal (module level)
    functions: list[tuple[str, int]] = field(default_factory=list)
    classes: list[tuple[str, list[str], int]] = field(default_factory=list)  # (name, resolved bases, line)
    has_main_guard: bool = False
    syntax_error: str | None = None
    gates: list[tuple[int, str]] = field(default_factory=list)  # model quality gates: (line, cited code)

    @property
    def top_level_imports(self) -> set[str]:
        return {name.split(".", 1)[0] for name, _ in self.imports}

    def imports_any(self, *roots: str) -> list[tuple[str, int]]:
        """Imports of any of the given modules or their sub-modules (``"mlflow"`` matches ``mlflow.sklearn``)."""
        return imports_any(self.imports, *roots)

    def calls_to(self, *names: str) -> list[Call]:
        """Calls whose resolved name equals one of ``names`` or ends with ``"." + name`` for ``.attr`` names."""
        exact = {n for n in names if not n.startswith(".")}
        suffixes = tuple(n for n in names if n.startswith("."))
        return [c for c in self.calls if c.name in exact or (suffixes and c.name.endswith(suffixes))]


def imports_any(imports: list[tuple[str, int]], *roots: str) -> list[tuple[str, int]]:
    """The ``imports`` (as :attr:`ModuleInfo.imports` or :func:`imports_of` list them) of any of the given
    modules or their sub-modules."""
    prefixes = tuple(r + "." for r in roots)
    return [(n, ln) for n, ln in imports if n in roots or n.startswith(prefixes)]


def analyze_source(source: str, path: str = "<string>") -> ModuleInfo:
    """Parse ``source`` and collect its facts; a syntax error yields an empty module with ``syntax_error`` set."""
    with _no_cycle_collection():
        return _analyze(source, path)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is parsed and walked. A syntax tree holds no reference
    cycle (nodes do not point to their parents): reference counting frees it whole. Parsing allocates hundreds
    of thousands of nodes, each allocation counting towards a collection that would otherwise traverse every
    object the audit holds, again and again (measured: 1,500 transformers files parse and collect in 5.3 s
    with it paused, 6.4 s with it running and nothing else alive, several times that in a full audit)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _analyze(source: str, path: str) -> ModuleInfo:
    info = ModuleInfo(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes in audited code
            tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        line = getattr(exc, "lineno", None)
        info.syntax_error = f"{type(exc).__name__}: {getattr(exc, 'msg', exc)}" + (
            f" (line {line})" if line else ""
        )
        _salvage(source, info)
        return info
    try:
        _Collector(info).collect(tree)
    except RecursionError:
        info.syntax_error = "RecursionError: nesting too deep to analyse"
    return info


_IMPORT_LINE = lazyre.compile(r"^[ \t]*import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?", re.MULTILINE)
_FROM_LINE = lazyre.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w \t,]+)", re.MULTILINE)
_DECORATOR_LINE = lazyre.compile(r"^[ \t]*@([\w.]+)", re.MULTILINE)


def _salvage(source: str, info: ModuleInfo) -> None:
    """What a file this Python cannot parse (newer syntax, a stray error) still shows line by line: its
    imports and decorators, names resolved through its import aliases. Calls are not guessed."""
    aliases: dict[str, str] = {}

    def line_of(pos: int) -> int:
        return source.count("\n", 0, pos) + 1

    for m in _IMPORT_LINE.finditer(source):
        info.imports.append((m.group(1), line_of(m.start())))
        module, alias = m.group(1), m.group(2)
        if alias:
            aliases[alias] = module  # import numpy as np
        else:
            aliases.setdefault(module.split(".", 1)[0], module.split(".", 1)[0])  # import os.path
    for m in _FROM_LINE.finditer(source):
        info.imports.append((m.group(1), line_of(m.start())))
        for part in m.group(2).split(","):
            name, _, alias = part.strip().partition(" as ")
            if name.strip():
                aliases[(alias or name).strip()] = f"{m.group(1)}.{name.strip()}"
    for m in _DECORATOR_LINE.finditer(source):
        head, _, rest = m.group(1).partition(".")
        resolved = aliases.get(head, head) + ("." + rest if rest else "")
        info.decorators.append((resolved, line_of(m.start())))


class _Collector(ast.NodeVisitor):
    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.aliases: dict[str, str] = {}
        self.depth = 0  # function/class nesting, for module-level assignments
        self.scopes: list[gatefacts.FlagScope | None] = []  # per enclosing function/class (None): flag gates

    # imports -------------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.info.imports.append((alias.name, node.lineno))
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".", 1)[0]
                self.aliases.setdefault(root, root)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * node.level) + (node.module or "")
        if node.level == 0 and node.module:
            self.info.imports.append((node.module, node.lineno))
        elif node.level:
            self.info.imports.append((module, node.lineno))
        for alias in node.names:
            if alias.name == "*":
                continue
            target = f"{module}.{alias.name}" if module else alias.name
            self.aliases[alias.asname or alias.name] = target.lstrip(".") if node.level == 0 else target

    # names ---------------------------------------------------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):  # e.g. mlflow.tracking.MlflowClient().log_metric
            inner = self.resolve(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
        elif isinstance(node, ast.Name):
            parts.append(self.aliases.get(node.id, node.id))
        else:
            return None
        return ".".join(reversed(parts))

    def collect(self, tree: ast.AST) -> None:
        """Collect the module's facts in one pre-order walk, without recursion or per-node method dispatch
        (several times faster than an ``ast.NodeVisitor``; import statements reuse ``visit_Import*``)."""
        info = self.info
        strings = info.strings
        stack: list[Any] = [tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        ast_type, list_type = ast.AST, list
        constant, call, assign, if_, imp, imp_from = (
            ast.Constant,
            ast.Call,
            ast.Assign,
            ast.If,
            ast.Import,
            ast.ImportFrom,
        )
        scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        gate_kinds = (ast.Assert, ast.If, ast.FunctionDef, ast.AsyncFunctionDef)
        while stack:
            node = pop()
            if node is None:  # leaving a function or class body
                self.depth -= 1
                self._leave_scope()
                continue
            kind = type(node)
            if kind is constant:
                value = node.value
                if type(value) is str and value:
                    strings.append((value, node.lineno))
                continue
            if kind in gate_kinds:
                self._gate(node)
            if kind is call:
                self._call(node)
            elif kind is assign:
                self._assign(node)
                scope = self.scopes[-1] if self.scopes else None
                if scope is not None:
                    scope.assign(node)
            elif kind is imp:
                self.visit_Import(node)
                continue
            elif kind is imp_from:
                self.visit_ImportFrom(node)
                continue
            elif kind is if_:
                self._if(node)
                scope = self.scopes[-1] if self.scopes else None
                if scope is not None:
                    scope.branch(node)
            elif kind in scopes:
                self._decorators(node)
                if kind is ast.ClassDef:
                    bases = [b for b in (self.resolve(x) for x in node.bases) if b]
                    info.classes.append((node.name, bases, node.lineno))
                    self.scopes.append(None)
                else:
                    info.functions.append((node.name, node.lineno))
                    self.scopes.append(gatefacts.FlagScope())
                self.depth += 1
                push(None)
            children = []
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list_type:
                    children += [item for item in value if isinstance(item, ast_type)]
                elif isinstance(value, ast_type):
                    children.append(value)
            if children:
                children.reverse()
                extend(children)

    def _leave_scope(self) -> None:
        scope = self.scopes.pop()
        found = scope.gate() if scope is not None else None
        if found is not None:
            self.info.gates.append((found[0], gatefacts.source(found[1])))
            self.info.gates.sort(key=lambda gate: gate[0])  # in line order, as the walk finds the others

    def _gate(self, node: ast.stmt) -> None:
        found = gatefacts.statement_gate(node)
        if found is not None:
            self.info.gates.append((found[0], gatefacts.source(found[1])))

    def _call(self, node: ast.Call) -> None:
        name = self.resolve(node.func)
        if gatefacts.call_gate(name or "", node):
            self.info.gates.append((node.lineno, gatefacts.source(node)))
        if name is None:
            return
        # A large tree holds hundreds of thousands of calls: most have no keywords or name arguments, and
        # share one empty mapping (never mutated) instead of two new dicts each; names are interned.
        keywords = [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
        kwargs = {arg: _literal(value) for arg, value in keywords} if keywords else _EMPTY
        args = tuple(_literal(a) for a in node.args[:4])
        refs: dict[str, str] = _EMPTY
        named = [(str(i), a) for i, a in enumerate(node.args[:4])]
        named += keywords
        for key, value in named:
            if isinstance(value, (ast.Name, ast.Attribute)):
                ref = self.resolve(value)
                if ref:
                    if refs is _EMPTY:
                        refs = {}
                    refs[key] = sys.intern(ref)
        self.info.calls.append(Call(sys.intern(name), node.lineno, kwargs, args, refs))

    def _assign(self, node: ast.Assign) -> None:
        if self.depth == 0:
            value = _literal(node.value)
            if value is not NON_LITERAL:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.info.assignments.append((target.id, value, node.lineno))

    def _if(self, node: ast.If) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
        ):
            self.info.has_main_guard = True

    def _decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            name = self.resolve(target)
            if name:
                self.info.decorators.append((name, dec.lineno))


#: Node types ``ast.literal_eval`` may accept; anything else is not a literal (decided without an exception).
_MAYBE_LITERAL = (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Call, ast.UnaryOp, ast.BinOp)


def _literal(node: ast.AST) -> Any:
    kind = type(node)
    if kind is ast.Constant:
        return node.value  # type: ignore[attr-defined]  # `kind is ast.Constant` (hot path) does not narrow
    if kind not in _MAYBE_LITERAL:
        return NON_LITERAL
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NON_LITERAL


# --------------------------------------------------------------------------------------------- repository


def python_files(repo: Repo) -> list[str]:
    """Every Python source file of the tree (``.py``; ``.pyi`` stubs carry no behaviour)."""
    return repo.with_suffix(".py")


def module(repo: Repo, path: str) -> ModuleInfo | None:
    """The facts of one Python file, parsed once per run; ``None`` when it cannot be read as text."""
    return _module(repo, path)


#: The audit-cache kind of :func:`module` (bump the suffix when ModuleInfo or the collector changes).
MODULE_FACT = "python.module/2"


@makes_file_fact(MODULE_FACT)
def _module(repo: Repo, path: str) -> ModuleInfo | None:
    """:func:`module` (a worker process's analysis, when it made one, is taken from the repository)."""

    def compute() -> ModuleInfo | None:
        text = repo.read_text(path)
        if text is None:
            return None
        info = analyze_source(text, path)
        if info.syntax_error:
            repo.note(path, f"not parsed: {info.syntax_error}")
        return info

    info = repo.file_fact(
        MODULE_FACT, path, compute, encode=_encode_module, decode=lambda raw: _decode_module(raw, path)
    )
    if info is None or info.path == path:
        return info
    return replace(info, path=path)  # the same parse, seen from a sub-project view


def _encode_module(info: ModuleInfo | None) -> Any:
    """ModuleInfo -> plain data for the audit cache (NON_LITERAL becomes an index list beside the values)."""
    if info is None:
        return None
    calls = []
    for c in info.calls:
        lit = {k: v for k, v in c.kwargs.items() if v is not NON_LITERAL}
        nonlit = tuple(k for k, v in c.kwargs.items() if v is NON_LITERAL)
        args = tuple(None if a is NON_LITERAL else a for a in c.args)
        nonlit_args = tuple(i for i, a in enumerate(c.args) if a is NON_LITERAL)
        calls.append((c.name, c.line, lit, nonlit, tuple(c.kwargs), args, nonlit_args, c.refs))
    return (
        info.imports,
        calls,
        info.decorators,
        info.strings,
        info.assignments,
        info.functions,
        info.classes,
        info.has_main_guard,
        info.syntax_error,
        info.gates,
    )


def _decode_module(raw: Any, path: str) -> ModuleInfo | None:
    if raw is None:
        return None
    imports, calls, decorators, strings, assignments, functions, classes, main_guard, error, gates = raw
    decoded = []
    for name, line, lit, nonlit, order, args, nonlit_args, refs in calls:
        if order:
            values = {**lit, **dict.fromkeys(nonlit, NON_LITERAL)}
            kwargs = {k: values[k] for k in order}
        else:
            kwargs = _EMPTY
        refs = refs or _EMPTY
        if nonlit_args:
            args = tuple(NON_LITERAL if i in nonlit_args else a for i, a in enumerate(args))
        decoded.append(Call(name, line, kwargs, args, refs))
    # marshal keeps tuples and lists apart, so the lists come back exactly as they were stored
    return ModuleInfo(
        path, imports, decoded, decorators, strings, assignments, functions, classes, main_guard, error, gates
    )


_AHEAD_STATE = "python.parse_ahead"  # per tree: {"allowed": bool, "done": bool}


def prefilter(*needles: bytes, parse_ahead: bool = True) -> tuple[bytes, ...]:
    """Declare (at import time) the needles of a :func:`modules_containing` call: every declared set is searched
    in one pass over each file (:func:`mlops_audit.needles.declared`), and a full audit parses every file a
    declared prefilter selects in one batch, on every idle core, before the first check needs one.
    ``parse_ahead=False``: a match alone does not parse the file ahead, because the search runs among some files
    only (``paths=``) or only in some audits (after a check found it applies); measured on the transformers
    sources, parsing ahead the files of two such sets parsed 581 files no check asked for."""
    return needlesets.declare(needles, selects=parse_ahead)


_PATH_SOURCES: list[Callable[[Repo], list[str]]] = []


def parse_ahead_paths(source: Callable[[Repo], list[str]]) -> Callable[[Repo], list[str]]:
    """Declare (decorator, at import time) a function listing Python files a fact parses that no prefilter
    selects: they join the parse-ahead batch."""
    _PATH_SOURCES.append(source)
    return source


def allow_parse_ahead(repo: Repo) -> None:
    """Let the first :func:`modules_containing` call of this audit parse ahead (the engine allows it for a full
    audit; with ``--select`` only what the selected checks ask for is parsed)."""
    _ahead_state(repo)["allowed"] = True


def _ahead_state(repo: Repo) -> dict[str, bool]:
    return repo.shared_memo(_AHEAD_STATE, lambda: {"allowed": False, "done": False})


def _parse_ahead(repo: Repo) -> None:
    """When the cores are idle and enough Python files are new: in one pool of worker processes, search every
    new file for every declared prefilter and parse the ones any prefilter (or a declared path source) selects;
    the answers and analyses land in this run's memo and the audit cache, so the checks ask for nothing twice.
    Otherwise nothing happens here: each check searches and parses what it needs when it asks."""
    matcher = needlesets.declared()
    assert matcher is not None  # (asked for every declared set)
    sets = list(matcher.sets)
    files = python_files(repo)
    new = repo.unsearched(files, sets)
    if not _pool_pays(len(new)):
        return
    paths = [p for p in new if not repo.has_file_fact(MODULE_FACT, p)]
    results = _in_pool(repo, _scan_batch, paths, ())
    if results is None:
        return
    for path, (mask, facts, readable) in zip(paths, results, strict=True):
        if not readable:
            repo.read_text(path)  # unreadable or binary: read here, for the same notes
        for i, needles in enumerate(sets):
            repo.remember_search(path, needles, bool(mask >> i & 1))
        for kind, full, blob in facts:
            repo.remember_fact(kind, full, blob)
    # the files the path sources name (read with the facts just made), parsed if no prefilter selected them
    wanted: set[str] = set()
    for source in _PATH_SOURCES:
        wanted.update(source(repo))
    leftover = [p for p in wanted if not repo.has_file_fact(MODULE_FACT, p)]
    if leftover:
        modules(repo, leftover)


def _parse_ahead_once(repo: Repo) -> None:
    state = _ahead_state(repo)
    if state["allowed"] and not state["done"]:
        state["done"] = True  # first, so that what the batch asks for (the files of gates) cannot recurse
        _parse_ahead(repo)


def modules_containing(repo: Repo, *needles: bytes, paths: Iterable[str] | None = None) -> list[ModuleInfo]:
    """Parse only the Python files whose bytes contain one of ``needles`` (the byte prefilter). Declare the
    needles with :func:`prefilter` at import time: a full audit searches every declared set in one pass over
    each file (needles known only at run time: ``modules(repo, repo.grep(files, needle))``)."""
    _parse_ahead_once(repo)  # before the search: the batch searches every declared set in the workers
    candidates = python_files(repo) if paths is None else paths
    return modules(repo, repo.grep(candidates, *needles))


def modules(repo: Repo, paths: list[str]) -> list[ModuleInfo]:
    """The facts of these Python files (unreadable ones left out), parsed in worker processes when many are
    new (the first call of a full audit parses ahead: :func:`allow_parse_ahead`)."""
    _parse_ahead_once(repo)
    _parse_in_parallel(repo, paths)
    out = []
    for path in paths:
        info = _module(repo, path)
        if info is not None:
            out.append(info)
    return out


#: Parse in worker processes only from this many unknown files on (a pool costs ~20 ms to start).
PARALLEL_MIN_FILES = 200


def _parse_in_parallel(repo: Repo, paths: list[str]) -> list[str]:
    """Analyse the files of ``paths`` not parsed yet (in this run or in the cache) in a pool of forked workers,
    one per core, when there are enough of them and the cores are idle. Measured on 2 cores
    (``benchmarks/parallel_parse.py``): 1.6-1.75x faster when idle, 0.85x when another job holds a core, hence
    the load check. Anything unusual (no ``fork``, a failing pool) falls back to parsing here. The paths the
    workers analysed (their analyses are the repository's, decoded when asked for)."""
    paths = _pool_batch(repo, paths)
    results = _in_pool(repo, _analyse_batch, paths, ()) if paths else None
    if results is None:
        return []
    for facts in results:
        for kind, full, blob in facts:
            repo.remember_fact(kind, full, blob)
    return paths


def _pool_pays(files: int) -> bool:
    """Whether a pool of one worker per core pays for this many files: enough of them, several idle cores,
    ``fork``, and no other thread in this process."""
    cores = os.cpu_count() or 1
    return (
        cores >= 2
        and files >= PARALLEL_MIN_FILES
        and "fork" in mp_start_methods()
        and _cores_idle(cores)
        and _single_threaded()
    )


def _pool_batch(repo: Repo, paths: list[str]) -> list[str]:
    """The files of ``paths`` a pool would parse (text files not parsed yet), or none when a pool does not pay
    (see :func:`_pool_pays`)."""
    todo = [p for p in paths if not repo.has_file_fact(MODULE_FACT, p)]
    if not _pool_pays(len(todo)):
        return []
    # Which files are text is decided here (the notes about binary or unreadable files are this process's);
    # the workers, forked after the prefilter read the bytes, decode their copy of them: only paths go out
    # and plain-data analyses come back, so the texts are never all in memory at once.
    todo = [p for p in todo if _is_text(repo, p)]
    return todo if len(todo) >= PARALLEL_MIN_FILES else []


def _is_text(repo: Repo, path: str) -> bool:
    """Whether the file reads as text (a read that only decides where the file is parsed)."""
    with repo.channel(path):
        return repo.read_text(path) is not None


def _in_pool(
    repo: Repo, worker: Callable[..., list[Any]], items: list[Any], args: tuple[Any, ...]
) -> list[Any] | None:
    """``worker(batch, *args)`` over batches of ``items`` in a pool of forked processes (one per core) that read
    ``repo``; the results in the order of ``items``, or None when no pool can run here."""
    cores = os.cpu_count() or 1
    chunk = max(16, len(items) // (cores * 8))
    batches = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    global _POOL_REPO
    _POOL_REPO = repo
    try:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(cores) as pool:
            return [result for batch in pool.imap(_BatchCall(worker, args), batches) for result in batch]
    except Exception:  # no pool here: the caller does the work in this process
        return None
    finally:
        _POOL_REPO = None


@dataclass(frozen=True)
class _BatchCall:
    """``worker(batch, *args)`` as a picklable callable for :meth:`multiprocessing.pool.Pool.imap`."""

    worker: Callable[..., list[Any]]
    args: tuple[Any, ...]

    def __call__(self, batch: list[Any]) -> list[Any]:
        return self.worker(batch, *self.args)


_POOL_REPO: Repo | None = None  # the repository the forked workers read from


def _single_threaded() -> bool:
    """Forking a process in which another thread may hold a lock (an application calling ``audit``) is not
    safe: the pool is only used by a single-threaded process, such as the CLI."""
    import threading

    return threading.active_count() == 1


def _cores_idle(cores: int) -> bool:
    """Whether nothing but this process is running right now (the kernel's count of runnable tasks; the load
    average would count this very audit's last minute)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            running = int(fh.read().split()[3].split("/")[0])
        return running - 1 <= cores - 2
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0] <= cores - 1
        except OSError:
            return False


def _scan_batch(batch: list[str]) -> list[Any]:
    """In a worker: for each path the bit mask of the prefilters its bytes match, the per-file facts made from
    it as (kind, full path, :func:`~mlops_audit.cache_protocol.fact_blob`): its analysis when a selecting
    prefilter matched, and every :func:`ahead_fact`; and whether it could be read as text."""
    repo = _POOL_REPO
    assert repo is not None
    matcher = needlesets.declared()
    assert matcher is not None
    selecting = needlesets.selecting(matcher)
    recorder = _FactRecorder(repo)
    out: list[Any] = []
    for path in batch:
        data = repo.read_bytes(path)
        if data is None or b"\0" in data[:8192]:
            out.append((0, [], False))
            continue
        mask = matcher.mask(data)
        if mask & selecting:
            _module(repo, path)
        for fact in _AHEAD_FACTS:
            fact(repo, path)
        out.append((mask, _sent(repo, path, recorder), True))
    return out


class _FactRecorder:
    """In a worker process: the cache of the worker's copy of the repository, recording each per-file fact put
    into it (as the audit cache would keep it) for the parent process, which keeps and uses them."""

    def __init__(self, repo: Repo) -> None:
        self.inner = repo.fact_cache  # the forked copy: what the parent knew when the pool started
        self.made: list[tuple[str, str, bytes]] = []
        repo.use_cache(self)

    def take(self) -> list[tuple[str, str, bytes]]:
        made, self.made = self.made, []
        return made

    def put_fact(
        self, path: str, kind: str, value: Any, encode: Callable[[Any], Any] | None, notes: list[Any]
    ) -> None:
        try:
            raw = encode(value) if encode is not None else value
            self.made.append((kind, path, fact_blob(raw, [(n.path, n.message) for n in notes])))
        except Exception:  # not plain data: the parent computes it when asked
            pass

    def put_fact_blob(self, path: str, kind: str, blob: bytes) -> None:
        self.made.append((kind, path, blob))

    def __getattr__(self, name: str) -> Any:  # every question: the forked cache answers
        return getattr(self.inner, name)


#: Per-file facts of Python files a full audit makes in its worker processes, with the prefilters' answers.
_AHEAD_FACTS: list[Callable[[Repo, str], object]] = []


def ahead_fact(fact: Callable[[Repo, str], T]) -> Callable[[Repo, str], T]:
    """Declare (decorator, at import time) a per-file fact ``fact(repo, path)`` kept with
    :meth:`~mlops_audit.repo.Repo.file_fact` that a full audit asks of most Python files: the worker processes
    of :func:`allow_parse_ahead` make it for every new Python file."""
    _AHEAD_FACTS.append(fact)
    return fact


def _analyse_batch(batch: list[str]) -> list[list[tuple[str, str, bytes]]]:
    """In a worker: for each file, the facts its analysis made, as :func:`_scan_batch` sends them."""
    repo = _POOL_REPO
    assert repo is not None
    recorder = _FactRecorder(repo)
    out = []
    for path in batch:
        _module(repo, path)
        out.append(_sent(repo, path, recorder))
    return out


def _sent(repo: Repo, path: str, recorder: _FactRecorder) -> list[tuple[str, str, bytes]]:
    """The facts a worker made of ``path``, dropped from the worker's memory once they are on their way."""
    made = recorder.take()
    repo.forget_file(path, {kind for kind, _, _ in made})
    return made


def mp_start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


# ------------------------------------------------------------------------------------------------ imports
#: The audit-cache kind of :func:`imports_of`.
IMPORTS_FACT = "python.imports/1"

# Strings and comments are skipped whole (so "import x" in a docstring is no import); an import statement
# starts a line; any other ``import`` keyword outside strings (``if x: import y``) sends the file to the parser.
_IMPORT_SCAN = lazyre.compile(
    # Every alternative starts with one known character, so the regex engine skips other text in C.
    r"""'(?:''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''|[^'\\\n]*(?:\\.[^'\\\n]*)*')"""
    r'''|"(?:""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|[^"\\\n]*(?:\\.[^"\\\n]*)*")'''
    r"|#[^\n]*"
    r"|\n[ \t]*(?:import|from)(?=[ \t\\(.])"
    r"|import\b",
    re.S,
)
_COMMENT = lazyre.compile(r"#[^\n]*")
_FROM = lazyre.compile(
    r"\s*from\s+((?:\.\s*)*)([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)?\s*import(?:\s+|(?=\())[\w\s,()*]+"
)
_IMPORT = lazyre.compile(r"\s*import\s+([A-Za-z_][\w\s.,]*)")
_DOTTED = lazyre.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _simple_import(code: str) -> list[tuple[str, int]] | None:
    """The module names of one plain ASCII import statement (comments stripped), by pattern; None otherwise."""
    if not code.isascii():
        return None
    code = code.replace("\\\n", " ").rstrip()
    if match := _FROM.fullmatch(code):
        dots = match.group(1).replace(" ", "").replace("\t", "").replace("\n", "")
        module = re.sub(r"\s+", "", match.group(2) or "")
        if not dots and not module:
            return None
        return [(dots + module, 1)]
    if match := _IMPORT.fullmatch(code):
        names = []
        for part in match.group(1).split(","):
            words = part.split()
            if len(words) >= 3 and words[-2] == "as":
                words = words[:-2]
            name = "".join(words)
            if not _DOTTED.fullmatch(name) or name in ("as", "import", "from"):
                return None
            names.append((name, 1))
        return names
    return None


def _parsed_import(statement: str) -> list[tuple[str, int]] | None:
    """The imports of one statement, by the parser (lines relative to the statement); None: not imports only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(statement.lstrip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    collector = _Collector(ModuleInfo("<scan>"))
    for node in tree.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            return None
        collector.visit(node)
    return collector.info.imports


def scan_imports(source: str) -> list[tuple[str, int]] | None:
    """The imports of ``source`` as :attr:`ModuleInfo.imports` lists them, found without parsing the whole
    file (each import statement is matched, or parsed alone); None when the file holds an import this scan cannot place
    (then parse it: :func:`analyze_source`)."""
    if "import" not in source:
        return []
    found: list[tuple[str, int]] = []
    text = "\n" + source  # every statement follows a newline now
    pos = counted = line = 0
    search = _IMPORT_SCAN.search
    while match := search(text, pos):
        first = text[match.start()]
        if first == "i":  # the keyword elsewhere than at the start of a line ("reimport" is no keyword)
            before = text[match.start() - 1]
            if before.isalnum() or before in "_.":
                pos = match.end()
                continue
            return None
        if first != "\n":  # a string or a comment
            pos = match.end()
            continue
        start = match.start() + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        while True:  # the logical line: backslash continuations and open brackets
            code = _COMMENT.sub("", text[start:end])
            if end >= len(text) or not (code.rstrip().endswith("\\") or code.count("(") > code.count(")")):
                break
            nxt = text.find("\n", end + 1)
            end = len(text) if nxt < 0 else nxt
        line += text.count("\n", counted, start)
        counted = start
        names = _simple_import(code)
        if names is None:
            names = _parsed_import(text[start:end])
            if names is None:
                return None  # "from" continuing an expression, "import os; x = 1": let the parser decide
        found += [(name, n + line - 1) for name, n in names]
        pos = end
    return found


@ahead_fact
@makes_file_fact(IMPORTS_FACT)
def imports_of(repo: Repo, path: str) -> list[tuple[str, int]]:
    """The imports of one Python file (``[("sklearn.ensemble", 3), ...]``, as in :attr:`ModuleInfo.imports`),
    from a scan of its import statements, cached by content: far cheaper than :func:`module` for checks that
    only need imports. A file the scan cannot read alone is parsed; an unreadable file has no imports."""

    def compute() -> list[tuple[str, int]]:
        text = repo.read_text(path)
        if text is None:
            return []
        found = scan_imports(text)
        if found is None:
            info = module(repo, path)
            found = list(info.imports) if info is not None else []
        return found

    return repo.file_fact(IMPORTS_FACT, path, compute)

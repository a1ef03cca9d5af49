"""The package's import structure: every module imports on its own, the intra-package import graph has no
cycle, and the layers only import downwards (files -> facts -> checks -> scores -> formats; model at the bottom).

The graph is read statically with ``ast``: ``import mlops_audit.x`` and ``from mlops_audit.x import y``,
``from . import y`` and ``from ..x import y``, at module level and inside functions. Imports under
``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from collections import deque
from functools import lru_cache
from pathlib import Path

import mlops_audit
from mlops_audit.model import FAMILIES

PACKAGE_DIR = Path(mlops_audit.__file__).parent
PACKAGE = "mlops_audit"

#: Import edges (importer, imported) the cycle test tolerates, each with its reason: none today.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}

#: What modules under facts/ never import (facts know nothing of verdicts, scores or output).
ABOVE_FACTS = ("checks", "engine", "formats", "scoring", "report", "cli", "fix")


def package_modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: dotted name -> (file, is a package ``__init__``)."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def module_imports(name: str, modules: dict[str, tuple[Path, bool]]) -> set[str]:
    """The package modules ``name`` imports (statically, module and function level)."""
    path, is_package = modules[name]
    here = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()

    def add_from(node: ast.ImportFrom) -> None:
        if node.level:
            base = here[: len(here) - (node.level - 1)]
            target = ".".join(base + (node.module.split(".") if node.module else []))
        else:
            target = node.module or ""
        if target != PACKAGE and not target.startswith(PACKAGE + "."):
            return
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            if submodule in modules:  # from . import ci  -> the submodule
                found.add(submodule)
            elif target in modules:  # from .model import Evidence  -> the module
                found.add(target)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                for other in child.orelse:  # type: ignore[attr-defined]
                    visit_node(other)
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.ImportFrom):
            add_from(node)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    found.discard(name)
    return found


@lru_cache(maxsize=1)
def _graph() -> dict[str, frozenset[str]]:
    modules = package_modules()
    return {name: frozenset(module_imports(name, modules)) for name in modules}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (a fresh copy: tests may prune it)."""
    return {name: set(targets) for name, targets in _graph().items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) through each strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0

    def connect(v: str) -> None:  # Tarjan; the graph is small enough for recursion
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    cycles = []
    for component in components:
        start = min(component)
        previous: dict[str, str] = {}
        queue = deque([start])
        while queue:  # shortest way back to start inside the component
            v = queue.popleft()
            for w in sorted(graph[v] & component):
                if w == start:
                    back = [v]  # v, its predecessor, ..., start
                    while back[-1] != start:
                        back.append(previous[back[-1]])
                    cycles.append([*reversed(back), start])
                    queue.clear()
                    break
                if w not in previous:
                    previous[w] = v
                    queue.append(w)
    return cycles


def test_every_module_imports_in_isolation():
    """Each module imported first, in a fresh interpreter state (no other module of the package loaded).
    ``__main__`` runs the command line when imported: it is the one module left out."""
    names = sorted(n for n in package_modules() if not n.endswith(".__main__"))
    script = textwrap.dedent(
        """
        import importlib, sys, traceback
        failed = []
        for name in sys.argv[1:]:
            for loaded in [m for m in sys.modules if m == "mlops_audit" or m.startswith("mlops_audit.")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except BaseException:
                failed.append(name + ":\\n" + traceback.format_exc())
        print("\\n".join(failed))
        sys.exit(1 if failed else 0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"modules that fail to import on their own:\n{done.stdout}{done.stderr}"
    assert len(names) > 50  # the walk found the package


def test_the_graph_reader_sees_relative_and_function_level_imports():
    graph = import_graph()
    assert "mlops_audit.facts.ci.providers.github" in graph["mlops_audit.facts.ci.providers"]
    assert "mlops_audit.model" in graph["mlops_audit.facts"]  # from ..model import FactValue
    assert "mlops_audit.facts.precommit" in graph["mlops_audit.facts.ci.runners.pre_commit"]  # in a function
    assert "mlops_audit.repo" not in graph["mlops_audit.facts"]  # under TYPE_CHECKING only


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": set()}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    graph = import_graph()
    for importer, imported in KNOWN_CYCLE_EDGES:
        graph.get(importer, set()).discard(imported)
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_facts_never_import_the_layers_above():
    graph = import_graph()
    bad = [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        if module.startswith(f"{PACKAGE}.facts")
        for target in sorted(targets)
        if target.split(".")[1:2] and target.split(".")[1] in ABOVE_FACTS
    ]
    assert not bad, "\n".join(bad)


def test_check_families_never_import_each_other():
    graph = import_graph()
    families = {f"{PACKAGE}.checks.{f.module}" for f in FAMILIES}
    assert families <= set(graph), "a family of model.FAMILIES has no checks module"
    bad = [
        f"{module} imports {target}"
        for module, targets in sorted(graph.items())
        if module.startswith(f"{PACKAGE}.checks")
        for target in sorted(targets & families)
        if target != module
    ]
    assert not bad, "\n".join(bad)


def test_model_is_the_bottom_layer():
    assert import_graph()[f"{PACKAGE}.model"] <= {f"{PACKAGE}.paths"}

"""Patterns compiled on first use behave as compiled ones, and the auditor's modules compile none at import."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mlops_audit
from mlops_audit import lazyre


def test_a_lazy_pattern_answers_as_the_compiled_one():
    lazy = lazyre.compile(r"(?P<name>\w+)=(\d+)", re.IGNORECASE)
    eager = re.compile(r"(?P<name>\w+)=(\d+)", re.IGNORECASE)
    assert lazy.pattern == eager.pattern and lazy.flags == re.IGNORECASE  # known before compiling
    text = "A=1, b=22"
    assert lazy.search(text).groups() == eager.search(text).groups()
    assert [m.group("name") for m in lazy.finditer(text)] == ["A", "b"]
    assert lazy.findall(text) == eager.findall(text)
    assert lazy.sub("x", text) == eager.sub("x", text)
    assert lazy.match("nope") is None and lazy.fullmatch("a=1") is not None
    assert lazy.split(text) == eager.split(text)
    assert lazy.groups == 2 and lazy.groupindex == {"name": 1}
    data = lazyre.compile(rb"\x00+")
    assert data.search(b"a\x00\x00b").span() == (1, 3)


def test_compiled_once():
    lazy = lazyre.compile("a+")
    lazy.search("aa")
    first = lazy.search
    lazy.match("a")
    assert lazy.search is first  # the compiled pattern's own method, bound on first use


def test_no_module_compiles_a_pattern_at_import():
    package = Path(mlops_audit.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, in_function = stack.pop()
            for child in ast.iter_child_nodes(node):
                inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                if (
                    not inside
                    and isinstance(child, ast.Call)
                    and ast.unparse(child.func) == "re.compile"
                    and path.name != "lazyre.py"
                ):
                    found.append(f"{path.relative_to(package)}:{child.lineno}")
                stack.append((child, inside))
    assert not found, "use lazyre.compile for module-level patterns:\n" + "\n".join(found)

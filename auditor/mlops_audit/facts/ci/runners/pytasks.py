"""Python task files read with the AST (nox sessions, invoke tasks): each decorated function's literal
``<arg>.run(...)`` commands; shared by :mod:`.nox` and :mod:`.invoke`."""

from __future__ import annotations

import ast

from ....repo import Repo
from .base import Found, Target


def python_tasks(repo: Repo, path: str, decorator: str, runner_attrs: tuple[str, ...]) -> dict[str, Target]:
    """Functions of a Python task file decorated with ``*decorator`` -> the literal commands they run through
    ``<arg>.run(...)`` calls (and the tasks they notify or depend on, as prerequisites)."""

    def compute() -> dict[str, Target]:
        text = repo.read_text(path)
        tasks: dict[str, Target] = {}
        if not text:
            return tasks
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            repo.note(path, "not parsed: syntax error")
            return tasks
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            name = None
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                dotted = ast.unparse(target)
                if dotted == decorator or dotted.endswith("." + decorator):
                    name = node.name
                    if isinstance(dec, ast.Call):
                        for kw in dec.keywords:
                            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                                name = str(kw.value.value)
            if name is None:
                continue
            task = Target(name, node.lineno)
            for call in ast.walk(node):
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                    continue
                if call.func.attr in runner_attrs:
                    parts = [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
                    if parts:
                        task.recipe.append((" ".join(parts), call.lineno))
                elif call.func.attr == "notify":
                    task.prereqs += [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
            tasks[name] = task
            if decorator == "task":
                tasks.setdefault(name.replace("_", "-"), task)
        return tasks

    return repo.shared_memo(("ci.pytasks", repo.prefix + path, decorator), compute)


def follow_python_tasks(repo: Repo, path: str, tasks: dict[str, Target], wanted: list[str]) -> Found:
    """The commands of the ``wanted`` tasks, then of the tasks they notify (three levels at most)."""
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or name not in tasks or depth > 3:
            return
        seen.add(name)
        out.extend((cmd, path, line) for cmd, line in tasks[name].recipe)
        for pre in tasks[name].prereqs:
            visit(pre, depth + 1)

    for name in wanted:
        visit(name, 0)
    return out

"""poethepoet tasks (``poe test``) of pyproject's ``[tool.poe.tasks]``: cmd, shell, sequence, ref and deps."""

from __future__ import annotations

from typing import Any

from ....repo import Repo
from ...textconfig import dig, pyproject, toml_line
from ..shell import Invocation, split_script
from ..values import str_tuple
from .base import Found, options_and_names


def poe_tasks(repo: Repo) -> dict[str, Any]:
    tasks = dig(pyproject(repo), "tool", "poe", "tasks")
    return tasks if isinstance(tasks, dict) else {}


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the poe task named, its ``deps`` included."""
    names, _ = options_and_names(list(inv.args), {"-C", "--root", "--directory", "-e", "--executor"})
    if not names:
        return []
    return _poe_task(repo, names[0], 0)


def _poe_task(repo: Repo, name: str, depth: int) -> Found:
    tasks = poe_tasks(repo)
    if name not in tasks or depth > 3:
        return []
    text = repo.read_text("pyproject.toml")
    line = toml_line(text, "tool.poe.tasks", name)
    spec = tasks[name]
    out: Found = []
    if isinstance(spec, str):
        out += [(c, "pyproject.toml", line) for c, _ in split_script(spec)]
    elif isinstance(spec, list):
        for item in spec:
            out += _poe_item(repo, item, line, depth)
    elif isinstance(spec, dict):
        out += _poe_item(repo, spec, line, depth)
        for dep in str_tuple(spec.get("deps")):
            out += _poe_task(repo, dep.split()[0], depth + 1)
    return out


def _poe_item(repo: Repo, item: Any, line: int | None, depth: int) -> Found:
    if isinstance(item, str):
        if item in poe_tasks(repo):
            return _poe_task(repo, item, depth + 1)
        return [(c, "pyproject.toml", line) for c, _ in split_script(item)]
    if not isinstance(item, dict):
        return []
    for key in ("cmd", "shell"):
        if isinstance(item.get(key), str):
            return [(c, "pyproject.toml", line) for c, _ in split_script(item[key])]
    if isinstance(item.get("script"), str):
        return [(f"python -c 'import {item['script']}'", "pyproject.toml", line)]
    if isinstance(item.get("ref"), str):
        return _poe_task(repo, item["ref"].split()[0], depth + 1)
    if isinstance(item.get("sequence"), list):
        out: Found = []
        for sub in item["sequence"]:
            out += _poe_item(repo, sub, line, depth + 1)
        return out
    return []


def configured(repo: Repo) -> dict[str, str]:
    return {"poe": "pyproject.toml"} if poe_tasks(repo) else {}

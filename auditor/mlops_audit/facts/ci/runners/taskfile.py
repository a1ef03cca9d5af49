"""Taskfile tasks (``task test``, go-task): ``cmds`` and ``deps``, with their lines."""

from __future__ import annotations

from ....repo import Repo
from ...yamlfile import line_of, load_config
from ..shell import Invocation
from ..values import pick
from .base import Found, options_and_names


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the task named (``default`` when none), its ``deps`` first."""
    names, opts = options_and_names(list(inv.args), {"-t", "--taskfile", "-d", "--dir"})
    files = (
        opts.get("-t")
        or opts.get("--taskfile")
        or ["Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml"]
    )
    path = next((f for f in files if f in repo.entries), None)
    if path is None:
        return []
    tasks = pick(load_config(repo, path), "tasks")
    if not isinstance(tasks, dict):
        return []
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or name not in tasks or depth > 3:
            return
        seen.add(name)
        spec = tasks[name]
        if isinstance(spec, str):
            out.append((spec, path, line_of(tasks, name)))
            return
        if isinstance(spec, list):
            spec = {"cmds": spec}
        if not isinstance(spec, dict):
            return
        for dep in spec.get("deps") or []:
            visit(dep if isinstance(dep, str) else str(pick(dep, "task")), depth + 1)
        cmds = spec.get("cmds")
        for i, cmd in enumerate(cmds if isinstance(cmds, list) else []):
            if isinstance(cmd, str):
                out.append((cmd, path, line_of(cmds, i)))
            elif isinstance(cmd, dict) and isinstance(cmd.get("cmd"), str):
                out.append((cmd["cmd"], path, line_of(cmds, i)))
            elif isinstance(cmd, dict) and isinstance(cmd.get("task"), str):
                visit(cmd["task"], depth + 1)

    for name in names[:1] or ["default"]:
        visit(name, 0)
    return out


def configured(repo: Repo) -> dict[str, str]:
    names = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml")
    return next(({"task": n} for n in names if n in repo.entries), {})

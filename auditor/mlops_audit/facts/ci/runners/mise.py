"""mise tasks (``mise run test``): TOML tasks of the mise config files (with ``depends``) and file tasks."""

from __future__ import annotations

from ....repo import Repo
from ...textconfig import dig, load_toml, toml_line
from ..shell import Invocation, split_script
from ..values import str_tuple
from .base import Found, options_and_names, script_table_entries
from .script import follow_path

MISE_FILES = ("mise.toml", ".mise.toml", "mise/config.toml", ".mise/config.toml", ".config/mise.toml",
              ".config/mise/config.toml")  # fmt: skip
MISE_TASK_DIRS = ("mise-tasks/", ".mise-tasks/", ".mise/tasks/", "mise/tasks/", ".config/mise/tasks/")


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the mise task named (``mise run x``, ``mise x``), its ``depends`` first."""
    names, _ = options_and_names(list(inv.args), {"-C", "--cd", "-E", "--env", "-j", "--jobs"})
    if names[:1] in (["run"], ["r"], ["task"]):
        names = names[1:]
        if names[:1] == ["run"]:
            names = names[1:]
    if not names:
        return []
    return _mise_task(repo, names[0], 0)


def _mise_task(repo: Repo, name: str, depth: int) -> Found:
    if depth > 3:
        return []
    for path in MISE_FILES:
        data = load_toml(repo, path) if path in repo.entries else None
        spec = dig(data, "tasks", name) if data else None
        if spec is None:
            continue
        text = repo.read_text(path)
        line = toml_line(text, f"tasks.{name}") or toml_line(text, "tasks", name)
        out: Found = []
        if isinstance(spec, dict):
            for dep in str_tuple(spec.get("depends")):
                out += _mise_task(repo, dep.split()[0], depth + 1)
            entries = script_table_entries(spec.get("run"))
        else:
            entries = script_table_entries(spec)
        out += [(c, path, line) for e in entries for c, _ in split_script(e)]
        return out
    for directory in MISE_TASK_DIRS:
        if directory + name in repo.entries:
            return follow_path(repo, directory + name)
    return []


def configured(repo: Repo) -> dict[str, str]:
    entries = repo.entries
    if any(p in entries for p in MISE_FILES) and any(
        dig(load_toml(repo, p), "tasks") for p in MISE_FILES if p in entries
    ):
        return {"mise": next(p for p in MISE_FILES if p in entries)}
    return {}

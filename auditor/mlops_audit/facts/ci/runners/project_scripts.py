"""Script tables of project managers: ``pdm run x``, ``hatch run [env:]x``, ``rye run x``, ``pixi run x``
(pyproject.toml, hatch.toml, pixi.toml)."""

from __future__ import annotations

from typing import Any

from ....repo import Repo
from ...textconfig import dig, load_toml, pyproject, toml_line
from ..shell import Invocation, split_script
from .base import Found, script_table_entries

RUNNERS = frozenset({"pdm", "hatch", "rye", "pixi"})


def matches(inv: Invocation) -> bool:
    """A program run by a project manager that has script tables (it may name one of its scripts)."""
    return inv.runner in RUNNERS


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """``pdm run x``, ``hatch run [env:]x``, ``rye run x``, ``pixi run x``: a script table entry."""
    name = inv.program
    data = pyproject(repo)
    text = repo.read_text("pyproject.toml") if data else None
    tables: list[tuple[str, Any]] = []
    if inv.runner == "pdm":
        tables.append(("tool.pdm.scripts", dig(data, "tool", "pdm", "scripts")))
    elif inv.runner == "rye":
        tables.append(("tool.rye.scripts", dig(data, "tool", "rye", "scripts")))
    elif inv.runner == "pixi":
        tables.append(("tool.pixi.tasks", dig(data, "tool", "pixi", "tasks")))
        pixi = load_toml(repo, "pixi.toml") if "pixi.toml" in repo.entries else None
        if pixi:
            return [
                (c, "pixi.toml", toml_line(repo.read_text("pixi.toml"), "tasks", name))
                for entry in script_table_entries(dig(pixi, "tasks", name))
                for c, _ in split_script(entry)
            ]
    elif inv.runner == "hatch":
        env, _, script = name.rpartition(":")
        name = script
        env = env or "default"
        tables.append((f"tool.hatch.envs.{env}.scripts", dig(data, "tool", "hatch", "envs", env, "scripts")))
        hatch = load_toml(repo, "hatch.toml") if "hatch.toml" in repo.entries else None
        if hatch:
            entries = script_table_entries(dig(hatch, "envs", env, "scripts", name))
            line = toml_line(repo.read_text("hatch.toml"), f"envs.{env}.scripts", name)
            return [(c, "hatch.toml", line) for e in entries for c, _ in split_script(e)]
    else:
        return []
    out: Found = []
    for table_name, table in tables:
        if isinstance(table, dict) and name in table:
            line = toml_line(text, table_name, name)
            for entry in script_table_entries(table[name]):
                if inv.runner in ("pdm", "rye") and isinstance(table.get(entry), (str, dict, list)):
                    entry_line = toml_line(text, table_name, entry)
                    out += [
                        (c, "pyproject.toml", entry_line)
                        for e in script_table_entries(table[entry])
                        for c, _ in split_script(e)
                    ]
                    continue
                out += [(c, "pyproject.toml", line) for c, _ in split_script(entry)]
    return out


def configured(repo: Repo) -> dict[str, str]:
    found: dict[str, str] = {}
    data = pyproject(repo)
    if dig(data, "tool", "pdm", "scripts"):
        found["pdm"] = "pyproject.toml"
    if dig(data, "tool", "hatch", "envs") and any(
        isinstance(v, dict) and v.get("scripts") for v in (dig(data, "tool", "hatch", "envs") or {}).values()
    ):
        found["hatch"] = "pyproject.toml"
    if dig(data, "tool", "rye", "scripts"):
        found["rye"] = "pyproject.toml"
    return found

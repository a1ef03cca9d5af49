"""tox environments (``tox``, ``tox -e lint``): their ``commands`` from tox.ini, setup.cfg, tox.toml or
pyproject's ``[tool.tox]`` (legacy INI string or native tables)."""

from __future__ import annotations

import re
from typing import Any

from ....repo import Repo
from ...textconfig import dig, load_toml, toml_line
from ..shell import Invocation
from .base import Found, options_and_names


def _ini_values(text: str, section: str, key: str) -> list[tuple[str, int]]:
    """The lines of a (multi-line) INI value with their line numbers."""
    out: list[tuple[str, int]] = []
    in_section = False
    in_key = False
    for number, raw in enumerate(text.splitlines(), 1):
        header = re.match(r"^\[([^\]]+)\]", raw)
        if header:
            in_section = header.group(1).strip() == section
            in_key = False
            continue
        if not in_section:
            continue
        if raw[:1] in (" ", "\t") and in_key:
            value = raw.strip()
            if value and not value.startswith("#"):
                out.append((value, number))
            continue
        in_key = False
        m = re.match(r"^([\w.-]+)\s*[=:]\s*(.*)$", raw)
        if m and m.group(1).lower() == key:
            in_key = True
            if m.group(2).strip():
                out.append((m.group(2).strip(), number))
    return out


def tox_envs(repo: Repo) -> dict[str, list[tuple[str, str, int | None]]]:
    """tox environments -> their commands (``"testenv"`` is the base); from tox.ini, setup.cfg, tox.toml or
    pyproject's ``[tool.tox]`` (legacy INI string or native tables)."""

    def compute() -> dict[str, list[tuple[str, str, int | None]]]:
        envs: dict[str, list[tuple[str, str, int | None]]] = {}
        for path in ("tox.ini", "setup.cfg"):
            text = repo.read_text(path) if path in repo.entries else None
            if not text or (path == "setup.cfg" and "[testenv" not in text):
                continue
            for header in re.findall(r"(?m)^\[(testenv(?::[^\]]+)?)\]", text):
                name = header.split(":", 1)[1].strip() if ":" in header else "testenv"
                envs[name] = [(_strip_factor(v), path, n) for v, n in _ini_values(text, header, "commands")]
            envlist = _ini_values(text, "tox", "envlist") or _ini_values(text, "tox:tox", "envlist")
            if envlist:
                envs["__envlist__"] = [
                    (e.strip(), path, n) for v, n in envlist for e in v.split(",") if e.strip()
                ]
        for path in ("tox.toml", "pyproject.toml"):
            data = load_toml(repo, path) if path in repo.entries else None
            if not data:
                continue
            table = data if path == "tox.toml" else dig(data, "tool", "tox")
            if not isinstance(table, dict):
                continue
            text = repo.read_text(path)
            legacy = table.get("legacy_tox_ini")
            if isinstance(legacy, str):
                offset = (toml_line(text, "tool.tox", "legacy_tox_ini") or 1) - 1
                for header in re.findall(r"(?m)^\[(testenv(?::[^\]]+)?)\]", legacy):
                    name = header.split(":", 1)[1].strip() if ":" in header else "testenv"
                    envs[name] = [
                        (_strip_factor(v), path, n + offset)
                        for v, n in _ini_values(legacy, header, "commands")
                    ]
                continue
            base_table = "tool.tox" if path == "pyproject.toml" else ""
            if isinstance(table.get("env_run_base"), dict):
                line = toml_line(text, f"{base_table}.env_run_base".lstrip("."), "commands")
                envs["testenv"] = [
                    (c, path, line) for c in _toml_commands(table["env_run_base"].get("commands"))
                ]
            for name, spec in (table.get("env") or {}).items():
                if isinstance(spec, dict):
                    line = toml_line(text, f"{base_table}.env.{name}".lstrip("."), "commands")
                    envs[name] = [(c, path, line) for c in _toml_commands(spec.get("commands"))]
            env_list = table.get("env_list")
            if isinstance(env_list, list):
                envs["__envlist__"] = [(str(e), path, None) for e in env_list]
        return envs

    return repo.memo("ci.tox_envs", compute)


def _strip_factor(value: str) -> str:
    return re.sub(r"^[\w,{}.-]+:\s+", "", value)


def _toml_commands(value: Any) -> list[str]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list):
            out.append(" ".join(str(x) if isinstance(x, str) else "" for x in item).strip())
        elif isinstance(item, str):
            out.append(item)
    return out


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The commands of the environments selected with ``-e`` (else the env list, else every env)."""
    envs = tox_envs(repo)
    if not envs:
        return []
    _, opts = options_and_names(list(inv.args), {"-e", "--env", "-c", "-m", "--conf", "-x", "--override"})
    selected = [
        e.strip()
        for v in (opts.get("-e") or []) + (opts.get("--env") or [])
        for e in v.split(",")
        if e.strip()
    ]
    if not selected:
        listed = [e for e, _, _ in envs.get("__envlist__", [])]
        selected = listed or [e for e in envs if not e.startswith("__")]
    out: Found = []
    for name in dict.fromkeys(selected):
        commands = envs.get(name)
        if commands is None:
            commands = envs.get("testenv", [])
        out.extend(commands)
    return list(dict.fromkeys(out))


def configured(repo: Repo) -> dict[str, str]:
    if not tox_envs(repo):
        return {}
    entries = repo.entries
    return {
        "tox": "tox.ini"
        if "tox.ini" in entries
        else ("tox.toml" if "tox.toml" in entries else "pyproject.toml")
    }

"""just recipes (``just test``): their dependencies first, then their lines; aliases resolved."""

from __future__ import annotations

import re

from .... import lazyre
from ....repo import Repo
from ..shell import Invocation
from .base import Found, Target, options_and_names

_JUST_RECIPE = lazyre.compile(r"^@?([A-Za-z_][\w-]*)((?:\s+[^:=\s]+)*)\s*:(?!=)\s*(.*)$")


def justfile_recipes(repo: Repo, path: str) -> dict[str, Target]:
    def compute() -> dict[str, Target]:
        text = repo.read_text(path) or ""
        recipes: dict[str, Target] = {}
        aliases: dict[str, str] = {}
        current: Target | None = None
        for number, raw in enumerate(text.splitlines(), 1):
            if raw[:1] in (" ", "\t"):
                cmd = raw.strip().lstrip("@-").strip()
                if current and cmd and not cmd.startswith("#"):
                    current.recipe.append((cmd, number))
                continue
            current = None
            alias = re.match(r"^alias\s+([\w-]+)\s*:=\s*([\w-]+)", raw)
            if alias:
                aliases[alias.group(1)] = alias.group(2)
                continue
            if re.match(r"^(set|export|import|mod|\[)", raw) or ":=" in raw:
                continue
            m = _JUST_RECIPE.match(raw)
            if m:
                deps = [d.strip("()") for d in m.group(3).split() if not d.startswith(("#", '"', "'"))]
                current = recipes.setdefault(m.group(1), Target(m.group(1), number, deps))
        for name, target in aliases.items():
            if target in recipes:
                recipes.setdefault(name, recipes[target])
        return recipes

    return repo.shared_memo(("ci.just", repo.prefix + path), compute)


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The lines of the recipe named (``default``, else the first), its dependencies first."""
    names, opts = options_and_names(
        list(inv.args), {"-f", "--justfile", "-d", "--working-directory", "--set"}
    )
    files = opts.get("-f") or opts.get("--justfile") or ["justfile", "Justfile", ".justfile"]
    path = next((f for f in files if f in repo.entries), None)
    if path is None:
        return []
    recipes = justfile_recipes(repo, path)
    if not recipes:
        return []
    wanted = names[:1] or (["default"] if "default" in recipes else [next(iter(recipes))])
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or depth > 4 or name not in recipes:
            return
        seen.add(name)
        for dep in recipes[name].prereqs:
            visit(dep, depth + 1)
        for cmd, line in recipes[name].recipe:
            out.append((cmd, path, line))

    for name in wanted:
        visit(name, 0)
    return out


def configured(repo: Repo) -> dict[str, str]:
    return next(({"just": n} for n in ("justfile", "Justfile", ".justfile") if n in repo.entries), {})

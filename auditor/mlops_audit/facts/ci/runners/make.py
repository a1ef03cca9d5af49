"""Makefile targets (``make test``, ``make -C dir x``): their recipes, prerequisites first, and the
``$(MAKE) other`` targets they call."""

from __future__ import annotations

import re

from .... import lazyre
from ....repo import Repo
from ..shell import Invocation, segments
from .base import Found, Target, options_and_names

_MAKE_RULE = lazyre.compile(r"^([^\s:=#][^:=#]*?)\s*(::?)(?!=)\s*([^=]*?)\s*$")


def makefile_targets(repo: Repo, path: str) -> dict[str, Target]:
    """Targets of a Makefile with their prerequisites and recipe lines (``@``/``-`` prefixes removed)."""

    def compute() -> dict[str, Target]:
        text = repo.read_text(path)
        targets: dict[str, Target] = {}
        if not text:
            return targets
        current: list[Target] = []
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            raw = lines[i]
            number = i + 1
            while raw.endswith("\\") and i + 1 < len(lines):
                i += 1
                raw = raw[:-1] + " " + lines[i].strip()
            i += 1
            if raw.startswith("\t"):
                cmd = raw.strip().lstrip("@-+ ").strip()
                if cmd and not cmd.startswith("#"):
                    for target in current:
                        target.recipe.append((cmd, number))
                continue
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if re.match(
                r"^\s*(ifn?eq|ifn?def|else|endif|include|-include|export|define|endef|override)\b", raw
            ):
                continue
            body, _, inline = raw.partition(";")
            m = _MAKE_RULE.match(body)
            if not m or "=" in body.split(":", 1)[0]:
                current = []
                continue
            current = []
            for name in m.group(1).split():
                if name.startswith(".") or "%" in name:
                    continue
                target = targets.setdefault(name, Target(name, number))
                target.prereqs += [p for p in m.group(3).split() if not p.startswith("|")]
                current.append(target)
            if inline.strip():
                for target in current:
                    target.recipe.append((inline.strip().lstrip("@-+ "), number))
        return targets

    return repo.shared_memo(("ci.make", repo.prefix + path), compute)


def follow(repo: Repo, inv: Invocation, segment: str) -> Found:
    """The recipes of the targets named (the first target by default), prerequisites first."""
    names, opts = options_and_names(
        list(inv.args), {"-C", "-f", "--file", "--directory", "-j", "-l", "-o", "-W"}
    )
    directory = (opts.get("-C") or opts.get("--directory") or [""])[-1].strip("/")
    files = opts.get("-f") or opts.get("--file")
    prefix = f"{directory}/" if directory and directory != "." else ""
    candidates = (
        [prefix + f for f in files]
        if files
        else [prefix + n for n in ("GNUmakefile", "makefile", "Makefile")]
    )
    path = next((c for c in candidates if c in repo.entries), None)
    if path is None:
        return []
    targets = makefile_targets(repo, path)
    if not targets:
        return []
    wanted = [n for n in names if not n.startswith("$")] or [next(iter(targets))]
    out: Found = []
    seen: set[str] = set()

    def visit(name: str, depth: int) -> None:
        if name in seen or depth > 4 or name not in targets:
            return
        seen.add(name)
        target = targets[name]
        for pre in target.prereqs:
            visit(pre, depth + 1)
        for cmd, line in target.recipe:
            out.append((cmd, path, line))
            for seg in segments(cmd):
                toks = seg.split()
                if toks and toks[0] in ("$(MAKE)", "${MAKE}", "make", "gmake"):
                    for sub in toks[1:]:
                        if not sub.startswith("-") and "=" not in sub:
                            visit(sub, depth + 1)

    for name in wanted:
        visit(name, 0)
    return out


def configured(repo: Repo) -> dict[str, str]:
    return next(({"make": n} for n in ("Makefile", "makefile", "GNUmakefile") if n in repo.entries), {})

"""The check catalogue: one module per family, plus third-party checks from the ``mlops_audit.checks`` entry points.

A check's ID names its family and so its module: ``REP002`` lives in ``checks/reproducibility.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model import FAMILIES, family_prefix
from .base import REGISTRY, Check

if TYPE_CHECKING:
    from ..model import Result
    from ..repo import Repo

ENTRY_POINT_GROUP = "mlops_audit.checks"

_loaded = False
PLUGIN_ERRORS: list[str] = []


def load_checks(plugins: bool = True) -> dict[str, Check]:
    """Import every family module (and, once, every plugin) and return the registry, sorted by ID."""
    global _loaded
    if not _loaded:
        for family in FAMILIES:
            importlib.import_module(f"{__name__}.{family.module}")
        if plugins:
            _load_plugins()
        _check_requirements(REGISTRY)
        _loaded = True
    return dict(sorted(REGISTRY.items(), key=lambda kv: _sort_key(kv[0])))


def decide(repo: Repo, check_id: str, options: Mapping[str, Mapping[str, Any]] | None = None) -> Result:
    """One check's verdict on ``repo``, its prerequisites (``requires=``) decided first, with the given
    options per check ID; no configuration, profile or cache (the engine adds those)."""
    checks = load_checks()
    decided: dict[str, Result] = {}

    def verdict(cid: str) -> Result:
        if cid not in decided:
            check = checks[cid]
            decided[cid] = check.decide(lambda: check.run(repo, (options or {}).get(cid)), verdict)
        return decided[cid]

    return verdict(check_id)


def _check_requirements(registry: dict[str, Check]) -> None:
    """Every ``requires=`` names a registered check, and no chain of requirements comes back to its start."""
    for check in registry.values():
        for required in check.requires:
            if required not in registry:
                raise ValueError(f"check {check.id} requires unknown check {required!r}")
    for start in registry:
        seen: list[str] = []
        todo = list(registry[start].requires)
        while todo:
            current = todo.pop()
            if current == start:
                raise ValueError(f"check {start} requires itself through {' -> '.join(seen)}")
            if current not in seen:
                seen.append(current)
                todo.extend(registry[current].requires)


def _plugin_entry_points() -> list[Any]:
    """The entry points of the group. ``importlib.metadata`` costs ~15 ms to import, so the metadata
    directories on ``sys.path`` are first searched for the group's name and it is imported only when found."""
    if not _group_declared():
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def _group_declared() -> bool:
    marker = f"[{ENTRY_POINT_GROUP}]"
    for directory in sys.path:
        try:
            with os.scandir(directory or ".") as it:
                dists = [e.path for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        for dist in dists:
            try:
                with open(f"{dist}{os.sep}entry_points.txt", encoding="utf-8") as fh:
                    if marker in fh.read():
                        return True
            except (OSError, UnicodeDecodeError):
                continue
    return False


def _load_plugins() -> None:
    for ep in _plugin_entry_points():
        before = set(REGISTRY)
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, type(importlib)):
                obj()  # a registration function; a module registers on import
        except Exception as exc:  # a broken plugin must not take the audit down
            PLUGIN_ERRORS.append(
                f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}"
            )
            continue
        dist = getattr(ep, "dist", None)
        name = dist.name if dist is not None else ep.name
        for cid in set(REGISTRY) - before:
            REGISTRY[cid] = _with_plugin(REGISTRY[cid], name)


def _with_plugin(check: Check, plugin: str) -> Check:
    from dataclasses import replace

    return replace(check, plugin=plugin)


def _sort_key(check_id: str) -> tuple[int, str, int]:
    family = family_prefix(check_id)
    order = [f.prefix for f in FAMILIES]
    rank = order.index(family) if family in order else len(order)
    digits = check_id[len(family) :]
    return (rank, family, int(digits) if digits.isdigit() else 0)


def plugin_set() -> list[str]:
    """The sorted entry points of the installed plugins with their distributions' versions (part of the
    cache key: upgrading a plugin invalidates the cache)."""
    out = set()
    for ep in _plugin_entry_points():
        dist = getattr(ep, "dist", None)
        out.add(f"{ep.value}@{dist.name}=={dist.version}" if dist is not None else ep.value)
    return sorted(out)

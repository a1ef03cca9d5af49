"""Tolerant readers of parsed configuration values (YAML or TOML), shared by the provider parsers and runners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def strings(value: Any) -> Iterator[str]:
    """Every string of a string or a (nested) list of strings."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def pick(mapping: Any, *keys: Any) -> Any:
    """The value of the first of ``keys`` present in ``mapping`` (None when it is not a mapping)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        if key in mapping:
            return mapping[key]
    return None


def str_tuple(value: Any) -> tuple[str, ...]:
    """A scalar, a list of scalars or an ``{include: ...}`` filter as a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)))
    if isinstance(value, dict):
        return str_tuple(value.get("include"))
    return ()


def environment_name(spec: Any) -> str | None:
    """The deployment environment a CI job declares: ``environment: prod`` or ``environment: {name: prod}``."""
    env = spec.get("environment") if isinstance(spec, dict) else None
    if isinstance(env, dict):
        env = env.get("name")
    return str(env) if env else None

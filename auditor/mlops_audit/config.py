"""Configuration: ``[tool.mlops-audit]`` in pyproject.toml or a ``.mlops-audit.toml``, plus command-line overrides.

Unknown keys, unknown check IDs and bad values raise :class:`ConfigError` (exit code 2), never a silent default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks.base import Check
from .model import PROFILE_CHOICES

CONFIG_FILE = ".mlops-audit.toml"
FAIL_ON = ("error", "warning")
KEYS = {"select", "ignore", "exclude", "fail-under", "fail-on", "profile", "options", "cache-dir"}


class ConfigError(Exception):
    """A configuration or usage problem: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # check IDs or family prefixes; empty = every check
    ignore: dict[str, str] = field(default_factory=dict)  # check ID -> reason
    exclude: tuple[str, ...] = ()  # gitignore-style path patterns left out of the audit
    fail_under: float | None = None
    fail_on: str = "error"
    profile: str | None = None  # research | library | pipeline | service | all; None = detected per project
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache_dir: str | None = None
    source: str | None = None  # the file the configuration came from

    def selects(self, check: Check) -> bool:
        return not self.select or check.id in self.select or check.family in self.select

    def applies(self, check: Check, profile: str | None = None) -> bool:
        """Whether ``check`` applies under ``profile`` (the configured one, else the one given: detected)."""
        chosen = self.profile or profile
        return chosen is None or chosen == "all" or chosen in check.profiles

    def fingerprint(self) -> str:
        """A stable text of everything that changes results (part of the cache key)."""
        return repr(
            (
                self.select,
                sorted(self.ignore.items()),
                self.exclude,
                self.profile,
                sorted((k, sorted(v.items())) for k, v in self.options.items()),
            )
        )


def load(root: str | Path, explicit: str | Path | None = None) -> Config:
    """Read the configuration for the repository at ``root`` (``explicit`` file first, then
    ``.mlops-audit.toml``, then ``[tool.mlops-audit]`` of ``pyproject.toml``)."""
    root = Path(root)
    if explicit is not None:
        path = Path(explicit)
        table = _read_toml(path)
        table = table.get("tool", {}).get("mlops-audit", table) if path.name == "pyproject.toml" else table
        return parse(table, source=str(path))
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        return parse(_read_toml(dedicated), source=CONFIG_FILE)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8", errors="replace"))
        except tomllib.TOMLDecodeError:
            return Config()  # a broken pyproject is a finding of the audit, not a configuration error
        table = data.get("tool", {}).get("mlops-audit")
        if table is not None:
            return parse(table, source="pyproject.toml [tool.mlops-audit]")
    return Config()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def parse(table: Mapping[str, Any], source: str | None = None) -> Config:
    """Validate a configuration table (keys as in the docs, dashes or underscores)."""
    where = f" in {source}" if source else ""
    if not isinstance(table, Mapping):
        raise ConfigError(f"the mlops-audit configuration{where} must be a table")
    normal = {str(k).replace("_", "-"): v for k, v in table.items()}
    unknown = set(normal) - KEYS
    if unknown:
        raise ConfigError(
            f"unknown configuration key(s){where}: {', '.join(sorted(unknown))} (known: {', '.join(sorted(KEYS))})"
        )
    config = Config(source=source)
    if "select" in normal:
        config = replace(config, select=tuple(_str_list(normal["select"], "select", where)))
    if "ignore" in normal:
        config = replace(config, ignore=_ignores(normal["ignore"], where))
    if "exclude" in normal:
        config = replace(config, exclude=tuple(_str_list(normal["exclude"], "exclude", where)))
    if "fail-under" in normal:
        config = replace(config, fail_under=_fail_under(normal["fail-under"], where))
    if "fail-on" in normal:
        config = replace(config, fail_on=_choice(normal["fail-on"], FAIL_ON, "fail-on", where))
    if "profile" in normal:
        config = replace(config, profile=_choice(normal["profile"], PROFILE_CHOICES, "profile", where))
    if "options" in normal:
        options = normal["options"]
        if not isinstance(options, Mapping) or not all(isinstance(v, Mapping) for v in options.values()):
            raise ConfigError(f"options{where} must be a table of tables: [options.VER002] max-file-mb = 10")
        config = replace(config, options={str(k).upper(): dict(v) for k, v in options.items()})
    if "cache-dir" in normal:
        if not isinstance(normal["cache-dir"], str):
            raise ConfigError(f"cache-dir{where} must be a string")
        config = replace(config, cache_dir=normal["cache-dir"])
    return config


def merge(base: Config, **overrides: Any) -> Config:
    """Command-line values override the file's; ``ignore`` and ``exclude`` add to it."""
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if value is None or value == () or value == []:
            continue
        if key == "ignore":
            changes["ignore"] = {**base.ignore, **_ignores(list(value), " on the command line")}
        elif key == "exclude":
            changes["exclude"] = base.exclude + tuple(value)
        elif key == "select":
            changes["select"] = tuple(s.strip().upper() for v in value for s in v.split(",") if s.strip())
        elif key == "fail_on":
            changes["fail_on"] = _choice(value, FAIL_ON, "--fail-on", "")
        elif key == "profile":
            changes["profile"] = _choice(value, PROFILE_CHOICES, "--profile", "")
        elif key == "fail_under":
            changes["fail_under"] = _fail_under(value, " on the command line")
        else:
            changes[key] = value
    return replace(base, **changes)


def validate(config: Config, checks: Mapping[str, Check]) -> None:
    """Every ID the configuration names must exist; every option must be one the check declares."""
    families = {c.family for c in checks.values()}
    for key in config.select:
        if key not in checks and key not in families:
            raise ConfigError(f"select names unknown check or family {key!r}{_where(config)}")
    for key in config.ignore:
        if key not in checks:
            raise ConfigError(f"ignore names unknown check {key!r}{_where(config)}")
    for key, values in config.options.items():
        if key not in checks:
            raise ConfigError(f"options name unknown check {key!r}{_where(config)}")
        declared = checks[key].options
        for name, value in values.items():
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none"
                hint = name.replace("_", "-")
                spelled = f"; option keys are kebab-case: {hint!r}" if hint in declared else ""
                raise ConfigError(
                    f"check {key} has no option {name!r}{_where(config)} (its options: {known}){spelled}"
                )
            if not _fits(value, declared[name]):
                kind = "list" if isinstance(declared[name], tuple) else type(declared[name]).__name__
                raise ConfigError(f"option {key}.{name} must be a {kind}, got {value!r}")


def _fits(value: Any, default: Any) -> bool:
    """A configured option value has the type of its default (an int where a float is expected, a list
    where the default is a tuple)."""
    if default is None:
        return True
    if isinstance(default, tuple):
        return isinstance(value, (list, tuple))
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default)) and not (
        isinstance(value, bool) and not isinstance(default, bool)
    )


def _where(config: Config) -> str:
    return f" in {config.source}" if config.source else ""


def _str_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key}{where} must be a list of strings")
    return [v.strip().upper() if key == "select" else v for v in value]


def _ignores(value: Any, where: str) -> dict[str, str]:
    """``["REP002"]``, ``["REP002: reason"]``, ``[{id = "REP002", reason = "..."}]`` or ``{REP002 = "reason"}``."""
    out: dict[str, str] = {}
    if isinstance(value, Mapping):
        items: Iterable[Any] = [{"id": k, "reason": v} for k, v in value.items()]
    elif isinstance(value, list):
        items = value
    else:
        raise ConfigError(f"ignore{where} must be a list or a table")
    for item in items:
        if isinstance(item, str):
            cid, _, reason = item.partition(":")
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            extra = set(item) - {"id", "reason"}
            if extra:
                raise ConfigError(
                    f"ignore entries{where} take only 'id' and 'reason', not {', '.join(sorted(extra))}"
                )
            cid, reason = item["id"], item.get("reason", "")
            if not isinstance(reason, str):
                raise ConfigError(f"ignore reason for {cid}{where} must be a string")
        else:
            raise ConfigError(f"ignore{where}: entries are 'ID', 'ID: reason' or {{id = ..., reason = ...}}")
        out[cid.strip().upper()] = reason.strip()
    return out


def _fail_under(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ConfigError(f"fail-under{where} must be a number from 0 to 100, got {value!r}")
    return float(value)


def _choice(value: Any, choices: tuple[str, ...], key: str, where: str) -> str:
    if value not in choices:
        raise ConfigError(f"{key}{where} must be one of {', '.join(choices)}, got {value!r}")
    return str(value)

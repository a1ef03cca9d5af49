"""Tool configurations taken from the template's ``pyproject.toml`` and written as files of their own, so that
a repository's own ``pyproject.toml`` is never edited: TOML tables are copied as text (comments and layout
kept, header renamed), INI sections are written with the standard library's :mod:`configparser`."""

from __future__ import annotations

import configparser
import io
import tomllib
from typing import Any

from .. import lazyre

_HEADER = lazyre.compile(r"^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def toml_table_text(text: str, table: str) -> str:
    """The table ``table`` (dotted) of the TOML document ``text`` and its sub-tables, as a document of its own:
    ``[tool.ruff.lint]`` becomes ``[lint]``. The result parses to exactly the table's data (checked)."""
    prefix = table + "."
    out: list[str] = []
    keep = False
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match and not line.lstrip().startswith("[["):
            name = match.group(1)
            keep = name == table or name.startswith(prefix)
            if keep and name != table:
                out.append(f"[{name[len(prefix) :]}]")
            continue
        if line.lstrip().startswith("[["):
            keep = False
        if keep:
            out.append(line)
    document = "\n".join(out).strip("\n") + "\n"
    expected: Any = tomllib.loads(text)
    for key in table.split("."):
        expected = expected.get(key, {}) if isinstance(expected, dict) else {}
    if not expected:
        return ""
    if tomllib.loads(document) != expected:
        raise ValueError(f"[{table}] cannot be copied as its own document (keys of it are written elsewhere)")
    return document


def ini_text(sections: dict[str, dict[str, Any]]) -> str:
    """An INI document (``pytest.ini``, ``.coveragerc``): lists become indented multi-line values."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the keys' case
    for section, table in sections.items():
        parser[section] = {
            key: "\n".join(str(v) for v in value) if isinstance(value, list) else _ini_scalar(value)
            for key, value in table.items()
        }
    buffer = io.StringIO()
    parser.write(buffer)
    return buffer.getvalue().rstrip("\n") + "\n"


def _ini_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

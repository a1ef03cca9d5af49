"""Text configuration files other than YAML: TOML and INI (setup.cfg, tox.ini, .flake8, .pylintrc), with
line lookups, parsed once and never raising (see :mod:`.yamlfile` for YAML).

tomllib gives no positions, so :func:`toml_line` scans the source for a table or key; :func:`ini_sections` is
a forgiving INI reader (``configparser`` raises on duplicates and interpolation).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from .. import lazyre
from ..repo import Repo


def load_toml(repo: Repo, path: str) -> dict[str, Any] | None:
    """The TOML file ``path`` as a dict, parsed once; ``None`` (with a note) when absent or invalid."""

    def compute() -> dict[str, Any] | None:
        text = repo.read_text(path)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
            # a Jinja template (cookiecutter, copier): what every rendering of it holds
            if "{%" in text or "{{" in text:
                try:
                    return tomllib.loads(jinja_unconditional(text))
                except (tomllib.TOMLDecodeError, ValueError, RecursionError):
                    pass
            repo.note(path, f"invalid TOML: {_short(exc)}")
            return None

    return repo.shared_memo(("textconfig.toml", repo.prefix + path), compute)


_JINJA_BLOCK = lazyre.compile(r"^\s*\{%-?\s*(if|elif|else|endif|for|endfor|set|raw|endraw)\b[^%]*-?%\}\s*$")
_JINJA_INLINE = lazyre.compile(r"\{%.*?%\}")
_JINJA_VALUE = lazyre.compile(r"(=\s*)\{\{.*?\}\}")


def jinja_unconditional(text: str) -> str:
    """What every rendering of a Jinja-templated config file holds, without evaluating anything: the lines
    outside ``{% if %}`` ... ``{% endif %}`` blocks (whose branches depend on the answers), other tags dropped
    and a bare ``{{ value }}`` made a string (a quoted ``"{{ x }}"`` stays as it is)."""
    out: list[str] = []
    depth = 0
    for line in text.splitlines():
        m = _JINJA_BLOCK.match(line)
        if m:
            tag = m.group(1)
            if tag == "if":
                depth += 1
            elif tag == "endif" and depth:
                depth -= 1
            continue
        if not depth:
            out.append(_JINJA_VALUE.sub(r'\1"_"', _JINJA_INLINE.sub("", line)))
    return "\n".join(out) + "\n"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("..." if len(text) > 200 else "")


_TOML_TABLE = lazyre.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def toml_line(text: str | None, table: str, key: str | None = None) -> int | None:
    """The 1-based line of the table ``[table]`` (or of ``key`` inside it) in TOML source: tomllib has no
    positions, so this scans the text (dotted keys and quoted names tolerated). ``None`` when not found."""
    if not text:
        return None
    lines = text.splitlines()
    want = _norm_toml_name(table)
    current: str | None = ""
    table_line: int | None = None
    key_re = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*[=.]") if key else None
    for number, line in enumerate(lines, 1):
        m = _TOML_TABLE.match(line)
        if m:
            current = _norm_toml_name(m.group(1))
            if current == want and table_line is None:
                table_line = number
                if key is None:
                    return number
            elif key and current == f"{want}.{_norm_toml_name(key)}":
                return number
            continue
        if key_re and current == want and key_re.match(line):
            return number
        if key is None and current == "" and re.match(r"^\s*" + re.escape(table) + r"\s*[.=]", line):
            return number  # dotted key at the root: tool.ruff.line-length = ...
    if key and table_line is None:
        return None
    return table_line


def _norm_toml_name(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def ini_sections(text: str | None) -> dict[str, tuple[int, dict[str, str]]]:
    """A forgiving INI reader (setup.cfg, tox.ini, .flake8, .pylintrc): section -> (line, {key: value}).

    Continuation lines are joined with newlines, comments dropped; never raises (configparser does on
    duplicates and interpolation)."""
    out: dict[str, tuple[int, dict[str, str]]] = {}
    if not text:
        return out
    section: dict[str, str] | None = None
    last_key: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        m = re.match(r"^\[([^\]]+)\]", stripped)
        if m and not raw[:1].isspace():
            name = m.group(1).strip()
            section = out.setdefault(name, (number, {}))[1]
            last_key = None
            continue
        if section is None:
            continue
        if raw[:1].isspace() and last_key is not None:
            section[last_key] = (section[last_key] + "\n" + stripped).strip()
            continue
        kv = re.match(r"^([^=:]+?)\s*[=:]\s*(.*)$", stripped)
        if kv:
            last_key = kv.group(1).strip().lower()
            section[last_key] = kv.group(2).strip()
    return out


def ini_key_line(text: str | None, section: str, key: str) -> int | None:
    """The line of ``key`` in ``[section]`` of an INI file (or of the section header)."""
    if not text:
        return None
    in_section = False
    header: int | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        m = re.match(r"^\[([^\]]+)\]", raw)
        if m:
            in_section = m.group(1).strip() == section
            if in_section and header is None:
                header = number
            continue
        if in_section and re.match(r"^" + re.escape(key) + r"\s*[=:]", raw.strip(), re.IGNORECASE):
            return number
    return header


def pyproject(repo: Repo) -> dict[str, Any]:
    """The root ``pyproject.toml`` as a dict (``{}`` when absent or invalid)."""
    return load_toml(repo, "pyproject.toml") or {}


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...`` or ``None`` when any level is missing or not a table."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data

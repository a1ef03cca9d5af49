"""The shell command reader: scripts split into logical commands with their lines, commands into simple
commands (``&&``, ``||``, ``;``, pipes), and a simple command into its :class:`Invocation` once wrappers
(``uv run``, ``poetry run``, ``python -m``, ``sudo``, ``VAR=x``...) are peeled. Never executes anything."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ... import lazyre
from ...repo import Repo
from .model import Command
from .values import strings


@lru_cache(maxsize=4096)
def split_script(script: str) -> tuple[tuple[str, str], ...]:
    """Logical commands of a shell script: (command, first physical line), comments and blanks dropped,
    backslash continuations joined."""
    out: list[tuple[str, str]] = []
    buf = ""
    first = ""
    for raw in script.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if not buf:
            first = line
        if line.endswith("\\"):
            buf += line[:-1].strip() + " "
            continue
        text = (buf + line).strip()
        buf = ""
        if text:
            out.append((text, first))
    if buf.strip():
        out.append((buf.strip(), first))
    return tuple(out)


def source_lines(repo: Repo, path: str) -> list[str]:
    """The lines of a file of ``repo``, read once per run."""
    return repo.shared_memo(
        ("ci.lines", repo.prefix + path), lambda: (repo.read_text(path) or "").splitlines()
    )


def _locate(lines: list[str], start: int | None, needle: str, limit: int = 400) -> int | None:
    """The 1-based line at or after ``start`` whose text holds ``needle`` (its first 60, then 20 characters),
    else ``start``."""
    if start is None:
        return None
    found = _find(lines, start, needle, limit)
    return start if found is None else found


def _find(lines: list[str], start: int, needle: str, limit: int = 400) -> int | None:
    """The 1-based line at or after ``start`` whose text holds ``needle``, or None."""
    text = needle.strip()
    if not text:
        return start
    window = range(max(start - 1, 0), min(len(lines), start - 1 + limit))
    for probe in dict.fromkeys((text[:60], text[:20])):
        for index in window:
            if probe in lines[index]:
                return index + 1
    return None


def locate(repo: Repo, path: str, start: int | None, needle: str) -> int | None:
    """The line of ``needle`` in ``path`` at or after line ``start`` (e.g. an expression inside a ``run:``)."""
    return _locate(source_lines(repo, path), start, needle)


def script_commands(
    repo: Repo, path: str, script: Any, line: int | None, *, job: str = "", pipeline: str = "", step: str = ""
) -> list[Command]:
    """The commands of a script value (a string, or a list of strings) declared at ``path:line``."""
    pieces = list(strings(script))
    lines = source_lines(repo, path) if line is not None else []
    out: list[Command] = []
    cursor = line
    previous: int | None = None
    for piece in pieces:
        for text, first in split_script(piece):
            found = _locate(lines, cursor, first) if lines else cursor
            if found is not None and found == previous and lines:
                # the command's text is in the line of the command before it (``pytest`` after ``pip install
                # pytest``): a line just below holding it, when there is one, is its own
                found = _find(lines, found + 1, first, limit=10) or found
            out.append(Command(text, path, found, "", job, pipeline or path, step))
            if found is not None:
                cursor = previous = found
    return out


_SEGMENT_SPLIT = lazyre.compile(r"\s*(?:&&|\|\||;|(?<![|>])\|(?!\|))\s*")
_ENV_ASSIGN = lazyre.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PREFIX_WRAPPERS = {
    "sudo",
    "time",
    "exec",
    "nice",
    "xvfb-run",
    "command",
    "env",
    "stdbuf",
    "nohup",
    "timeout",
}
_RUN_WRAPPERS = {
    "uv",
    "poetry",
    "pipenv",
    "pdm",
    "rye",
    "hatch",
    "conda",
    "mamba",
    "micromamba",
    "pixi",
    "uvx",
}
_VALUE_OPTIONS = {
    "--with", "--extra", "--group", "-p", "--python", "--directory", "--project", "--package", "--env-file",
    "-n", "--name", "--prefix", "--only-group", "--no-group", "--index", "--from", "-e", "--environment",
    "--manifest-path", "--frozen-lockfile",
}  # fmt: skip


def segments(text: str) -> list[str]:
    """The simple commands of a shell line (split on ``&&``, ``||``, ``;`` and pipes)."""
    return [s for s in _SEGMENT_SPLIT.split(text) if s.strip()]


def _tokens(segment: str) -> list[str]:
    try:
        return shlex.split(segment, comments=True)
    except ValueError:
        return segment.split()


@dataclass(frozen=True, slots=True)
class Invocation:
    """A simple command after wrappers (``uv run``, ``poetry run``, ``python -m``, ``sudo``...) are peeled:
    ``program`` and its ``args``; ``runner`` names the script runner (``pdm``, ``hatch``...) when the program may
    be one of its scripts."""

    program: str
    args: tuple[str, ...]
    runner: str = ""


def invocation(segment: str) -> Invocation | None:
    """The program a simple command runs, wrappers peeled (None for an empty or assignment-only command)."""
    tokens = _tokens(segment)
    runner = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        base = tok.rsplit("/", 1)[-1]
        if _ENV_ASSIGN.match(tok):
            i += 1
            continue
        if base in _PREFIX_WRAPPERS:
            i += 1
            while i < len(tokens) and (tokens[i].startswith("-") or _ENV_ASSIGN.match(tokens[i])):
                i += 1
            if base == "timeout" and i < len(tokens):
                i += 1
            continue
        if (base in _RUN_WRAPPERS and i + 1 < len(tokens) and tokens[i + 1] == "run") or base == "uvx":
            runner = base
            i += 1 if base == "uvx" else 2
            while i < len(tokens) and tokens[i].startswith("-"):
                i += 2 if tokens[i] in _VALUE_OPTIONS and "=" not in tokens[i] else 1
            continue
        if re.fullmatch(r"python[0-9.]*|py|pypy3?", base) and i + 1 < len(tokens):
            j = i + 1
            while j < len(tokens) and tokens[j].startswith("-") and tokens[j] != "-m":
                j += 1
            if j + 1 < len(tokens) and tokens[j] == "-m":
                return Invocation(tokens[j + 1], tuple(tokens[j + 2 :]), runner)
            return Invocation(base, tuple(tokens[i + 1 :]), runner)
        return Invocation(
            base if "/" not in tok or not tok.endswith(".sh") else tok, tuple(tokens[i + 1 :]), runner
        )
    return None

"""Questions about one file's source text (a module's, or a notebook's code cells), answered once per file and
kept in the audit cache with the file's other per-file facts.

A fact that looks into the text itself (a regular expression over a training script, the function around a
line) asks :func:`ask` with a question declared by :func:`source_question`: a pure function of the text and
plain arguments. Its answer is then known per file: an unchanged file is not read again, and after an edit the
audit cache asks the edited file the same questions again and reuses every whole-tree result when the answers
are alike (reading the text directly would make any edit of the file count as a change of those results).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any, TypeVar

from ..repo import Repo, makes_file_facts
from .notebooks import code_source, notebook

R = TypeVar("R")

_PREFIX = "source:"
_QUESTIONS: dict[str, Callable[..., Any]] = {}


def _plain(value: Any) -> bool:
    if type(value) is tuple:
        return all(_plain(item) for item in value)
    return value is None or type(value) in (bool, int, float, str)


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def source_question(fn: Callable[..., R]) -> Callable[..., R]:
    """Declare (decorator, at import time) ``fn(text, *args)``: a pure function of a file's source text and
    plain arguments (None, bool, int, float, str, tuples of them) whose answer is plain data."""
    _QUESTIONS[_name(fn)] = fn
    return fn


def ask(repo: Repo, path: str, question: Callable[..., R], *args: Any) -> R:
    """The answer of ``question(text, *args)`` for the file at ``path``, per file and kept in the audit cache.
    The text is a module's source, or a notebook's code cells (``.ipynb``); ``""`` when it cannot be read."""
    name = _name(question)
    if _QUESTIONS.get(name) is not question:
        raise ValueError(f"{name} is not declared with @source_question")
    if not all(_plain(arg) for arg in args):  # the kind names them: it must read back as they are
        raise ValueError(f"{name}: arguments must be None, bool, int, float, str or tuples of them: {args!r}")
    kind = f"{_PREFIX}{name}:{args!r}"
    answer: R = repo.file_fact(kind, path, lambda: question(source_text(repo, path), *args))
    return answer


def search(repo: Repo, path: str, regex: re.Pattern[str]) -> tuple[int, str, tuple[str | None, ...]] | None:
    """The first match of ``regex`` in the file's source text: (line, matched text, groups), or None."""
    return ask(repo, path, first_match, regex.pattern, regex.flags)


def names(repo: Repo, path: str, name: str) -> int:
    """How often ``name`` occurs as a whole word in the file's source text: 0, 1, or 2 for twice or more."""
    return ask(repo, path, word_count, name)


@source_question
def first_match(text: str, pattern: str, flags: int = 0) -> tuple[int, str, tuple[str | None, ...]] | None:
    """The first match of the regular expression ``pattern``: (line, matched text, groups), or None."""
    m = re.compile(pattern, flags).search(text)
    if m is None:
        return None
    return (text.count("\n", 0, m.start()) + 1, m.group(0), m.groups())


@source_question
def word_count(text: str, name: str) -> int:
    """How often ``name`` occurs as a whole word: 0, 1, or 2 for twice or more (all any fact asks)."""
    return len(re.findall(rf"\b{re.escape(name)}\b", text)[:2])


def source_text(repo: Repo, path: str) -> str:
    """What :func:`ask`'s questions read: a module's text, or a notebook's code cells (never their outputs)."""
    if path.lower().endswith(".ipynb"):
        nb = notebook(repo, path)
        return code_source(nb) if nb is not None else ""
    return repo.read_text(path) or ""


@makes_file_facts(_PREFIX)
def _ask_again(repo: Repo, path: str, kind: str) -> object:
    """Make a kept answer again (``kind`` as :func:`ask` names it), for the audit cache after an edit."""
    name, _, args = kind[len(_PREFIX) :].partition(":")
    question = _QUESTIONS.get(name)
    if question is None:
        raise LookupError(f"no source question {name}")
    return ask(repo, path, question, *ast.literal_eval(args))

"""Byte prefilters: which of many needle sets a file's bytes hold, found in one pass over the bytes.

A needle is a plain byte string (found anywhere) or a whole word made by :func:`word` (found only between
non-word bytes: ``word("serve")`` is not in "observe"). :class:`NeedleSets` answers every declared set at once
with an Aho-Corasick automaton (the pyahocorasick C extension): one scan of the bytes instead of one scan per
needle. Measured on the transformers 5.24.0 sources (2,935 files, 55 MB, 25 sets, 230 needles): 0.74 s against
4.85 s for ``needle in data`` per needle, with the same answers.

The automaton matches text, so the bytes are decoded as Latin-1: one character per byte, any byte valid, the
offsets of a match those of the bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

_WORD_MARK = b"\\b"
#: Below this many needles, ``needle in data`` per needle is faster than building and running an automaton.
AUTOMATON_MIN_NEEDLES = 4


def word(name: str) -> bytes:
    """A prefilter needle that matches ``name`` as a whole word (an identifier, not a part of one)."""
    return _WORD_MARK + name.encode() + _WORD_MARK


def is_word(needle: bytes) -> bool:
    """Whether ``needle`` was made by :func:`word`."""
    return len(needle) > 4 and needle.startswith(_WORD_MARK) and needle.endswith(_WORD_MARK)


@functools.lru_cache(maxsize=256)
def split_needles(needles: tuple[bytes, ...]) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """The plain needles and the whole words (without their marks)."""
    plain = tuple(n for n in needles if not is_word(n))
    return plain, tuple(n[2:-2] for n in needles if is_word(n))


class NeedleSets:
    """Many needle sets, searched together: :meth:`mask` has bit ``i`` set when the bytes hold a needle of set
    ``i``. The automaton is built on the first search."""

    def __init__(self, sets: Sequence[tuple[bytes, ...]]) -> None:
        self.sets = tuple(sets)
        self._all = (1 << len(self.sets)) - 1
        self._automaton: Any = None

    def _build(self) -> Any:
        import ahocorasick  # a C extension, imported only when a prefilter runs

        # needle text -> [(whole word?, bit mask of the sets holding it)]
        table: dict[str, dict[bool, int]] = {}
        for i, needles in enumerate(self.sets):
            plain, words = split_needles(needles)
            for needle, whole in [(n, False) for n in plain] + [(n, True) for n in words]:
                kinds = table.setdefault(needle.decode("latin-1"), {})
                kinds[whole] = kinds.get(whole, 0) | 1 << i
        automaton = ahocorasick.Automaton()
        for text, kinds in table.items():
            automaton.add_word(text, (len(text), kinds.get(False, 0), kinds.get(True, 0)))
        automaton.make_automaton()
        return automaton

    def mask(self, data: bytes) -> int:
        """The bit mask of the sets some needle of which ``data`` holds."""
        if self._automaton is None:
            self._automaton = self._build()
        found = 0
        size = len(data)
        for end, (length, anywhere, as_word) in self._automaton.iter(data.decode("latin-1")):
            found |= anywhere
            if as_word & ~found:
                start = end - length + 1
                if not (start and _is_word_byte(data[start - 1])) and not (
                    end + 1 < size and _is_word_byte(data[end + 1])
                ):
                    found |= as_word
            if found == self._all:
                break  # every set answered: the rest of the bytes cannot change the mask
        return found


#: Every needle set declared (at import time) by the facts that search Python files: a search for one of them
#: answers all of them in the same pass (:func:`declared`), so each file is scanned once per run.
_DECLARED: dict[tuple[bytes, ...], None] = {}
#: The declared sets whose matching files are parsed ahead (see :func:`selecting`).
_SELECTING: dict[tuple[bytes, ...], None] = {}
#: The declared sets, searched together: built by the first search, then fixed.
_GROUP: list[NeedleSets] = []


def declare(needles: tuple[bytes, ...], *, selects: bool = True) -> tuple[bytes, ...]:
    """Declare a needle set searched in every Python file (see :func:`declared`); ``selects``: every file it
    matches is parsed ahead. A set declared after the first search is not in the group and is searched on its
    own (each file once more): declare at import time."""
    if not _GROUP:
        _DECLARED.setdefault(needles)
        if selects:
            _SELECTING.setdefault(needles)
    return needles


def selecting(group: NeedleSets) -> int:
    """The bit mask of ``group``'s sets that select files for parsing ahead."""
    return sum(1 << i for i, needles in enumerate(group.sets) if needles in _SELECTING)


def declared(needles: tuple[bytes, ...] | None = None) -> NeedleSets | None:
    """Every declared needle set, searched together; None when ``needles`` is given and is not one of them."""
    if not _GROUP:
        _GROUP.append(NeedleSets(list(_DECLARED)))
    if needles is not None and needles not in _DECLARED:
        return None
    return _GROUP[0]


@functools.lru_cache(maxsize=256)
def _one_set(needles: tuple[bytes, ...]) -> NeedleSets:
    return NeedleSets([needles])


def bytes_match(data: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether ``data`` holds any of ``needles`` (plain ones anywhere, :func:`word` ones as whole words)."""
    if len(needles) >= AUTOMATON_MIN_NEEDLES:
        return bool(_one_set(needles).mask(data))
    plain, words = split_needles(needles)
    return any(needle in data for needle in plain) or any(_has_word(data, w) for w in words)


def _has_word(data: bytes, name: bytes) -> bool:
    """Whether ``name`` occurs in ``data`` between non-word bytes (as ``\\b`` would say): found with ``find``,
    which scans in C far faster than a pattern starting with ``\\b``."""
    start = data.find(name)
    while start >= 0:
        end = start + len(name)
        if not (start and _is_word_byte(data[start - 1])) and not (
            end < len(data) and _is_word_byte(data[end])
        ):
            return True
        start = data.find(name, start + 1)
    return False


def _is_word_byte(byte: int) -> bool:
    return byte == 95 or 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122  # _ 0-9 A-Z a-z

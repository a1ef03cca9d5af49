"""What a repository asks of a per-file cache, and the cache used when caching is off.

:class:`~mlops_audit.repo.Repo` talks to its cache through :class:`FactCache` only; the audit cache
(:class:`mlops_audit.cache.AuditCache`) is one implementation, :class:`NullCache` (remembers nothing) the other.
Paths are relative to the audited root (a sub-project view passes its full paths).
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .repo import Note


class FactCache(Protocol):
    """Per-file answers kept between runs, keyed by the file's content."""

    def read_done(self, path: str, notes: list[Note]) -> None:
        """The file was read; ``notes`` holds the notes made meanwhile (those about ``path`` are kept)."""

    def contains_many(self, paths: list[str], needles: tuple[bytes, ...]) -> list[bool | None]:
        """For each path: whether the file holds any of ``needles``, or None when not known."""

    def put_contains(self, path: str, needles: tuple[bytes, ...], answer: bool) -> None:
        """Remember the answer to :meth:`contains_many` for one file."""

    def get_fact(self, path: str, kind: str) -> tuple[bool, Any]:
        """``(True, plain value)`` of a per-file fact kept for this content, else ``(False, None)``."""

    def has_fact(self, path: str, kind: str) -> bool:
        """Whether :meth:`get_fact` would find the fact."""

    def put_fact(
        self, path: str, kind: str, value: Any, encode: Callable[[Any], Any] | None, notes: list[Note]
    ) -> None:
        """Keep a per-file fact: ``encode(value)`` (or ``value``) as plain data, with the notes computing it made.
        Encoding is left to the cache: a cache that keeps nothing never pays for it."""

    def put_fact_blob(self, path: str, kind: str, blob: bytes) -> None:
        """Keep a per-file fact already made into a :func:`fact_blob` (by a worker process)."""


class NullCache:
    """The cache of an audit without caching: knows nothing, keeps nothing."""

    def read_done(self, path: str, notes: list[Note]) -> None:
        return None

    def contains_many(self, paths: list[str], needles: tuple[bytes, ...]) -> list[bool | None]:
        return [None] * len(paths)

    def put_contains(self, path: str, needles: tuple[bytes, ...], answer: bool) -> None:
        return None

    def get_fact(self, path: str, kind: str) -> tuple[bool, Any]:
        return False, None

    def has_fact(self, path: str, kind: str) -> bool:
        return False

    def put_fact(
        self, path: str, kind: str, value: Any, encode: Callable[[Any], Any] | None, notes: list[Note]
    ) -> None:
        return None

    def put_fact_blob(self, path: str, kind: str, blob: bytes) -> None:
        return None


def fact_blob(raw: Any, notes: list[tuple[str, str]]) -> bytes:
    """A per-file fact as the audit cache keeps it: its plain data and its notes (path, message), marshalled and
    compressed (parses of large trees weigh tens of megabytes). ValueError for data marshal cannot keep."""
    return zlib.compress(marshal.dumps((raw, notes)), 1)


def read_fact_blob(blob: bytes) -> tuple[Any, list[tuple[str, str]]]:
    """The plain data and notes of a :func:`fact_blob` (any error: the blob is not one)."""
    raw, notes = marshal.loads(zlib.decompress(blob))
    return raw, notes

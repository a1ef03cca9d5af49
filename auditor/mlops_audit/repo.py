"""The tree being audited: which files it holds, their sizes, and their bytes (read lazily, at most once).

The file list comes from :mod:`mlops_audit.gitls`: from git when the path is inside a work tree, otherwise from a
walk of the directory that honours every ``.gitignore``. Nothing is ever executed or imported, symbolic links
are never followed, and a file that cannot be read becomes a :class:`Note`, never an exception.

Per-file answers (byte prefilters, parses) go through a :class:`~mlops_audit.cache_protocol.FactCache`: the
audit cache when the audit uses one, a :class:`~mlops_audit.cache_protocol.NullCache` otherwise. The cache sees
the tree through the public names below (:attr:`Repo.root`, :attr:`Repo.exclude`, :meth:`Repo.git_listing`,
:attr:`Repo.git_root`, :attr:`Repo.all_entries`, :attr:`Repo.unstable`, :attr:`Repo.notes`, :meth:`Repo.note`).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Set
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, cast

from . import gitls
from .cache_protocol import FactCache, NullCache, read_fact_blob
from .gitls import FileEntry, replace_entry
from .needles import bytes_match, declared, word
from .paths import clean_text, display_path

__all__ = [
    "MAX_READ_BYTES",
    "FileEntry",
    "Note",
    "Repo",
    "bytes_match",
    "fact_maker",
    "makes_file_fact",
    "makes_file_facts",
    "memoized",
    "word",
]

T = TypeVar("T")

#: Files larger than this are listed (and their size is known) but never read.
MAX_READ_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Note:
    """Something the auditor could not do with a file (skipped, unreadable, malformed), shown in every report."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": display_path(self.path), "message": clean_text(self.message)}


class _Tree:
    """What a repository and its sub-project views share: the file list, bytes read once, notes, memoised
    facts and the per-file cache. Paths here are relative to the audited root."""

    def __init__(self, root: Path, exclude: tuple[str, ...], use_git: bool) -> None:
        self.root = root
        self.exclude = exclude
        self.git = gitls.GitListing(root) if use_git else None
        self.git_root: Path | None = None
        self.contents: dict[str, bytes | None] = {}
        self.notes: dict[tuple[str, str], Note] = {}
        self.memo: dict[Any, Any] = {}
        self.greps: dict[tuple[bytes, ...], dict[str, bool]] = {}  # needles -> full path -> found (this run)
        self.blobs: dict[tuple[str, str], bytes] = {}  # (kind, full path) -> a fact made elsewhere, undecoded
        self.cache: FactCache = NullCache()
        self.unstable: set[str] = set()  # files whose read failed with an OS error (never cached)
        # What whole-tree results saw of each file beyond the recorded channels (grep answers, per-file facts,
        # kept per file by the cache): the audit cache reuses them after an edit only when this says it may.
        self.channel: list[str] = []  # the files whose reads a recorded channel answers right now
        self.raw: set[str] = set()  # files whose bytes (or exact size) were seen outside the channels
        self.size_limits: set[float] = {MAX_READ_BYTES}  # every size a file's size was compared with

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        listed = self.git.entries() if self.git is not None else None
        if listed is not None:
            self.git_root, entries = listed
        else:
            entries = gitls.walk(self.root, self.note)
        return gitls.excluding(entries, self.exclude)

    def note(self, path: str, message: str) -> None:
        self.notes.setdefault((path, message), Note(path, message))


class Repo:
    """A read-only view of a directory tree (or of one sub-project of it, see :meth:`subproject`)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        exclude: Iterable[str] = (),
        use_git: bool = True,
    ) -> None:
        self.root = Path(root).resolve()
        self.prefix = ""  # "" for the repository; "sub/dir/" for a sub-project view
        self._use_git = use_git
        self._tree = _Tree(self.root, tuple(exclude), use_git)

    # ----------------------------------------------------------------------------------------------- listing
    @property
    def exclude(self) -> tuple[str, ...]:
        """The gitignore-style patterns of files left out of the audit."""
        return self._tree.exclude

    @property
    def all_entries(self) -> dict[str, FileEntry]:
        """Every file of the audited tree (not only this view's), keyed by path relative to the audited root."""
        return self._tree.entries

    @property
    def git_root(self) -> Path | None:
        """The top directory of the git work tree holding the tree (None: not listed from git)."""
        self._tree.entries  # noqa: B018 - listing decides it
        return self._tree.git_root

    @property
    def is_git(self) -> bool:
        return self.git_root is not None

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        """Files of this view, keyed by path relative to the view's root (insertion order is sorted)."""
        if not self.prefix:
            return self._tree.entries
        n = len(self.prefix)
        return {
            p[n:]: replace_entry(e, path=p[n:])
            for p, e in self._tree.entries.items()
            if p.startswith(self.prefix)
        }

    @property
    def paths(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, path: str) -> bool:
        return path in self.entries

    def entry(self, path: str) -> FileEntry | None:
        return self.entries.get(path)

    def prefetch(self) -> None:
        """Start listing the files now, in the background: git works while the caller does something else
        (the audit imports its checks meanwhile). Harmless when the listing is never used."""
        if self._tree.git is not None and "entries" not in self._tree.__dict__:
            self._tree.git.start()

    def cancel_prefetch(self) -> None:
        if self._tree.git is not None:
            self._tree.git.cancel()

    def git_listing(self) -> tuple[bytes, bytes] | None:
        """git's raw output for the listing (``rev-parse --show-toplevel``, ``ls-files -z -s -t -c -m -o``), or
        None outside a work tree (or with ``use_git=False``). The audit cache digests it without building the
        entries (an unchanged tree never needs them)."""
        return self._tree.git.raw() if self._tree.git is not None else None

    # -------------------------------------------------------------------------------------------- queries
    @cached_property
    def _index(self) -> tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, str]]]:
        """Paths by lower-case suffix, by lower-case file name, and (path, file name) pairs, in path order."""
        by_suffix: dict[str, list[str]] = {}
        by_name: dict[str, list[str]] = {}
        names: list[tuple[str, str]] = []
        for p in self.entries:
            name = p.rsplit("/", 1)[-1]
            dot = name.rfind(".")
            by_suffix.setdefault(name[dot:].lower() if dot > 0 else "", []).append(p)
            by_name.setdefault(name.lower(), []).append(p)
            names.append((p, name))
        return by_suffix, by_name, names

    def with_suffix(self, *suffixes: str) -> list[str]:
        by_suffix = self._index[0]
        groups = [by_suffix.get(s, ()) for s in dict.fromkeys(s.lower() for s in suffixes)]
        return list(groups[0]) if len(groups) == 1 else self._in_order(groups)

    def named(self, *names: str) -> list[str]:
        """Paths whose file name is one of ``names`` (case-insensitive), anywhere in the tree."""
        by_name = self._index[1]
        groups = [by_name.get(n, ()) for n in dict.fromkeys(n.lower() for n in names)]
        return list(groups[0]) if len(groups) == 1 else self._in_order(groups)

    def _in_order(self, groups: list[Any]) -> list[str]:
        found = {p for group in groups for p in group}
        if len(found) * 8 < len(self.entries):
            return sorted(found, key=self._position.__getitem__)
        return [p for p in self.entries if p in found]

    @cached_property
    def _position(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.entries)}

    def glob(self, *patterns: str) -> list[str]:
        """Paths matching any shell pattern: one without ``/`` matches the file name at any depth (``*.py``);
        one with ``/`` matches the whole path (``.github/workflows/*.yml``); ``**/`` matches any number of
        directories (``src/**/test_*.py``)."""
        if all("/" not in pat for pat in patterns):  # file-name patterns: one compiled match per name
            matchers = [re.compile(fnmatch.translate(pat)).match for pat in patterns if pat]
            return [p for p, name in self._index[2] if any(m(name) for m in matchers)]
        return [p for p in self.entries if any(_glob_match(p, pat) for pat in patterns)]

    def exists(self, path: str) -> bool:
        return path in self.entries

    def dirs(self) -> set[str]:
        """Every directory that holds a listed file (``""`` is the root)."""
        out = {""}
        for p in self.entries:
            parts = p.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                out.add("/".join(parts[:i]))
        return out

    # ---------------------------------------------------------------------------------------------- reading
    def _full(self, path: str) -> str:
        return self.prefix + path

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, read once; ``None`` (with a note) when absent, a link, too large or unreadable."""
        full = self._full(path)
        tree = self._tree
        if not tree.channel or tree.channel[-1] != full:
            tree.raw.add(full)  # seen as such: any change of this file may change what is computed from it
        if full in tree.contents:
            return tree.contents[full]
        before = len(tree.notes)
        data = self._read(path)
        # the notes of a read are replayed whenever a cached answer about this file is used
        tree.cache.read_done(full, list(tree.notes.values())[before:] if len(tree.notes) != before else [])
        tree.contents[full] = data
        return data

    def _read(self, path: str) -> bytes | None:
        entry = self.entries.get(path)
        if entry is None or not entry.present:
            return None
        if entry.symlink:
            self.note(path, "symbolic link not followed")
            return None
        if entry.size is not None and entry.size > MAX_READ_BYTES:
            self.note(
                path,
                f"not read: {entry.size / 1e6:.0f} MB is larger than the {MAX_READ_BYTES >> 20} MiB limit",
            )
            return None
        full = self.root / self._full(path)
        try:
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            self._tree.unstable.add(self._full(path))
            self.note(path, f"unreadable: {exc.strerror or exc}")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.note(path, "not a regular file")
                return None
            if st.st_size > MAX_READ_BYTES:
                self.note(path, f"not read: larger than the {MAX_READ_BYTES >> 20} MiB limit")
                return None
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError as exc:
            self._tree.unstable.add(self._full(path))
            self.note(path, f"unreadable: {exc.strerror or exc}")
            return None
        finally:
            os.close(fd)

    def read_text(self, path: str) -> str | None:
        """The file decoded as UTF-8 (undecodable bytes replaced); ``None`` for binary or unreadable files."""
        data = self.read_bytes(path)
        if data is None:
            return None
        if b"\0" in data[:8192]:
            self.note(path, "binary content where text was expected")
            return None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return data.decode("utf-8", errors="replace")

    def larger_than(self, path: str, limit: float) -> bool:
        """Whether the file is larger than ``limit`` bytes (an unknown size counts as 0). Facts compare sizes
        through this method (or :meth:`smaller_than`) only: the audit cache knows which sizes were compared."""
        self._tree.size_limits.add(limit)
        entry = self.entries.get(path)
        return entry is not None and (entry.size or 0) > limit

    def smaller_than(self, path: str, limit: float) -> bool:
        """Whether the file is smaller than ``limit`` bytes (an unknown size counts as 0); see
        :meth:`larger_than`."""
        self._tree.size_limits.add(limit)
        entry = self.entries.get(path)
        return entry is not None and (entry.size or 0) < limit

    def exact_size(self, path: str) -> int:
        """The file's size in bytes (0 when unknown), for a report that shows it: any change of the file then
        counts as a change of what was computed from it."""
        self._tree.raw.add(self._full(path))
        entry = self.entries.get(path)
        return (entry.size or 0) if entry is not None else 0

    @contextmanager
    def channel(self, path: str) -> Iterator[None]:
        """Reads of ``path`` within are a recorded channel's (a prefilter's search, a per-file fact, whose
        answers the audit cache keeps per file), or only decide how to compute (which files a worker pool
        parses): they do not count as whole-tree results seeing the file's bytes."""
        stack = self._tree.channel
        stack.append(self._full(path))
        try:
            yield
        finally:
            stack.pop()

    @property
    def raw_reads(self) -> Set[str]:
        """Files (paths relative to the audited root) whose bytes or exact size something computed in this run
        saw outside the recorded channels (see :meth:`channel`)."""
        return self._tree.raw

    @property
    def size_limits(self) -> Set[float]:
        """Every size a file's size was compared with in this run (see :meth:`larger_than`)."""
        return self._tree.size_limits

    def contains(self, path: str, *needles: bytes) -> bool:
        """Byte-level prefilter: does the file hold any of ``needles``? Cheap; no parsing (and answered from
        the audit cache, without reading the file, when it is unchanged since the last run). A needle made by
        :func:`word` matches a whole word only (``word("serve")`` is not found in "observe")."""
        return bool(self.grep((path,), *needles))

    def grep(self, paths: Iterable[str], *needles: bytes) -> list[str]:
        """The paths whose bytes contain any of ``needles`` (see :meth:`contains`)."""
        tree = self._tree
        contents, cache, prefix = tree.contents, tree.cache, self.prefix
        seen = tree.greps.setdefault(needles, {})  # each file is searched once per needle set and run
        paths = list(paths)
        fulls = [prefix + p for p in paths]
        unseen = [full for full in fulls if full not in seen]
        if unseen:
            known = cache.contains_many(unseen, needles)
            group = declared(needles)  # a declared set: every declared set is answered in the same pass
            for full, answer in zip(unseen, known, strict=True):
                if answer is None:
                    if full in contents:
                        data = contents[full]
                    else:
                        with self.channel(full[len(prefix) :]):
                            data = self.read_bytes(full[len(prefix) :])
                    if group is not None and data is not None:
                        mask = group.mask(data)
                        for i, other in enumerate(group.sets):
                            found = bool(mask >> i & 1)
                            tree.greps.setdefault(other, {})[full] = found
                            cache.put_contains(full, other, found)
                        continue
                    answer = data is not None and bytes_match(data, needles)
                    cache.put_contains(full, needles, answer)
                seen[full] = answer
        return [path for path, full in zip(paths, fulls, strict=True) if seen[full]]

    def unsearched(self, paths: list[str], needle_sets: list[tuple[bytes, ...]]) -> list[str]:
        """The ``paths`` some of whose :meth:`grep` answers for ``needle_sets`` are not known yet (in this run
        or in the audit cache)."""
        tree, prefix = self._tree, self.prefix
        fulls = [prefix + p for p in paths]
        missing: set[str] = set()
        for needles in needle_sets:
            seen = tree.greps.get(needles, {})
            todo = [full for full in fulls if full not in seen]
            known = tree.cache.contains_many(todo, needles) if todo else []
            missing.update(full for full, answer in zip(todo, known, strict=True) if answer is None)
        return [path for path, full in zip(paths, fulls, strict=True) if full in missing]

    def remember_search(self, path: str, needles: tuple[bytes, ...], answer: bool) -> None:
        """Record what :meth:`grep` would answer for ``path`` (found elsewhere, by a worker process)."""
        full = self._full(path)
        self._tree.greps.setdefault(needles, {})[full] = answer
        self._tree.cache.put_contains(full, needles, answer)

    def note(self, path: str, message: str) -> None:
        """Note something about ``path`` (relative to this view) for the report."""
        self._tree.note(self._full(path), message)

    @property
    def notes(self) -> list[Note]:
        """Every note of the audited tree so far (paths relative to the audited root)."""
        return list(self._tree.notes.values())

    @property
    def unstable(self) -> Set[str]:
        """Files (paths relative to the audited root) whose read failed with an OS error: never to be cached."""
        return self._tree.unstable

    # ---------------------------------------------------------------------------------------------- memo
    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute a fact of this view once (keyed per view) and keep it."""
        full_key = (self.prefix, key)
        memo = self._tree.memo
        if full_key not in memo:
            memo[full_key] = compute()
        return cast(T, memo[full_key])  # the memo holds, under this key, what ``compute`` returned

    def shared_memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Like :meth:`memo`, but shared by every view: for per-file facts keyed by the file's full path."""
        memo = self._tree.memo
        if key not in memo:
            memo[key] = compute()
        return cast(T, memo[key])  # the memo holds, under this key, what ``compute`` returned

    def file_fact(
        self,
        kind: str,
        path: str,
        compute: Callable[[], T],
        *,
        encode: Callable[[T], Any] | None = None,
        decode: Callable[[Any], T] | None = None,
    ) -> T:
        """A fact derived from one file only (its parse, say), computed once per run and kept in the audit
        cache between runs, keyed by the file's content: an unchanged file is not read again.

        ``kind`` names the fact and its format (change it when the format changes: ``"notebooks.parse/2"``).
        The value must be plain data (None, bool, int, float, str, bytes, and tuples, lists, sets and dicts of
        them), or ``encode``/``decode`` must turn it into such data and back; ``decode`` rebuilds it for the
        asking view (a sub-project sees its own relative paths). Notes made while computing it are replayed when
        the cached value is used."""
        full = self._full(path)
        tree = self._tree
        memo = tree.memo
        key = ("file_fact", kind, full)
        seen = memo.get(key)
        if seen is not None:  # (view prefix, value) of the view that asked first
            prefix, value = seen
            if prefix == self.prefix or decode is None:
                return cast(T, value)  # stored below: a value of ``compute`` or ``decode``
            # the same data seen from another view (sub-project): values that name their file (a parse's
            # evidence) are rebuilt for this view's path, without computing them again
            view_key = (*key, self.prefix)
            if view_key not in memo:
                try:
                    memo[view_key] = decode(encode(value) if encode is not None else value)
                except Exception:
                    memo[view_key] = value
            return cast(T, memo[view_key])  # a value of ``decode``, or the stored one
        blob = tree.blobs.pop((kind, full), None)
        if blob is not None:  # made by a worker process: decoded on first use, its notes given now
            try:
                raw, notes = read_fact_blob(blob)
                for note_path, message in notes:
                    tree.note(note_path, message)
                found = True
            except Exception:
                found, raw = False, None
        else:
            found, raw = tree.cache.get_fact(full, kind)
        tree.channel.append(full)  # reading the file here is this fact's own business (kept per file)
        try:
            if found:
                try:
                    value = decode(raw) if decode is not None else raw
                except Exception:  # a cached value this code cannot read: compute it again
                    pass
                else:
                    memo[key] = (self.prefix, value)
                    return value
            before = len(tree.notes)
            value = compute()
        finally:
            tree.channel.pop()
        memo[key] = (self.prefix, value)
        made = list(tree.notes.values())[before:] if len(tree.notes) != before else []
        tree.cache.put_fact(full, kind, value, encode, made)
        return value

    def has_file_fact(self, kind: str, path: str) -> bool:
        """Whether :meth:`file_fact` would answer without computing (in memory, or in the audit cache)."""
        full = self._full(path)
        tree = self._tree
        return (
            ("file_fact", kind, full) in tree.memo
            or (kind, full) in tree.blobs
            or tree.cache.has_fact(full, kind)
        )

    def forget_file(self, path: str, kinds: Iterable[str]) -> None:
        """Drop the bytes of ``path`` and its per-file facts of ``kinds`` kept in this process (a worker
        process, once it has sent them on: what a large tree's workers would otherwise hold until the end)."""
        full = self._full(path)
        tree = self._tree
        tree.contents.pop(full, None)
        for kind in kinds:
            tree.memo.pop(("file_fact", kind, full), None)

    def remember_fact(self, kind: str, full_path: str, blob: bytes) -> None:
        """Record a :meth:`file_fact` value that a worker process computed, as a
        :func:`~mlops_audit.cache_protocol.fact_blob` of the file at ``full_path`` (relative to the audited
        root): kept in the audit cache and decoded only if the fact is asked for."""
        self._tree.blobs[(kind, full_path)] = blob
        self._tree.cache.put_fact_blob(full_path, kind, blob)

    @property
    def fact_cache(self) -> FactCache:
        """The per-file cache this repository answers from (see :meth:`use_cache`)."""
        return self._tree.cache

    def use_cache(self, cache: FactCache) -> None:
        """Answer per-file questions from ``cache`` (an :class:`mlops_audit.cache.AuditCache`) from now on."""
        self._tree.cache = cache

    # ------------------------------------------------------------------------------------------ sub-projects
    def subproject(self, prefix: str) -> Repo:
        """A view of the sub-directory ``prefix`` that shares this repository's file cache and notes."""
        prefix = prefix.strip("/") + "/"
        view = object.__new__(Repo)
        view.__dict__.update(
            root=self.root,
            prefix=self.prefix + prefix,
            _use_git=self._use_git,
            _tree=self._tree,
        )
        return view

    def __iter__(self) -> Iterator[FileEntry]:
        return iter(self.entries.values())

    def __repr__(self) -> str:
        return f"Repo({str(self.root)!r}, prefix={self.prefix!r})"


#: kind -> the function that asks :meth:`Repo.file_fact` for the fact of that kind of one file.
_FACT_MAKERS: dict[str, Callable[[Repo, str], object]] = {}
F = TypeVar("F", bound=Callable[[Repo, str], object])


def makes_file_fact(kind: str) -> Callable[[F], F]:
    """Declare (decorator, at import time) that ``fact(repo, path)`` asks :meth:`Repo.file_fact` for the fact
    ``kind`` of one file. After an edit, the audit cache makes each fact the last run kept of the edited file
    again and compares the two: when none changed, no whole-tree result can have changed. Every kind a
    ``file_fact`` call names is declared (a test reads the sources); a kind that is not is never reused."""

    def declare(fact: F) -> F:
        _FACT_MAKERS[kind] = fact
        return fact

    return declare


#: prefix -> the function that asks :meth:`Repo.file_fact` for a fact of any kind starting with it.
_FACT_FAMILIES: dict[str, Callable[[Repo, str, str], object]] = {}
G = TypeVar("G", bound=Callable[[Repo, str, str], object])


def makes_file_facts(prefix: str) -> Callable[[G], G]:
    """Like :func:`makes_file_fact`, for a family of kinds named at run time (``"source:..."``):
    ``fact(repo, path, kind)`` asks for the fact ``kind`` of one file."""

    def declare(fact: G) -> G:
        _FACT_FAMILIES[prefix] = fact
        return fact

    return declare


def fact_maker(kind: str) -> Callable[[Repo, str], object] | None:
    """The declared maker of per-file facts of ``kind`` (see :func:`makes_file_fact`), or None."""
    maker = _FACT_MAKERS.get(kind)
    if maker is not None:
        return maker
    for prefix, family in _FACT_FAMILIES.items():
        if kind.startswith(prefix):
            return lambda repo, path: family(repo, path, kind)
    return None


def memoized(fn: Callable[[Repo], T]) -> Callable[[Repo], T]:
    """Decorator for fact functions ``f(repo)``: computed once per repository view, then reused."""
    key = f"{fn.__module__}.{fn.__qualname__}"

    def wrapper(repo: Repo) -> T:
        return repo.memo(key, lambda: fn(repo))

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]  # a function's attribute the Callable type lacks
    return wrapper


def _glob_match(path: str, pattern: str) -> bool:
    if "**/" in pattern:
        tail = pattern.split("**/")[-1]
        head = pattern.split("**/")[0]
        return path.startswith(head) and any(
            fnmatch.fnmatchcase("/".join(path.split("/")[i:]), tail) for i in range(path.count("/") + 1)
        )
    return PurePosixPath(path).match(pattern) if "/" not in pattern else fnmatch.fnmatchcase(path, pattern)

"""The tree being audited: which files it holds, their sizes, and their bytes (read lazily, at most once).

The file list comes from git when the path is inside a work tree (tracked files, including blobs missing from
the working tree, plus untracked files that are not ignored), otherwise from a walk of the directory that honours
every ``.gitignore`` on the way. Nothing is ever executed or imported, symbolic links are never followed, and a
file that cannot be read becomes a :class:`Note`, never an exception.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from .paths import clean_text, display_path

T = TypeVar("T")

#: Files larger than this are listed (and their size is known) but never read.
MAX_READ_BYTES = 16 * 1024 * 1024

_GIT_TIMEOUT = 60

#: The two git commands that list a work tree (see ``Repo._git_entries``).
_LISTING = (
    ("rev-parse", "--show-toplevel"),
    ("ls-files", "-z", "-s", "-t", "--cached", "--modified", "--others", "--exclude-standard"),
)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of the tree. ``path`` is relative to the audited root, with ``/`` separators."""

    path: str
    size: int | None
    blob: str | None = None  # git blob hash when tracked
    tracked: bool = False
    present: bool = True  # False: tracked in git but absent from the working tree
    symlink: bool = False
    mtime_ns: int | None = None  # from lstat, when present
    modified: bool = False  # tracked, but the working-tree file differs from the indexed blob

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        dot = name.rfind(".")
        return name[dot:].lower() if dot > 0 else ""


@dataclass(frozen=True, slots=True)
class Note:
    """Something the auditor could not do with a file (skipped, unreadable, malformed), shown in every report."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": display_path(self.path), "message": clean_text(self.message)}


@dataclass
class _Shared:
    """State shared between a repository and its sub-project views: bytes read once, notes, memoised facts."""

    contents: dict[str, bytes | None] = field(default_factory=dict)
    notes: dict[tuple[str, str], Note] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)
    cache: Any = None  # an mlops_audit.cache.AuditCache when the audit uses one
    unstable: set[str] = field(default_factory=set)  # files whose read failed with an OS error (never cached)


class Repo:
    """A read-only view of a directory tree (or of one sub-project of it, see :meth:`subproject`)."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        exclude: Iterable[str] = (),
        use_git: bool = True,
        options: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.prefix = ""  # "" for the repository; "sub/dir/" for a sub-project view
        self.options: dict[str, dict[str, Any]] = options or {}
        self._shared = _Shared()
        self._exclude = list(exclude)
        self._use_git = use_git
        self.git_root: Path | None = None

    # ----------------------------------------------------------------------------------------------- listing
    @cached_property
    def _all_entries(self) -> dict[str, FileEntry]:
        entries: dict[str, FileEntry] | None = None
        if self._use_git:
            entries = self._git_entries()
        if entries is None:
            entries = self._walk_entries()
        if self._exclude:
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines(self._exclude)
            entries = {p: e for p, e in entries.items() if not spec.match_file(p)}
        return entries

    @property
    def is_git(self) -> bool:
        self._all_entries  # noqa: B018 - listing decides it
        return self.git_root is not None

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        """Files of this view, keyed by path relative to the view's root (insertion order is sorted)."""
        if not self.prefix:
            return self._all_entries
        n = len(self.prefix)
        return {p[n:]: _rebase(e, p[n:]) for p, e in self._all_entries.items() if p.startswith(self.prefix)}

    @property
    def paths(self) -> list[str]:
        return list(self.entries)

    def __contains__(self, path: str) -> bool:
        return path in self.entries

    def entry(self, path: str) -> FileEntry | None:
        return self.entries.get(path)

    def _git(self, *args: str, input: bytes | None = None) -> bytes | None:
        try:
            proc = subprocess.run(
                ["git", "-c", "core.quotepath=off", "-C", str(self.root), *args],
                input=input,
                capture_output=True,
                timeout=_GIT_TIMEOUT,
                check=False,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout if proc.returncode == 0 else None

    def prefetch(self) -> None:
        """Start listing the files now, in the background: git works while the caller does something else
        (the audit imports its checks meanwhile). Harmless when the listing is never used."""
        if self._use_git and "_all_entries" not in self.__dict__ and "_pending" not in self.__dict__:
            self.__dict__["_pending"] = self._git_start(*_LISTING)

    def cancel_prefetch(self) -> None:
        for run in self.__dict__.pop("_pending", None) or ():
            if run is not None:
                run.cancel()

    def git_listing(self) -> tuple[bytes, bytes] | None:
        """git's raw output for the listing (``rev-parse --show-toplevel``, ``ls-files -z -s -t -c -m -o``), or
        None outside a work tree (or with ``use_git=False``). The audit cache digests it without building the
        entries (an unchanged tree never needs them)."""
        if "_git_output" not in self.__dict__:
            output = None
            if self._use_git:
                pending = self.__dict__.pop("_pending", None)
                top, listing = (
                    self._git_collect(pending) if pending is not None else self._git_both(*_LISTING)
                )
                if top is not None and listing is not None:
                    output = (top, listing)
            self.__dict__["_git_output"] = output
        return self.__dict__["_git_output"]

    def _git_both(self, *commands: tuple[str, ...]) -> list[bytes | None]:
        """Run several git commands at once (they overlap on a multi-core machine); their outputs, in order."""
        return self._git_collect(self._git_start(*commands))

    def _git_start(self, *commands: tuple[str, ...]) -> list[_GitRun | None]:
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
        runs: list[_GitRun | None] = []
        for args in commands:
            try:
                proc = subprocess.Popen(
                    ["git", "-c", "core.quotepath=off", "-C", str(self.root), *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            except OSError:
                runs.append(None)
                continue
            runs.append(_GitRun(proc))
        return runs

    def _git_collect(self, runs: list[_GitRun | None]) -> list[bytes | None]:
        return [run.result() if run is not None else None for run in runs]

    def _git_entries(self) -> dict[str, FileEntry] | None:
        # One call lists everything, tagged: "H" (etc.) indexed with its blob, "C" indexed but changed in the
        # work tree (git compares contents when the stat data differs), "?" untracked and not ignored.
        output = self.git_listing()
        if output is None:
            return None
        top, listing = output
        self.git_root = Path(os.fsdecode(top.strip()))
        base = str(self.root) + os.sep
        lstat, fsdecode, is_link = os.lstat, os.fsdecode, stat.S_ISLNK
        found: dict[str, FileEntry] = {}
        missing: list[tuple[str, str, bool]] = []
        changed: set[str] = set()
        others: list[bytes] = []
        for record in listing.split(b"\0"):
            if not record:
                continue
            tag, _, rest = record.partition(b" ")
            if tag == b"?":
                others.append(rest)
                continue
            meta, _, raw_path = rest.partition(b"\t")
            path = fsdecode(raw_path)
            if tag == b"C":
                changed.add(path)
                continue
            mode, blob, _stage = meta.split(b" ")
            if mode == b"160000":  # submodule: not a file of this tree
                continue
            if path in found:  # unmerged paths list several stages
                continue
            link = mode == b"120000"
            try:
                st = lstat(base + path)
            except OSError:
                missing.append((path, blob.decode(), link))
                continue
            found[path] = FileEntry(
                path, st.st_size, blob.decode(), True, True, link or is_link(st.st_mode), st.st_mtime_ns
            )
        for path in changed:
            entry = found.get(path)
            if entry is not None:
                found[path] = _replace_entry(entry, modified=True)
        if missing:
            sizes = self._blob_sizes([blob for _, blob, _ in missing])
            for path, blob, link in missing:
                found[path] = FileEntry(path, sizes.get(blob), blob, True, False, link)
        for raw_path in others:
            path = fsdecode(raw_path)
            try:
                st = lstat(base + path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            found[path] = FileEntry(
                path, st.st_size, None, False, True, stat.S_ISLNK(st.st_mode), st.st_mtime_ns
            )
        return dict(sorted(found.items()))

    def _blob_sizes(self, blobs: list[str]) -> dict[str, int]:
        out = self._git(
            "cat-file", "--batch-check=%(objectname) %(objectsize)", input="\n".join(blobs).encode() + b"\n"
        )
        sizes: dict[str, int] = {}
        for line in (out or b"").decode(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                sizes[parts[0]] = int(parts[1])
        return sizes

    def _walk_entries(self) -> dict[str, FileEntry]:
        import pathspec

        found: dict[str, FileEntry] = {}
        specs: list[tuple[str, Any]] = []  # (directory prefix, spec) of every .gitignore seen so far

        def ignored(rel: str, is_dir: bool) -> bool:
            probe = rel + "/" if is_dir else rel
            return any(probe.startswith(base) and spec.match_file(probe[len(base) :]) for base, spec in specs)

        stack = [""]
        while stack:
            rel_dir = stack.pop()
            directory = self.root / rel_dir if rel_dir else self.root
            gitignore = directory / ".gitignore"
            try:
                if gitignore.is_file() and not gitignore.is_symlink():
                    lines = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
                    specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError as exc:
                self.note(rel_dir + ".gitignore", f"unreadable: {exc.strerror or exc}")
            try:
                with os.scandir(directory) as it:
                    children = sorted(it, key=lambda d: d.name)
            except OSError as exc:
                self.note(rel_dir.rstrip("/") or ".", f"directory not listed: {exc.strerror or exc}")
                continue
            for child in children:
                rel = rel_dir + child.name
                try:
                    is_link = child.is_symlink()
                    is_dir = not is_link and child.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if child.name == ".git" or ignored(rel, True):
                        continue
                    stack.append(rel + "/")
                    continue
                if ignored(rel, False):
                    continue
                try:
                    st = child.stat(follow_symlinks=False)
                except OSError as exc:
                    self.note(rel, f"not listed: {exc.strerror or exc}")
                    continue
                if not (is_link or stat.S_ISREG(st.st_mode)):
                    continue
                found[rel] = FileEntry(rel, st.st_size, None, False, True, is_link, st.st_mtime_ns)
        return dict(sorted(found.items()))

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
        shared = self._shared
        if full in shared.contents:
            return shared.contents[full]
        if shared.cache is None:
            data = self._read(path)
        else:  # the notes of a read are replayed whenever a cached answer about this file is used
            before = len(shared.notes)
            data = self._read(path)
            shared.cache.read_done(full, list(shared.notes.values())[before:])
        shared.contents[full] = data
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
            self._shared.unstable.add(self._full(path))
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
            self._shared.unstable.add(self._full(path))
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

    def contains(self, path: str, *needles: bytes) -> bool:
        """Byte-level prefilter: does the file hold any of ``needles``? Cheap; no parsing (and answered from
        the audit cache, without reading the file, when it is unchanged since the last run)."""
        return bool(self.grep((path,), *needles))

    def grep(self, paths: Iterable[str], *needles: bytes) -> list[str]:
        """The paths whose bytes contain any of ``needles`` (see :meth:`contains`)."""
        shared = self._shared
        contents, cache, prefix = shared.contents, shared.cache, self.prefix
        paths = list(paths)
        known = cache.contains_many([prefix + p for p in paths], needles) if cache is not None else None
        found = []
        for i, path in enumerate(paths):
            if known is not None and known[i] is not None:
                if known[i]:
                    found.append(path)
                continue
            full = prefix + path
            data = contents[full] if full in contents else self.read_bytes(path)
            answer = False
            if data is not None:
                for needle in needles:
                    if needle in data:
                        answer = True
                        break
            if cache is not None:
                cache.put_contains(full, needles, answer)
            if answer:
                found.append(path)
        return found

    def note(self, path: str, message: str) -> None:
        full = self._full(path)
        self._shared.notes.setdefault((full, message), Note(full, message))

    @property
    def notes(self) -> list[Note]:
        return list(self._shared.notes.values())

    # ---------------------------------------------------------------------------------------------- memo
    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute a fact of this view once (keyed per view) and keep it."""
        full_key = (self.prefix, key)
        memo = self._shared.memo
        if full_key not in memo:
            memo[full_key] = compute()
        return memo[full_key]

    def shared_memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Like :meth:`memo`, but shared by every view: for per-file facts keyed by the file's full path."""
        memo = self._shared.memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]

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
        shared = self._shared
        key = ("file_fact", kind, full)
        seen = shared.memo.get(key)
        if seen is not None:  # (view prefix, value) of the view that asked first
            prefix, value = seen
            if prefix == self.prefix or decode is None:
                return value
            # the same data seen from another view (sub-project): values that name their file (a parse's
            # evidence) are rebuilt for this view's path, without computing them again
            view_key = (*key, self.prefix)
            if view_key not in shared.memo:
                try:
                    shared.memo[view_key] = decode(encode(value) if encode is not None else value)
                except Exception:
                    shared.memo[view_key] = value
            return shared.memo[view_key]
        cache = shared.cache
        if cache is not None:
            found, raw = cache.get_fact(full, kind)
            if found:
                try:
                    value = decode(raw) if decode is not None else raw
                except Exception:  # a cached value this code cannot read: compute it again
                    pass
                else:
                    shared.memo[key] = (self.prefix, value)
                    return value
        before = len(shared.notes)
        value = compute()
        shared.memo[key] = (self.prefix, value)
        if cache is not None:
            notes = list(shared.notes.values())[before:]
            try:
                raw = encode(value) if encode is not None else value
            except Exception:
                return value
            cache.put_fact(full, kind, raw, notes)
        return value

    def has_file_fact(self, kind: str, path: str) -> bool:
        """Whether :meth:`file_fact` would answer without computing (in memory, or in the audit cache)."""
        full = self._full(path)
        if ("file_fact", kind, full) in self._shared.memo:
            return True
        cache = self._shared.cache
        return cache is not None and cache.has_fact(full, kind)

    def use_cache(self, cache: Any) -> None:
        """Answer per-file questions from ``cache`` (an :class:`mlops_audit.cache.AuditCache`) from now on."""
        self._shared.cache = cache

    def option(self, check_id: str, name: str, default: T) -> T:
        """A per-check option from the configuration (``[tool.mlops-audit.options.ID]``)."""
        return self.options.get(check_id, {}).get(name, default)

    # ------------------------------------------------------------------------------------------ sub-projects
    def subproject(self, prefix: str) -> Repo:
        """A view of the sub-directory ``prefix`` that shares this repository's file cache and notes."""
        prefix = prefix.strip("/") + "/"
        view = object.__new__(Repo)
        view.__dict__.update(
            root=self.root,
            prefix=self.prefix + prefix,
            options=self.options,
            _shared=self._shared,
            _exclude=self._exclude,
            _use_git=self._use_git,
            git_root=self.git_root,
        )
        view.__dict__["_all_entries"] = self._all_entries
        return view

    def __iter__(self) -> Iterator[FileEntry]:
        return iter(self.entries.values())

    def __repr__(self) -> str:
        return f"Repo({str(self.root)!r}, prefix={self.prefix!r})"


class _GitRun:
    """A git process whose output a thread drains as it comes (a full pipe would stall git meanwhile)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        import threading

        self.proc = proc
        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        stream = self.proc.stdout
        if stream is None:
            return
        try:
            while chunk := stream.read(1 << 16):
                self.chunks.append(chunk)
        except (OSError, ValueError):
            pass

    def result(self) -> bytes | None:
        self.thread.join(_GIT_TIMEOUT)
        try:
            code = self.proc.wait(timeout=1 if self.thread.is_alive() else _GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.cancel()
            return None
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return b"".join(self.chunks) if code == 0 and not self.thread.is_alive() else None

    def cancel(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.thread.join(1)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def memoized(fn: Callable[[Repo], T]) -> Callable[[Repo], T]:
    """Decorator for fact functions ``f(repo)``: computed once per repository view, then reused."""
    key = f"{fn.__module__}.{fn.__qualname__}"

    def wrapper(repo: Repo) -> T:
        return repo.memo(key, lambda: fn(repo))

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _rebase(entry: FileEntry, path: str) -> FileEntry:
    return _replace_entry(entry, path=path)


def _replace_entry(entry: FileEntry, **changes: Any) -> FileEntry:
    fields = {name: getattr(entry, name) for name in FileEntry.__slots__}
    fields.update(changes)
    return FileEntry(**fields)


def _glob_match(path: str, pattern: str) -> bool:
    if "**/" in pattern:
        tail = pattern.split("**/")[-1]
        head = pattern.split("**/")[0]
        return path.startswith(head) and any(
            fnmatch.fnmatchcase("/".join(path.split("/")[i:]), tail) for i in range(path.count("/") + 1)
        )
    return PurePosixPath(path).match(pattern) if "/" not in pattern else fnmatch.fnmatchcase(path, pattern)

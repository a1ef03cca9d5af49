"""The audit cache: per-file derived data (byte-prefilter answers, parses) kept between runs, keyed by content.

A file's key is its path plus its git blob hash when git says the working-tree file is the indexed one (free
from ``git ls-files -s``), else its size and modification time in nanoseconds. The whole cache of one audited
tree is one file, named by the tree's path, the auditor's version (and a stamp of its code), the installed
plugins and the configuration fingerprint; a file of another version or configuration is simply not the one
looked up. It lives outside the audited tree by default: ``$MLOPS_AUDIT_CACHE_DIR``, else the configuration's
``cache-dir`` (relative to the audited root), else ``$XDG_CACHE_HOME/mlops-audit`` or
``~/.cache/mlops-audit``.

Whole-tree results (checks, report facts, inventories) are kept in a ``.tree`` file under a digest of the whole
file list and every file's key: an unchanged tree reuses them all. After an edit they are reused too when the
edit changes nothing they saw (the early cut-off of build systems): the ``.seen`` file keeps the file list with
each file's key, flags and size, the files read outside the recorded channels and every size compared, and
each edited file is asked again every question the last run asked of it (prefilters, per-file facts, source
questions; compared by value, notes included). Whole-tree results see files through nothing else (see
:meth:`~mlops_audit.repo.Repo.channel`), so when every answer is alike none of them can differ.

The per-file records are one file (``.cache``) plus a small journal beside it (``.delta``): a run that adds or
changes a few records (an edit) writes only those to the journal, named by the records file it extends; the
records file is written whole (and the journal dropped) when the journal outgrows an eighth of it or 256
records. The ``.seen`` file names the records it relies on, so reuse after an edit never trusts records older
than those its last run wrote.

The format is ``marshal`` of plain data only (never pickle: nothing in it can run code when read), behind a
magic line and a CRC-32 of the payload; a corrupt, truncated or foreign file is ignored and rewritten, never an
error. Writes are atomic (a temporary file, then ``os.replace``) and happen only when something changed. Every
I/O problem turns the cache off for the run; the audit itself never depends on it.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .cache_protocol import fact_blob, read_fact_blob
from .model import fact_from_plain, fact_to_plain, result_from_plain, result_to_plain

if TYPE_CHECKING:
    from .config import Config
    from .repo import Note, Repo

#: Bump when the layout of the cache file changes.
FORMAT = 6
MAGIC = b"mlops-audit-cache\n"
ENV_VAR = "MLOPS_AUDIT_CACHE_DIR"
#: Cache files kept in the cache directory (one per audited tree and configuration); the oldest go first.
MAX_FILES = 64
#: Reuse the last run's whole-tree results after an edit of at most this many files (each is read again).
MAX_EDITED = 64
#: A file modified less than this long before the run may still change within the same timestamp tick
#: ("racy" in git's words): its answers are used in this run but not stored when keyed by mtime.
RACY_NS = 2_000_000_000
#: The journal of records (``.delta``) holds at most this many records, or an eighth of the records file if
#: that is more; past it the records file is written whole again.
DELTA_RECORDS = 256


def default_dir() -> Path:
    """``$XDG_CACHE_HOME/mlops-audit``, or ``~/.cache/mlops-audit``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "mlops-audit"


def cache_dir(root: Path, config: Config | None = None) -> Path:
    """Where the cache of the tree at ``root`` lives (see the module docstring for the order)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().absolute()
    if config is not None and config.cache_dir:
        path = Path(config.cache_dir).expanduser()
        return path if path.is_absolute() else root / path
    return default_dir()


def code_stamp() -> str:
    """The auditor's version plus the names, sizes and mtimes of its modules: an edited (editable) install
    never reads the answers of the code it replaced."""
    package = Path(__file__).parent
    parts = [__version__, sys.version.split()[0]]
    stack = [package]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                for item in sorted(it, key=lambda d: d.name):
                    if item.name.endswith(".py"):
                        st = item.stat()
                        parts.append(f"{item.path[len(str(package)) :]}:{st.st_size}:{st.st_mtime_ns}")
                    elif item.is_dir() and not item.name.startswith((".", "_")):
                        stack.append(Path(item.path))
        except OSError:
            parts.append(f"{directory}:?")
    return _digest("\n".join(parts))


def _digest(text: str) -> str:
    data = text.encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data) & 0xFFFF:04x}"


class AuditCache:
    """The cache of one audit run: the records read at the start, the records to write at the end. It serves
    its repository as a :class:`~mlops_audit.cache_protocol.FactCache` and the engine with whole-tree results.

    Of the repository (not a sub-project view) it uses only: ``root``, ``exclude``, ``git_listing()``,
    ``git_root``, ``all_entries`` (paths with their blob hashes, sizes and mtimes), ``unstable`` (files whose
    read failed), ``notes`` and ``note()`` (to replay the notes of cached answers).

    A record is ``[known, answers, read_notes, facts]``: two bit masks over the table of needle sets asked of
    :meth:`Repo.contains` (bit ``i`` of ``known`` set: needle set ``i`` was asked; of ``answers``: it was
    found), the notes reading the file made (None: never read), and ``{kind: marshalled (value, notes)}`` of
    :meth:`Repo.file_fact` values, decoded only when asked for. Each record is kept marshalled on its own and
    decoded when its file is looked up: reuse after an edit reads the records of the edited files only.
    """

    def __init__(self, repo: Repo, path: Path, header: tuple[Any, ...]) -> None:
        self.repo = repo
        self.path = path
        self.header = header
        self.started_ns = time.time_ns()
        self._tree: tuple[str, dict[Any, Any], list[Any]] | None = None  # the last run's whole-tree results
        self._tree_state: str | None = None  # "hit", "miss" or "off" once decided
        self._tree_digest: str | None = None
        self._tree_new: dict[Any, Any] = {}
        self._tree_moved = False  # reused after an edit: kept again under the new digest
        self._edited: list[int] = []  # then, the positions of the edited files in the file list
        self._seen: tuple[Any, ...] | None = None  # the last run's seen file, once read (() if unusable)
        self._needles: list[tuple[bytes, ...]] = []
        self._bits: dict[tuple[bytes, ...], int] = {}
        self._old: dict[str, bytes] = {}  # the records read, each still marshalled (decoded when looked up)
        self._token = ""  # names the records file read; its journal names it too
        self._generation = 0  # how many times the journal read was written since the records file was
        self._journal: dict[str, bytes] = {}  # the records of that journal
        self._read_state: tuple[str, int] | None = None  # (token, generation) of the records as read
        self._decoded: dict[str, list[Any] | None] = {}
        self._new: dict[str, list[Any]] = {}  # records touched in this run (copies of the old ones)
        self._keys: dict[str, str | None] = {}
        self._replayed: set[str] = set()
        self._racy: set[str] = set()
        self._records_loaded = False
        self._records_ok = False
        self.hits = 0
        self.misses = 0
        # The whole-tree results are small and read first; the per-file records (tens of megabytes on a
        # large tree) only when a per-file answer is asked for, which an unchanged tree never does.
        tree = _read(self.tree_path, self.header)
        if _valid_tree(tree):
            self._tree = tree

    @property
    def tree_path(self) -> Path:
        return self.path.with_suffix(".tree")

    @property
    def delta_path(self) -> Path:
        """The journal of records added or changed since the records file was written whole."""
        return self.path.with_suffix(".delta")

    @property
    def seen_path(self) -> Path:
        """What the last run's whole-tree results saw of the tree (read only after an edit)."""
        return self.path.with_suffix(".seen")

    @property
    def loaded(self) -> bool:
        """Whether a sound records file of this very header was found (reads it if not done yet)."""
        self._ensure_records()
        return self._records_ok

    # ----------------------------------------------------------------------------------------- file format
    def _ensure_records(self) -> None:
        if self._records_loaded:
            return
        self._records_loaded = True
        data = _read(self.path, self.header)
        if not _valid_records(data):  # absent, corrupt or foreign: ignored, rewritten at the end
            return
        self._token, self._needles, self._old = data
        delta = _read(self.delta_path, self.header)
        # a journal of another records file (written whole since) is simply stale: that file holds its records
        if (
            _valid_delta(delta)
            and delta[0] == self._token
            and delta[2][: len(self._needles)] == self._needles
        ):
            self._generation, self._needles, self._journal = delta[1], delta[2], delta[3]
            self._old.update(self._journal)
        self._bits = {needles: i for i, needles in enumerate(self._needles)}
        self._records_ok = True
        self._read_state = (self._token, self._generation)

    def save(self) -> bool:
        """Write what changed (the records of the files still in the tree, the whole-tree results); never
        raises."""
        wrote = False
        try:
            tree = self._tree_to_keep() if self._tree_new or self._tree_moved else None
            # reused after an edit of files too recent to be kept: the records stay as they were read
            unchanged = tree is None and self._tree_moved and all(k in self._racy for k in self._new)
            if self._records_loaded and not unchanged:
                wrote = self._save_records(tree_stays=tree is None)
            if tree is not None:
                seen = self._seen_to_keep(tree[0])
                if seen is None:
                    _unlink(self.seen_path)
                _write(self.tree_path, self.header, tree)
                if seen is not None:
                    _write(self.seen_path, self.header, seen)
                wrote = True
            if wrote:
                _evict(self.path.parent, keep=self.path)
        except (OSError, ValueError):  # unwritable cache directory, unmarshallable value: no cache this time
            return False
        return wrote

    def _save_records(self, tree_stays: bool) -> bool:
        """Write the records that are new or changed since they were read: to the journal when they are few,
        else the records file whole (and no journal). Whether anything was written."""
        if self._records_ok:
            fresh = self._fresh_records()
            if not fresh:
                return False
            if len(self._journal.keys() | fresh) <= max(DELTA_RECORDS, len(self._old) // 8):
                journal = {**self._journal, **{key: marshal.dumps(self._new[key]) for key in fresh}}
                self._generation += 1
                _write(self.delta_path, self.header, (self._token, self._generation, self._needles, journal))
                self._journal = journal
                return True
        records = self._records_to_keep(tree_stays)
        if not self._differ(records):
            return False
        encoded = {k: r if type(r) is bytes else marshal.dumps(r) for k, r in records.items()}
        self._token, self._generation, self._journal = os.urandom(8).hex(), 0, {}
        _write(self.path, self.header, (self._token, self._needles, encoded))
        _unlink(self.delta_path)
        return True

    def _fresh_records(self) -> set[str]:
        """The keys of the records touched in this run that differ from those read, of the files that may be
        kept (not too recently modified, read without an OS error)."""
        unstable, racy, old = self.repo.unstable, self._racy, self._old
        return {
            key
            for key, record in self._new.items()
            if key not in racy
            and key.partition("\0")[0] not in unstable
            and (key not in old or self._old_record(key) != record)
        }

    def _records_to_keep(self, tree_stays: bool) -> dict[str, list[Any] | bytes]:
        """The records of the files of the tree as it is (as read, or touched in this run); while the last run's
        whole-tree results stay (this run keeps none), also theirs of files that changed since (what reuse
        after the next edit compares)."""
        out: dict[str, list[Any] | bytes] = {}
        unstable = self.repo.unstable
        new, old, racy = self._new, self._old, self._racy
        for path in self.repo.all_entries:
            key = self.key(path)
            if key is None or key in racy or path in unstable:
                continue
            record: list[Any] | bytes | None = new.get(key) or old.get(key)
            if record is not None:
                out[key] = record
        seen = self._last_seen() if tree_stays and self._tree is not None else None
        if seen is not None:
            for path, tail in zip(seen[1], seen[2], strict=True):
                key = f"{path}\0{tail}"
                if tail is not None and key not in out and key in old:
                    out[key] = old[key]
        return out

    # ------------------------------------------------------------------------------------ whole-tree results
    def tree_value(self, key: Any, compute: Any, codec: str) -> Any:
        """A result of the whole audit (a check's result, a fact, an inventory list): from the last run when
        every file, the configuration and the auditor are as they were then, else computed (and kept)."""
        if self._tree_state is None:
            self._tree_state = self._decide_tree()
        if self._tree_state == "hit" and self._tree is not None and key in self._tree[1]:
            try:
                self.hits += 1
                return _DECODERS[codec](self._tree[1][key])
            except Exception:  # a value this code cannot read: compute it again
                pass
        value = compute()
        if self._tree_state != "off":
            try:
                encoded = _ENCODERS[codec](value)
                marshal.dumps(encoded)
            except Exception:
                self._tree_state = "off"  # one value that cannot be kept: keep none
            else:
                self._tree_new[key] = encoded
        return value

    def _decide_tree(self) -> str:
        digest = self.tree_digest()
        self._tree_digest = digest
        if self._tree is not None and digest is not None and self._tree[0] == digest:
            return "hit"
        if self._tree is not None and self._edits_change_nothing():
            self._tree_moved = True
            return "hit"  # kept again under the new digest (not at all when some file is too new to trust)
        return "off" if digest is None else "miss"

    # --------------------------------------------------------------------------------- reuse after an edit
    def _edits_change_nothing(self) -> bool:
        """Whether the last run's whole-tree results hold for this tree although some files changed (the early
        cut-off of build systems): the same files (tracked, present, links alike), and each edited file
        answers every question the last run asked of it as it did then: every prefilter's search, every
        per-file fact (made again, compared by value, notes included), every comparison of its size; and
        nothing read its bytes outside those channels (:attr:`Repo.raw_reads`). Whole-tree results see files
        through nothing else, so none of them can differ."""
        seen = self._last_seen()
        if seen is None:
            return False
        _, paths, keys, flags, sizes, observed, raw, limits, _ = seen
        entries = self.repo.all_entries
        if len(entries) != len(paths) or list(entries) != paths or _flags(entries) != flags:
            return False
        edited = [i for i, tail in enumerate(self._tails(entries)) if tail != keys[i]]
        if len(edited) > MAX_EDITED:
            return False
        raw_set = set(raw)
        self._ensure_records()
        for i in edited:
            path = paths[i]
            if keys[i] is None or path in raw_set:
                return False
            size = entries[path].size or 0
            if any(_side(sizes[i], limit) != _side(size, limit) for limit in limits):
                return False
            old = self._old_record(f"{path}\0{keys[i]}")
            if old is None and observed[i]:
                return False  # its record is lost: what the last run asked of it is not known
            if old is not None and not self._answers_alike(path, old):
                return False
        self._edited = edited
        return True

    def _answers_alike(self, path: str, old: list[Any]) -> bool:
        """Whether the file at ``path`` now answers what the last run asked of it (its ``old`` record) alike."""
        repo = self.repo
        from .repo import fact_maker

        with repo.channel(path):
            repo.read_bytes(path)
        new = self._record(path)
        if new is None:
            return False
        known, answers = old[0], old[1]
        bit = 0
        while known >> bit:
            if known >> bit & 1 and bool(repo.grep([path], *self._needles[bit])) != bool(answers >> bit & 1):
                return False
            bit += 1
        # the notes are compared all together: which fact made a note depends on which was asked first (an
        # import scan that falls back to the parse carries the parse's note when it asked for it)
        old_notes, new_notes = set(_notes(old[2])), set(_notes(new[2]))
        for kind, blob in old[3].items():
            maker = fact_maker(kind)
            if maker is None:
                return False
            try:
                maker(repo, path)
                made = new[3].get(kind)
                if made is None:
                    return False
                (old_value, old_made), (new_value, new_made) = read_fact_blob(blob), read_fact_blob(made)
            except Exception:  # a fact that cannot be made or read again: nothing to compare, no reuse
                return False
            if old_value != new_value:
                return False
            old_notes.update(_notes(old_made))
            new_notes.update(_notes(new_made))
        return old_notes == new_notes

    def _last_seen(self) -> tuple[Any, ...] | None:
        """What the last run's kept whole-tree results saw (None: not known)."""
        if self._seen is None:
            seen = _read(self.seen_path, self.header)
            valid = _valid_seen(seen) and self._tree is not None and seen[0] == self._tree[0]
            if valid:  # the records it relies on, or newer ones (a journal only adds to what it had)
                self._ensure_records()
                token, generation = seen[8]
                read = self._read_state
                valid = read is not None and token == read[0] and generation <= read[1]
            self._seen = seen if valid else ()
        return self._seen or None

    def _seen_to_keep(self, digest: str) -> tuple[Any, ...] | None:
        """What the kept whole-tree results saw: the file list with each file's key, flags and size and whether
        it has a record (something was asked of it), the files read outside the recorded channels and the sizes
        compared (this run's, plus the last run's for the results reused from it)."""
        repo = self.repo
        raw, limits = set(repo.raw_reads), set(repo.size_limits)
        old = None
        if self._tree_state == "hit":
            old = self._last_seen()
            if old is None:
                return None
            raw.update(old[6])
            limits.update(old[7])
        self._ensure_records()
        entries = repo.all_entries
        new, old_records = self._new, self._old
        state = (self._token, self._generation)
        if self._tree_moved and old is not None:
            # the same files, flags alike: only the edited files, and those asked something in this run, differ
            paths, tails, flags, sizes, observed = (
                old[1],
                list(old[2]),
                old[3],
                list(old[4]),
                bytearray(old[5]),
            )
            for i in self._edited:
                sizes[i] = entries[paths[i]].size or 0
            asked = {key.partition("\0")[0] for key in new}.difference(paths[i] for i in self._edited)
            where = {path: i for i, path in enumerate(paths)} if asked else {}
            for i in [*self._edited, *(where[path] for path in asked)]:
                key = self.key(paths[i])
                tails[i] = _key_tail(paths[i], key)
                observed[i] = key is not None and (key in new or key in old_records)
            return (digest, paths, tails, flags, sizes, bytes(observed), sorted(raw), sorted(limits), state)
        paths = list(entries)
        keys = [self.key(p) for p in paths]
        return (
            digest,
            paths,
            [_key_tail(p, k) for p, k in zip(paths, keys, strict=True)],
            _flags(entries),
            [e.size or 0 for e in entries.values()],
            bytes(k is not None and (k in new or k in old_records) for k in keys),
            sorted(raw),
            sorted(limits),
            state,
        )

    def _tails(self, entries: dict[str, Any]) -> Iterator[str | None]:
        """Each file's key without its path, in the listing's order (a file git reports unchanged: its blob,
        without building its key)."""
        key = self.key
        for path, entry in entries.items():
            blob = entry.blob
            if blob is not None and not entry.modified and entry.present:
                yield blob
            else:
                yield _key_tail(path, key(path))

    def tree_digest(self) -> str | None:
        """A digest of the whole file list with every file's key; None when some file cannot be trusted."""
        try:  # the C module hashlib wraps, without hashlib's OpenSSL start-up cost
            from _blake2 import blake2b
        except ImportError:  # pragma: no cover - other Python implementations
            from hashlib import blake2b

        repo = self.repo
        # git's raw listing, unless exclusions leave some of it out of the audit: the indexed blobs are named
        # in it, so only the changed and untracked files need their size and mtime (no entries are built)
        output = None if repo.exclude else repo.git_listing()
        if output is not None:
            top, listing = output
            digest = blake2b(listing, digest_size=20)
            base = str(repo.root) + os.sep
            parts = [f"git:{top!r}"]
            for record in listing.split(b"\0"):
                tag = record[:2]
                if tag != b"C " and tag != b"? ":
                    continue
                path = os.fsdecode(record.partition(b"\t")[2] if tag == b"C " else record[2:])
                try:
                    st = os.lstat(base + path)
                except OSError:
                    parts.append(f"{path}\0absent")
                    continue
                if st.st_mtime_ns > self.started_ns - RACY_NS:
                    return None
                parts.append(f"{path}\0{st.st_size}:{st.st_mtime_ns}:{st.st_mode}")
            digest.update("\n".join(parts).encode("utf-8", "surrogateescape"))
            return digest.hexdigest()
        entries = repo.all_entries
        digest = blake2b(digest_size=20)
        parts = []
        for path, entry in entries.items():
            key = self.key(path)
            if key in self._racy:
                return None
            parts.append(f"{path}\0{key}\0{entry.tracked:d}{entry.present:d}{entry.symlink:d}{entry.blob}")
        parts.append(f"git:{repo.git_root}")
        digest.update("\n".join(parts).encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    @property
    def tree_hit(self) -> bool:
        """Whether this run reuses the last run's whole-tree results (decided on first use)."""
        if self._tree_state is None:
            self._tree_state = self._decide_tree()
        return self._tree_state == "hit"

    def finish(self) -> None:
        """End of the audit: give the repository the notes of reused results, then write the cache."""
        if self._tree_state == "hit" and self._tree is not None:
            self._add_notes(self._tree[2])
        self.save()

    def _tree_to_keep(self) -> tuple[str, dict[Any, Any], list[Any]] | None:
        if self._tree_state == "off" or self._tree_digest is None or self.repo.unstable:
            return None
        notes = [(n.path, n.message) for n in self.repo.notes]
        if self._tree_state == "hit" and self._tree is not None:
            values = {**self._tree[1], **self._tree_new}
            notes = list(dict.fromkeys([*self._tree[2], *notes]))
        else:
            values = self._tree_new
        return (self._tree_digest, values, notes)

    # ------------------------------------------------------------------------------------------ file keys
    def key(self, path: str) -> str | None:
        """The content key of the file at ``path`` (relative to the audited root), or None: not cacheable."""
        try:
            return self._keys[path]
        except KeyError:
            pass
        entry = self.repo.all_entries.get(path)
        key: str | None = None
        if entry is not None and entry.present:
            if entry.blob is not None and not entry.modified:
                key = f"{path}\0{entry.blob}"
            elif entry.mtime_ns is not None and entry.size is not None:
                key = f"{path}\0{entry.size}:{entry.mtime_ns}"
                if entry.mtime_ns > self.started_ns - RACY_NS:
                    self._racy.add(key)
        self._keys[path] = key
        return key

    def _old_record(self, key: str) -> list[Any] | None:
        """The record read for ``key``, decoded on first use (None: none, or not a sound one)."""
        try:
            return self._decoded[key]
        except KeyError:
            pass
        record = None
        raw = self._old.get(key)
        if raw is not None:
            try:
                record = marshal.loads(raw)
            except Exception:
                record = None
            if not _valid_record(record):
                record = None
        self._decoded[key] = record
        return record

    def _differ(self, records: dict[str, list[Any] | bytes]) -> bool:
        """Whether the records to keep are not those read: nothing to write otherwise (say, when only a file
        too recently modified to be kept was answered anew)."""
        old = self._old
        if len(records) != len(old):
            return True
        for key, record in records.items():
            if type(record) is bytes:
                if old.get(key) is not record:
                    return True
            elif self._old_record(key) != record:
                return True
        return False

    def _lookup(self, path: str) -> list[Any] | None:
        if not self._records_loaded:
            self._ensure_records()
        key = self._keys[path] if path in self._keys else self.key(path)
        if key is None:
            return None
        record = self._new.get(key) or self._old_record(key)
        if record is None or record[2] is None or path in self.repo.unstable:
            return None
        return record

    def _record(self, path: str) -> list[Any] | None:
        if not self._records_loaded:
            self._ensure_records()
        key = self._keys[path] if path in self._keys else self.key(path)
        if key is None or path in self.repo.unstable:
            return None
        record = self._new.get(key)
        if record is None:
            old = self._old_record(key)
            record = [old[0], old[1], old[2], dict(old[3])] if old is not None else [0, 0, None, {}]
            self._new[key] = record
        return record

    def _replay(self, path: str, record: list[Any], notes: Any = ()) -> None:
        """Give the repository the notes a cached answer carries: those of reading the file (once)."""
        if path not in self._replayed:
            self._replayed.add(path)
            self._add_notes(record[2])
        self._add_notes(notes)

    def _add_notes(self, notes: Any) -> None:
        if not notes:
            return
        note = self.repo.note
        for note_path, message in notes:
            note(note_path, message)

    def _bit(self, needles: tuple[bytes, ...]) -> int:
        bit = self._bits.get(needles)
        if bit is None:
            bit = self._bits[needles] = len(self._needles)
            self._needles.append(needles)
        return bit

    # -------------------------------------------------------------------------------------------- answers
    def read_done(self, path: str, notes: list[Note]) -> None:
        """The file was read (its bytes are in memory now): remember the notes reading it made."""
        record = self._record(path)
        if record is not None:
            packed = [(n.path, n.message) for n in notes if n.path == path]
            record[2] = packed

    def get_contains(self, path: str, needles: tuple[bytes, ...]) -> bool | None:
        record = self._lookup(path)
        if record is None:
            self.misses += 1
            return None
        known, answers = record[0], record[1]
        bit = self._bits.get(needles)
        if bit is not None and known >> bit & 1:
            answer = bool(answers >> bit & 1)
        else:  # any needle known to be there answers yes; all of them known to be absent answer no
            answer = False
            for needle in needles:
                single = self._bits.get((needle,))
                if single is None or not known >> single & 1:
                    self.misses += 1
                    return None
                if answers >> single & 1:
                    answer = True
                    break
        self.hits += 1
        if path not in self._replayed:
            self._replay(path, record)
        return answer

    def contains_many(self, paths: list[str], needles: tuple[bytes, ...]) -> list[bool | None]:
        """:meth:`get_contains` for many files at once (the loop every prefilter runs, kept tight)."""
        self._ensure_records()
        bit = self._bits.get(needles)
        if bit is None:
            return [self.get_contains(p, needles) for p in paths]
        mask = 1 << bit
        keys, new, old, decoded, replayed = self._keys, self._new, self._old, self._decoded, self._replayed
        unstable = self.repo.unstable
        out: list[bool | None] = []
        for path in paths:
            key = keys[path] if path in keys else self.key(path)
            record = new.get(key) if key is not None else None
            if record is None and key is not None:
                record = decoded[key] if key in decoded else self._old_record(key) if key in old else None
            if record is None or record[2] is None or not record[0] & mask or path in unstable:
                out.append(self.get_contains(path, needles))  # counts its own hit or miss
                continue
            out.append(bool(record[1] & mask))
            self.hits += 1
            if path not in replayed:
                self._replay(path, record)
        return out

    def put_contains(self, path: str, needles: tuple[bytes, ...], answer: bool) -> None:
        record = self._record(path)
        if record is None:
            return
        mask = 1 << self._bit(needles)
        if not record[0] & mask or bool(record[1] & mask) is not answer:
            record[0] |= mask
            record[1] = record[1] | mask if answer else record[1] & ~mask

    def get_fact(self, path: str, kind: str) -> tuple[bool, Any]:
        record = self._lookup(path)
        blob = record[3].get(kind) if record is not None else None
        if record is None or blob is None:
            self.misses += 1
            return False, None
        try:
            value, notes = read_fact_blob(blob)
        except Exception:
            self.misses += 1
            return False, None
        self.hits += 1
        self._replay(path, record, notes)
        return True, value

    def has_fact(self, path: str, kind: str) -> bool:
        record = self._lookup(path)
        return record is not None and kind in record[3]

    def put_fact(
        self, path: str, kind: str, value: Any, encode: Callable[[Any], Any] | None, notes: list[Note]
    ) -> None:
        try:
            raw = encode(value) if encode is not None else value
        except Exception:  # a value its own encoder cannot turn into plain data: not cached
            return
        record = self._record(path)
        if record is None:
            return
        try:  # plain data only; anything else is simply not cached
            blob = fact_blob(raw, [(n.path, n.message) for n in notes])
        except ValueError:
            return
        self._keep_blob(record, kind, blob)

    def put_fact_blob(self, path: str, kind: str, blob: bytes) -> None:
        record = self._record(path)
        if record is not None:
            self._keep_blob(record, kind, blob)

    def _keep_blob(self, record: list[Any], kind: str, blob: bytes) -> None:
        if record[2] is None:  # computed without reading this file through the repository
            record[2] = []
        record[3][kind] = blob


def open_cache(repo: Repo, config: Config, plugins: Iterable[str] = ()) -> AuditCache | None:
    """The cache for auditing ``repo`` with ``config`` and the installed ``plugins`` (their entry points with
    versions: upgrading one invalidates the cache); None when it cannot be located."""
    try:
        directory = cache_dir(repo.root, config)
        header = (__version__, code_stamp(), tuple(plugins), config.fingerprint(), str(repo.root))
    except (OSError, RuntimeError):  # no home directory, say
        return None
    name = _digest(repr(header))
    return AuditCache(repo, directory / f"{name}.cache", header)


def exclusions(root: Path, config: Config) -> tuple[str, ...]:
    """The cache directory as a pattern to leave out of the audit of the (resolved) ``root`` when it lies inside
    the audited tree (else nothing): the cache's own files are not part of what is audited."""
    try:
        inside = cache_dir(root, config).resolve().relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return ()
    return (f"/{inside.as_posix()}/",) if inside.parts else ()


def _read(path: Path, header: tuple[Any, ...]) -> Any:
    """The payload of a cache file, or None when it is absent or not a sound file of this very header."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    if not blob.startswith(MAGIC):
        return None
    try:
        # marshal reads plain values (and code objects, which are never executed here); the CRC rejects
        # damaged files before the payload is decoded
        start = len(MAGIC) + 4
        end = start + int.from_bytes(blob[len(MAGIC) : start], "little")
        meta = marshal.loads(blob[start:end])
        if not (isinstance(meta, tuple) and len(meta) == 3 and meta[0] == FORMAT and meta[1] == header):
            return None
        payload = memoryview(blob)[end:]  # no copy of a file that may weigh tens of megabytes
        if zlib.crc32(payload) != meta[2]:
            return None
        return marshal.loads(payload)
    except Exception:
        return None


def _write(path: Path, header: tuple[Any, ...], value: Any) -> None:
    """Write a cache file atomically: a temporary file beside it, then a rename."""
    payload = marshal.dumps(value)
    meta = marshal.dumps((FORMAT, header, zlib.crc32(payload)))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.time_ns()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in (MAGIC, len(meta).to_bytes(4, "little"), meta, payload):  # one by one: no copy
                fh.write(part)
        tmp.replace(path)
    except BaseException:
        _unlink(tmp)
        raise


def _valid_records(data: Any) -> bool:
    if not (type(data) is tuple and len(data) == 3 and type(data[0]) is str):
        return False
    _, needles, records = data
    if not (type(needles) is list and type(records) is dict):
        return False
    if not all(type(n) is tuple and all(type(b) is bytes for b in n) for n in needles):
        return False
    return all(type(r) is bytes for r in records.values())


def _valid_record(r: Any) -> bool:
    return (
        type(r) is list
        and len(r) == 4
        and type(r[0]) is int
        and type(r[1]) is int
        and (r[2] is None or type(r[2]) is list)
        and type(r[3]) is dict
    )


def _valid_tree(data: Any) -> bool:
    return type(data) is tuple and len(data) == 3 and type(data[1]) is dict and type(data[2]) is list


def _valid_delta(data: Any) -> bool:
    return (
        type(data) is tuple
        and len(data) == 4
        and type(data[0]) is str
        and type(data[1]) is int
        and _valid_records((data[0], data[2], data[3]))
    )


def _valid_seen(data: Any) -> bool:
    return (
        type(data) is tuple
        and len(data) == 9
        and type(data[8]) is tuple
        and len(data[8]) == 2
        and type(data[8][0]) is str
        and type(data[8][1]) is int
        and type(data[0]) is str
        and all(type(part) is list for part in (data[1], data[2], data[4], data[6], data[7]))
        and type(data[3]) is bytes
        and type(data[5]) is bytes
        and len(data[1]) == len(data[2]) == len(data[3]) == len(data[4]) == len(data[5])
    )


def _flags(entries: dict[str, Any]) -> bytes:
    """One byte per file: tracked, present, symbolic link (what facts may read of the listing besides paths)."""
    return bytes(e.tracked | e.present << 1 | e.symlink << 2 for e in entries.values())


def _key_tail(path: str, key: str | None) -> str | None:
    """A file's key without its path (the seen file lists the paths once)."""
    return None if key is None else key[len(path) + 1 :]


def _side(size: int, limit: float) -> int:
    """-1, 0 or 1: ``size`` below, at or above ``limit``."""
    return (size > limit) - (size < limit)


def _notes(notes: Any) -> list[tuple[str, str]]:
    return [(str(path), str(message)) for path, message in notes or ()]


# Whole-tree values as plain data: check results, report facts, inventory lists.
def _same(value: Any) -> Any:
    return value


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "result": result_to_plain,
    "fact": fact_to_plain,
    "list": list,
    "plain": _same,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "result": result_from_plain,
    "fact": fact_from_plain,
    "list": list,
    "plain": _same,
}


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _evict(directory: Path, keep: Path) -> None:
    """Keep at most :data:`MAX_FILES` caches (records, journal, tree and seen files) and no stale temporary
    files."""
    try:
        with os.scandir(directory) as it:
            files = [
                (e.stat().st_mtime_ns, e.path)
                for e in it
                if e.name.endswith((".cache", ".delta", ".tree", ".seen", ".tmp"))
            ]
    except OSError:
        return
    now = time.time_ns()
    stale = [p for m, p in files if p.endswith(".tmp") and now - m > 3600 * 10**9]
    newest: dict[str, int] = {}
    for mtime, path in files:
        if not path.endswith(".tmp"):
            stem = path.rsplit(".", 1)[0]
            newest[stem] = max(mtime, newest.get(stem, 0))
    own = str(keep).rsplit(".", 1)[0]
    old = sorted((m, stem) for stem, m in newest.items() if stem != own)
    doomed = {stem for _, stem in old[: max(len(old) + 1 - MAX_FILES, 0)]}
    for path in stale + [p for _, p in files if p.rsplit(".", 1)[0] in doomed]:
        _unlink(Path(path))

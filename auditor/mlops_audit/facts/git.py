"""Git facts: ignore rules, LFS patterns, tracked sizes, and the large or binary files kept in git.

Sizes come from git metadata (:class:`~mlops_audit.repo.FileEntry`), so a tracked blob deleted from the working
tree without ``git rm`` still counts. ``.gitignore`` rules are evaluated with pathspec, the way git does it
(deeper files override shallower ones, ``!`` re-includes), so :func:`is_ignored` also answers for paths that do
not exist yet (what ``mlops-audit fix`` needs before appending entries).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..repo import Repo, memoized
from . import FactValue, report_fact

MB = 1_000_000

#: Tabular / array / archive data files.
DATA_SUFFIXES = (
    ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".jsonl", ".ndjson", ".xlsx", ".xls",
    ".npy", ".npz", ".hdf5", ".hdf", ".h5ad", ".tfrecord", ".tfrecords", ".zarr", ".db", ".sqlite", ".sqlite3",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".rar", ".mat", ".sav", ".dta", ".lmdb", ".dat",
    ".arff", ".libsvm", ".svmlight",
)  # fmt: skip
#: Serialised models and checkpoints.
MODEL_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".keras", ".safetensors", ".pb",
    ".tflite", ".mar", ".gguf", ".ggml", ".mlmodel", ".cbm", ".model", ".bin", ".weights", ".caffemodel",
)  # fmt: skip
#: Model files that are unambiguous (``.bin``/``.model``/``.pb`` are too generic to call a model on their own).
STRICT_MODEL_SUFFIXES = (
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".keras", ".safetensors", ".tflite",
    ".mar", ".gguf", ".cbm",
)  # fmt: skip
#: Directories that conventionally hold data.
DATA_DIRS = ("data", "datasets", "dataset", "raw_data", "data_raw")
#: Directories where small data files are test fixtures or examples, not the project's data.
_FIXTURE_PARTS = {"tests", "test", "testing", "fixtures", "fixture", "examples", "example", "docs", "samples"}


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """The ``.gitignore`` line that decides a path."""

    path: str  # the .gitignore file
    line: int
    pattern: str
    include: bool  # True: the path is ignored; False: re-included by a ``!`` rule


@dataclass(frozen=True, slots=True)
class LfsPattern:
    path: str  # the .gitattributes file
    line: int
    pattern: str


@dataclass(frozen=True, slots=True)
class LargeFile:
    path: str
    size: int
    reason: str  # "large" (> max-file-mb) or "data" (data/model file > max-data-mb)
    present: bool  # False: tracked but deleted from the working tree

    @property
    def megabytes(self) -> float:
        return self.size / MB


# ------------------------------------------------------------------------------------------- .gitignore
@memoized
def _ignore_specs(repo: Repo) -> list[tuple[str, str, Any, list[int]]]:
    """(directory prefix, .gitignore path, spec, source line of each pattern), shallowest first."""
    import pathspec

    out = []
    for path in sorted(repo.named(".gitignore"), key=lambda p: (p.count("/"), p)):
        text = repo.read_text(path)
        if text is None:
            continue
        lines: list[str] = []
        numbers: list[int] = []
        for number, raw in enumerate(text.splitlines(), 1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            lines.append(raw.rstrip("\n\r"))
            numbers.append(number)
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(lines)
        except Exception as exc:  # pathspec raises its own error types on odd patterns
            repo.note(path, f"unreadable ignore patterns: {exc}")
            continue
        base = path[: -len(".gitignore")]
        out.append((base, path, spec, numbers))
    return out


def ignore_rule(repo: Repo, path: str, *, is_dir: bool = False) -> IgnoreRule | None:
    """The last ``.gitignore`` rule that matches ``path`` (which need not exist), or ``None``.

    A directory path (``is_dir=True`` or ending in ``/``) is matched as a directory; a file is also ignored when
    one of its parent directories is.
    """
    path = path.lstrip("/")
    if path.endswith("/"):
        is_dir, path = True, path.rstrip("/")
    probes = []
    parts = path.split("/")
    for i in range(1, len(parts)):  # parents first: an ignored directory hides everything below it
        probes.append("/".join(parts[:i]) + "/")
    probes.append(path + "/" if is_dir else path)
    for probe in probes:
        decided: IgnoreRule | None = None
        for base, gi_path, spec, numbers in _ignore_specs(repo):
            if not probe.startswith(base):
                continue
            result = spec.check_file(probe[len(base) :])
            if result.include is not None and result.index is not None:
                pattern = spec.patterns[result.index]
                decided = IgnoreRule(
                    gi_path, numbers[result.index], str(getattr(pattern, "pattern", "")), result.include
                )
        if decided is not None and decided.include:
            return decided
        if decided is not None and probe is probes[-1]:
            return decided
    return None


def ignore_rules_under(repo: Repo, directory: str) -> list[IgnoreRule]:
    """The ignoring rules of the ``.gitignore`` files inside ``directory`` (at any depth, the directory's own
    included): the per-folder files that ``dvc add`` writes (``data/raw/.gitignore`` with ``/train.csv``) keep
    that folder's data out of git even when no root rule names it. First rule of each file."""
    prefix = directory.strip("/") + "/"
    out = []
    for base, gi_path, spec, numbers in _ignore_specs(repo):
        if not base.startswith(prefix):
            continue
        for index, pattern in enumerate(spec.patterns):
            if getattr(pattern, "include", None):
                out.append(IgnoreRule(gi_path, numbers[index], str(getattr(pattern, "pattern", "")), True))
                break
    return out


_TEMPLATE_QUESTIONS = ("cookiecutter.json", "copier.yml", "copier.yaml")


@memoized
def generated_project_dirs(repo: Repo) -> list[str]:
    """The templated directories of a project template (``{{ cookiecutter.repo_name }}/``) that become the
    generated project's root: a directory whose name holds ``{{`` next to a cookiecutter or copier question
    file. The ``.gitignore`` there is the generated project's own."""
    out: list[str] = []
    for question in repo.named(*_TEMPLATE_QUESTIONS):
        parent = question.rsplit("/", 1)[0] + "/" if "/" in question else ""
        for path in repo.paths:
            if not path.startswith(parent):
                continue
            head = path[len(parent) :].split("/", 1)[0]
            if "{{" in head and "/" in path[len(parent) :] and parent + head not in out:
                out.append(parent + head)
    return out


def template_ignore_rule(repo: Repo, path: str, *, is_dir: bool = False) -> IgnoreRule | None:
    """For a project template: the rule that ignores ``path`` in every project it generates (``path`` probed
    inside each :func:`generated_project_dirs`), or ``None`` (not a template, or one of them keeps it)."""
    found: IgnoreRule | None = None
    for root in generated_project_dirs(repo):
        rule = ignore_rule(repo, f"{root}/{path.lstrip('/')}", is_dir=is_dir)
        if rule is None or not rule.include:
            return None
        found = found or rule
    return found


def is_ignored(repo: Repo, path: str, *, is_dir: bool = False) -> bool:
    """Would git ignore ``path`` (an existing or a future file; ``data/`` for a directory)?"""
    rule = ignore_rule(repo, path, is_dir=is_dir)
    return rule is not None and rule.include


# ------------------------------------------------------------------------------------------- .gitattributes
@memoized
def lfs_patterns(repo: Repo) -> list[LfsPattern]:
    """Patterns routed to git-lfs (``filter=lfs``) in every ``.gitattributes``, rebased to the root."""
    out = []
    for path in repo.named(".gitattributes"):
        text = repo.read_text(path) or ""
        base = path[: -len(".gitattributes")]
        for number, raw in enumerate(text.splitlines(), 1):
            fields = raw.split()
            if len(fields) < 2 or fields[0].startswith("#"):
                continue
            if "filter=lfs" in fields[1:]:
                pattern = fields[0]
                out.append(LfsPattern(path, number, base + pattern.lstrip("/") if base else pattern))
    return out


def is_lfs(repo: Repo, path: str) -> bool:
    """Is ``path`` stored in git-lfs according to ``.gitattributes``?"""
    patterns = lfs_patterns(repo)
    if not patterns:
        return False
    import pathspec

    spec = repo.memo("git.lfs_spec", lambda: pathspec.GitIgnoreSpec.from_lines([p.pattern for p in patterns]))
    return spec.match_file(path)


# ------------------------------------------------------------------------------------------- files
def is_data_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(DATA_SUFFIXES)


def is_model_file(path: str, *, strict: bool = True) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(STRICT_MODEL_SUFFIXES if strict else MODEL_SUFFIXES)


def is_fixture_path(path: str) -> bool:
    """Under tests/, fixtures/, examples/ or docs/: small data there is a fixture, not project data."""
    return any(part.lower() in _FIXTURE_PARTS for part in path.split("/")[:-1])


def in_data_dir(path: str) -> bool:
    return any(part.lower() in DATA_DIRS for part in path.split("/")[:-1])


@memoized
def data_files(repo: Repo) -> list[str]:
    """Data files listed in the tree (tracked, or untracked and not ignored), fixtures and package data
    (:func:`package_data`) excluded."""
    found = [p for p in repo.entries if is_data_file(p) and not is_fixture_path(p)]
    shipped = package_data(repo, found)
    return [p for p in found if p not in shipped]


def package_data(repo: Repo, paths: list[str]) -> set[str]:
    """The ``paths`` that are a Python package's own resources, not a dataset: the file sits in a package
    directory (one with ``__init__.py``) whose modules name it (``bpe_simple_vocab_16e6.txt.gz`` read by the
    package's tokenizer)."""
    out: set[str] = set()
    by_folder = _modules_by_folder(repo)
    for path in paths:
        folder, _, name = path.rpartition("/")
        if not folder or f"{folder}/__init__.py" not in repo.entries:
            continue
        if repo.grep(by_folder.get(folder, []), name.encode()):
            out.add(path)
    return out


@memoized
def _modules_by_folder(repo: Repo) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in repo.with_suffix(".py"):
        out.setdefault(path.rpartition("/")[0], []).append(path)
    return out


@memoized
def model_files(repo: Repo) -> list[str]:
    """Serialised model files tracked by git (LFS-tracked ones excluded), fixtures excluded."""
    return [
        p
        for p, e in repo.entries.items()
        if e.tracked and is_model_file(p) and not is_fixture_path(p) and not is_lfs(repo, p)
    ]


def large_files(repo: Repo, max_file_mb: float = 5.0, max_data_mb: float = 1.0) -> list[LargeFile]:
    """Tracked files larger than ``max_file_mb``, or data/model files larger than ``max_data_mb`` (files routed
    to git-lfs excluded: git holds only their pointer; a package's own resources, :func:`package_data`, are
    held to ``max_file_mb`` only). Largest first."""

    def compute() -> list[LargeFile]:
        out = []
        for path, entry in repo.entries.items():
            if not entry.tracked or entry.symlink:
                continue
            if repo.larger_than(path, max_file_mb * MB):
                reason = "large"
            elif (
                repo.larger_than(path, max_data_mb * MB)
                and (is_data_file(path) or is_model_file(path, strict=False))
                and not package_data(repo, [path])
            ):
                reason = "data"
            else:
                continue
            if is_lfs(repo, path):
                continue
            out.append(LargeFile(path, repo.exact_size(path), reason, entry.present))
        return sorted(out, key=lambda f: (-f.size, f.path))

    return repo.memo(("git.large_files", max_file_mb, max_data_mb), compute)


def unreadable_sizes(repo: Repo) -> list[str]:
    """Tracked files whose size git cannot give: absent from the working tree and from the object store (a
    partial or blobless clone, a mirror that drops large blobs). Whether they are large cannot be decided."""

    def compute() -> list[str]:
        return sorted(
            p
            for p, e in repo.entries.items()
            if e.tracked and e.size is None and not e.present and not e.symlink and not is_lfs(repo, p)
        )

    return repo.memo("git.unreadable_sizes", compute)


#: The report fact's definition: a tracked file over 5 MB, or a data/model file over 1 MB (check VER002 takes
#: its own thresholds as options).
FACT_MAX_FILE_MB = 5.0
FACT_MAX_DATA_MB = 1.0


@report_fact("large_files_in_git")
def large_files_fact(repo: Repo) -> FactValue:
    if not repo.is_git:
        return FactValue(None)
    found = [f.path for f in large_files(repo, FACT_MAX_FILE_MB, FACT_MAX_DATA_MB)[:10]]
    if not found and unreadable_sizes(repo):
        return FactValue(None)  # some tracked blobs cannot be measured
    return FactValue.of(found)

"""VER: versioning of code, data, models and configuration."""

from __future__ import annotations

import re
from typing import Any

from .. import lazyre
from ..facts import configs, docker, dvc, ml, project, secrets, source, tracking
from ..facts import git as gitfacts
from ..facts.pipelines import (
    is_ml_project,
    library_code_dir,
    template_training_steps,
    training_modules,
    training_notebooks,
)
from ..facts.python import Call, imports_any, imports_of, modules, modules_containing, prefilter, python_files
from ..facts.yamlfile import LineDict, line_of, load_yaml
from ..model import Evidence, Result, Severity
from ..repo import Repo, word
from .base import check


@check("VER001", Severity.ERROR, "The project is a git repository", level=0)
def git_repository(repo: Repo) -> Result:
    """The project lives in a git repository.

    Why it matters: every other kind of versioning — data pointers, pipeline locks, model lineage, "which
    commit produced this model" — hangs off the code's commit history.

    How to fix: initialise a repository at the project root, commit everything that is not ignored, and
    push it to a shared remote (GitHub, GitLab, Azure Repos...).

    Example::

        git init -b main
        git add -A && git commit -m "Initial commit"
        git remote add origin git@github.com:acme/churn-model.git && git push -u origin main
    """
    if not getattr(repo, "_use_git", True):
        return Result.not_applicable("git information disabled for this run")
    if repo.is_git:
        anchor = project.anchor(repo)
        return Result.passed("files listed from git", anchor)
    return Result.failed("not inside a git work tree")


@check(
    "VER002",
    Severity.ERROR,
    "No large or binary data files tracked in git",
    fix="gitignore",
    fix_hint="git rm --cached the files, ignore them and version them with DVC or git-lfs",
    level=1,
)
def no_large_files(repo: Repo, *, max_file_mb: float = 5.0, max_data_mb: float = 1.0) -> Result:
    """Git tracks no file larger than ``max-file-mb`` (5 MB) and no data or model file (``.csv``,
    ``.parquet``, ``.pkl``, ``.pt``, ``.zip``, ``.npy``...) larger than ``max-data-mb`` (1 MB).

    Why it matters: git keeps every version of every blob forever; datasets and checkpoints bloat every clone,
    cannot be diffed, and the history cannot be cleaned without rewriting it. Sizes come from git itself, so a
    file deleted from the working tree but still tracked counts too. A Python package's own resource (a file in a
    package directory that the package's modules name, such as a tokenizer's ``bpe_vocab.txt.gz``) is not a
    data file: only ``max-file-mb`` applies to it.

    How to fix: ``git rm --cached path``, add the path to ``.gitignore`` and version it with DVC
    (``dvc add data/raw.csv``) or git-lfs (``git lfs track "*.parquet"``: files routed to git-lfs do not
    count, git holds only their pointer). The thresholds are options: ``max-file-mb`` and ``max-data-mb``
    in ``[tool.mlops-audit.options.VER002]``. The history still holds the blobs; ``git filter-repo`` removes
    them when the size of clones matters. A tracked file whose blob is missing from the clone (partial clone)
    has no readable size: the check is unknown rather than passed.

    Example::

        git rm --cached data/train.csv
        dvc add data/train.csv       # writes data/train.csv.dvc and ignores data/train.csv
        git add data/train.csv.dvc data/.gitignore && git commit -m "Version the training data with DVC"
    """
    if not repo.is_git:
        return Result.not_applicable("not a git repository: no tracked files")
    found = gitfacts.large_files(repo, max_file_mb, max_data_mb)
    unreadable = gitfacts.unreadable_sizes(repo)
    if not found and unreadable:
        return Result.unknown(
            f"{len(unreadable)} tracked file(s) whose size git cannot read (blob missing from this clone): "
            "whether they are large cannot be decided",
            [Evidence(p, None, "size unknown") for p in unreadable[:5]],
        )
    if not found:
        return Result.passed(
            f"no tracked file above {max_file_mb:g} MB, no data/model file above {max_data_mb:g} MB"
        )
    evidence = [
        Evidence(
            f.path,
            None,
            f"{f.megabytes:.1f} MB" + ("" if f.present else ", deleted from disk but still tracked"),
        )
        for f in found[:10]
    ]
    more = f" (+{len(found) - 10} more)" if len(found) > 10 else ""
    return Result.failed(f"{len(found)} large or data/model file(s) tracked in git{more}", evidence)


_DATA_CODE = prefilter(
    b"read_csv", b"read_parquet", b"load_dataset", b"read_json", b"np.load", b"open_dataset"
)


_LOADERS = ("read_csv", "read_parquet", "load_dataset", "read_json", "load", "open_dataset", "read_table",
            "read_feather", "read_excel", "scan_csv", "scan_parquet")  # fmt: skip
_LOADER_WORDS = prefilter(*(word(n) for n in _LOADERS))  # the prefilter: a loader call names one of them
_LOADER_ROOTS = ("pandas.", "polars.", "datasets.", "numpy.", "xarray.", "pyarrow.")
#: A path or URI that names a dataset: a data file suffix, or a remote object store / dataset hub URI.
_DATA_LOCATION = lazyre.compile(
    r"^(?:(s3a?|gs|gcs|az|abfss?|wasbs?|hdfs|hf|lakefs|dbfs)://\S+|[^\s${}]*[\w-]\.(csv|tsv|parquet|pq|feather|"
    r"arrow|jsonl|avro|orc|h5|hdf5|h5ad|npy|npz|xlsx?|arff|tfrecords?|zip|tar\.gz|tgz)(\.gz|\.zip)?)$",
    re.IGNORECASE,
)
#: scikit-learn's datasets that ship inside the package, and its synthetic generators: data generated by code.
_BUNDLED = lazyre.compile(
    r"\b(load_(iris|wine|breast_cancer|digits|diabetes|linnerud|sample_images?)|make_(classification|regression|"
    r"blobs|moons|circles|friedman[123]|gaussian_quantiles|hastie_10_2|multilabel_classification|s_curve|"
    r"swiss_roll|sparse_uncorrelated|low_rank_matrix))\b"
)


_SKLEARN_DATASETS = lazyre.compile(
    r"^\s*from\s+sklearn\s+import\s+[^\n]*\bdatasets\b|\bsklearn\.datasets\b", re.MULTILINE
)


def _is_test(path: str) -> bool:
    parts = path.lower().split("/")
    return any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith(("test_", "conftest"))


def _fixed_data_sources(repo: Repo) -> list[Evidence]:
    """Datasets the project names: loading calls on a literal path or URL outside tests, and config values that
    name a data file or a remote dataset (placeholders such as ``???``, empty values and ``${...}``
    interpolations name nothing)."""
    out: list[Evidence] = []
    for mod in modules_containing(repo, *_LOADER_WORDS):
        if _is_test(mod.path):
            continue
        for call in mod.calls:
            if call.attr in _LOADERS and call.name.startswith(_LOADER_ROOTS):
                first = call.args[0] if call.args else next(iter(call.kwargs.values()), None)
                if isinstance(first, str) and first.strip():
                    out.append(Evidence(mod.path, call.line, f"{call.name}({first!r})"))
    for path in configs.config_files(repo):
        if not path.endswith((".yaml", ".yml")):
            continue
        for value, line, key in _yaml_strings(load_yaml(repo, path)):
            if _DATA_LOCATION.match(value.strip()) and not _DESTINATION_KEY.search(key):
                out.append(Evidence(path, line, f"data location {value.strip()}"))
    return out


#: Configuration keys that name where a run writes (production data capture, ground truth collected after
#: serving, monitoring, outputs, models, reports): destinations, not the datasets the project trains on.
_DESTINATION_KEY = lazyre.compile(
    r"captur|ground[-_]?truth|monitor|output|artifact|model|checkpoint|report|export|dest|log", re.IGNORECASE
)


def _yaml_strings(
    node: Any, line: int | None = None, depth: int = 0, key: str = ""
) -> list[tuple[str, int | None, str]]:
    """(value, line, key) of every string of a parsed YAML document (``key``: the nearest mapping key)."""
    if depth > 20:
        return []
    out: list[tuple[str, int | None, str]] = []
    if isinstance(node, dict):
        for k, value in node.items():
            where = node.line_of(k) if isinstance(node, LineDict) else line
            out += _yaml_strings(value, where, depth + 1, str(k))
    elif isinstance(node, list):
        for item in node:
            out += _yaml_strings(item, line, depth + 1, key)
    elif isinstance(node, str):
        out.append((node, line, key))
    return out


@source.source_question
def _bundled_loaders(text: str) -> tuple[bool, list[tuple[int, str]]]:
    """Whether the text names ``sklearn.datasets``, and (line, loader) of each bundled loader or generator
    called outside comments."""
    loaders = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _BUNDLED.search(line)
        if m and not line.lstrip().startswith("#"):
            loaders.append((number, m.group(1)))
    return _SKLEARN_DATASETS.search(text) is not None, loaders


def _generated_data(repo: Repo) -> list[Evidence]:
    """Non-test modules that generate their data with scikit-learn's bundled loaders or generators."""
    out: list[Evidence] = []
    candidates = [  # the import scan first: only scikit-learn users are parsed
        p
        for p in repo.grep(python_files(repo), b"load_", b"make_")
        if imports_any(imports_of(repo, p), "sklearn")
    ]
    for mod in modules(repo, candidates):
        if _is_test(mod.path) or not mod.imports_any("sklearn"):
            continue
        names_datasets, loaders = source.ask(repo, mod.path, _bundled_loaders)
        if not mod.imports_any("sklearn.datasets") and not names_datasets:
            continue
        out += [Evidence(mod.path, number, f"sklearn.datasets.{name}") for number, name in loaders]
    return out


def _small_committed_data(repo: Repo, max_data_mb: float) -> list[Evidence]:
    """The committed data files, when git alone versions the data: every data file of the tree is tracked (not
    in git-lfs) and no larger than ``max_data_mb``, no configuration names a remote dataset, every loading
    call of the code (modules and notebooks, tests excluded) reads one of them by a literal path, and one is
    loaded by the code or named by a configuration (a data catalog's ``filepath: data/01_raw/iris.csv``). Empty
    otherwise."""
    files = gitfacts.data_files(repo)
    committed: list[str] = []
    for path in files:
        entry = repo.entry(path)
        if entry is None or not entry.tracked or gitfacts.is_lfs(repo, path):
            return []
        if repo.larger_than(path, max_data_mb * gitfacts.MB):
            return []
        committed.append(path)
    if not committed:
        return []
    by_name = _by_name(committed)
    configured = [e for e in _fixed_data_sources(repo) if e.note.startswith("data location")]
    if any("://" in e.note for e in configured):
        return []
    evidence: list[Evidence] = []
    for e in configured:  # a data catalog (Kedro's catalog.yml) naming the committed raw data
        where = _committed_file(e.note.removeprefix("data location "), by_name)
        if where is not None:
            evidence.append(Evidence(where, None, f"committed, named by {e.path}"))
    for unit in ml.code_units(repo, *_LOADER_WORDS):
        if _is_test(unit.path):
            continue
        for call in unit.info.calls:
            if call.attr not in _LOADERS or not call.name.startswith(_LOADER_ROOTS):
                continue
            first = call.args[0] if call.args else next(iter(call.kwargs.values()), None)
            where = _committed_file(first, by_name)
            if where is None and not isinstance(first, str):
                # a path held in a variable: the committed file the same code names (a parameter's default,
                # ``DATASET = Path("../data/penguins.csv")``), when it names exactly one
                named = {w for s, _ in unit.info.strings if (w := _committed_file(s, by_name)) is not None}
                where = named.pop() if len(named) == 1 else None
            if where is None:
                return []  # a dataset read from elsewhere, or from a path known only at run time
            evidence.append(Evidence(where, None, f"committed, loaded by {unit.path}"))
    return list(dict.fromkeys(evidence))


def _committed_file(value: Any, committed: dict[str, list[str]]) -> str | None:
    """The committed file a literal loading path names (relative to the root or to the script's folder);
    ``committed``: the files by base name (:func:`_by_name`)."""
    if not isinstance(value, str) or "://" in value:
        return None
    wanted = value.strip().replace("\\", "/").lstrip("./")
    if not wanted:
        return None
    candidates = committed.get(wanted.rsplit("/", 1)[-1], ())
    return next((p for p in candidates if p == wanted or p.endswith("/" + wanted)), None)


def _by_name(files: list[str]) -> dict[str, list[str]]:
    """``files`` by their base name, in order (every string of the code may be looked up among them)."""
    out: dict[str, list[str]] = {}
    for path in files:
        out.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    return out


#: Calls that download a published dataset at run time (torchvision, TensorFlow Datasets, Hugging Face, Keras,
#: scikit-learn's ``fetch_*``) or query a warehouse table (BigQuery): data the project loads but does not hold.
_DOWNLOADS = lazyre.compile(
    r"^(torchvision\.datasets\.\w+|tensorflow_datasets\.(load|builder)|datasets\.load_dataset|"
    r"(tensorflow\.)?keras\.datasets\.\w+\.load_data|sklearn\.datasets\.fetch_\w+|torchtext\.datasets\.\w+|"
    r"tfx\.[\w.]*BigQueryExampleGen|pandas(_gbq)?\.read_gbq|apache_beam\.io\.[\w.]*ReadFromBigQuery)$"
)
_DOWNLOAD_NEEDLES = prefilter(
    b"torchvision",
    b"tensorflow_datasets",
    b"load_dataset",
    b"keras",
    b"fetch_",
    b"torchtext",
    b"BigQuery",
    b"read_gbq",
)


def _downloaded_data(repo: Repo) -> list[Evidence]:
    """Where the code or a notebook downloads a published dataset (``torchvision.datasets.CIFAR10(...,
    download=True)``, ``tfds.builder("imagenet2012")``, ``load_dataset("glue", "cola")``), tests and the package
    code of a library with no training run of its own excluded."""
    return [unit.ev(call.line, f"{call.name} (read at run time)") for unit, call in _download_calls(repo)]


def _download_calls(repo: Repo) -> list[tuple[ml.CodeUnit, Call]]:
    """The first dataset download call of each module or notebook (see :func:`_downloaded_data`)."""
    library = library_code_dir(repo)
    out = []
    for unit in ml.code_units(repo, *_DOWNLOAD_NEEDLES):
        if _is_test(unit.path) or (library and unit.path.startswith(library + "/")):
            continue
        call = next((c for c in unit.info.calls if _DOWNLOADS.match(c.name)), None)
        if call is not None:
            out.append((unit, call))
    return out


#: Keywords that name where a dataset download is written (torchvision root, tfds data_dir, HF cache_dir).
_DOWNLOAD_DIRS = ("root", "data_dir", "cache_dir", "download_dir")


def _download_destinations(repo: Repo) -> list[tuple[str, Evidence]]:
    """(folder, evidence): the folders inside the checkout that the code downloads datasets into, named by a
    relative literal path (``CIFAR10(root='./data', download=True)``)."""
    out = []
    for unit, call in _download_calls(repo):
        for key in _DOWNLOAD_DIRS:
            value = call.kwargs.get(key)
            if key == "root" and value is None and call.args and call.name.startswith("torchvision."):
                value = call.args[0]  # torchvision's first positional argument is the root
            if (
                not isinstance(value, str)
                or not value.strip()
                or value.startswith(("/", "~", "$"))
                or "://" in value
            ):
                continue
            folder = value.strip().replace("\\", "/").removeprefix("./").strip("/")
            if folder and ".." not in folder.split("/"):
                out.append((folder, unit.ev(call.line, f"{call.name} downloads into {folder}/")))
            break
    return out


def _data_signals(repo: Repo) -> list[Evidence]:
    """Where the project touches data: data files, data directories, data-loading calls. The loading code of a
    library with no training run of its own (:func:`pipelines.library_code_dir`) reads its caller's data."""
    found = [Evidence(p) for p in gitfacts.data_files(repo)[:3]]
    if not found:
        library = library_code_dir(repo)
        modules = [
            m
            for m in modules_containing(repo, *_DATA_CODE)
            if not (library and m.path.startswith(library + "/"))
        ]
        for mod in modules[:3]:
            for call in mod.calls:
                if call.attr in (
                    "read_csv",
                    "read_parquet",
                    "load_dataset",
                    "read_json",
                    "load",
                    "open_dataset",
                ) and (
                    call.name.startswith(("pandas.", "polars.", "datasets.", "numpy.", "xarray.", "pyarrow."))
                ):
                    found.append(Evidence(mod.path, call.line, call.name))
                    break
    return found or _downloaded_data(repo)[:3]


@check(
    "VER003",
    Severity.WARNING,
    "Data is versioned (DVC, git-lfs, lakeFS)",
    fix="dvc_pipeline",
    fix_hint="dvc init && dvc add data/raw (or declare the data as dvc.yaml stage outputs)",
    level=1,
)
def data_versioned(repo: Repo, *, max_data_mb: float = 1.0) -> Result:
    """The data a model is trained on is versioned: ``*.dvc`` pointer files, ``dvc.yaml`` stage outputs, git-lfs
    patterns for data files, lakeFS, datasets registered as versions in Azure ML (data asset YAML,
    ``Dataset.register(..., create_new_version=True)``) — or git itself, when every data file is committed, each no
    larger than ``max-data-mb`` (1 MB, VER002's data limit), and every dataset the code loads is one of them (a path
    held in a variable counts when the same code names exactly one committed file, such as a parameter's default).

    Why it matters: a model is a function of code *and* data. Without a data version, retraining on "the same data"
    is a hope, and a regression cannot be traced back to a data change.

    When it applies: when the project reads data it does not generate — data files in the tree, a loading call on a
    fixed path or URL (``pd.read_csv("data/train.csv")``, ``load_dataset("imdb")``), a configured data location (a
    config value naming a ``.csv`` / ``.parquet``... file or an ``s3://``, ``gs://``... URI; keys that name where a
    run writes — ``data-capture-uri``, ``ground-truth-uri``, outputs, models, reports, logs — are destinations, not
    datasets), a dataset downloaded at run time (``torchvision.datasets.CIFAR10(download=True)``,
    ``tfds.builder("imagenet2012")``, ``load_dataset("glue", "cola")``, ``fetch_openml``), a query of a mutable
    warehouse table (``BigQueryExampleGen``, ``read_gbq``), or loading code fed only at run time by a project that
    does not generate its data. DVC pointers that track only model files version a model, not the data. A project
    whose data is generated by code from a versioned library — scikit-learn's bundled ``load_iris`` / ``load_wine``
    / ``load_breast_cancer``... loaders or its ``make_*`` generators, reproduced exactly by the locked dependency —
    and whose other data locations are supplied at run time (a Hydra ``???`` or empty value, a command-line
    argument) names no dataset to version: not applicable. Commit a concrete path
    (``path: data/raw/customers.parquet``) and the check applies again. The ``fetch_*`` loaders download their data and do
    not count as generated.

    How to fix: put the data under DVC (``dvc add`` for raw inputs, ``outs:`` of ``dvc.yaml`` stages for
    derived data), route data files to git-lfs in ``.gitattributes``, or keep the data in lakeFS; push it to a
    remote so others can pull it (``mlops-audit fix --select VER003`` renders the template's DVC pipeline).

    Example::

        dvc init
        dvc add data/raw            # writes data/raw.dvc, ignores data/raw in git
        git add data/raw.dvc data/.gitignore && git commit -m "Version raw data"
        dvc remote add -d storage s3://bucket/dvc && dvc push
    """
    evidence = dvc.data_versioning_evidence(repo)
    if evidence:
        return Result.passed("data is versioned", evidence[:4])
    fixed = _fixed_data_sources(repo)
    signals = _data_signals(repo) or [e for e in fixed if e.note.startswith("data location")][:3]
    if not signals:
        return Result.not_applicable("no data files or data-loading code found")
    small = _small_committed_data(repo, max_data_mb)
    if small:
        return Result.passed(
            f"data is versioned by git: {len({e.path for e in small})} committed data file(s), none above "
            f"{max_data_mb:g} MB, "
            "hold every dataset the code loads",
            small[:4],
        )
    generated = _generated_data(repo)
    if generated and not fixed and not gitfacts.data_files(repo):
        where = ", ".join(dict.fromkeys(e.note for e in generated))
        return Result.not_applicable(
            f"data is generated by code from a versioned library ({where}); no fixed dataset is named "
            "(other data paths are supplied at run time)"
        )
    return Result.failed(
        "data is used but not versioned (no DVC, git-lfs or lakeFS)", list(dict.fromkeys(fixed + signals))[:6]
    )


@check(
    "VER004",
    Severity.WARNING,
    "DVC has a remote to push data to",
    fix_hint="dvc remote add -d storage s3://bucket/path && git add .dvc/config",
    level=1,
)
def dvc_remote(repo: Repo) -> Result:
    """When DVC is used, ``.dvc/config`` declares a remote and makes it the default.

    Why it matters: without a remote, DVC-versioned data lives only in one machine's cache; teammates and CI
    cannot ``dvc pull`` it and the pointers in git point at nothing.

    How to fix: ``dvc remote add -d storage s3://my-bucket/dvc-store`` (or ``gs://``, ``azure://``, ``ssh://``,
    a shared directory) and commit ``.dvc/config``. Credentials go to ``.dvc/config.local``, never to git.

    Example (``.dvc/config``)::

        [core]
            remote = storage
        ['remote "storage"']
            url = s3://my-bucket/dvc-store
    """
    if not dvc.uses_dvc(repo):
        return Result.not_applicable("DVC is not used")
    cfg = dvc.config(repo)
    if not cfg.paths:
        where = (dvc.dvc_yaml_files(repo) + [p.path for p in dvc.pointers(repo)])[:2]
        return Result.failed("DVC is used but .dvc/config is not in the repository", where)
    if not cfg.remotes:
        return Result.failed("no remote in .dvc/config", list(cfg.paths))
    evidence = [Evidence(r.path, r.line, f"{r.name} = {r.url}") for r in cfg.remotes[:3]]
    names = {r.name for r in cfg.remotes}
    if cfg.default_remote and cfg.default_remote in names:
        return Result.passed(f"default DVC remote {cfg.default_remote!r}", evidence)
    if len(cfg.remotes) == 1 and cfg.default_remote is None:
        return Result.failed(
            "a DVC remote is declared but not the default (dvc remote default NAME)", evidence, credit=0.7
        )
    return Result.failed(
        "DVC remotes declared but the default remote is missing or unknown", evidence, credit=0.7
    )


def _documentation_only(repo: Repo, d: str) -> bool:
    """Does folder ``d`` hold only documentation about datasets (``data/yfcc100m.md``)? A README there marks the
    place where the data goes: still a data directory."""
    inside = [p.lower() for p in repo.entries if p.startswith(d + "/")]
    return (
        bool(inside)
        and all(p.endswith((".md", ".rst")) for p in inside)
        and not any(p.rsplit("/", 1)[-1].startswith("readme") for p in inside)
    )


def _data_dirs(repo: Repo) -> list[str]:
    """Data directories at the root or one level down (Python packages named ``data`` excluded, and folders
    that hold only documentation about datasets: ``data/yfcc100m.md``)."""
    dirs = set()
    for d in repo.dirs():
        name = d.rsplit("/", 1)[-1].lower()
        if (
            name in gitfacts.DATA_DIRS
            and d.count("/") <= 1
            and not gitfacts.is_fixture_path(d + "/x")
            and f"{d}/__init__.py" not in repo.entries
            and not _documentation_only(repo, d)
        ):
            dirs.add(d)
    return sorted(dirs, key=lambda d: (d.count("/"), d))


def _dir_rule(repo: Repo, d: str) -> gitfacts.IgnoreRule | None:
    """The rule that ignores directory ``d`` or the data files in it (``data/`` or ``data/*``)."""
    for probe, is_dir in ((d, True), (f"{d}/raw.csv", False), (f"{d}/raw/data.csv", False)):
        rule = gitfacts.ignore_rule(repo, probe, is_dir=is_dir)
        if rule is not None and rule.include:
            return rule
    return None


@check(
    "VER005",
    Severity.WARNING,
    "Raw data is kept out of git",
    fix="gitignore",
    fix_hint="add data/ (or the data files) to .gitignore and version them with DVC",
    level=1,
)
def raw_data_ignored(repo: Repo) -> Result:
    """Data directories (``data/``) and data files are ignored by git or tracked by DVC, and none is committed.
    A committed data file that the code loads (``pd.read_csv("titanic.csv")``) is raw data wherever it lies and
    whatever its size; other small files outside data directories are tolerated. A file that a compose service of
    a third-party image bind-mounts (``./grafana/grafana.db`` for
    ``image: grafana/grafana``) is that tool's state, not data. When the tree holds no data, the folders the code
    downloads datasets into
    (``CIFAR10(root="./data", download=True)``) must be ignored. A package's own resources (a file its modules
    name) are not data, and a ``data/`` folder holding only
    documentation about datasets (``.md``, ``.rst``; no README, which marks where the data goes) is not a data
    directory.

    Why it matters: raw data in git is unversionable in practice (size, licensing, privacy) and a personal-data
    leak waiting to happen; an un-ignored ``data/`` is one ``git add -A`` away from both.

    How to fix: add ``/data/`` to ``.gitignore`` (``mlops-audit fix --select VER005`` appends the template's
    entries), ``git rm -r --cached data`` for what is already tracked, and version the data with DVC.

    Example (``.gitignore``)::

        /data/
        *.parquet
        /models/
    """
    if not repo.is_git and not repo.named(".gitignore"):
        return Result.not_applicable("not a git repository and no .gitignore")
    data_dirs = _data_dirs(repo)
    files = gitfacts.data_files(repo)
    tracked = [
        p for p in files if (e := repo.entry(p)) is not None and e.tracked and not gitfacts.is_lfs(repo, p)
    ]
    exposed = [p for p in files if (e := repo.entry(p)) is not None and not e.tracked and repo.is_git]
    mounted = docker.third_party_mounted_files(repo)  # a tool's state (grafana.db), not the project's data
    loaded = _loaded_files(repo, tracked)  # the raw data the code reads, whatever its size and folder
    bad = [
        p
        for p in tracked
        if (gitfacts.in_data_dir(p) or repo.larger_than(p, 100_000) or p in loaded) and p not in mounted
    ]
    if bad or exposed:
        evidence = [Evidence(p, None, "tracked") for p in bad[:6]] + [
            Evidence(p, None, "not ignored") for p in exposed[:4]
        ]
        return Result.failed(f"{len(bad) + len(exposed)} data file(s) committed or not ignored", evidence)
    # nothing exposed: show why (the ignore rule or the DVC pointer)
    evidence = []
    for d in data_dirs or ["data"]:
        rule = _dir_rule(repo, d)
        if rule is not None:
            evidence.append(Evidence(rule.path, rule.line, f"{d}/ ignored by {rule.pattern}"))
        elif dvc.is_dvc_tracked(repo, d):
            evidence.append(Evidence(d + ".dvc" if d + ".dvc" in repo.entries else d, None, "DVC-tracked"))
        elif nested := gitfacts.ignore_rules_under(repo, d):
            rule = nested[0]
            evidence.append(
                Evidence(rule.path, rule.line, f"{d}/ data ignored by {rule.path} ({rule.pattern})")
            )
    if evidence:
        return Result.passed("data is ignored by git or tracked by DVC", evidence)
    if not data_dirs and not files:
        return _download_destinations_ignored(repo)
    own = [p for p in tracked if p not in mounted]
    if own:
        return Result.passed("only small data files outside data directories are tracked", own[:3])
    if tracked:
        return Result.passed(
            "the only tracked data files are state of third-party services that compose mounts",
            [Evidence(p, None, f"mounted by the {mounted[p]} service") for p in tracked[:3]],
        )
    return Result.failed(
        f"{data_dirs[0]}/ is neither ignored by git nor tracked by DVC",
        [Evidence(p) for p in repo.named(".gitignore")[:1]] or [project.anchor(repo) or "."],
        credit=0.3,
    )


def _loaded_files(repo: Repo, files: list[str]) -> set[str]:
    """The ``files`` that a loading call of the code or a notebook (tests excluded) reads by a literal path."""
    out: set[str] = set()
    if not files:
        return out
    by_name = _by_name(files)
    for unit in ml.code_units(repo, *_LOADER_WORDS):
        if _is_test(unit.path):
            continue
        for call in unit.info.calls:
            if call.attr in _LOADERS and call.name.startswith(_LOADER_ROOTS):
                first = call.args[0] if call.args else next(iter(call.kwargs.values()), None)
                if (where := _committed_file(first, by_name)) is not None:
                    out.add(where)
    return out


def _download_destinations_ignored(repo: Repo) -> Result:
    """VER005 for a project with no data in its tree: the folders the code downloads datasets into must be
    ignored (nothing to judge when it downloads none inside the checkout)."""
    destinations = _download_destinations(repo)
    if not destinations:
        return Result.not_applicable("no data directory or data files")
    exposed = [ev for folder, ev in destinations if not gitfacts.is_ignored(repo, folder, is_dir=True)]
    if exposed:
        return Result.failed(
            f"the code downloads data into {exposed[0].note.rsplit(' ', 1)[-1]} inside the checkout and git does "
            "not ignore it",
            exposed[:3],
            credit=0.3,
        )
    return Result.passed(
        "the folders the code downloads data into are ignored", [ev for _, ev in destinations][:3]
    )


_REGISTRY_NEEDLES = prefilter(
    b"register_model", b"registered_model_name", b"push_to_hub", b"use_artifact", b"log_artifact", b"bentoml",
    b"log_model", b"ModelRegistry", b"model_registry", b"create_model_version",
)  # fmt: skip


def registry_evidence(repo: Repo) -> list[Evidence]:
    """Where models are published to a registry or an artifact store (MLflow, W&B, Hugging Face Hub, BentoML,
    DVC model artifacts, SageMaker / Vertex registries)."""

    def compute() -> list[Evidence]:
        out: list[Evidence] = []
        for mod in modules_containing(repo, *_REGISTRY_NEEDLES):
            if "/tests/" in "/" + mod.path or mod.path.startswith("test"):
                continue
            for call in mod.calls:
                if call.attr in ("register_model", "create_model_version", "push_to_hub", "log_artifact") or (
                    call.attr == "log_model" and "registered_model_name" in call.kwargs
                ):
                    out.append(Evidence(mod.path, call.line, call.name))
                    break
                if call.name.startswith("bentoml.") and call.attr in ("save_model", "save"):
                    out.append(Evidence(mod.path, call.line, call.name))
                    break
        for path in dvc.dvc_yaml_files(repo):
            data = load_yaml(repo, path)
            if isinstance(data, dict) and isinstance(data.get("artifacts"), dict):
                out.append(Evidence(path, line_of(data, "artifacts"), "DVC model artifacts"))
        out += [Evidence(p) for p in repo.named("artifacts.yaml") if repo.contains(p, b"type: model")]
        # log_model / artifact / registry calls (notebooks included), models a DVC stage outputs
        logged = tracking.logging_usages(repo)
        out += (logged.get("registry", []) + logged.get("models", []))[:2]
        for o in dvc.tracked_outputs(repo):
            if gitfacts.is_model_file(o) or o.split("/")[0] in ("models", "model"):
                out.append(
                    Evidence(o + ".dvc" if o + ".dvc" in repo.entries else o, None, "model versioned by DVC")
                )
                break
        return out

    return repo.memo("versioning.registry_evidence", compute)


#: a model output named by a template's placeholder training step
_MODEL_OUTPUT = (b".pkl", b".joblib", b".pt", b".pth", b".h5", b".onnx", b".safetensors", b"MODELS_DIR",
                 b"model_path", b"save_model", b"dump(")  # fmt: skip


#: what code that persists a model writes (beyond :data:`_MODEL_OUTPUT`)
_PERSIST = (b"save(", b"save_pretrained", b"save_weights", b"checkpoint", b"Checkpoint", b"export(", b"to_disk(",
            b"log_artifact", b"push_to_hub", b"pickle", b"joblib", b".ckpt", b".keras", b".cbm")  # fmt: skip
_MODEL_OUTPUT_OR_PERSIST = prefilter(*_MODEL_OUTPUT, *_PERSIST, parse_ahead=False)  # of installable libraries
#: folders of a library's usage examples and benchmarks
_EXAMPLE_DIRS = (
    "examples",
    "example",
    "benchmarks",
    "benchmark",
    "benchmarking",
    "docs",
    "tutorials",
    "notebooks",
)


def _library_without_model(repo: Repo) -> str | None:
    """Why an installable library produces no model to version, or None: its package fits are what it offers
    (estimators fitting internal statistics), the rest of its training lives in example and benchmark folders,
    and no code saves a model (the examples score throw-away fits)."""
    layout = configs.package_layout(repo)
    pkg = layout.package_dir
    if not layout.installable or pkg is None:
        return None
    paths = [p for p, _ in training_modules(repo)] + training_notebooks(repo)
    outside = [p for p in paths if not p.startswith(pkg + "/")]
    if not all(set(p.lower().split("/")[:-1]) & set(_EXAMPLE_DIRS) for p in outside):
        return None
    if [u for u in ml.code_units(repo, *_MODEL_OUTPUT_OR_PERSIST) if not _is_test(u.path)]:
        return None
    return (
        f"a library ({layout.build_file}): the fits in {pkg}/ are what it offers and its examples and benchmarks "
        "score throw-away models; no code saves a model, nothing is produced to version"
    )


@check(
    "VER006",
    Severity.WARNING,
    "Models are versioned in a registry, not committed",
    fix="gitignore",
    fix_hint="git rm --cached the model files; log them with mlflow.*.log_model(registered_model_name=...)",
    level=1,
)
def models_not_committed(repo: Repo) -> Result:
    """No serialised model (``.pkl``, ``.joblib``, ``.pt``, ``.onnx``, ``.h5``, ``.safetensors``...) is tracked
    by git, and trained models go to a registry or artifact store (MLflow Model Registry, W&B artifacts,
    Hugging Face Hub, BentoML store, DVC model artifacts).

    Why it matters: a model file in git has no lineage (which data, code, parameters, metrics produced it?)
    and no lifecycle (staging, champion, archived); a registry gives both and lets serving ask for
    ``models:/churn@champion`` instead of a file.

    How to fix: ``git rm --cached models/model.pkl``, ignore ``/models/``, and register the model when the
    training run logs it (or push it to another registry: W&B artifacts, ``push_to_hub``, ``bentoml``, DVC
    ``artifacts:``). Files routed to git-lfs are not counted as committed. An installable library whose training
    outside its package lives only in example and benchmark folders, and whose code saves no model, produces
    nothing to version: not applicable.

    Example::

        with mlflow.start_run():
            model.fit(X_train, y_train)
            mlflow.sklearn.log_model(model, name="model", registered_model_name="churn")
    """
    committed = gitfacts.model_files(repo)
    registry = registry_evidence(repo)
    if committed:
        evidence = [Evidence(p, None, "model file tracked in git") for p in committed[:6]]
        return Result.failed(
            f"{len(committed)} model file(s) committed to git",
            evidence + registry[:1],
            credit=0.3 if registry else 0.0,
        )
    if registry:
        return Result.passed("models go to a registry / artifact store", registry[:3])
    if not (training_modules(repo) or training_notebooks(repo)):
        return Result.not_applicable("no model training code and no model files")
    stubs = template_training_steps(repo)
    if stubs and training_modules(repo) == stubs and not repo.grep([p for p, _ in stubs], *_MODEL_OUTPUT):
        return Result.not_applicable("the template's placeholder training step produces no model to version")
    if reason := _library_without_model(repo):
        return Result.not_applicable(reason)
    where = [Evidence(p, ln) for p, ln in training_modules(repo)[:2]] or [
        Evidence(p) for p in training_notebooks(repo)[:2]
    ]
    return Result.failed("models are trained but never registered or logged as artifacts", where, credit=0.5)


@check(
    "VER007",
    Severity.WARNING,
    "Configuration is externalised from code",
    fix="hydra_config",
    fix_hint="move hyperparameters to conf/*.yaml (Hydra) or params.yaml and load them in the training code",
    level=1,
)
def config_externalised(repo: Repo) -> Result:
    """Hyperparameters and paths come from versioned configuration files (Hydra / OmegaConf, ``params.yaml``,
    Kedro parameters, ZenML run configs, LightningCLI, gin...), not from constants in code or CLI flags only.

    Why it matters: a configuration file is diffable, reviewable and recorded next to the run; constants
    buried in ``train.py`` change silently, and CLI flags are forgotten the moment the shell closes.

    How to fix: put the parameters in ``conf/config.yaml`` and load them with Hydra (or OmegaConf, or
    ``params.yaml`` read by the DVC stage); ``mlops-audit fix --select VER007`` renders the template's config.
    Configuration files that no code loads earn only partial credit. A file a CI pipeline reads
    (``config-infra-dev.yml`` in a GitHub Actions workflow) is loaded; so is configuration that a settings module
    (``config.py``) reads from at least five environment variables set by the CI or the deployment.

    Example::

        @hydra.main(config_path="../conf", config_name="config", version_base=None)
        def train(cfg: DictConfig) -> None:
            model = RandomForestClassifier(n_estimators=cfg.model.n_estimators)
    """
    uses = configs.config_evidence(repo)
    if uses:
        return Result.passed(
            f"configuration via {', '.join(sorted({u.framework for u in uses}))}",
            [Evidence(u.path, u.line, u.framework) for u in uses[:4]],
        )
    if not is_ml_project(repo):
        return Result.not_applicable("no training code or pipeline to configure")
    files = configs.config_files(repo)
    if files:
        return Result.failed(
            "configuration files exist but no code loads them", [Evidence(p) for p in files[:3]], credit=0.4
        )
    where = [Evidence(p, ln) for p, ln in training_modules(repo)[:3]] or [
        Evidence(p) for p in training_notebooks(repo)[:2]
    ]
    return Result.failed("no configuration files: parameters live in code", where)


@check(
    "VER008",
    Severity.INFO,
    "DVC pipeline state is locked (dvc.lock committed)",
    fix_hint="run dvc repro and commit dvc.lock",
    level=1,
)
def dvc_lock_committed(repo: Repo) -> Result:
    """Every ``dvc.yaml`` has its ``dvc.lock`` next to it, tracked by git.

    Why it matters: ``dvc.lock`` records the exact hashes of each stage's dependencies, parameters and outputs:
    it is what makes ``dvc repro`` skip unchanged stages and ``dvc pull`` fetch the right model.

    How to fix: run the pipeline once (``dvc repro``, or ``dvc commit`` when the outputs are already
    up to date) and commit the ``dvc.lock`` it writes next to each ``dvc.yaml``.

    Example::

        dvc repro
        git add dvc.yaml dvc.lock && git commit -m "Lock the pipeline state"
    """
    yamls = dvc.dvc_yaml_files(repo)
    if not yamls:
        return Result.not_applicable("no dvc.yaml")
    if not any(dvc.stages(repo)):
        return Result.not_applicable("dvc.yaml declares no stages")
    missing = []
    present = []
    for path in yamls:
        lock = path[: -len("dvc.yaml")] + "dvc.lock"
        entry = repo.entry(lock)
        if entry is None or (repo.is_git and not entry.tracked):
            missing.append(path)
        else:
            present.append(lock)
    if missing:
        return Result.failed(
            "dvc.lock missing or not committed for " + ", ".join(missing), missing, credit=0.0
        )
    return Result.passed("dvc.lock committed", present[:3])


#: Paths that stand for each kind of artefact git should never receive (probed against the ignore rules).
_IGNORE_PROBES: dict[str, tuple[str, ...]] = {
    "data": ("data/raw.csv", "data/raw/train.parquet", "dataset.csv"),
    "models": ("models/model.pkl", "model.joblib", "model.pkl"),
    "tracking stores": ("mlruns/0/meta.yaml", "mlflow.db", "wandb/run-1/files/config.yaml"),
    "secrets": (".env",),
}


#: Directory names that hold the project's models (probed with a model file inside).
_MODEL_DIRS = ("models", "model", "checkpoints", "saved_models", "weights")
#: Configuration keys whose value is where models are written (``model_dir: artifacts/model``).
_MODEL_KEY = lazyre.compile(
    r"^(model|checkpoint|ckpt)s?_(dir|path|file|output|root)$|^output_model", re.IGNORECASE
)
_REMOTE_TRACKING = lazyre.compile(r"^(https?|databricks|postgresql|mysql|azureml)[:+]", re.IGNORECASE)


def _yaml_items(node: Any, depth: int = 0) -> list[tuple[str, str]]:
    """(key, string value) of every mapping entry of a parsed YAML document, at any depth."""
    out: list[tuple[str, str]] = []
    if depth > 20:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                out.append((str(key), value))
            else:
                out += _yaml_items(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            out += _yaml_items(item, depth + 1)
    return out


def _project_root_of(repo: Repo, path: str) -> str:
    """The root a configured relative path is resolved against: the generated project's of a template, else the
    repository's."""
    return next((d + "/" for d in gitfacts.generated_project_dirs(repo) if path.startswith(d + "/")), "")


def _own_locations(repo: Repo) -> dict[str, list[Evidence]]:
    """Where this project keeps each kind of artefact, as paths to probe against the ignore rules: model files and
    directories its configuration names (``filepath: data/06_models/regressor.pickle``, ``model_dir: artifacts``),
    its existing model directories (code packages named ``models/`` aside), the sub-folders of its data
    directories (``data/uploads/``; folders of committed data aside); and the tracking server its configuration sends runs to
    (``tracking_uri: http://...``), which leaves no local store to ignore; the env files it documents by a
    committed template (``.env.user.example``)."""
    out: dict[str, list[Evidence]] = {"models": [], "data": [], "tracking stores": [], "secrets": []}
    out["secrets"] = [Evidence(p, None, "documented env file") for p in secrets.documented_env_files(repo)]
    for path in configs.config_files(repo):
        if not path.endswith((".yaml", ".yml")):
            continue
        root = _project_root_of(repo, path)
        for key, value in _yaml_items(load_yaml(repo, path)):
            value = value.strip()
            if key.lower() in ("tracking_uri", "mlflow_tracking_uri") and _REMOTE_TRACKING.match(value):
                out["tracking stores"].append(Evidence(path, None, f"tracking stores: runs go to {value}"))
            elif not value or "://" in value or value.startswith(("/", "~", "$")):
                continue
            elif value.lower().endswith((*gitfacts.STRICT_MODEL_SUFFIXES, ".pickle")):
                out["models"].append(Evidence(root + value.lstrip("./"), None, f"configured in {path}"))
            elif _MODEL_KEY.match(key):
                out["models"].append(
                    Evidence(root + value.strip("./") + "/model.pkl", None, f"configured in {path}")
                )
    code_dirs = {p.rsplit("/", 1)[0] for p in repo.with_suffix(".py") if "/" in p}
    # folders whose data is committed on purpose (VER005 judges those) are not where artefacts land by accident
    committed = {p.rsplit("/", 1)[0] for p in gitfacts.data_files(repo) if "/" in p}
    for d in sorted(repo.dirs()):
        if d in code_dirs or d in committed or _is_test(d + "/x"):
            continue
        last = d.rsplit("/", 1)[-1].lower()
        parent = d.rsplit("/", 1)[0].rsplit("/", 1)[-1].lower() if "/" in d else ""
        if last in _MODEL_DIRS:
            out["models"].append(Evidence(d + "/model.pkl", None, "model directory"))
        elif parent in gitfacts.DATA_DIRS:
            out["data"].append(Evidence(d + "/raw.csv", None, "data directory"))
    return out


def _own_rule(repo: Repo, kind: str, places: list[Evidence]) -> Evidence | None:
    """Evidence that every place this project keeps ``kind`` is ignored (``None`` when one is not, or none is
    known)."""
    if not places:
        return None
    if kind == "tracking stores":  # runs go to a tracking server: no local store to ignore
        return places[0]
    rules = [gitfacts.ignore_rule(repo, e.path) for e in places]
    if any(r is None or not r.include for r in rules):
        return None
    first = rules[0]
    assert first is not None
    return Evidence(first.path, first.line, f"{kind}: {first.pattern}")


@check(
    "VER009",
    Severity.WARNING,
    "Git ignores data, models, tracking stores and secrets",
    fix="gitignore",
    fix_hint="add data/, *.pkl / models/, mlruns/ + mlflow.db and .env to .gitignore (mlops-audit fix appends them)",
    level=0,
)
def ignore_rules_cover_artefacts(repo: Repo) -> Result:
    """The ``.gitignore`` rules keep the usual ML artefacts out of git before anyone adds them: data files
    (``data/``, ``*.csv``), model files (``*.pkl``, ``models/``), tracking stores (``mlruns/``,
    ``mlflow.db``, ``wandb/``) and ``.env``. The check probes typical paths of each kind against the rules of
    every ``.gitignore``, sub-folders' included (DVC-tracked data, and ``.gitignore`` files inside ``data/``
    such as those ``dvc add`` writes, count as covered); each kind is a quarter of the credit. A project template
    (cookiecutter, copier) is judged by the ``.gitignore`` of the projects it generates
    (``{{ cookiecutter.repo_name }}/.gitignore``): a kind is covered when every generated project ignores it.
    A project that keeps an artefact elsewhere is judged by its own places: a kind is also covered when every
    place the project has for it is ignored — the model files and directories its configuration names
    (``filepath: data/06_models/regressor.pickle``, ``model_dir: artifacts/model``), its model directories,
    the sub-folders of its data directories (``data/uploads/``), the env files it documents by a committed
    template (``.env.user`` for ``.env.user.example``); a configured remote tracking server
    (``tracking_uri: http://...``) leaves no local tracking store to ignore.

    Why it matters: one ``git add .`` after a training run otherwise commits a 2 GB dataset, a pickled model
    and a local tracking database — history that every clone downloads forever and that is painful to purge.

    How to fix: ``mlops-audit fix --select VER009`` appends the template's rules; files that are already
    tracked stay tracked until ``git rm --cached`` (VER002, VER005 and VER006 report them).

    Example (``.gitignore``)::

        /data/*
        *.pkl
        models/
        mlruns/
        mlflow.db
        .env
    """
    if not repo.is_git and not repo.named(".gitignore"):
        return Result.not_applicable("not a git repository and no .gitignore")
    covered: list[Evidence] = []
    missing: list[str] = []
    for kind, probes in _IGNORE_PROBES.items():
        rule = next(
            (r for p in probes if (r := gitfacts.ignore_rule(repo, p)) is not None and r.include), None
        ) or next((r for p in probes if (r := gitfacts.template_ignore_rule(repo, p)) is not None), None)
        if rule is not None:
            covered.append(Evidence(rule.path, rule.line, f"{kind}: {rule.pattern}"))
        elif kind == "data" and dvc.is_dvc_tracked(repo, "data"):
            covered.append(
                Evidence("data.dvc" if "data.dvc" in repo.entries else "dvc.yaml", None, "data: DVC")
            )
        elif kind == "data" and (nested := gitfacts.ignore_rules_under(repo, "data")):
            covered.append(Evidence(nested[0].path, nested[0].line, f"data: {nested[0].pattern}"))
        elif (own := _own_rule(repo, kind, _own_locations(repo).get(kind, []))) is not None:
            covered.append(own)
        else:
            missing.append(kind)
    if not missing:
        return Result.passed("data, models, tracking stores and .env are ignored", covered)
    anchor = [Evidence(p, 1) for p in repo.named(".gitignore")[:1]] or [
        Evidence(project.anchor(repo) or ".", 1)
    ]
    return Result.failed(
        f".gitignore does not cover {', '.join(missing)}",
        anchor + covered,
        credit=len(covered) / len(_IGNORE_PROBES),
    )


_HUB_NEEDLES = prefilter(
    b"from_pretrained",
    b"hf_hub_download",
    b"snapshot_download",
    b"load_dataset",
    b"hub.load",
    b"SentenceTransformer",
    b"load_state_dict_from_url",
    b"download=True",
)
# Call -> the keyword of the model or dataset name (it is also the first positional argument).
_HUB_DOWNLOADERS = {
    "huggingface_hub.hf_hub_download": "repo_id",
    "huggingface_hub.snapshot_download": "repo_id",
    "datasets.load_dataset": "path",
    "torch.hub.load": "repo_or_dir",
    "sentence_transformers.SentenceTransformer": "model_name_or_path",
    "seaborn.load_dataset": "name",  # the seaborn-data repository's default branch: never pinned
}
# load_dataset builders that read local files (data_files=...), not a dataset of the hub.
_LOCAL_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "pandas",
        "imagefolder",
        "audiofolder",
        "videofolder",
        "webdataset",
    }
)
_MOVING_REFS = frozenset({"main", "master", "dev", "develop", "latest", "head"})
_PINNED_REF = lazyre.compile(r"[0-9a-f]{7,40}|v?\d+(\.\d+)+\S*", re.IGNORECASE)
_LOCAL_SUFFIX = lazyre.compile(
    r"\.(pt|pth|bin|ckpt|safetensors|json|h5|onnx|pkl|joblib|csv|parquet|txt)$", re.I
)


def _downloader(call: Call) -> str | None:
    """The name keyword of a hub download call (``from_pretrained`` of any library included), else None."""
    if call.attr == "from_pretrained":
        return "pretrained_model_name_or_path"
    return _HUB_DOWNLOADERS.get(call.name)


def _checksum_verified(call: Call) -> str | None:
    """How a download that pins its content by a checksum says so, else None: ``torchvision.datasets``
    classes check each archive's MD5, ``load_state_dict_from_url(check_hash=True)`` the hash in the file name."""
    if call.name.startswith("torchvision.datasets.") and call.kwargs.get("download") is True:
        return f"{call.attr} (torchvision checks its MD5)"
    if call.attr == "load_state_dict_from_url" and call.kwargs.get("check_hash") is True:
        return "load_state_dict_from_url(check_hash=True)"
    return None


def _literal_name(unit: ml.CodeUnit, call: Call, keyword: str) -> Any:
    """The model or dataset name a call passes: a literal, or the literal a module-level (or notebook) name was
    assigned; NON_LITERAL when it comes from anywhere else (a parameter, the configuration)."""
    value = call.args[0] if call.args else call.kwargs.get(keyword)
    if isinstance(value, str):
        return value
    ref = call.refs.get("0" if call.args else keyword)
    if ref is not None:
        assigned = [v for name, v, _ in unit.info.assignments if name == ref]
        if len(assigned) == 1 and isinstance(assigned[0], str):  # one binding: no reassignment to follow
            return assigned[0]
    return value


def _is_local(repo: Repo, name: str, call: Call) -> bool:
    """Whether a literal name passed to a download call names a local file or folder, not a hub repository."""
    if name.startswith((".", "/", "~")) or "\\" in name or _LOCAL_SUFFIX.search(name):
        return True
    if call.name == "datasets.load_dataset" and name in _LOCAL_BUILDERS:
        return True
    if call.name == "torch.hub.load" and call.kwargs.get("source") == "local":
        return True
    clean = name.rstrip("/")
    return clean in repo.entries or clean in repo.memo(("repo.dirs",), repo.dirs)


def _revision(call: Call, name: str) -> tuple[bool | None, str]:
    """(pinned?, the reference): True for a commit hash or a version tag, None when the revision comes from a
    variable (configuration decides), False when there is none or it names a branch."""
    if call.name == "torch.hub.load":
        ref = name.partition(":")[2]
        return (bool(ref) and ref.lower() not in _MOVING_REFS and bool(_PINNED_REF.fullmatch(ref))), ref
    revision = call.kwargs.get("revision")
    if revision is None:
        return False, ""
    if not isinstance(revision, str):
        return None, "a variable"
    pinned = revision.lower() not in _MOVING_REFS and bool(_PINNED_REF.fullmatch(revision))
    return pinned, revision


@check(
    "VER010",
    Severity.WARNING,
    "Downloaded models and datasets are pinned to a revision",
    fix_hint="pass revision=<commit hash> to from_pretrained / hf_hub_download / load_dataset",
)
def downloads_pinned(repo: Repo) -> Result:
    """Pretrained weights and datasets the code downloads from a hub name an immutable revision: a commit hash
    or a version tag (``revision=`` of ``from_pretrained``, ``hf_hub_download``, ``snapshot_download``,
    ``load_dataset``, ``SentenceTransformer``; ``owner/repo:tag`` for ``torch.hub.load``), or are checked
    against a checksum (``torchvision.datasets`` with ``download=True``, ``load_state_dict_from_url`` with
    ``check_hash=True``). ``seaborn.load_dataset`` reads a repository's default branch: never pinned.

    A name that is a local path (an existing folder of the repository, ``./checkpoints``, a weights file) is
    not a download; a name assigned once at module level (or in a notebook) is followed. Code under
    ``tests/``, ``fixtures/``, ``docs/`` or ``examples/`` is left out (it produces no results). A revision
    passed from a variable counts as pinned by the configuration. When the names themselves come from
    variables and no call names a revision, reading the code cannot tell whether the configuration pins one:
    the verdict is unknown. When it applies: the code or a notebook downloads weights or data with one of the
    calls above.

    Why it matters: a hub name points at the newest commit of a repository its owner can change at any time;
    the same code then fine-tunes other weights or evaluates on another dataset version, and results stop
    being reproducible without anyone noticing. Pinning records the provenance of every input.

    How to fix: look up the commit of the weights or dataset you used (the hub shows it) and pass it as
    ``revision=``; keep it in the configuration next to the name.

    Example::

        model = AutoModel.from_pretrained(
            "bert-base-uncased", revision="86b5e0934494bd15c9632b12f734a8a67f723594"
        )
        data = load_dataset("imdb", revision="e6281661ce1c48d982bc483cf8a173c1bbeb5d31")
    """
    pinned: list[Evidence] = []
    unpinned: list[Evidence] = []
    undecided: list[Evidence] = []
    for unit in ml.code_units(repo, *_HUB_NEEDLES):
        if gitfacts.is_fixture_path(unit.path):  # tests, fixtures, docs and examples produce no results
            continue
        for call in unit.info.calls:
            verified = _checksum_verified(call)
            if verified is not None:
                pinned.append(unit.ev(call.line, verified))
                continue
            keyword = _downloader(call)
            if keyword is None:
                continue
            name = _literal_name(unit, call, keyword)
            if isinstance(name, str) and _is_local(repo, name, call):
                continue
            state, ref = _revision(call, name if isinstance(name, str) else "")
            shown = name if isinstance(name, str) else "a name from a variable"
            if state is True or state is None:
                pinned.append(unit.ev(call.line, f"{shown} @ {ref}"))
            elif isinstance(name, str):
                what = f"{shown} @ {ref} (a branch)" if ref else f"{shown}, no revision"
                unpinned.append(unit.ev(call.line, what))
            else:
                undecided.append(unit.ev(call.line, f"{call.attr}({shown})"))
    if unpinned:
        return Result.failed(
            f"{len(unpinned)} download(s) follow the newest revision of a hub repository",
            unpinned[:10],
            credit=len(pinned) / (len(pinned) + len(unpinned)),
        )
    if pinned:
        return Result.passed(f"{len(pinned)} download(s) pinned to a revision", pinned[:5])
    if undecided:
        return Result.unknown(
            "the downloaded models or datasets are named by variables and no call passes a revision: whether "
            "the configuration pins one cannot be read from the code",
            undecided[:5],
        )
    return Result.not_applicable("no model or dataset downloaded from a hub")

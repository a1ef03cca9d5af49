"""VER: versioning of code, data, models and configuration."""

from __future__ import annotations

import re
from typing import Any

from ..facts import configs, dvc, ml, project
from ..facts import git as gitfacts
from ..facts.pipelines import (
    is_ml_project,
    library_code_dir,
    template_training_steps,
    training_modules,
    training_notebooks,
)
from ..facts.python import imports_any, imports_of, modules, modules_containing, prefilter, python_files
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
    file deleted from the working tree but still tracked counts too.

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
_DATA_LOCATION = re.compile(
    r"^(?:(s3a?|gs|gcs|az|abfss?|wasbs?|hdfs|hf|lakefs|dbfs)://\S+|[^\s${}]*[\w-]\.(csv|tsv|parquet|pq|feather|"
    r"arrow|jsonl|avro|orc|h5|hdf5|h5ad|npy|npz|xlsx?|arff|tfrecords?|zip|tar\.gz|tgz)(\.gz|\.zip)?)$",
    re.IGNORECASE,
)
#: scikit-learn's datasets that ship inside the package, and its synthetic generators: data generated by code.
_BUNDLED = re.compile(
    r"\b(load_(iris|wine|breast_cancer|digits|diabetes|linnerud|sample_images?)|make_(classification|regression|"
    r"blobs|moons|circles|friedman[123]|gaussian_quantiles|hastie_10_2|multilabel_classification|s_curve|"
    r"swiss_roll|sparse_uncorrelated|low_rank_matrix))\b"
)


_SKLEARN_DATASETS = re.compile(
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
        for value, line in _yaml_strings(load_yaml(repo, path)):
            if _DATA_LOCATION.match(value.strip()):
                out.append(Evidence(path, line, f"data location {value.strip()}"))
    return out


def _yaml_strings(node: Any, line: int | None = None, depth: int = 0) -> list[tuple[str, int | None]]:
    if depth > 20:
        return []
    out: list[tuple[str, int | None]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _yaml_strings(value, node.line_of(key) if isinstance(node, LineDict) else line, depth + 1)
    elif isinstance(node, list):
        for item in node:
            out += _yaml_strings(item, line, depth + 1)
    elif isinstance(node, str):
        out.append((node, line))
    return out


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
        text = repo.read_text(mod.path) or ""
        if not mod.imports_any("sklearn.datasets") and not _SKLEARN_DATASETS.search(text):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            m = _BUNDLED.search(line)
            if m and not line.lstrip().startswith("#"):
                out.append(Evidence(mod.path, number, f"sklearn.datasets.{m.group(1)}"))
    return out


def _small_committed_data(repo: Repo, max_data_mb: float) -> list[Evidence]:
    """The committed data files, when git alone versions the data: every data file of the tree is tracked (not
    in git-lfs) and no larger than ``max_data_mb``, no configuration names a remote dataset, and every loading
    call of the code (modules and notebooks, tests excluded) reads one of them by a literal path. Empty
    otherwise."""
    files = gitfacts.data_files(repo)
    committed: list[str] = []
    for path in files:
        entry = repo.entry(path)
        if entry is None or not entry.tracked or gitfacts.is_lfs(repo, path):
            return []
        if (entry.size or 0) > max_data_mb * gitfacts.MB:
            return []
        committed.append(path)
    if not committed:
        return []
    if any("://" in e.note for e in _fixed_data_sources(repo) if e.note.startswith("data location")):
        return []
    evidence: list[Evidence] = []
    for unit in ml.code_units(repo, *_LOADER_WORDS):
        if _is_test(unit.path):
            continue
        for call in unit.info.calls:
            if call.attr not in _LOADERS or not call.name.startswith(_LOADER_ROOTS):
                continue
            first = call.args[0] if call.args else next(iter(call.kwargs.values()), None)
            where = _committed_file(first, committed)
            if where is None:
                return []  # a dataset read from elsewhere, or from a path known only at run time
            evidence.append(Evidence(where, None, f"committed, loaded by {unit.path}"))
    return list(dict.fromkeys(evidence))


def _committed_file(value: Any, committed: list[str]) -> str | None:
    """The committed file a literal loading path names (relative to the root or to the script's folder)."""
    if not isinstance(value, str) or "://" in value:
        return None
    wanted = value.strip().replace("\\", "/").lstrip("./")
    if not wanted:
        return None
    return next((p for p in committed if p == wanted or p.endswith("/" + wanted)), None)


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
    return found


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
    patterns for data files, or lakeFS — or git itself, when every data file is committed, each no larger than
    ``max-data-mb`` (1 MB, VER002's data limit), and every dataset the code loads is one of them.

    Why it matters: a model is a function of code *and* data. Without a data version, retraining on "the same
    data" is a hope, and a regression cannot be traced back to a data change.

    When it applies: when the project reads data it does not generate — data files in the tree, a loading
    call on a fixed path or URL (``pd.read_csv("data/train.csv")``, ``load_dataset("imdb")``), a configured
    data location (a config value naming a ``.csv`` / ``.parquet``... file or an ``s3://``, ``gs://``...
    URI), or loading code fed only at run time by a project that does not generate its data. A project whose
    data is generated by code from a versioned library — scikit-learn's bundled ``load_iris`` /
    ``load_wine`` / ``load_breast_cancer``... loaders or its ``make_*`` generators, reproduced exactly by the
    locked dependency — and whose other data locations are supplied at run time (a Hydra ``???`` or empty
    value, a command-line argument) names no dataset to version: not applicable. Commit a concrete path
    (``path: data/raw/customers.parquet``) and the check applies again. The ``fetch_*`` loaders download
    their data and do not count as generated.

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
    signals = _data_signals(repo)
    if not signals:
        return Result.not_applicable("no data files or data-loading code found")
    fixed = _fixed_data_sources(repo)
    small = _small_committed_data(repo, max_data_mb)
    if small:
        return Result.passed(
            f"data is versioned by git: {len(small)} committed data file(s), none above {max_data_mb:g} MB, "
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
    return Result.failed("data is used but not versioned (no DVC, git-lfs or lakeFS)", (fixed + signals)[:6])


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


def _data_dirs(repo: Repo) -> list[str]:
    """Data directories at the root or one level down (Python packages named ``data`` excluded)."""
    dirs = set()
    for d in repo.dirs():
        name = d.rsplit("/", 1)[-1].lower()
        if (
            name in gitfacts.DATA_DIRS
            and d.count("/") <= 1
            and not gitfacts.is_fixture_path(d + "/x")
            and f"{d}/__init__.py" not in repo.entries
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
    bad = [p for p in tracked if gitfacts.in_data_dir(p) or (repo.entries[p].size or 0) > 100_000]
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
        return Result.not_applicable("no data directory or data files")
    if tracked:
        return Result.passed("only small data files outside data directories are tracked", tracked[:3])
    return Result.failed(
        f"{data_dirs[0]}/ is neither ignored by git nor tracked by DVC",
        [Evidence(p) for p in repo.named(".gitignore")[:1]] or [project.anchor(repo) or "."],
        credit=0.3,
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
        logged = ml.logging_usages(repo)
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
    ``artifacts:``). Files routed to git-lfs are not counted as committed.

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
    Configuration files that no code loads earn only partial credit.

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
    such as those ``dvc add`` writes, count as covered); each kind is a quarter of the credit.

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
        )
        if rule is not None:
            covered.append(Evidence(rule.path, rule.line, f"{kind}: {rule.pattern}"))
        elif kind == "data" and dvc.is_dvc_tracked(repo, "data"):
            covered.append(
                Evidence("data.dvc" if "data.dvc" in repo.entries else "dvc.yaml", None, "data: DVC")
            )
        elif kind == "data" and (nested := gitfacts.ignore_rules_under(repo, "data")):
            covered.append(Evidence(nested[0].path, nested[0].line, f"data: {nested[0].pattern}"))
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

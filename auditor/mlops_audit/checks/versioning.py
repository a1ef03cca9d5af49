"""VER: versioning of code, data, models and configuration."""

from __future__ import annotations

from ..facts import configs, dvc, project
from ..facts import git as gitfacts
from ..facts.pipelines import is_ml_project, training_modules, training_notebooks
from ..facts.python import modules_containing
from ..repo import Repo
from .base import Evidence, Result, Severity, check


@check("VER001", Severity.ERROR, "The project is a git repository", level=0)
def git_repository(repo: Repo) -> Result:
    """The project lives in a git repository.

    Why it matters: every other kind of versioning — data pointers, pipeline locks, model lineage, "which
    commit produced this model" — hangs off the code's commit history.

    How to fix: ``git init && git add -A && git commit -m "Initial commit"``, then push to a shared remote.
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
    options={"max-file-mb": 5.0, "max-data-mb": 1.0},
)
def no_large_files(repo: Repo) -> Result:
    """Git tracks no file larger than ``max-file-mb`` (5 MB) and no data or model file (``.csv``,
    ``.parquet``, ``.pkl``, ``.pt``, ``.zip``, ``.npy``...) larger than ``max-data-mb`` (1 MB).

    Why it matters: git keeps every version of every blob forever; datasets and checkpoints bloat every clone,
    cannot be diffed, and the history cannot be cleaned without rewriting it. Sizes come from git itself, so a
    file deleted from the working tree but still tracked counts too.

    How to fix: ``git rm --cached path``, add the path to ``.gitignore`` and version it with DVC
    (``dvc add data/raw.csv``) or git-lfs (``git lfs track "*.parquet"``). Thresholds are options::

        [tool.mlops-audit.options.VER002]
        max-file-mb = 10
        max-data-mb = 2
    """
    if not repo.is_git:
        return Result.not_applicable("not a git repository: no tracked files")
    found = gitfacts.configured_large_files(repo)
    if not found:
        max_file, max_data = gitfacts._thresholds(repo)
        return Result.passed(
            f"no tracked file above {max_file:g} MB, no data/model file above {max_data:g} MB"
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


_DATA_CODE = (b"read_csv", b"read_parquet", b"load_dataset", b"read_json", b"np.load", b"open_dataset")


def _data_signals(repo: Repo) -> list[Evidence]:
    """Where the project touches data: data files, data directories, data-loading calls."""
    found = [Evidence(p) for p in gitfacts.data_files(repo)[:3]]
    if not found:
        for mod in modules_containing(repo, *_DATA_CODE)[:3]:
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
def data_versioned(repo: Repo) -> Result:
    """The data a model is trained on is versioned: ``*.dvc`` pointer files, ``dvc.yaml`` stage outputs, git-lfs
    patterns for data files, or lakeFS.

    Why it matters: a model is a function of code *and* data. Without a data version, retraining on "the same
    data" is a hope, and a regression cannot be traced back to a data change.

    How to fix::

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
    return Result.failed("data is used but not versioned (no DVC, git-lfs or lakeFS)", signals)


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

    Example ``.dvc/config``::

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

    Example ``.gitignore``::

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
    bad = [p for p in tracked if gitfacts.in_data_dir(p) or (repo.entry(p).size or 0) > 100_000]  # type: ignore[union-attr]
    if bad or exposed:
        evidence = [Evidence(p, None, "tracked") for p in bad[:6]] + [
            Evidence(p, None, "not ignored") for p in exposed[:4]
        ]
        return Result.failed(f"{len(bad) + len(exposed)} data file(s) committed or not ignored", evidence)
    # nothing exposed: show why (the ignore rule or the DVC pointer)
    evidence: list[Evidence] = []
    for d in data_dirs or ["data"]:
        rule = _dir_rule(repo, d)
        if rule is not None:
            evidence.append(Evidence(rule.path, rule.line, f"{d}/ ignored by {rule.pattern}"))
        elif dvc.is_dvc_tracked(repo, d):
            evidence.append(Evidence(d + ".dvc" if d + ".dvc" in repo.entries else d, None, "DVC-tracked"))
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


_REGISTRY_NEEDLES = (
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
            data = dvc.load_yaml(repo, path)
            if isinstance(data, dict) and isinstance(data.get("artifacts"), dict):
                out.append(Evidence(path, dvc.line_of(data, "artifacts"), "DVC model artifacts"))
        out += [Evidence(p) for p in repo.named("artifacts.yaml") if repo.contains(p, b"type: model")]
        for o in dvc.tracked_outputs(repo):
            if gitfacts.is_model_file(o) or o.split("/")[0] in ("models", "model"):
                out.append(
                    Evidence(o + ".dvc" if o + ".dvc" in repo.entries else o, None, "model versioned by DVC")
                )
                break
        return out

    return repo.memo("versioning.registry_evidence", compute)


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

    How to fix: ``git rm --cached models/model.pkl``, ignore ``/models/``, and register the model::

        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
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

    How to fix: put the parameters in ``conf/config.yaml`` and load them with Hydra
    (``mlops-audit fix --select VER007`` renders the template's config)::

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

    How to fix: ``dvc repro`` (or ``dvc commit``) and ``git add dvc.lock``.
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
    ``mlflow.db``, ``wandb/``) and ``.env``. The check probes typical paths of each kind against the rules
    (DVC-tracked data counts as covered); each kind is a quarter of the credit.

    Why it matters: one ``git add .`` after a training run otherwise commits a 2 GB dataset, a pickled model
    and a local tracking database — history that every clone downloads forever and that is painful to purge.

    How to fix: ``mlops-audit fix --select VER009`` appends the template's rules; files that are already
    tracked stay tracked until ``git rm --cached`` (VER002, VER005 and VER006 report them).

    Example::

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

"""EXP: experiment tracking — a tracker in use, parameters and metrics logged, models logged and registered,
runs linked to commits, and tracking artefacts kept out of git."""

from __future__ import annotations

from .. import lazyre
from ..facts import ml, notebooks, tracking
from ..facts.pipelines import is_ml_project, no_training_run
from ..facts.python import python_files
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check


def _has_code(repo: Repo) -> bool:
    return bool(python_files(repo) or notebooks.notebooks(repo))


@check(
    "EXP001",
    Severity.ERROR,
    "An experiment tracker is used",
    fix_hint="log runs with MLflow (or W&B, Neptune, Comet, Aim, DVCLive, ClearML, TensorBoard)",
    level=1,
)
def tracker_used(repo: Repo) -> Result:
    """Runs are recorded by an experiment tracker: MLflow, Weights & Biases, TensorBoard, Neptune, Comet, Aim,
    DVCLive or ClearML, used in code, notebooks or configuration; or, home-grown, by the project's own
    database tables of runs and their metrics (ORM classes ``Run`` / ``Experiment`` / ``Trial`` beside a
    ``Metric`` table or a metrics column), which then answer EXP002 and EXP006 by their columns.

    Why it matters: without a tracker the parameters, metrics and artefacts of past runs live in terminal
    scroll-back and file names like ``model_final_v3.pkl``; nobody can say which run produced the model in
    production or compare a new one with it.

    How to fix: wrap training in a tracked run.

    Example::

        with mlflow.start_run():
            mlflow.log_params(params)
            model.fit(X, y)
            mlflow.log_metric("f1", f1_score(y_val, model.predict(X_val)))
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    trackers = tracking.tracker_usages(repo)
    if not trackers:
        if not is_ml_project(repo):
            return Result.not_applicable("no training code or pipeline: no runs to track")
        return Result.failed("no experiment tracker (MLflow, W&B, TensorBoard, ...) in code or configuration")
    first = next(iter(trackers))
    evidence = [ev for evs in trackers.values() for ev in evs[:2]]
    return Result.passed(f"experiment tracking with {', '.join(trackers)}", evidence[:5] or first)


@check(
    "EXP002",
    Severity.WARNING,
    "Parameters and metrics are logged",
    fix_hint="log the hyper-parameters (log_params) and the evaluation metrics (log_metric) of every run",
    level=1,
    requires=("EXP001",),
)
def params_and_metrics(repo: Repo) -> Result:
    """Tracked runs record both their parameters (``log_param(s)``, ``wandb.init(config=...)``,
    ``save_hyperparameters``...) and their metrics (``log_metric(s)``, ``wandb.log``, ``add_scalar``,
    ``self.log``...); ``autolog()`` does both. Parameters also count when a generic ``run.log(name, value)``
    (AzureML's one logging call) logs them (``for k, v in train_args.items(): run.log(k, v)``), or when the
    code that tracks the run writes them to a file beside its metrics (``json.dump`` to ``flags.json``), or a
    home-grown run table has a parameters column (``Run.config``) and metrics (a ``Metric`` table).
    Logging only one of them earns partial credit.

    Why it matters: a metric without the parameters that produced it cannot be reproduced, and parameters
    without metrics cannot be compared.

    How to fix: log the configuration at the start of the run and the evaluation metrics at the end.

    Example::

        mlflow.log_params({"max_depth": 8, "n_estimators": 300})
        mlflow.log_metrics({"auc": auc, "f1": f1})
    """
    logged = tracking.logging_usages(repo)
    params, metrics = logged.get("params", []), logged.get("metrics", [])
    if metrics and not params:
        params = tracking.parameters_recorded(repo)
    if not params and not metrics and tracking.RUN_TABLES in tracking.tracker_usages(repo):
        tables = tracking.run_tables(
            repo
        )  # a home-grown tracker: its run table's columns say what it records
        params, metrics = tables.get("params", []), tables.get("metrics", [])
    if params and metrics:
        return Result.passed("parameters and metrics are logged", [params[0], metrics[0]])
    if params:
        return Result.failed("parameters are logged but no metrics", params[:3], credit=0.5)
    if metrics:
        return Result.failed("metrics are logged but no parameters", metrics[:3], credit=0.5)
    trackers = tracking.tracker_usages(repo)
    return Result.failed(
        "a tracker is set up but neither parameters nor metrics are logged",
        [ev for evs in trackers.values() for ev in evs[:1]][:3],
    )


# directory (any depth) or file name -> tracker
_ARTEFACT_DIRS = {
    "mlruns": "MLflow",
    "mlartifacts": "MLflow",
    "lightning_logs": "Lightning",
    ".aim": "Aim",
    ".neptune": "Neptune",
    "wandb": "W&B",
    ".clearml": "ClearML",
}
_ARTEFACT_FILES = lazyre.compile(r"(^|/)(mlflow\.db|mlruns\.db)$|(^|/)events\.out\.tfevents\.")
_WANDB_RUN = lazyre.compile(
    r"(^|/)wandb/(latest-run|(offline-)?run-\d{8}_\d{6}-[a-z0-9]+|debug(-internal)?\.log)"
)


def tracking_artefacts(repo: Repo) -> list[tuple[str, str]]:
    """Committed tracker output: ``(path, tracker)``; in a git work tree only tracked files count."""
    out = []
    for path, entry in repo.entries.items():
        if repo.is_git and not entry.tracked:
            continue
        parts = path.split("/")[:-1]
        kind = None
        if _WANDB_RUN.search(path):
            kind = "W&B"
        else:
            kind = next((_ARTEFACT_DIRS[p] for p in parts if p in _ARTEFACT_DIRS and p != "wandb"), None)
        if kind is None and _ARTEFACT_FILES.search(path):
            kind = "TensorBoard" if "tfevents" in path else "MLflow"
        if kind:
            out.append((path, kind))
    return out


@check(
    "EXP003",
    Severity.WARNING,
    "Tracking artefacts are not committed",
    fix="gitignore",
    fix_hint="git rm -r --cached mlruns/ wandb/ lightning_logs/ and add them to .gitignore",
    level=1,
)
def artefacts_not_committed(repo: Repo) -> Result:
    """Tracker output — ``mlruns/``, ``mlartifacts/``, ``mlflow.db``, ``wandb/`` run folders,
    ``lightning_logs/``, TensorBoard event files, ``.aim/`` — is not tracked in git.

    Why it matters: run folders hold binaries, models and thousands of small files; committing them bloats
    the repository forever and still does not give a shared tracking server. They belong on the tracking
    server or an artefact store.

    How to fix: ``git rm -r --cached mlruns`` and ignore the folders (``mlops-audit fix`` adds them to
    ``.gitignore``).

    Example (``.gitignore``)::

        mlruns/
        mlflow.db
        wandb/
        lightning_logs/
    """
    found = tracking_artefacts(repo)
    if found:
        kinds = sorted({k for _, k in found})
        dirs: dict[str, Evidence] = {}
        for path, kind in found:
            top = "/".join(path.split("/")[:2]) if "/" in path else path
            dirs.setdefault(top, Evidence(path, None, kind))
        return Result.failed(
            f"{len(found)} {', '.join(kinds)} tracking files committed", list(dirs.values())[:10]
        )
    return Result.passed("no tracking artefacts committed")


@check(
    "EXP004",
    Severity.WARNING,
    "Models are registered in a model registry",
    fix_hint="register the trained model (mlflow.register_model / registered_model_name=...) and promote by alias",
    level=1,
    profiles=("pipeline", "service"),
    requires=("EXP001",),
)
def model_registry(repo: Repo) -> Result:
    """Trained models are registered in a model registry (MLflow ``register_model``,
    ``registered_model_name=``, aliases and stages, ``models:/`` URIs; W&B ``link_model``) rather than
    passed around as files. Not applicable when the repository trains no model (it only logs runs).

    Why it matters: the registry is the single answer to "which model is in production, who trained it, on
    which data, with which metrics"; promotion (champion/challenger aliases) and rollback depend on it.

    How to fix: register the model when logging it and load it by alias where it is served.

    Example::

        mlflow.sklearn.log_model(model, name="model", registered_model_name="churn")
        client.set_registered_model_alias("churn", "champion", version)
        model = mlflow.pyfunc.load_model("models:/churn@champion")
    """
    registry = tracking.logging_usages(repo).get("registry", [])
    if registry:
        return Result.passed("a model registry is used", registry[:3])
    models = tracking.logging_usages(repo).get("models", [])
    if models:
        return Result.failed("models are logged as artefacts but never registered", models[:3], credit=0.4)
    if not ml.training_units(repo):
        return Result.not_applicable("no training code found: no model to register")
    return Result.failed("no model registry use (register_model, registered_model_name, models:/ URIs)")


@check(
    "EXP005",
    Severity.INFO,
    "Runs are linked to a git commit",
    fix_hint="log the git commit with every run (mlflow records it for git checkouts; else set a tag)",
    level=2,
    requires=("EXP001",),
)
def commit_linkage(repo: Repo) -> Result:
    """Each tracked run records the git commit of the code that produced it — explicitly (a ``git_commit``
    tag or parameter, ``GITHUB_SHA``, an MLflow project) or through a tracker that captures it by itself
    when run from a git checkout (MLflow, W&B, Comet, Neptune, ClearML, DVCLive). MLflow used only from
    notebooks does not count: it takes the commit from the main script, which in a notebook is the kernel.

    Why it matters: a metric in the tracker is only useful if you can check out the code that produced it;
    without the commit a good run cannot be rebuilt.

    How to fix: run from a clean checkout with a tracker that captures git metadata, or set the tag
    yourself.

    Example::

        sha = subprocess.check_output(["git", "rev-parse", "HEAD"], text=True).strip()
        mlflow.set_tag("git_commit", sha)
    """
    trackers = tracking.tracker_usages(repo)
    explicit = tracking.commit_linkage(repo)
    if explicit:
        return Result.passed("runs record the git commit explicitly", explicit[:3])
    # MLflow takes the commit from the main script's git checkout; a notebook's main file is the kernel's
    notebook_only = [
        t for t in trackers if t == "mlflow" and all(ev.path.endswith(".ipynb") for ev in trackers[t])
    ]
    auto = [t for t in trackers if t in tracking.AUTO_COMMIT_TRACKERS and t not in notebook_only]
    if notebook_only and not auto:
        return Result.failed(
            "mlflow runs start only from notebooks, where mlflow records no git commit, and no code logs it",
            trackers[notebook_only[0]][:2],
        )
    if auto:
        return Result.passed(
            f"{auto[0]} records the git commit of each run automatically (when run from a git checkout)",
            trackers[auto[0]][:2],
        )
    return Result.failed(
        f"{', '.join(trackers)} does not record the git commit and no code logs it",
        [ev for evs in trackers.values() for ev in evs[:1]][:3],
    )


@check(
    "EXP006",
    Severity.WARNING,
    "Trained models are logged with their run",
    fix_hint="log the model artefact with the run (mlflow.<flavor>.log_model, wandb.Artifact, log_artifact)",
    level=1,
    requires=("EXP001",),
)
def models_logged(repo: Repo) -> Result:
    """The trained model is stored with the run that produced it (``mlflow.<flavor>.log_model``,
    ``log_artifact``, ``wandb.Artifact``, ``autolog()``...), not only written to a local file. A platform
    that keeps the model with the run by itself counts too: a TFX ``Trainer`` component (its model is an
    artifact in ML Metadata), an AzureML run that writes the model under ``./outputs`` (uploaded with the
    run), or a home-grown run table that records where the run's model is (``Run.output_dir``).

    Why it matters: a model file on disk has no lineage; logged with its run it keeps its parameters,
    metrics, code version and environment, and can be registered and served.

    How to fix: log the model at the end of training.

    Example::

        mlflow.sklearn.log_model(model, name="model", input_example=X_val[:5])
    """
    models = tracking.logging_usages(repo).get("models", [])
    if models:
        return Result.passed("models are logged with their runs", models[:3])
    kept = tracking.models_kept_with_run(repo)
    if not kept and tracking.RUN_TABLES in tracking.tracker_usages(repo):
        kept = tracking.run_tables(repo).get("models", [])  # the run row records where its model is
    if kept:
        return Result.passed("the platform keeps the trained model with its run", kept[:3])
    if not ml.training_units(repo):
        return Result.not_applicable("no training code found")
    if reason := no_training_run(repo):
        return Result.not_applicable(reason)
    return Result.failed("runs are tracked but the trained model is never logged as an artefact")

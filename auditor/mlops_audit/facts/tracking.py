"""Experiment tracking: the trackers a repository uses (libraries, framework loggers, platforms, home-grown run
tables) and what they log (parameters, metrics, models, registrations, the git commit).

The reusable entry points are :func:`tracker_usages`, :func:`logging_usages` and :func:`commit_linkage`.
"""

from __future__ import annotations

import ast
import re

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, memoized
from . import FactValue, cloudml, inventory, report_fact
from .dvc import stages as dvc_stages
from .git import is_model_file
from .ml import CodeUnit, add_found, code_units, flatten, imports_from, is_test_path
from .python import NON_LITERAL, Call, modules_containing, prefilter
from .source import ask, search, source_question

# ----------------------------------------------------------------------------------------------- trackers


TRACKER_MODULES: dict[str, tuple[str, ...]] = {
    "mlflow": ("mlflow",),
    "wandb": ("wandb",),
    "tensorboard": ("tensorboard", "tensorboardX", "torch.utils.tensorboard"),
    "neptune": ("neptune", "neptune_client"),
    "comet": ("comet_ml",),
    "aim": ("aim",),
    "dvclive": ("dvclive",),
    "clearml": ("clearml", "trains"),
    # the tracking of managed ML platforms, credited by their run APIs (not by any import of the SDK)
    "azureml": (),
    "vertex": (),
    # Kubeflow Pipelines metrics artifacts (Output[Metrics].log_metric), kept per run in ML Metadata (Vertex ML
    # Metadata on Vertex AI Pipelines) and compared across runs in the pipelines UI
    "kfp": (),
}


#: what a KFP metrics artifact logs
_KFP_METRIC_ATTRS = frozenset({"log_metric", "log_confusion_matrix", "log_roc_curve", "log_roc_data_point"})


#: Run-tracking calls of managed ML platforms: (tracker, SDK prefix, attributes).
_PLATFORM_TRACKING = (
    ("azureml", "azureml.core", frozenset({"get_context", "start_logging"})),
    ("vertex", "google.cloud.aiplatform", frozenset({"start_run", "log_params", "log_metrics",
                                                     "log_time_series_metrics", "log_classification_metrics",
                                                     "start_execution"})),
)  # fmt: skip


#: Model registries of managed ML platforms: (SDK prefix, call name suffix).
_PLATFORM_REGISTRY = (
    ("azureml", ".Model.register"),
    ("azure.ai.ml", ".models.create_or_update"),
    ("google.cloud.aiplatform", ".Model.upload"),
    ("google.cloud.aiplatform", ".Model.upload_scikit_learn_model_file"),
    ("sagemaker", ".ModelPackage"),
    ("sagemaker", ".register"),
    ("google.cloud.aiplatform", ".ModelRegistry"),  # Vertex Model Registry versions and aliases
)


#: keyword arguments that upload a model as a new version of a registered model (Vertex ``parent_model``)
_REGISTRY_KWARGS = ("parent_model",)


#: Framework integrations named after a tracker (Lightning loggers, Keras/HF callbacks).
_TRACKER_CLASSES = {
    "MLFlowLogger": "mlflow",
    "MlflowLogger": "mlflow",
    "MLflowCallback": "mlflow",
    "WandbLogger": "wandb",
    "WandbCallback": "wandb",
    "WandbMetricsLogger": "wandb",
    "TensorBoardLogger": "tensorboard",
    "TensorBoard": "tensorboard",
    "TensorBoardCallback": "tensorboard",
    "NeptuneLogger": "neptune",
    "CometLogger": "comet",
    "AimLogger": "aim",
    "DVCLiveLogger": "dvclive",
    "DVCLiveCallback": "dvclive",
    "DvcLiveCallback": "dvclive",
    "CometCallback": "comet",
    "NeptuneCallback": "neptune",
}


_REPORT_TO = {
    "mlflow": "mlflow",
    "wandb": "wandb",
    "tensorboard": "tensorboard",
    "neptune": "neptune",
    "comet_ml": "comet",
    "clearml": "clearml",
    "dvclive": "dvclive",
    "aim": "aim",
}


_TRACKER_NEEDLES = prefilter(
    b"mlflow",
    b"MLFlow",
    b"Mlflow",
    b"MLflow",
    b"wandb",
    b"Wandb",
    b"tensorboard",
    b"TensorBoard",
    b"neptune",
    b"Neptune",
    b"comet_ml",
    b"CometLogger",
    b"import aim",
    b"from aim",
    b"AimLogger",
    b"dvclive",
    b"DVCLive",
    b"clearml",
    b"report_to",
    b"summary.scalar",
    b"create_file_writer",
    b"SummaryWriter",
    b"summary.FileWriter",
    b"azureml",
    b"aiplatform",
    b"kfp",
)


#: A tracker configured in a YAML/INI file: its name, not as part of a file name (``mlflow.db``, ``wandb.json``
#: are paths, not configuration of a tracker).
_CONFIG_TRACKER = lazyre.compile(
    r"(?<![A-Za-z0-9])(mlflow|wandb|tensorboard|neptune|comet_ml|clearml|dvclive)"
    r"(?![\w-]*\.(?:db|sqlite|json|csv|txt|log|ya?ml)\b)",
    re.I,
)


#: Question files of project templates: they describe the project they generate, not this repository.
_TEMPLATE_QUESTIONS = frozenset({"copier.yml", "copier.yaml", "cookiecutter.json"})


#: TensorBoard writers and summaries of TensorFlow, through any alias (``tf.compat.v2.summary.scalar``).
_TF_SUMMARY = lazyre.compile(
    r"^tensorflow(\.compat\.v[12])?\.summary\.(create_file_writer|scalar|histogram|image|text|FileWriter)$"
)


def tracker_units(repo: Repo) -> list[CodeUnit]:
    """Code units that mention a tracker (the prefilter of every tracking fact)."""
    return code_units(repo, *_TRACKER_NEEDLES)


def _unit_trackers(unit: CodeUnit) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for tracker, roots in TRACKER_MODULES.items():
        for name, line in imports_from(unit, roots):
            add_found(found, tracker, unit.ev(line, f"import {name}"))
    for call in unit.info.calls:
        for tracker, prefix, attrs in _PLATFORM_TRACKING:
            if call.attr in attrs and call.name.startswith(prefix + "."):
                add_found(found, tracker, unit.call_ev(call))
        if call.name == "google.cloud.aiplatform.init" and "experiment" in call.kwargs:
            add_found(found, "vertex", unit.call_ev(call))
        if call.attr in _KFP_METRIC_ATTRS and unit.info.imports_any("kfp"):
            add_found(found, "kfp", unit.call_ev(call))
        by_class = _TRACKER_CLASSES.get(call.attr)
        if by_class and (by_class != "tensorboard" or call.attr != "TensorBoard" or "keras" in call.name):
            add_found(found, by_class, unit.call_ev(call))
        if _TF_SUMMARY.match(call.name) or (
            call.attr in ("SummaryWriter", "FileWriter")
            and call.name.startswith(("tensorflow", "torch.utils.tensorboard", "tensorboardX"))
        ):
            add_found(found, "tensorboard", unit.call_ev(call))
        report_to = call.kwargs.get("report_to")
        values = [report_to] if isinstance(report_to, str) else report_to
        if isinstance(values, (list, tuple)):
            for value in values:
                if isinstance(value, str) and value in _REPORT_TO:
                    add_found(found, _REPORT_TO[value], unit.ev(call.line, f"report_to={value!r}"))
    return found


def _config_candidates(repo: Repo) -> list[str]:
    from .dependencies import conda_files

    skip = set(conda_files(repo))
    out = []
    for path, entry in repo.entries.items():
        if entry.suffix not in (".yaml", ".yml", ".cfg", ".ini", ".conf") and entry.name != "MLproject":
            continue
        if path in skip or path.startswith((".github/", ".gitlab")) or entry.name.startswith(".pre-commit"):
            continue
        if entry.name in _TEMPLATE_QUESTIONS:
            continue
        if entry.name.endswith(("lock.yml", "lock.yaml")) or repo.larger_than(path, 1_000_000):
            continue
        out.append(path)
    return out


@memoized
def tracker_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Experiment trackers used, with where: ``{"mlflow": [Evidence, ...], ...}`` (code, notebooks, configs)."""
    found: dict[str, list[Evidence]] = {}
    for unit in tracker_units(repo):
        for tracker, evs in _unit_trackers(unit).items():
            for ev in evs:
                add_found(found, tracker, ev)
    for path in repo.named("MLproject"):
        add_found(found, "mlflow", Evidence(path, 1, "MLflow project"))
    for path in repo.grep(
        _config_candidates(repo),
        b"mlflow",
        b"wandb",
        b"tensorboard",
        b"neptune",
        b"comet_ml",
        b"clearml",
        b"dvclive",
        b"MLFlow",
        b"Wandb",
        b"TensorBoard",
    ):
        if path.endswith("MLproject"):
            continue
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            m = _CONFIG_TRACKER.search(line)
            if m:
                name = m.group(1).lower()
                add_found(found, _REPORT_TO.get(name, name), Evidence(path, number, line.strip()[:80]))
                break
    trackers = {k: found[k] for k in TRACKER_MODULES if k in found}
    if not trackers and (tables := run_tables(repo)).get("runs") and tables.get("metrics"):
        trackers[RUN_TABLES] = tables["runs"][:1] + tables["metrics"][:1]
    return trackers


#: The name of a home-grown tracker: the project's own database tables of runs and their metrics.
RUN_TABLES = "run tables"


_TABLE_NEEDLES = prefilter(b"__tablename__")
_RUN_TABLE = lazyre.compile(r"^(\w*Run|Experiment|Trial)s?$")


_METRIC_TABLE = lazyre.compile(r"^\w*Metrics?$")


_RUN_FIELDS = {
    "params": lazyre.compile(r"config|param|hyper|args", re.IGNORECASE),
    "metrics": lazyre.compile(r"metric|score|accuracy|loss", re.IGNORECASE),
    "models": lazyre.compile(r"model_(path|uri|dir|file)|output_dir|artifact|checkpoint", re.IGNORECASE),
}


@memoized
def run_tables(repo: Repo) -> dict[str, list[Evidence]]:
    """A home-grown tracker: ORM tables (classes with ``__tablename__``) that record runs (``Run``,
    ``Experiment``, ``Trial``...) with their parameters, metrics and model location (a ``Metric`` table, a
    ``config`` / ``metrics`` / ``output_dir`` column). Kinds: ``runs``, ``params``, ``metrics``, ``models``."""
    found: dict[str, list[Evidence]] = {}
    for mod in modules_containing(repo, *_TABLE_NEEDLES):
        if is_test_path(mod.path):
            continue
        try:
            tree = ast.parse(repo.read_text(mod.path) or "")
        except (SyntaxError, ValueError, RecursionError):
            continue
        tables: dict[str, tuple[int, list[tuple[str, int]]]] = {}
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            fields = []
            for stmt in node.body:
                targets = (
                    stmt.targets
                    if isinstance(stmt, ast.Assign)
                    else [stmt.target]
                    if isinstance(stmt, ast.AnnAssign)
                    else []
                )
                fields += [(t.id, stmt.lineno) for t in targets if isinstance(t, ast.Name)]
            if any(name == "__tablename__" for name, _ in fields):
                tables[node.name] = (node.lineno, fields)
        runs = {name: v for name, v in tables.items() if _RUN_TABLE.match(name)}
        if not runs:
            continue
        for name, (line, fields) in runs.items():
            add_found(found, "runs", Evidence(mod.path, line, f"table {name}"))
            for kind, pattern in _RUN_FIELDS.items():
                for field_name, field_line in fields:
                    if pattern.search(field_name) and field_name != "__tablename__":
                        add_found(found, kind, Evidence(mod.path, field_line, f"{name}.{field_name}"))
                        break
        for name, (line, _fields) in tables.items():
            if _METRIC_TABLE.match(name):
                add_found(found, "metrics", Evidence(mod.path, line, f"table {name}"))
    return found


# ------------------------------------------------------------------------------------------- what is logged


PARAM_ATTRS = frozenset(
    {
        "log_param",
        "log_params",
        "log_hyperparams",
        "log_parameters",
        "log_parameter",
        "add_hparams",
        "save_hyperparameters",
        "log_hparams",
        "connect_configuration",
    }
)


METRIC_ATTRS = frozenset(
    {
        "log_metric",
        "log_metrics",
        "add_scalar",
        "add_scalars",
        "report_scalar",
        "log_dict",
        "track",
        "log_scalar",
        "log_scalars",
    }
)


MODEL_ATTRS = frozenset(
    {
        "log_model",
        "log_artifact",
        "log_artifacts",
        "upload_artifact",
        "log_state_dict",
        "log_table",
        "upload_model",
        "log_model_to_registry",
    }
)


REGISTRY_ATTRS = frozenset(
    {
        "register_model",
        "create_registered_model",
        "create_model_version",
        "set_registered_model_alias",
        "transition_model_version_stage",
        "link_model",
        "link_artifact",
        "update_registered_model",
        "get_model_version_by_alias",
        "get_latest_versions",
    }
)


_NOT_TRACKER_LOG = (
    "numpy.",
    "np.",
    "math.",
    "torch.",
    "jax.",
    "jnp.",
    "logging.",
    "tensorflow.math",
    "scipy.",
)


def _log_kinds(unit: CodeUnit, call: Call) -> list[str]:
    attr, name = call.attr, call.name
    kinds = []
    if attr == "autolog" or attr == "enable_autolog":
        return ["params", "metrics", "models"]
    if "report_to" in call.kwargs and call.kwargs["report_to"] not in (None, "none", [], NON_LITERAL):
        kinds += ["params", "metrics"]
    if attr in PARAM_ATTRS or name in ("wandb.config.update", "wandb.config.setdefaults"):
        kinds.append("params")
    if name == "wandb.init" and "config" in call.kwargs:
        kinds.append("params")
    if name.startswith("clearml") and attr == "connect":
        kinds.append("params")
    if attr in METRIC_ATTRS or name == "wandb.log" or (attr == "scalar" and _TF_SUMMARY.match(name)):
        kinds.append("metrics")
    elif attr == "log" and not name.startswith(_NOT_TRACKER_LOG) and "logger" not in name.lower():
        kinds.append("metrics")  # run.log({...}), self.log("val_loss", ...) in Lightning modules
    if _TRACKER_CLASSES.get(attr):  # a framework logger or callback: it records the training metrics
        kinds.append("metrics")
    if name.startswith("comet_ml") and attr in ("Experiment", "start", "OfflineExperiment"):
        kinds.append("metrics")  # Comet auto-logs the metrics of the frameworks it instruments by default
    if attr in MODEL_ATTRS or name in ("wandb.Artifact", "wandb.save") or attr == "OutputModel":
        kinds.append("models")
    if (
        attr in REGISTRY_ATTRS
        or call.kwargs.get("registered_model_name", None) is not None
        or _platform_registry(unit, call)
    ):
        kinds.append("registry")
    return kinds


def _platform_registry(unit: CodeUnit, call: Call) -> bool:
    """A managed platform's model registry: its registry API, or a model uploaded as a new version of a
    registered model (``parent_model=`` in a module that uses the Vertex AI SDK)."""
    if any(call.name.startswith(p + ".") and call.name.endswith(t) for p, t in _PLATFORM_REGISTRY):
        return True
    return any(k in call.kwargs for k in _REGISTRY_KWARGS) and bool(
        unit.info.imports_any("google.cloud.aiplatform")
    )


#: A registry reference in configuration: ``registered_model_name``, or a ``models:/`` URI starting a token
#: (not the tail of a path such as the docker-compose volume ``./airflow/models:/opt/airflow/models``).
_REGISTRY_CONFIG = lazyre.compile(r"registered_model_name|(?<![\w./~-])models:/(?!/)")


@memoized
def logging_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """What the code logs to a tracker: ``params``, ``metrics``, ``models`` (artefacts) and ``registry``
    (model registry use), each with evidence. Only files that use a tracker are considered, plus the params
    and metrics files DVC stages declare (``dvc exp`` records them with every experiment)."""
    found: dict[str, list[Evidence]] = {}
    for unit in tracker_units(repo):
        if not _unit_trackers(unit) and not any(_TRACKER_HANDLE.search(c.name) for c in unit.info.calls):
            continue  # no tracker, and no tracker handed in (a Dagster resource: context.resources.mlflow)
        for call in unit.info.calls:
            for kind in _log_kinds(unit, call):
                add_found(found, kind, unit.call_ev(call))
        if "kfp" in _unit_trackers(unit):  # KFP records each run's component inputs and output artifacts
            for name, line in unit.info.decorators:
                if name.startswith("kfp.") and name.rsplit(".", 1)[-1] == "component":
                    add_found(found, "params", unit.ev(line, "KFP component inputs"))
            output = search(repo, unit.path, _KFP_MODEL_OUTPUT)
            if output is not None:
                add_found(found, "models", unit.ev(output[0], output[1][:60]))
        for text, line in unit.info.strings:
            if text.startswith("models:/"):
                add_found(found, "registry", unit.ev(line, text[:60]))
    for mod in modules_containing(repo, *_FLOWSPEC_NEEDLES):  # Metaflow keeps every self.<attr> of a run
        if any("metaflow.FlowSpec" in bases for _, bases, _ in mod.classes):
            kept = search(repo, mod.path, _METAFLOW_MODEL)
            if kept is not None:
                add_found(found, "models", Evidence(mod.path, kept[0], f"Metaflow artifact {kept[2][0]}"))
    tracked = {u.path for u in tracker_units(repo) if _unit_trackers(u)}
    for unit in code_units(repo, *_MANAGED_RUN_NEEDLES):
        if unit.path in tracked:
            continue  # its calls are read above
        for call in unit.info.calls:  # a managed platform's model registry, with or without its run tracking
            if _platform_registry(unit, call):
                add_found(found, "registry", unit.call_ev(call))
    for path, line, what in cloudml.registry_declarations(repo):  # registered by declared infrastructure
        add_found(found, "registry", Evidence(path, line, what))
    for stage in dvc_stages(repo):  # DVC experiments record the params and metrics files a stage declares
        if stage.params:
            add_found(found, "params", Evidence(stage.path, stage.line, f"stage {stage.name} params"))
        if stage.metrics:
            add_found(found, "metrics", Evidence(stage.path, stage.line, f"stage {stage.name} metrics"))
        model_out = next(
            (o for o in stage.outs if is_model_file(o) or o.split("/")[0] in ("models", "model")), None
        )
        if model_out:  # DVC caches a stage's outputs with every run and experiment
            add_found(
                found, "models", Evidence(stage.path, stage.line, f"stage {stage.name} outputs {model_out}")
            )
    for path in repo.grep(_config_candidates(repo), b"registered_model_name", b"models:/"):
        text = repo.read_text(path) or ""
        m = _REGISTRY_CONFIG.search(text)
        if m:
            add_found(found, "registry", Evidence(path, text.count("\n", 0, m.start()) + 1))
    return found


#: a trained model as an output artifact of a KFP component (``model: Output[Model]``)
_KFP_MODEL_OUTPUT = lazyre.compile(r"\b\w*model\w*\s*:\s*(?:dsl\.)?Output\[(?:dsl\.)?(?:Model|Artifact)\]")


#: what names a run's parameters: ``train_args``, ``params``, ``hparams``, ``config``, ``FLAGS``
_PARAM_NAME = lazyre.compile(r"\b\w*(param|args|hparams?|config|cfg|flags|hyper)\w*\b", re.IGNORECASE)


#: a file of the run's parameters written next to its outputs: ``flags.json``, ``hparams.yaml``, ``args.json``
_PARAM_FILE = lazyre.compile(
    r"(^|[/_])(flags|hparams|hyperparameters|params|parameters|args|config|opts?)\.(json|ya?ml)$"
)


_DUMP_CALLS = ("json.dump", "yaml.dump", "yaml.safe_dump", "ruamel.yaml.dump", "omegaconf.OmegaConf.save")


@source_question
def _logs_parameters_at(text: str, line: int) -> bool:
    """Whether the ``.log(`` call at ``line`` logs parameters: its arguments name them, or so does the loop
    right above it (``for k, v in train_args.items():``)."""
    lines = text.splitlines()
    code = lines[line - 1] if 0 < line <= len(lines) else ""
    args = code.split(".log(", 1)[-1]
    header = next(
        (ln for ln in reversed(lines[max(0, line - 3) : line - 1]) if ln.lstrip().startswith("for ")), ""
    )
    return bool(_PARAM_NAME.search(args) or _PARAM_NAME.search(header.split(" in ", 1)[-1]))


@memoized
def parameters_recorded(repo: Repo) -> list[Evidence]:
    """Parameters a run records without a parameter API: a generic ``run.log(name, value)`` (AzureML's only
    logging call, which takes parameters and metrics alike) logging the parameters (``for k, v in
    train_args.items(): run.log(k, v)``), or the parameters dumped as a file (``flags.json``,
    ``hparams.yaml``) by code that tracks the run, next to the metrics it writes."""
    found: list[Evidence] = []
    for unit in tracker_units(repo):
        if unit.is_notebook or not _unit_trackers(unit):
            continue
        for call in unit.info.calls:
            if call.attr != "log" or "logger" in call.name.lower() or call.name.startswith(_NOT_TRACKER_LOG):
                continue
            if ask(repo, unit.path, _logs_parameters_at, call.line):
                found.append(unit.ev(call.line, "parameters logged with " + call.name))
                break
        dumps = [c for c in unit.info.calls if c.name in _DUMP_CALLS]
        files = [(text, line) for text, line in unit.info.strings if _PARAM_FILE.search(text)]
        if dumps and files:
            found.append(unit.ev(files[0][1], f"parameters written to {files[0][0]}"))
    return found


#: AzureML uploads what a run writes to ``./outputs`` with the run
_AZUREML_OUTPUTS = lazyre.compile(r"^(\./)?outputs(/|$)")


_MODEL_SAVES = ("dump", "save", "save_model", "joblib.dump", "pickle.dump")


@memoized
def models_kept_with_run(repo: Repo) -> list[Evidence]:
    """Models a platform keeps with the run that produced them without a log call: a TFX ``Trainer``
    component (its model is an artifact in ML Metadata, linked to the pipeline run), or an AzureML run that
    writes the model under ``./outputs`` (uploaded with the run)."""
    found: list[Evidence] = []
    for unit in code_units(repo, *_PIPELINE_ARTIFACT_NEEDLES):
        if is_test_path(unit.path):
            continue
        for call in unit.info.calls:
            if call.name.startswith("tfx.") and call.attr == "Trainer":
                found.append(unit.call_ev(call))
                break
        if any(name.startswith("azureml") for name, _ in unit.info.imports):
            outputs = [line for text, line in unit.info.strings if _AZUREML_OUTPUTS.match(text)]
            saves = [
                c for c in unit.info.calls if c.attr in _MODEL_SAVES and outputs and c.line >= min(outputs)
            ]
            if saves:
                found.append(unit.ev(saves[0].line, f"{saves[0].name} to the run's outputs/"))
    return found


#: a tracker handed in (a Dagster resource parameter ``mlflow``, ``context.resources.mlflow``) and logged to
_TRACKER_HANDLE = lazyre.compile(r"(^|\.)(mlflow|wandb|neptune|comet_ml|clearml)\.log_\w+$")


#: a trained model kept as a Metaflow artifact: ``self.model = ...`` in a FlowSpec step
_FLOWSPEC_NEEDLES = prefilter(b"FlowSpec")
_MANAGED_RUN_NEEDLES = prefilter(b"azureml", b"aiplatform", b"sagemaker", b"azure.ai.ml")
_PIPELINE_ARTIFACT_NEEDLES = prefilter(b"tfx", b"azureml")
_METAFLOW_MODEL = lazyre.compile(r"^[ \t]+(self\.(?:\w*_)?model)[ \t]*=(?!=)", re.MULTILINE)


_COMMIT = lazyre.compile(
    r"git[_ .-]?commit|git[_-]?sha|git[_-]?hash|commit[_-]?(hash|sha|id)\b|hexsha|rev-parse\s+(--short\s+)?HEAD"
    r"|GITHUB_SHA|CI_COMMIT_SHA|mlflow\.source\.git",
    re.IGNORECASE,
)


#: Trackers that record the git commit of a run by themselves when the code runs from a git checkout.
AUTO_COMMIT_TRACKERS = ("mlflow", "wandb", "comet", "neptune", "clearml", "dvclive", "azureml")


_COMMIT_NEEDLES = prefilter(b"commit", b"hexsha", b"rev-parse", b"GITHUB_SHA", b"git_sha", b"git_hash")


@source_question
def _commit_line(text: str) -> tuple[int, str] | None:
    """(line, code) of the first line outside comments that records the git commit."""
    for number, line in enumerate(text.splitlines(), 1):
        if _COMMIT.search(line) and not line.lstrip().startswith("#"):
            return number, line.strip()[:80]
    return None


@memoized
def commit_linkage(repo: Repo) -> list[Evidence]:
    """Code that records the git commit with a run explicitly (tag, param, or an MLflow project)."""
    found: list[Evidence] = []
    tracker_paths = {u.path for u in tracker_units(repo)}
    for unit in code_units(repo, *_COMMIT_NEEDLES):
        if unit.path not in tracker_paths:
            continue
        if not unit.is_notebook:
            line = ask(repo, unit.path, _commit_line)
            if line is not None:
                found.append(Evidence(unit.path, line[0], line[1]))
        else:
            for s, string_line in unit.info.strings:
                if _COMMIT.search(s):
                    found.append(unit.ev(string_line, s[:60]))
                    break
    found += [
        Evidence(p, 1, "MLflow project runs are tagged with their git commit")
        for p in repo.named("MLproject")
    ]
    return found


@report_fact("experiment_tracking")
def experiment_tracking_fact(repo: Repo) -> FactValue:
    return FactValue.of(flatten(tracker_usages(repo)))


@inventory("trackers")
def trackers_inventory(repo: Repo) -> list[str]:
    return list(tracker_usages(repo))

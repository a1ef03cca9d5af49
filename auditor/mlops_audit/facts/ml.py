"""Machine-learning library usage: experiment trackers and what they log, data validation, drift detection,
seeds and the files that train.

Every fact comes from Python files and notebooks (via :mod:`.python` / :mod:`.notebooks`, parsed only when
their bytes mention what is looked for) and, for trackers and validation suites, from configuration files.
The reusable entry points are :func:`tracker_usages`, :func:`logging_usages`, :func:`commit_linkage`,
:func:`data_validation_usages`, :func:`drift_usages`, :func:`seed_usages`, :func:`training_units` and
:func:`code_units`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Evidence
from ..repo import Repo, memoized, word
from . import FactValue, cloudml, inventory, report_fact
from .dvc import stages as dvc_stages
from .git import is_model_file
from .notebooks import NotebookCode, code_source, notebook_codes_containing
from .python import NON_LITERAL, Call, ModuleInfo, module, modules_containing, prefilter, python_files

# ------------------------------------------------------------------------------------------- code units


@dataclass(frozen=True, slots=True)
class CodeUnit:
    """A Python module or a notebook's code, with the way to point at one of its lines."""

    path: str
    info: ModuleInfo
    nb: NotebookCode | None = None

    @property
    def is_notebook(self) -> bool:
        return self.nb is not None

    def ev(self, line: int | None, what: str = "") -> Evidence:
        if self.nb is not None and line:
            return self.nb.evidence(line, what)
        return Evidence(self.path, line, what)

    def call_ev(self, call: Call) -> Evidence:
        return self.ev(call.line, call.name)


def code_units(repo: Repo, *needles: bytes) -> list[CodeUnit]:
    """Python modules and notebooks whose bytes contain one of ``needles`` (memoised per needle set)."""

    def compute() -> list[CodeUnit]:
        units = [CodeUnit(m.path, m) for m in modules_containing(repo, *needles)]
        units += [CodeUnit(c.path, c.info, c) for c in notebook_codes_containing(repo, *needles)]
        return units

    return repo.memo(("ml.code_units", needles), compute)


def unit_source(repo: Repo, unit: CodeUnit) -> str:
    """The code of a unit as text: a module's source, or a notebook's code cells (never its stored outputs,
    which are data, not code)."""
    if unit.nb is not None:
        return code_source(unit.nb.notebook)
    return repo.read_text(unit.path) or ""


class _EvidenceList(list[Evidence]):
    """A list of evidence that knows its items: adding to it stays O(1) on trees with thousands of hits."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Evidence] = set()


def _add(found: dict[str, list[Evidence]], key: str, ev: Evidence) -> None:
    items = found.get(key)
    if items is None:
        items = found[key] = _EvidenceList()
    seen = getattr(items, "seen", None)
    if seen is None:
        if ev not in items:
            items.append(ev)
    elif ev not in seen:
        seen.add(ev)
        items.append(ev)


def _imports(unit: CodeUnit, roots: Iterable[str]) -> list[tuple[str, int]]:
    return unit.info.imports_any(*roots)


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
_CONFIG_TRACKER = re.compile(
    r"(?<![A-Za-z0-9])(mlflow|wandb|tensorboard|neptune|comet_ml|clearml|dvclive)"
    r"(?![\w-]*\.(?:db|sqlite|json|csv|txt|log|ya?ml)\b)",
    re.I,
)
#: Question files of project templates: they describe the project they generate, not this repository.
_TEMPLATE_QUESTIONS = frozenset({"copier.yml", "copier.yaml", "cookiecutter.json"})


#: TensorBoard writers and summaries of TensorFlow, through any alias (``tf.compat.v2.summary.scalar``).
_TF_SUMMARY = re.compile(
    r"^tensorflow(\.compat\.v[12])?\.summary\.(create_file_writer|scalar|histogram|image|text|FileWriter)$"
)


def tracker_units(repo: Repo) -> list[CodeUnit]:
    """Code units that mention a tracker (the prefilter of every tracking fact)."""
    return code_units(repo, *_TRACKER_NEEDLES)


def _unit_trackers(unit: CodeUnit) -> dict[str, list[Evidence]]:
    found: dict[str, list[Evidence]] = {}
    for tracker, roots in TRACKER_MODULES.items():
        for name, line in _imports(unit, roots):
            _add(found, tracker, unit.ev(line, f"import {name}"))
    for call in unit.info.calls:
        for tracker, prefix, attrs in _PLATFORM_TRACKING:
            if call.attr in attrs and call.name.startswith(prefix + "."):
                _add(found, tracker, unit.call_ev(call))
        if call.name == "google.cloud.aiplatform.init" and "experiment" in call.kwargs:
            _add(found, "vertex", unit.call_ev(call))
        if call.attr in _KFP_METRIC_ATTRS and unit.info.imports_any("kfp"):
            _add(found, "kfp", unit.call_ev(call))
        by_class = _TRACKER_CLASSES.get(call.attr)
        if by_class and (by_class != "tensorboard" or call.attr != "TensorBoard" or "keras" in call.name):
            _add(found, by_class, unit.call_ev(call))
        if _TF_SUMMARY.match(call.name) or (
            call.attr in ("SummaryWriter", "FileWriter")
            and call.name.startswith(("tensorflow", "torch.utils.tensorboard", "tensorboardX"))
        ):
            _add(found, "tensorboard", unit.call_ev(call))
        report_to = call.kwargs.get("report_to")
        values = [report_to] if isinstance(report_to, str) else report_to
        if isinstance(values, (list, tuple)):
            for value in values:
                if isinstance(value, str) and value in _REPORT_TO:
                    _add(found, _REPORT_TO[value], unit.ev(call.line, f"report_to={value!r}"))
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
        if entry.name.endswith(("lock.yml", "lock.yaml")) or (entry.size or 0) > 1_000_000:
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
                _add(found, tracker, ev)
    for path in repo.named("MLproject"):
        _add(found, "mlflow", Evidence(path, 1, "MLflow project"))
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
                _add(found, _REPORT_TO.get(name, name), Evidence(path, number, line.strip()[:80]))
                break
    trackers = {k: found[k] for k in TRACKER_MODULES if k in found}
    if not trackers and (tables := run_tables(repo)).get("runs") and tables.get("metrics"):
        trackers[RUN_TABLES] = tables["runs"][:1] + tables["metrics"][:1]
    return trackers


#: The name of a home-grown tracker: the project's own database tables of runs and their metrics.
RUN_TABLES = "run tables"
_RUN_TABLE = re.compile(r"^(\w*Run|Experiment|Trial)s?$")
_METRIC_TABLE = re.compile(r"^\w*Metrics?$")
_RUN_FIELDS = {
    "params": re.compile(r"config|param|hyper|args", re.IGNORECASE),
    "metrics": re.compile(r"metric|score|accuracy|loss", re.IGNORECASE),
    "models": re.compile(r"model_(path|uri|dir|file)|output_dir|artifact|checkpoint", re.IGNORECASE),
}


@memoized
def run_tables(repo: Repo) -> dict[str, list[Evidence]]:
    """A home-grown tracker: ORM tables (classes with ``__tablename__``) that record runs (``Run``,
    ``Experiment``, ``Trial``...) with their parameters, metrics and model location (a ``Metric`` table, a
    ``config`` / ``metrics`` / ``output_dir`` column). Kinds: ``runs``, ``params``, ``metrics``, ``models``."""
    found: dict[str, list[Evidence]] = {}
    for mod in modules_containing(repo, b"__tablename__"):
        if _is_test_path(mod.path):
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
            _add(found, "runs", Evidence(mod.path, line, f"table {name}"))
            for kind, pattern in _RUN_FIELDS.items():
                for field_name, field_line in fields:
                    if pattern.search(field_name) and field_name != "__tablename__":
                        _add(found, kind, Evidence(mod.path, field_line, f"{name}.{field_name}"))
                        break
        for name, (line, _fields) in tables.items():
            if _METRIC_TABLE.match(name):
                _add(found, "metrics", Evidence(mod.path, line, f"table {name}"))
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
_REGISTRY_CONFIG = re.compile(r"registered_model_name|(?<![\w./~-])models:/(?!/)")


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
                _add(found, kind, unit.call_ev(call))
        if "kfp" in _unit_trackers(unit):  # KFP records each run's component inputs and output artifacts
            for name, line in unit.info.decorators:
                if name.startswith("kfp.") and name.rsplit(".", 1)[-1] == "component":
                    _add(found, "params", unit.ev(line, "KFP component inputs"))
            source = unit_source(repo, unit)
            m = _KFP_MODEL_OUTPUT.search(source)
            if m:
                _add(found, "models", unit.ev(source.count("\n", 0, m.start()) + 1, m.group(0)[:60]))
        for text, line in unit.info.strings:
            if text.startswith("models:/"):
                _add(found, "registry", unit.ev(line, text[:60]))
    for mod in modules_containing(
        repo, b"FlowSpec"
    ):  # Metaflow keeps every self.<attr> of a run as an artifact
        if any("metaflow.FlowSpec" in bases for _, bases, _ in mod.classes):
            text = repo.read_text(mod.path) or ""
            m = _METAFLOW_MODEL.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                _add(found, "models", Evidence(mod.path, line, f"Metaflow artifact {m.group(1)}"))
    tracked = {u.path for u in tracker_units(repo) if _unit_trackers(u)}
    for unit in code_units(repo, b"azureml", b"aiplatform", b"sagemaker", b"azure.ai.ml"):
        if unit.path in tracked:
            continue  # its calls are read above
        for call in unit.info.calls:  # a managed platform's model registry, with or without its run tracking
            if _platform_registry(unit, call):
                _add(found, "registry", unit.call_ev(call))
    for path, line, what in cloudml.registry_declarations(repo):  # registered by declared infrastructure
        _add(found, "registry", Evidence(path, line, what))
    for stage in dvc_stages(repo):  # DVC experiments record the params and metrics files a stage declares
        if stage.params:
            _add(found, "params", Evidence(stage.path, stage.line, f"stage {stage.name} params"))
        if stage.metrics:
            _add(found, "metrics", Evidence(stage.path, stage.line, f"stage {stage.name} metrics"))
        model_out = next(
            (o for o in stage.outs if is_model_file(o) or o.split("/")[0] in ("models", "model")), None
        )
        if model_out:  # DVC caches a stage's outputs with every run and experiment
            _add(found, "models", Evidence(stage.path, stage.line, f"stage {stage.name} outputs {model_out}"))
    for path in repo.grep(_config_candidates(repo), b"registered_model_name", b"models:/"):
        text = repo.read_text(path) or ""
        m = _REGISTRY_CONFIG.search(text)
        if m:
            _add(found, "registry", Evidence(path, text.count("\n", 0, m.start()) + 1))
    return found


#: a trained model as an output artifact of a KFP component (``model: Output[Model]``)
_KFP_MODEL_OUTPUT = re.compile(r"\b\w*model\w*\s*:\s*(?:dsl\.)?Output\[(?:dsl\.)?(?:Model|Artifact)\]")
#: what names a run's parameters: ``train_args``, ``params``, ``hparams``, ``config``, ``FLAGS``
_PARAM_NAME = re.compile(r"\b\w*(param|args|hparams?|config|cfg|flags|hyper)\w*\b", re.IGNORECASE)
#: a file of the run's parameters written next to its outputs: ``flags.json``, ``hparams.yaml``, ``args.json``
_PARAM_FILE = re.compile(
    r"(^|[/_])(flags|hparams|hyperparameters|params|parameters|args|config|opts?)\.(json|ya?ml)$"
)
_DUMP_CALLS = ("json.dump", "yaml.dump", "yaml.safe_dump", "ruamel.yaml.dump", "omegaconf.OmegaConf.save")


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
        lines: list[str] | None = None
        for call in unit.info.calls:
            if call.attr != "log" or "logger" in call.name.lower() or call.name.startswith(_NOT_TRACKER_LOG):
                continue
            lines = lines if lines is not None else unit_source(repo, unit).splitlines()
            text = lines[call.line - 1] if 0 < call.line <= len(lines) else ""
            args = text.split(".log(", 1)[-1]
            header = next(
                (
                    ln
                    for ln in reversed(lines[max(0, call.line - 3) : call.line - 1])
                    if ln.lstrip().startswith("for ")
                ),
                "",
            )
            if _PARAM_NAME.search(args) or _PARAM_NAME.search(header.split(" in ", 1)[-1]):
                found.append(unit.ev(call.line, "parameters logged with " + call.name))
                break
        dumps = [c for c in unit.info.calls if c.name in _DUMP_CALLS]
        files = [(text, line) for text, line in unit.info.strings if _PARAM_FILE.search(text)]
        if dumps and files:
            found.append(unit.ev(files[0][1], f"parameters written to {files[0][0]}"))
    return found


#: AzureML uploads what a run writes to ``./outputs`` with the run
_AZUREML_OUTPUTS = re.compile(r"^(\./)?outputs(/|$)")
_MODEL_SAVES = ("dump", "save", "save_model", "joblib.dump", "pickle.dump")


@memoized
def models_kept_with_run(repo: Repo) -> list[Evidence]:
    """Models a platform keeps with the run that produced them without a log call: a TFX ``Trainer``
    component (its model is an artifact in ML Metadata, linked to the pipeline run), or an AzureML run that
    writes the model under ``./outputs`` (uploaded with the run)."""
    found: list[Evidence] = []
    for unit in code_units(repo, b"tfx", b"azureml"):
        if _is_test_path(unit.path):
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
_TRACKER_HANDLE = re.compile(r"(^|\.)(mlflow|wandb|neptune|comet_ml|clearml)\.log_\w+$")

#: a trained model kept as a Metaflow artifact: ``self.model = ...`` in a FlowSpec step
_METAFLOW_MODEL = re.compile(r"^[ \t]+(self\.(?:\w*_)?model)[ \t]*=(?!=)", re.MULTILINE)

_COMMIT = re.compile(
    r"git[_ .-]?commit|git[_-]?sha|git[_-]?hash|commit[_-]?(hash|sha|id)\b|hexsha|rev-parse\s+(--short\s+)?HEAD"
    r"|GITHUB_SHA|CI_COMMIT_SHA|mlflow\.source\.git",
    re.IGNORECASE,
)
#: Trackers that record the git commit of a run by themselves when the code runs from a git checkout.
AUTO_COMMIT_TRACKERS = ("mlflow", "wandb", "comet", "neptune", "clearml", "dvclive", "azureml")


_COMMIT_NEEDLES = prefilter(b"commit", b"hexsha", b"rev-parse", b"GITHUB_SHA", b"git_sha", b"git_hash")


@memoized
def commit_linkage(repo: Repo) -> list[Evidence]:
    """Code that records the git commit with a run explicitly (tag, param, or an MLflow project)."""
    found: list[Evidence] = []
    tracker_paths = {u.path for u in tracker_units(repo)}
    for unit in code_units(repo, *_COMMIT_NEEDLES):
        if unit.path not in tracker_paths:
            continue
        text = repo.read_text(unit.path) if not unit.is_notebook else None
        if text is not None:
            for number, line in enumerate(text.splitlines(), 1):
                if _COMMIT.search(line) and not line.lstrip().startswith("#"):
                    found.append(Evidence(unit.path, number, line.strip()[:80]))
                    break
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


# ----------------------------------------------------------------------------------------- data validation

_DATA_CLASS_NAME = re.compile(
    r"(schema|record|row|sample|feature|input|observation|example|item|data|batch|payload|request|instance)",
    re.IGNORECASE,
)
_VALIDATION_MODULES = {
    "great_expectations": ("great_expectations",),
    "pandera": ("pandera",),
    "tfdv": ("tensorflow_data_validation",),
    "deepchecks": ("deepchecks",),
    "evidently": ("evidently.test_suite", "evidently.tests", "evidently.test_preset"),
    "soda": ("soda", "soda_core"),
}


_VALIDATION_TOOL_NEEDLES = prefilter(
    b"great_expectations",
    b"pandera",
    b"tensorflow_data_validation",
    b"deepchecks",
    b"evidently",
    b"soda",
    b"pydantic",
    b"feast",
)
#: a test function about the data itself (its schema, missing values, distribution), not about code
_DATA_TEST_NAME = re.compile(
    r"^test_\w*(schema|missing_values?|null|nan|dtype|distribution|data_(quality|integrity|range|types?))",
    re.IGNORECASE,
)
_PANDAS_READERS = ("pandas.read_", "polars.read_", "polars.scan_")


@memoized
def data_validation_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Data validation tools in use: Great Expectations (code or suites), pandera, pydantic data models,
    TFDV (code or ``schema.pbtxt``), deepchecks, Evidently test suites, Soda checks, dbt column tests, the typed
    schema of Feast feature views, and test modules that check a dataset's schema, missing values or
    distribution."""
    found: dict[str, list[Evidence]] = {}
    for unit in code_units(repo, *_VALIDATION_TOOL_NEEDLES):
        for tool, roots in _VALIDATION_MODULES.items():
            for name, line in _imports(unit, roots):
                _add(found, tool, unit.ev(line, f"import {name}"))
        for name, bases, line in unit.info.classes:
            pydantic_model = any(b in ("pydantic.BaseModel", "pydantic.main.BaseModel") for b in bases)
            data_name = _DATA_CLASS_NAME.search(name) and not re.search(r"(config|settings)$", name, re.I)
            if pydantic_model and data_name:
                _add(found, "pydantic", unit.ev(line, f"class {name}(BaseModel)"))
        for call in unit.info.calls:  # a Feast feature view declares the typed schema of its features
            if (call.name == "feast.FeatureView" and "schema" in call.kwargs) or (
                call.name in ("feast.Field", "feast.field.Field") and "dtype" in call.kwargs
            ):
                _add(found, "feast", unit.ev(call.line, f"{call.name}(...)"))
                break
    for ev in _data_tests(repo):
        _add(found, "data tests", ev)
    for path, dbt_line in _dbt_tests(repo):
        _add(found, "dbt tests", Evidence(path, dbt_line, "dbt column tests"))
    for path, entry in repo.entries.items():
        low = path.lower()
        if entry.name in ("great_expectations.yml", "great_expectations.yaml") or (
            entry.suffix == ".json"
            and "expectations/" in low
            and repo.contains(path, b"expectation_type", b'"expectations"', b'"type": "expect_')
        ):
            _add(found, "great_expectations", Evidence(path))
        elif entry.name == "schema.pbtxt":
            _add(found, "tfdv", Evidence(path))
        elif entry.suffix in (".yml", ".yaml") and "soda" in low and repo.contains(path, b"checks for "):
            _add(found, "soda", Evidence(path))
    return found


def _data_tests(repo: Repo) -> list[Evidence]:
    """Test modules that check the data itself: they read a dataset with pandas / polars and hold test functions
    about its schema, missing values or distribution (``test_check_schema``, ``test_missing_values``)."""
    out: list[Evidence] = []
    for mod in modules_containing(repo, b"read_", b"scan_"):
        name = mod.path.rsplit("/", 1)[-1]
        if not (name.startswith("test_") or name.endswith("_test.py")):
            continue
        if not any(c.name.startswith(_PANDAS_READERS) for c in mod.calls):
            continue
        tests = [(f, line) for f, line in mod.functions if _DATA_TEST_NAME.search(f)]
        if tests:
            out.append(Evidence(mod.path, tests[0][1], f"data test {tests[0][0]}"))
    return out


def _dbt_tests(repo: Repo) -> list[tuple[str, int | None]]:
    """dbt property files (``models:`` / ``sources:``) whose columns or models declare data tests
    (``unique``, ``not_null``, ``accepted_values``...) or constraints."""
    from .yamlfile import line_of, load_yaml

    out: list[tuple[str, int | None]] = []
    paths = repo.grep(repo.with_suffix(".yml", ".yaml"), b"columns:")
    for path in repo.grep(paths, b"tests:", b"constraints:"):
        data = load_yaml(repo, path)
        if not isinstance(data, dict):
            continue
        models, sources = data.get("models"), data.get("sources")
        nodes = [m for m in models if isinstance(m, dict)] if isinstance(models, list) else []
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and isinstance(source.get("tables"), list):
                nodes += [t for t in source["tables"] if isinstance(t, dict)]
        for node in nodes:
            columns = node.get("columns")
            tested = [node] + [
                c for c in (columns if isinstance(columns, list) else []) if isinstance(c, dict)
            ]
            if any(t.get(k) for t in tested for k in ("tests", "data_tests", "constraints")):
                out.append((path, line_of(data, "models") or line_of(data, "sources")))
                break
    return out


_VALIDATION_CALL = re.compile(r"validat|expect_|run_checkpoint|check_schema|assert_schema", re.IGNORECASE)
_VALIDATION_ROOTS = ("great_expectations", "pandera", "tensorflow_data_validation", "deepchecks")
#: What a file with a :func:`validation_calls` call holds (the call names in the cases code writes them).
VALIDATION_NEEDLES = prefilter(
    *(n.encode() for n in _VALIDATION_ROOTS),
    *(v for n in ("validat", "expect_", "run_checkpoint", "check_schema", "assert_schema")
      for v in (n.encode(), n.upper().encode(), n.title().encode())),
)  # fmt: skip
#: not data validation: model cross-validation and validation loops, pydantic's validator decorators (fields of
#: settings and records), validating settings or arguments
_NOT_DATA_VALIDATION = re.compile(
    r"cross_val|trainer|validation_split|model_validat|(field|root)_validator|(^|\.)validator$|log_validation|"
    r"validation_(step|epoch|loop|strategy|set|split|frac|size)|validate_(config|settings|args|arguments|params)",
    re.IGNORECASE,
)


def validation_calls(unit: CodeUnit) -> list[Call]:
    """Calls that validate data: a validation library's API, or a function whose name says it validates
    (``validate_raw_data(df)``, ``schema.validate(df)``) — not model cross-validation or validation loops
    (``log_validation``), pydantic's ``field_validator`` decorators, or checks of settings and arguments."""
    out = []
    for call in unit.info.calls:
        if call.name.startswith(_VALIDATION_ROOTS) or (
            _VALIDATION_CALL.search(call.attr) and not _NOT_DATA_VALIDATION.search(call.name)
        ):
            out.append(call)
    return out


# ---------------------------------------------------------------------------------------------------- drift

_DRIFT_MODULES = {
    "alibi-detect": ("alibi_detect",),
    "whylogs": ("whylogs",),
    "nannyml": ("nannyml",),
    "frouros": ("frouros",),
}
_DRIFT_NAME = re.compile(
    r"drift|(^|_)psi($|_)|population_stability|covariate_shift|data_shift", re.IGNORECASE
)
_STAT_TESTS = (
    "scipy.stats.ks_2samp",
    "scipy.stats.kstest",
    "scipy.stats.anderson_ksamp",
    "scipy.stats.epps_singleton_2samp",
)
_STAT_GENERIC = (
    "scipy.stats.wasserstein_distance",
    "scipy.stats.chi2_contingency",
    "scipy.spatial.distance.jensenshannon",
    "scipy.stats.entropy",
    "scipy.stats.chisquare",
)


#: Managed model monitoring of the ML platforms: Vertex AI (skew / drift detection objectives of a model
#: deployment monitoring job), SageMaker Model Monitor, Azure ML data drift detectors, by their calls or by the
#: objective keys of a monitoring configuration (``trainingPredictionSkewDetectionConfig``...).
_PLATFORM_ROOTS = ("google.cloud.aiplatform", "sagemaker", "azureml.datadrift", "azure.ai.ml")
_PLATFORM_MONITOR = re.compile(
    r"drift|skewdetection|ObjectiveConfig|ModelDeploymentMonitoringJob|model_monitoring_job|ModelMonitor|"
    r"(Quality|Bias)Monitor|monitoring_schedule",
    re.IGNORECASE,
)
_MANAGED_MONITORING = re.compile(
    r"^(trainingPredictionSkewDetectionConfig|predictionDriftDetectionConfig|default(Skew|Drift)Threshold|"
    r"(skew|drift)_?[Tt]hresholds)$"
)
_DRIFT_NEEDLES = prefilter(
    b"SkewDetection",
    b"SkewThreshold",
    b"skew_threshold",
    b"ModelMonitor",
    b"monitoring_schedule",
    b"DriftDetection",
    b"evidently",
    b"alibi_detect",
    b"whylogs",
    b"nannyml",
    b"frouros",
    b"drift",
    b"Drift",
    b"ks_2samp",
    b"kstest",
    b"_psi",
    b"psi_",
    b"PSI",
    b"population_stability",
    b"anderson_ksamp",
    b"model_monitor",
    b"ModelMonitor",
    b"MonitoringJob",
)


@memoized
def drift_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Drift detection: Evidently drift presets/metrics, alibi-detect, whylogs, NannyML, frouros, deepchecks
    drift checks, managed platform monitoring (Vertex AI skew / drift detection, SageMaker Model Monitor, Azure
    ML data drift), or custom statistical tests (KS, PSI...) in code about drift."""
    found: dict[str, list[Evidence]] = {}
    for unit in code_units(repo, *_DRIFT_NEEDLES):
        for tool, roots in _DRIFT_MODULES.items():
            for name, line in _imports(unit, roots):
                _add(found, tool, unit.ev(line, f"import {name}"))
        mentions_drift = "drift" in unit_source(repo, unit).lower()
        for name, line in unit.info.imports:
            if name.startswith(("evidently", "deepchecks")) and mentions_drift:
                # `from evidently.presets import DataDriftPreset`: the imported name says drift
                _add(found, name.split(".")[0], unit.ev(line, f"import {name}"))
        about_drift = bool(_DRIFT_NAME.search(unit.path)) or any(
            _DRIFT_NAME.search(f) for f, _ in unit.info.functions
        )
        for call in unit.info.calls:
            if call.name.startswith(("evidently", "deepchecks")) and "drift" in call.name.lower():
                _add(found, call.name.split(".")[0], unit.call_ev(call))
            elif call.name.startswith(_PLATFORM_ROOTS) and _PLATFORM_MONITOR.search(call.name):
                _add(found, "managed-monitoring", unit.call_ev(call))
            elif call.name in _STAT_TESTS or (about_drift and call.name in _STAT_GENERIC):
                _add(found, "custom", unit.call_ev(call))
        for fname, line in unit.info.functions:
            if _DRIFT_NAME.search(fname):
                _add(found, "custom", unit.ev(line, f"def {fname}"))
        for text, line in unit.info.strings:
            if _MANAGED_MONITORING.match(text):
                _add(found, "managed-monitoring", unit.ev(line, text))
    return found


# ---------------------------------------------------------------------------------------------------- seeds

_SEED_CALLS = frozenset(
    {
        "random.seed",
        "numpy.random.seed",
        "torch.manual_seed",
        "torch.cuda.manual_seed",
        "torch.cuda.manual_seed_all",
        "tensorflow.random.set_seed",
        "tensorflow.set_random_seed",
        "tensorflow.compat.v1.set_random_seed",
        "keras.utils.set_random_seed",
        "tensorflow.keras.utils.set_random_seed",
        "jax.random.PRNGKey",
        "jax.random.key",
        "mxnet.random.seed",
        "paddle.seed",
    }
)
_SEEDED_CONSTRUCTORS = frozenset(
    {
        "numpy.random.default_rng",
        "numpy.random.RandomState",
        "random.Random",
        "numpy.random.Generator",
        "numpy.random.PCG64",
    }
)
_SEED_KWARGS = ("random_state", "seed", "random_seed")
_SEED_NEEDLES = prefilter(b"seed", b"random_state", b"PRNGKey", b"default_rng", b"RandomState", b"Random(")


def _seeded(value: object) -> bool:
    return value is NON_LITERAL or (isinstance(value, int) and not isinstance(value, bool))


def unit_seeds(unit: CodeUnit) -> list[Evidence]:
    """Where a code unit sets a seed or passes a fixed ``random_state``."""
    out = []
    for call in unit.info.calls:
        attr = call.attr.lower()
        if (
            call.name in _SEED_CALLS
            or attr.endswith("seed_everything")
            or attr in ("set_seed", "set_random_seed", "manual_seed")
        ):
            out.append(unit.call_ev(call))
        elif "seed" in attr and not attr.startswith(("get", "np.", "initial")):
            out.append(unit.call_ev(call))  # project helpers: set_seeds(), fix_seed(), seed_all()
        elif call.name in _SEEDED_CONSTRUCTORS and (
            (call.args and _seeded(call.args[0])) or _seeded(call.kwargs.get("seed"))
        ):
            out.append(unit.call_ev(call))
        elif any(k in call.kwargs and _seeded(call.kwargs[k]) for k in _SEED_KWARGS):
            out.append(unit.ev(call.line, f"{call.name}(random_state=...)"))
    for text, line in unit.info.strings:
        if text == "PYTHONHASHSEED":
            out.append(unit.ev(line, "PYTHONHASHSEED"))
    return out


#: A seed kept in a parameters dict and passed on with ``**params``: ``{"random_state": 42}``,
#: ``params["seed"] = cfg.seed`` (XGBoost and LightGBM take ``seed`` in their params).
_SEED_IN_DICT = re.compile(
    r"""["'](?:random_state|random_seed|seed)["']\s*(?::|\]\s*=(?!=))\s*(?!None\b)[\w.(\[]"""
)


def _dict_seeds(repo: Repo, unit: CodeUnit) -> list[Evidence]:
    text = unit_source(repo, unit)
    m = _SEED_IN_DICT.search(text)
    if m is None:
        return []
    if unit.nb is not None:
        return [Evidence(unit.path, None, f"seed in a params dict: {m.group(0)[:40]}")]
    return [
        Evidence(unit.path, text.count("\n", 0, m.start()) + 1, f"seed in a params dict: {m.group(0)[:40]}")
    ]


@memoized
def seed_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Seeds set, per file (modules and notebooks), including a seed inside a params dict."""
    out: dict[str, list[Evidence]] = {}
    for unit in code_units(repo, *_SEED_NEEDLES):
        evs = unit_seeds(unit) or _dict_seeds(repo, unit)
        if evs:
            out[unit.path] = evs
    return out


# ------------------------------------------------------------------------------------------------ training

_TRAIN_FILE = re.compile(r"(^|[_-])(train|training|fit)([_-]|$)", re.IGNORECASE)
_TRAIN_ATTRS = frozenset(
    {"fit", "train", "fit_generator", "train_on_batch", "partial_fit", "train_model", "apply_updates",
     "apply_gradients"}
)  # fmt: skip
_TRAIN_WORDS = prefilter(*(word(attr) for attr in sorted(_TRAIN_ATTRS)))  # a training call names one
_ML_ROOTS = (
    "torch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "lightning",
    "pytorch_lightning",
    "transformers",
    "jax",
    "flax",
    "statsmodels",
    "prophet",
    "sentence_transformers",
    "autogluon",
    "pycaret",
)
_SKLEARN_NOT_MODELS = (
    "sklearn.preprocessing",
    "sklearn.metrics",
    "sklearn.impute",
    "sklearn.feature_extraction",
    "sklearn.feature_selection",
    "sklearn.compose",
    "sklearn.decomposition",
    "sklearn.datasets",
    "sklearn.model_selection",
    "sklearn.utils",
    "sklearn.base",
    "sklearn.exceptions",
)


def _is_test_path(path: str) -> bool:
    parts = path.split("/")
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or parts[-1].startswith("test_")
        or (parts[-1].endswith("_test.py"))
    )


def _imports_ml(info: ModuleInfo) -> bool:
    if info.imports_any(*_ML_ROOTS):
        return True
    return any(n.startswith("sklearn") and not n.startswith(_SKLEARN_NOT_MODELS) for n, _ in info.imports)


@memoized
def training_units(repo: Repo) -> list[CodeUnit]:
    """Files that train a model: ``train*.py`` scripts, and modules or notebooks that import a modelling
    library and call ``fit`` / ``train`` (tests excluded). The package code of a library with no training run of
    its own is left out (:func:`pipelines.library_code_dir`): its randomness is the caller's; its examples and
    notebooks stay, they are training code the repository runs."""
    from .pipelines import library_code_dir

    library = library_code_dir(repo)
    out = []
    units = code_units(repo, *_TRAIN_WORDS)
    seen = {u.path for u in units}
    for path in python_files(repo):
        stem = path.rsplit("/", 1)[-1][:-3]
        if path not in seen and _TRAIN_FILE.search(stem):
            info = module(repo, path)
            if info is not None:
                units = [*units, CodeUnit(path, info)]
    for unit in units:
        if _is_test_path(unit.path) or (
            library and not unit.is_notebook and unit.path.startswith(library + "/")
        ):
            continue
        stem = unit.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        named = bool(_TRAIN_FILE.search(stem)) and not unit.is_notebook
        trains = any(c.attr in _TRAIN_ATTRS for c in unit.info.calls)
        fits = trains and _imports_ml(unit.info)
        # a file named for training trains when it calls a training method or imports a modelling library
        # (``training.py`` of a tool that only talks about training is not training code)
        if (named and unit.info.calls and (trains or _imports_ml(unit.info))) or fits:
            out.append(unit)
    return out


def train_calls(unit: CodeUnit) -> list[Call]:
    return [c for c in unit.info.calls if c.attr in _TRAIN_ATTRS or c.attr.startswith("train")]


_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w \t,]+)", re.MULTILINE)


def imported_project_files(repo: Repo, unit: CodeUnit) -> set[str]:
    """Python files of the project that ``unit`` imports (``from pkg import mod``, ``import pkg.mod``,
    ``from .mod import f``), resolved by path suffix; best effort, never raises."""
    directory = unit.path.rsplit("/", 1)[0] + "/" if "/" in unit.path else ""
    imports = {n for n, _ in unit.info.imports}
    text = repo.read_text(unit.path) if not unit.is_notebook else None
    for m in _FROM_IMPORT.finditer(text or ""):  # `from pkg import mod`: the AST facts keep only `pkg`
        base = m.group(1)
        for name in re.split(r"[\s,()]+", m.group(2)):
            if name.isidentifier():
                imports.add(f"{base}.{name}" if not base.endswith(".") else base + name)
    roots = {n.split(".", 1)[0] for n in imports if not n.startswith(".")}
    names = imports | {
        c.name
        for c in unit.info.calls
        if "." in c.name and (c.name.startswith(".") or c.name.split(".", 1)[0] in roots)
    }
    wanted: set[str] = set()
    local: set[str] = set()
    for name in names:
        relative = name.startswith(".")
        parts = [p for p in name.lstrip(".").split(".") if p and not p.endswith("()")]
        for i in range(1, len(parts) + 1):
            stem = "/".join(parts[:i])
            (local if relative else wanted).update((stem + ".py", stem + "/__init__.py"))
    by_suffix = _python_files_by_suffix(repo)
    out = {path for stem in wanted for path in by_suffix.get(stem, ())}
    out.update(path for stem in local if (path := directory + stem) in by_suffix.get(stem, ()))
    out.discard(unit.path)
    return out


def _python_files_by_suffix(repo: Repo) -> dict[str, list[str]]:
    """Every Python file under each of its path suffixes (``a/b/c.py`` under ``a/b/c.py``, ``b/c.py`` and
    ``c.py``): the files a module name can resolve to, looked up instead of scanned for each importer."""

    def compute() -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for path in repo.with_suffix(".py"):
            start = 0
            while True:
                index.setdefault(path[start:], []).append(path)
                slash = path.find("/", start)
                if slash < 0:
                    break
                start = slash + 1
        return index

    return repo.memo("ml.python_files_by_suffix", compute)


# ----------------------------------------------------------------------------------------------- randomness

#: Estimators whose fit is deterministic (closed form or a deterministic solver): no seed to set. Those that
#: take a ``solver`` or ``selection`` are deterministic unless a random one is chosen (see ``_RANDOM_OPTIONS``).
DETERMINISTIC_ESTIMATORS = frozenset(
    {
        "LinearRegression", "Ridge", "RidgeCV", "RidgeClassifier", "RidgeClassifierCV", "Lasso", "LassoCV",
        "ElasticNet", "ElasticNetCV", "Lars", "LassoLars", "LassoLarsIC", "OrthogonalMatchingPursuit",
        "BayesianRidge", "ARDRegression", "HuberRegressor", "QuantileRegressor", "TweedieRegressor",
        "PoissonRegressor", "GammaRegressor", "LogisticRegression", "KernelRidge", "KNeighborsClassifier",
        "KNeighborsRegressor", "RadiusNeighborsClassifier", "RadiusNeighborsRegressor", "NearestNeighbors",
        "NearestCentroid", "GaussianNB", "MultinomialNB", "BernoulliNB", "ComplementNB", "CategoricalNB",
        "LinearDiscriminantAnalysis", "QuadraticDiscriminantAnalysis", "IsotonicRegression", "OLS", "WLS",
        "GLS", "Logit", "Probit", "GLM", "ols", "logit", "glm",
    }
)  # fmt: skip
_RANDOM_OPTIONS = {"solver": ("sag", "saga", "liblinear"), "selection": ("random",)}
#: Libraries whose training is random by nature (weight initialisation, bagging, sampling, dropout).
_STOCHASTIC_ROOTS = (*(r for r in _ML_ROOTS if r != "statsmodels"), "gensim", "sklearn.ensemble")
_ESTIMATOR_MODULES = (
    "sklearn.linear_model", "sklearn.ensemble", "sklearn.tree", "sklearn.svm", "sklearn.neighbors",
    "sklearn.naive_bayes", "sklearn.neural_network", "sklearn.cluster", "sklearn.discriminant_analysis",
    "sklearn.gaussian_process", "sklearn.kernel_ridge", "sklearn.mixture", "sklearn.semi_supervised",
    "sklearn.isotonic", "sklearn.cross_decomposition", "sklearn.manifold", "sklearn.decomposition",
    "sklearn.kernel_approximation", "sklearn.random_projection", "sklearn.model_selection.Randomized",
)  # fmt: skip
_RANDOM_ATTRS = frozenset(
    {"shuffle", "permutation", "sample", "choice", "random_split", "RandomizedSearchCV"}
)
_SPLITTERS = frozenset({"train_test_split", "KFold", "StratifiedKFold", "GroupKFold", "ShuffleSplit",
                        "StratifiedShuffleSplit", "GroupShuffleSplit", "DataLoader"})  # fmt: skip


def random_operations(unit: CodeUnit) -> list[Evidence]:
    """What makes a unit's training random: a stochastic library imported (deep learning, boosting...),
    a random estimator, split or shuffle, or a draw from ``random`` / ``numpy.random``. A split with
    ``shuffle=False`` and the estimators of :data:`DETERMINISTIC_ESTIMATORS` are not random."""
    out = [unit.ev(line, f"import {name}") for name, line in unit.info.imports_any(*_STOCHASTIC_ROOTS)]
    for call in unit.info.calls:
        name, attr = call.name, call.attr
        if name in _SEED_CALLS or name in _SEEDED_CONSTRUCTORS:
            continue
        if attr in _SPLITTERS:
            shuffled = call.kwargs.get("shuffle", attr in ("train_test_split", "ShuffleSplit")
                                       or attr.endswith("ShuffleSplit"))  # fmt: skip
            if shuffled is not False and shuffled is not None:
                out.append(unit.call_ev(call))
        elif attr in _RANDOM_ATTRS or name.startswith(("numpy.random.", "random.")):
            out.append(unit.call_ev(call))
        elif name.startswith(_ESTIMATOR_MODULES) and attr[:1].isupper():
            random_option = any(call.kwargs.get(k) in v for k, v in _RANDOM_OPTIONS.items())
            if attr not in DETERMINISTIC_ESTIMATORS or random_option:
                out.append(unit.call_ev(call))
    return out


def deterministic_estimators(unit: CodeUnit) -> list[Call]:
    """Calls that build an estimator of :data:`DETERMINISTIC_ESTIMATORS`."""
    return [c for c in unit.info.calls if c.attr in DETERMINISTIC_ESTIMATORS and "." in c.name]


def needs_seed(repo: Repo, unit: CodeUnit) -> bool:
    """Whether a training unit's results depend on randomness: it (or a project module it imports) does
    something random, or it trains (``fit`` / ``train``) without a known deterministic estimator (the model
    may come from elsewhere: assume random). Fitting a ``LinearRegression`` on all rows needs no seed; nor does
    calling the training function of an imported project module that does nothing random."""
    if random_operations(unit):
        return True
    project = imported_project_files(repo, unit)
    for path in project:
        info = module(repo, path)
        if info is not None and random_operations(CodeUnit(path, info)):
            return True
    local = {name for name, _ in unit.info.functions}  # their bodies are part of the unit, already read
    fits = [
        c
        for c in train_calls(unit)
        if c.name not in local and not c.attr.startswith("train_test") and not _project_call(c, project)
    ]
    return bool(fits) and not deterministic_estimators(unit)


def _project_call(call: Call, project: set[str]) -> bool:
    """A call into a project module the unit imports (``model.train(...)`` of ``pkg/model/train.py``): that
    module's randomness was read with the unit's, and it is judged as a training file of its own."""
    parts = [p for p in call.name.split(".")[:-1] if p and not p.endswith("()")]
    return any(
        "/".join(parts[:i]) + suffix in project
        for i in range(1, len(parts) + 1)
        for suffix in (".py", "/__init__.py")
    )


# -------------------------------------------------------------------------------------------------- facts


def _flatten(found: dict[str, list[Evidence]], limit: int = 5) -> list[Evidence]:
    out: list[Evidence] = []
    seen: set[tuple[str, int | None]] = set()
    for evs in found.values():
        for ev in evs[:2]:
            if (ev.path, ev.line) not in seen:
                seen.add((ev.path, ev.line))
                out.append(ev)
    return out[:limit]


@report_fact("experiment_tracking")
def experiment_tracking_fact(repo: Repo) -> FactValue:
    return FactValue.of(_flatten(tracker_usages(repo)))


@report_fact("data_validation")
def data_validation_fact(repo: Repo) -> FactValue:
    return FactValue.of(_flatten(data_validation_usages(repo)))


@report_fact("drift_monitoring")
def drift_monitoring_fact(repo: Repo) -> FactValue:
    return FactValue.of(_flatten(drift_usages(repo)))


_TOP_DEF = re.compile(r"^(?:async\s+)?def\s+(\w+)")


def enclosing_function(text: str, line: int | None) -> str | None:
    """The top-level function whose body holds ``line`` of a module's ``text``, or None (module level, inside a
    class or another statement, or a position out of range)."""
    lines = text.splitlines()
    if line is None or not 0 < line <= len(lines) or not lines[line - 1][:1].isspace():
        return None
    for previous in reversed(lines[: line - 1]):
        if previous[:1].isspace() or not previous.strip():
            continue
        m = _TOP_DEF.match(previous)
        return m.group(1) if m else None
    return None


def _called_somewhere(repo: Repo, path: str, name: str) -> bool:
    """Is function ``name`` of module ``path`` used anywhere: named again in its module, or in another file?"""
    text = repo.read_text(path) or ""
    if len(re.findall(rf"\b{re.escape(name)}\b", text)) > 1:
        return True
    others = [p for p in [*python_files(repo), *repo.with_suffix(".ipynb")] if p != path]
    return bool(repo.grep(others, name.encode()))


@report_fact("seeds_set")
def seeds_set_fact(repo: Repo) -> FactValue:
    """Seeds that run: a seed inside a function nothing calls (a dead seeding helper) sets nothing."""
    live: list[Evidence] = []
    for path, evs in seed_usages(repo).items():
        text = None if path.endswith(".ipynb") else repo.read_text(path)
        for ev in evs:
            name = enclosing_function(text, ev.line) if text is not None else None
            if name is None or _called_somewhere(repo, path, name):
                live.append(ev)
        if len(live) >= 5:
            break
    return FactValue.of(live[:5])


@inventory("trackers")
def trackers_inventory(repo: Repo) -> list[str]:
    return list(tracker_usages(repo))


@inventory("data_validation")
def data_validation_inventory(repo: Repo) -> list[str]:
    return sorted(data_validation_usages(repo))


@inventory("drift")
def drift_inventory(repo: Repo) -> list[str]:
    return sorted(drift_usages(repo))

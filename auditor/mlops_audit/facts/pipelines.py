"""Pipeline facts: orchestration frameworks, task chains, pipeline steps, and where training happens.

A pipeline is a declared sequence of steps that turns data into an evaluated model: ``dvc.yaml`` stages, an
``MLproject``, Kedro / ZenML / Prefect / Airflow / Dagster / Metaflow / Kubeflow / Flyte / Luigi / SageMaker /
Azure ML definitions (a SageMaker pipeline declared in Terraform too), a Snakefile, an Argo workflow, or a task chain data → train → evaluate in a Makefile,
poe tasks, a justfile or invoke tasks. Inference helpers that happen to be called "pipeline" (``transformers
.pipeline(...)``, scikit-learn's ``Pipeline``) are models, not pipelines, and never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import lazyre
from ..repo import Repo, memoized
from . import FactValue, cloudml, inventory, report_fact
from .python import ModuleInfo, module, modules_containing, prefilter, python_files
from .python import modules as parse_modules

# (framework, module root, decorator / call / base-class attribute names)
_DECORATORS = (
    ("zenml", "zenml", {"pipeline"}),
    ("prefect", "prefect", {"flow"}),
    ("airflow", "airflow", {"dag"}),
    ("dagster", "dagster", {"asset", "multi_asset", "job", "graph", "op"}),
    ("kubeflow", "kfp", {"pipeline"}),
    ("flyte", "flytekit", {"workflow"}),
    ("azureml", "azure.ai.ml", {"pipeline"}),
    ("metaflow", "metaflow", {"step", "flow"}),
)
_CALLS = (
    ("airflow", "airflow", {"DAG"}),
    ("dagster", "dagster", {"Definitions"}),
    ("kedro", "kedro", {"Pipeline", "pipeline", "node"}),
    ("kubeflow", "kfp", {"Compiler"}),
    ("sagemaker", "sagemaker.workflow", {"Pipeline"}),
    ("vertex", "google.cloud.aiplatform", {"PipelineJob"}),
    ("tfx", "tfx", {"Pipeline"}),
    ("azureml", "azureml.pipeline", {"Pipeline"}),
)
_BASES = (
    ("metaflow", "metaflow", {"FlowSpec"}),
    ("luigi", "luigi", {"Task", "WrapperTask"}),
)
_NEEDLES = prefilter(
    b"zenml", b"prefect", b"airflow", b"dagster", b"kfp", b"flytekit", b"azure.ai.ml", b"metaflow", b"kedro",
    b"sagemaker", b"aiplatform", b"luigi", b"tfx", b"azureml",
)  # fmt: skip


@dataclass(frozen=True)
class PipelineDef:
    framework: str
    path: str
    line: int | None = None


def _is_test(path: str) -> bool:
    parts = path.lower().split("/")
    return any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith("test_")


def _under(name: str, root: str) -> bool:
    return name == root or name.startswith(root + ".")


def _python_definitions(mod: ModuleInfo) -> list[PipelineDef]:
    out: list[PipelineDef] = []
    for name, line in mod.decorators:
        attr = name.rsplit(".", 1)[-1]
        for fw, root, attrs in _DECORATORS:
            if _under(name, root) and attr in attrs:
                out.append(PipelineDef(fw, mod.path, line))
    for call in mod.calls:
        head = call.name.removesuffix("()")
        attr = head.rsplit(".", 1)[-1]
        for fw, root, attrs in _CALLS:
            if _under(head, root) and attr in attrs:
                out.append(PipelineDef(fw, mod.path, call.line))
    for _cls, bases, line in mod.classes:
        for base in bases:
            attr = base.rsplit(".", 1)[-1]
            for fw, root, attrs in _BASES:
                if _under(base, root) and attr in attrs:
                    out.append(PipelineDef(fw, mod.path, line))
    return out


@memoized
def python_pipelines(repo: Repo) -> list[PipelineDef]:
    out: list[PipelineDef] = []
    for mod in modules_containing(repo, *_NEEDLES):
        if not _is_test(mod.path):
            out.extend(_python_definitions(mod))
    return out


@memoized
def file_pipelines(repo: Repo) -> list[PipelineDef]:
    from .docker import manifests
    from .dvc import stages

    out: list[PipelineDef] = []
    dvc_stages = stages(repo)
    out += [PipelineDef("dvc", s.path, s.line) for s in dvc_stages[:1]]
    out += [PipelineDef("mlflow-project", p) for p in repo.named("MLproject")]
    out += [PipelineDef("snakemake", p) for p in repo.named("Snakefile") + repo.with_suffix(".smk")]
    if "pyproject.toml" in repo.entries and repo.contains("pyproject.toml", b"[tool.kedro]"):
        out.append(PipelineDef("kedro", "pyproject.toml"))
    out += [PipelineDef("sagemaker", r.path, r.line) for r in cloudml.declared_pipelines(repo)]
    out += [
        PipelineDef("argo", m.path, m.line)
        for m in manifests(repo)
        if m.kind in ("Workflow", "WorkflowTemplate", "CronWorkflow")
    ]
    return out


# ----------------------------------------------------------------------------------------- task chains
STAGE_KINDS = ("data", "features", "train", "evaluate")
_KIND_WORDS = {
    "data": {"data", "dataset", "datasets", "download", "ingest", "ingestion", "load", "prepare", "preparation",
             "etl", "extract", "split", "clean", "cleaning", "make_dataset", "fetch", "raw"},
    "features": {"feature", "features", "featurize", "featurise", "featurization", "preprocess", "preprocessing",
                 "transform", "transforms", "encode", "tokenize", "build_features", "processing", "process"},
    "train": {"train", "training", "fit", "trainer", "finetune", "fine_tune", "train_model"},
    "evaluate": {"evaluate", "evaluation", "eval", "metrics", "score", "scoring", "validate_model", "test_model",
                 "benchmark", "assess", "report", "nll", "fid", "perplexity", "bleu"},  # or named for its metric
}  # fmt: skip


def stage_kind(name: str) -> str | None:
    """Which pipeline step a task, stage or module name stands for: data, features, train, evaluate or None."""
    low = name.lower()
    if low in ("test", "tests", "lint", "format", "clean_all", "docs", "install"):
        return None
    tokens = [t for t in re.split(r"[^a-z0-9]+", low) if t]
    for kind in ("train", "evaluate", "features", "data"):  # most specific first
        words = _KIND_WORDS[kind]
        if low in words or any(t in words for t in tokens):
            return kind
    return None


@dataclass(frozen=True)
class Task:
    name: str
    path: str
    line: int
    depends: tuple[str, ...] = ()  # prerequisites / sequence members
    text: str = ""  # recipe / command


@memoized
def make_targets(repo: Repo) -> list[Task]:
    out = []
    for path in repo.named("Makefile", "makefile", "GNUmakefile"):
        text = repo.read_text(path) or ""
        current: list[str] = []
        for number, line in enumerate(text.splitlines(), 1):
            m = re.match(r"^([A-Za-z0-9_./%-]+(?:\s+[A-Za-z0-9_./%-]+)*)\s*:(?!=)\s*([^#;]*)", line)
            if m and not line.startswith("\t"):
                names = [n for n in m.group(1).split() if not n.startswith(".")]
                deps = tuple(d for d in m.group(2).split() if not d.startswith("$"))
                current = names
                for n in names:
                    out.append(Task(n, path, number, deps))
            elif line.startswith("\t") and current:
                for i in range(len(out) - 1, -1, -1):
                    if out[i].name in current and out[i].path == path:
                        t = out[i]
                        out[i] = Task(
                            t.name, t.path, t.line, t.depends, (t.text + " " + line.strip()).strip()
                        )
                        break
    return out


@memoized
def poe_tasks(repo: Repo) -> list[Task]:
    from .configs import pyproject

    data = pyproject(repo) or {}
    tool = got if isinstance(got := data.get("tool"), dict) else {}
    tasks = (tool.get("poe") or {}).get("tasks") if isinstance(tool.get("poe"), dict) else None
    if not isinstance(tasks, dict):
        return []
    text = repo.read_text("pyproject.toml") or ""
    lines = text.splitlines()
    out = []
    for name, body in tasks.items():
        line = next(
            (
                i
                for i, t in enumerate(lines, 1)
                if re.match(rf"""^\s*(\[tool\.poe\.tasks\.)?["']?{re.escape(name)}["']?\s*(=|\])""", t)
            ),
            1,
        )
        deps: tuple[str, ...] = ()
        cmd = ""
        if isinstance(body, list):
            deps = tuple(
                x if isinstance(x, str) else str(x.get("ref", "")) for x in body if isinstance(x, (str, dict))
            )
        elif isinstance(body, dict):
            seq = body.get("sequence")
            if isinstance(seq, list):
                deps = tuple(
                    x if isinstance(x, str) else str(x.get("ref", ""))
                    for x in seq
                    if isinstance(x, (str, dict))
                )
            dep = body.get("deps")
            if isinstance(dep, list):
                deps += tuple(str(d) for d in dep)
            cmd = str(body.get("cmd") or body.get("script") or body.get("shell") or "")
        elif isinstance(body, str):
            cmd = body
        out.append(Task(str(name), "pyproject.toml", line, deps, cmd))
    return out


@memoized
def just_recipes(repo: Repo) -> list[Task]:
    out = []
    for path in repo.named("justfile", ".justfile", "Justfile"):
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            m = re.match(r"^@?([A-Za-z0-9_-]+)(?:\s+[^:=]*)?:(?!=)\s*(.*)$", line)
            if m and not line.startswith((" ", "\t")):
                out.append(Task(m.group(1), path, number, tuple(m.group(2).split())))
    return out


def all_tasks(repo: Repo) -> list[Task]:
    return [*make_targets(repo), *poe_tasks(repo), *just_recipes(repo)]


def _task_kind(task: Task) -> str | None:
    return stage_kind(task.name) or (stage_kind(task.text.split()[-1]) if task.text.split() else None)


@memoized
def task_chain(repo: Repo) -> list[Task]:
    """Tasks that form a data → train → evaluate chain: the three kinds of step present as tasks, or a task
    that sequences / depends on at least two kinds including training. Empty when there is no chain."""
    tasks = all_tasks(repo)
    by_name = {t.name: t for t in tasks}
    kinds: dict[str, Task] = {}
    for t in tasks:
        kind = _task_kind(t)
        if kind and kind not in kinds:
            kinds[kind] = t
    # a task whose dependencies (or itself + dependencies) cover train and another step
    for t in tasks:
        covered = {stage_kind(d) for d in t.depends} | {_task_kind(t)}
        if "train" in covered and len(covered - {None}) >= 2:
            members = [by_name[d] for d in t.depends if d in by_name]
            return [t, *members]
    if "train" in kinds and len({"data", "features", "evaluate"} & set(kinds)) >= 2:
        return [kinds[k] for k in STAGE_KINDS if k in kinds]
    return []


# ----------------------------------------------------------------------------------------- all definitions
@memoized
def pipeline_definitions(repo: Repo) -> list[PipelineDef]:
    out = [*file_pipelines(repo), *python_pipelines(repo)]
    chain = task_chain(repo)
    if chain:
        out.append(PipelineDef("task-chain", chain[0].path, chain[0].line))
    return out


@report_fact("pipeline_defined")
def pipeline_fact(repo: Repo) -> FactValue:
    return FactValue.of((d.path, d.line) for d in pipeline_definitions(repo)[:5])


@inventory("pipeline_frameworks")
def pipeline_inventory(repo: Repo) -> list[str]:
    seen: list[str] = []
    for d in pipeline_definitions(repo):
        if d.framework not in seen:
            seen.append(d.framework)
    return seen


# ----------------------------------------------------------------------------------------- training code
_TRAIN_NEEDLES = prefilter(
    b".fit(",
    b".backward(",
    b".train(",
    b"optimizer.step",
    b"lightgbm.train",
    b"xgb.train",
    b"lgb.train",
    b"apply_updates",
    b"apply_gradients",
)
_NOTEBOOK_TRAIN_NEEDLES = (b".fit(", b".backward()", b"trainer.train(", b".train(", b"optimizer.step()")


def _training_calls(mod: ModuleInfo) -> list[int]:
    lines = []
    for call in mod.calls:
        name, attr = call.name, call.attr
        low = name.lower()
        if (
            attr in ("fit", "fit_generator", "backward")
            or (
                attr == "train"
                and ("trainer" in low or low.startswith(("xgboost.", "lightgbm.", "catboost.")))
            )
            or (attr == "step" and "optim" in low)
            or (attr == "train" and "estimator" in low)  # tf.estimator / TPUEstimator
            or (attr == "apply_updates" and low.startswith("optax."))  # a JAX / optax training step
            or (attr == "apply_gradients" and "optim" in low)  # a TensorFlow custom training loop
        ):
            if attr == "fit" and any(
                s in low for s in ("scaler", "encoder", "vectorizer", "imputer", "tokenizer")
            ):
                continue
            lines.append(call.line)
    return lines


@memoized
def training_modules(repo: Repo) -> list[tuple[str, int]]:
    """(path, line) of non-test Python files that train a model (``.fit``, ``loss.backward``, ``trainer.train``,
    ``xgboost.train``, ``optimizer.step``...); none when the repository has no training run of its own
    (:func:`no_training_run`)."""
    return [] if no_training_run(repo) else _all_training_modules(repo)


_TEMPLATE_QUESTIONS = ("cookiecutter.json", "copier.yml", "copier.yaml")
_TEMPLATE_TRAIN_FILE = lazyre.compile(r"(^|[_-])(train|training|train_model|fit)$", re.IGNORECASE)


@memoized
def template_training_steps(repo: Repo) -> list[tuple[str, int]]:
    """The training step of a project template's scaffold: a ``train*.py`` file in a templated directory
    (``{{ cookiecutter.repo_name }}/.../modeling/train.py``) of a repository with a cookiecutter or copier
    question file at its root. Its body is the generated project's placeholder ("REPLACE THIS WITH YOUR OWN
    CODE"): the template is judged as the project it generates, whose training runs there."""
    if not any(q in repo.entries for q in _TEMPLATE_QUESTIONS):
        return []
    out = []
    for path in repo.with_suffix(".py"):
        stem = path.rsplit("/", 1)[-1][:-3]
        if "{{" in path and not _is_test(path) and _TEMPLATE_TRAIN_FILE.search(stem):
            out.append((path, 1))
    return out


@memoized
def _all_training_modules(repo: Repo) -> list[tuple[str, int]]:
    out = []
    for mod in modules_containing(repo, *_TRAIN_NEEDLES):
        if _is_test(mod.path):
            continue
        lines = _training_calls(mod)
        if lines:
            out.append((mod.path, lines[0]))
    if not out:
        out = template_training_steps(repo)
    return out


def training_notebooks(repo: Repo) -> list[str]:
    """Notebooks whose code trains a model (byte-level: ``.fit(``, ``.backward()``, ``trainer.train(``...); none
    when the repository has no training run of its own (:func:`no_training_run`)."""
    return [] if no_training_run(repo) else _all_training_notebooks(repo)


@memoized
def _all_training_notebooks(repo: Repo) -> list[str]:
    return [p for p in repo.grep(repo.with_suffix(".ipynb"), *_NOTEBOOK_TRAIN_NEEDLES) if not _is_test(p)]


# ------------------------------------------------------------------- a training run of the repository's own
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_TUTORIAL_DIRS = _DOC_DIRS | {"examples", "example", "notebooks", "tutorials", "tutorial"}
_GALLERY_FILE = lazyre.compile(r"(^|/)plot[_-][^/]*\.py$")  # sphinx-gallery / mkdocs-gallery example scripts
_GALLERY_DIRS = lazyre.compile(
    r"""examples_dirs['"]?\s*[:=]\s*(\[[^\]]*\]|['"][^'"]+['"]|(?:\s*-\s*[^\n]+\n?)+)"""
)
_GALLERY_CONFIGS = ("mkdocs.yml", "mkdocs.yaml", "docs/conf.py", "doc/conf.py", "docs/source/conf.py",
                    "doc/source/conf.py")  # fmt: skip
_LESSON = lazyre.compile(r"^\d{1,3}[-_. ]")  # 04-how-does-a-neural-net..., 05.02-Introducing-Scikit-Learn
_ENTRY_SKIP = frozenset({"setup.py", "noxfile.py", "conftest.py", "tasks.py", "fabfile.py"})


def _gallery_dirs(repo: Repo) -> list[str]:
    """Example directories a documentation gallery renders (``examples_dirs`` of sphinx-gallery or
    mkdocs-gallery), relative to the repository root."""
    out = []
    for path in _GALLERY_CONFIGS:
        text = repo.read_text(path) if path in repo.entries else None
        for m in _GALLERY_DIRS.finditer(text or ""):
            for raw in re.findall(r"[\w.][\w./-]*", m.group(1)):
                d = re.sub(r"^(\.\.?/)+", "", raw).strip("/")
                if d and d not in (".", ".."):
                    out.append(d)
    return out


def _in_dirs(path: str, dirs: Iterable[str]) -> bool:
    return any(path == d or path.startswith(d + "/") for d in dirs)


def _documentation_example(repo: Repo, path: str) -> bool:
    """A script of the documentation: under docs/, a gallery example (``plot_*.py``) or in a gallery directory."""
    return (
        path.split("/", 1)[0] in _DOC_DIRS
        or bool(_GALLERY_FILE.search(path))
        or _in_dirs(path, _gallery_dirs(repo))
    )


def _console_scripts(repo: Repo) -> bool:
    from .configs import pyproject

    data = pyproject(repo) or {}
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool, dict) and isinstance(tool.get("poetry"), dict) else {}
    if (isinstance(project, dict) and project.get("scripts")) or (
        isinstance(poetry, dict) and poetry.get("scripts")
    ):
        return True
    return ("setup.py" in repo.entries and repo.contains("setup.py", b"console_scripts")) or (
        "setup.cfg" in repo.entries and repo.contains("setup.cfg", b"console_scripts")
    )


def _library_only(repo: Repo) -> str | None:
    """Why the training code of an installable package is library code and documentation only, or None.

    Training calls inside the package (a reusable ``Trainer``, estimators fitting wrapped estimators) are what
    the library offers its users; examples rendered by the documentation and tutorial notebooks show how to
    use it. The repository has a training run of its own as soon as something else trains, or a script
    outside the package imports it, or the package declares a command-line entry point."""
    from .configs import package_layout

    layout = package_layout(repo)
    if not layout.installable or layout.package_dir is None or layout.import_name is None:
        return None
    pkg, name = layout.package_dir, layout.import_name
    modules = [p for p, _ in _all_training_modules(repo)]
    notebooks = _all_training_notebooks(repo)
    if not (modules or notebooks):
        return None
    if not all(_in_dirs(p, [pkg]) or _documentation_example(repo, p) for p in modules):
        return None
    if not all(_in_dirs(p, [pkg]) or p.split("/", 1)[0] in _TUTORIAL_DIRS for p in notebooks):
        return None
    if any(p.rsplit("/", 1)[-1] == "__main__.py" for p in modules) or _console_scripts(repo):
        return None
    for mod in parse_modules(
        repo, repo.grep(python_files(repo), name.encode())
    ):  # a needle known at run time
        path = mod.path
        if (
            _in_dirs(path, [pkg])
            or _is_test(path)
            or _documentation_example(repo, path)
            or path.rsplit("/", 1)[-1] in _ENTRY_SKIP
        ):
            continue
        if mod.imports_any(name):
            return None  # a script of the repository runs the package: follow it, it may train
    where = "; ".join(
        filter(None, [f"library code in {pkg}/" if any(_in_dirs(p, [pkg]) for p in modules + notebooks) else "",
                      "documentation examples and tutorials" if any(not _in_dirs(p, [pkg])
                                                                   for p in modules + notebooks) else ""])
    )  # fmt: skip
    return f"an installable package ({layout.build_file}) whose training code is {where}: no training run of its own"


@memoized
def library_code_dir(repo: Repo) -> str | None:
    """The package directory of a library whose training code is library code only (:func:`no_training_run`)."""
    from .configs import package_layout

    return (
        package_layout(repo).package_dir if not pipeline_definitions(repo) and _library_only(repo) else None
    )


def _lesson_notebooks(repo: Repo) -> str | None:
    """Why the training notebooks are numbered lessons of a course or a book, or None: at least five distinct
    lessons train a model each and no script trains outside the notebooks' directories."""
    notebooks = [p for p in _all_training_notebooks(repo) if ".ipynb_checkpoints/" not in p]
    names = {p.rsplit("/", 1)[-1] for p in notebooks}
    lessons = {n for n in names if _LESSON.match(n)}
    if len(lessons) < 5 or 3 * len(lessons) < 2 * len(names):
        return None
    dirs = {p.rsplit("/", 1)[0] if "/" in p else "" for p in notebooks}
    if any((p.rsplit("/", 1)[0] if "/" in p else "") not in dirs for p, _ in _all_training_modules(repo)):
        return None
    return (
        f"{len(lessons)} numbered lesson notebooks train a model each and no script trains: teaching material,"
        " no training run of its own"
    )


@memoized
def no_training_run(repo: Repo) -> str | None:
    """Why the repository has no training run of its own although code in it trains, or None.

    A library's training code (inside the installable package, in its documentation examples and tutorial
    notebooks) and the numbered lesson notebooks of a course or book train models for the reader: there is no
    model, experiment or workflow of the project to track, version, pipeline or retrain. A declared pipeline
    is always a run of its own."""
    if pipeline_definitions(repo):
        return _hollow_pipeline(repo)
    return _library_only(repo) or _lesson_notebooks(repo)


# modelling and data libraries: a pipeline whose code imports none of them moves no data and trains nothing
_DATA_LIBRARIES = (
    "sklearn", "torch", "tensorflow", "keras", "xgboost", "lightgbm", "catboost", "jax", "flax", "optax",
    "transformers", "pytorch_lightning", "lightning", "statsmodels", "pandas", "polars", "numpy", "datasets",
    "scipy", "pyspark", "dask", "mlflow", "sentence_transformers", "timm", "prophet", "spacy", "gensim",
    "autogluon", "pycaret", "h2o", "fastai", "sagemaker", "google.cloud.aiplatform", "azure.ai.ml",
    "azureml", "tfx", "tensorflow_transform", "duckdb", "sqlalchemy", "boto3", "google.cloud.bigquery",
)  # fmt: skip
# pipeline steps that run code kept elsewhere: a container image, a shell command, a loaded component
_DELEGATING_CALLS = frozenset({
    "ContainerOp", "ContainerSpec", "container_component", "load_component_from_file", "load_component_from_url",
    "load_component_from_text", "load_component", "KubernetesPodOperator", "DockerOperator", "BashOperator",
    "SSHOperator", "EcsRunTaskOperator", "CustomJob", "CustomTrainingJob", "CustomContainerTrainingJob",
    "command", "ShellTask", "shell_task", "ContainerTask", "run", "call", "check_call", "check_output", "Popen",
    "system", "execute_in_process",
})  # fmt: skip
_DATA_NEEDLES = prefilter(  # asked only of a pipeline that seems to train nothing
    *(n for lib in _DATA_LIBRARIES for n in (f"import {lib}".encode(), f"from {lib}".encode())),
    parse_ahead=False,
)


def _hollow_pipeline(repo: Repo) -> str | None:
    """Why a declared pipeline is hollow, or None: only Python definitions (Kubeflow, Airflow, ...) whose
    code, and every other file of the project, imports no modelling or data library and trains nothing; its
    steps only print (substance over mention)."""
    python_defs = python_pipelines(repo)
    if not python_defs or len(python_defs) != len(pipeline_definitions(repo)):
        return None  # dvc.yaml, MLproject, task chains run commands that may train in any language
    if _all_training_modules(repo) or _all_training_notebooks(repo) or repo.with_suffix(".ipynb"):
        return None
    for d in python_defs:
        info = module(repo, d.path)
        if info is None or any(c.attr in _DELEGATING_CALLS for c in info.calls):
            return None  # a step runs a container, a command or a component defined elsewhere
    for mod in modules_containing(repo, *_DATA_NEEDLES):
        if not _is_test(mod.path) and mod.imports_any(*_DATA_LIBRARIES):
            return None
    first = python_defs[0]
    return (
        f"the {first.framework} pipeline ({first.path}) and the project's code import no modelling or data"
        " library and train nothing: no training run of its own"
    )


def is_ml_project(repo: Repo) -> bool:
    """Does the repository train models (in code or notebooks) or declare a pipeline, as a run of its own?"""
    if no_training_run(repo):
        return False
    return bool(training_modules(repo) or training_notebooks(repo) or pipeline_definitions(repo))


@memoized
def step_modules(repo: Repo) -> dict[str, list[tuple[str, int | None]]]:
    """Pipeline step kind -> evidence: Python modules or directories named after the step, dvc stages, tasks."""
    from .dvc import stages

    found: dict[str, list[tuple[str, int | None]]] = {}
    for path in repo.with_suffix(".py"):
        if _is_test(path) or path.rsplit("/", 1)[-1] in ("setup.py", "conftest.py"):
            continue
        parts = path[:-3].split("/")
        stem = parts[-1] if parts[-1] != "__init__" else (parts[-2] if len(parts) > 1 else "")
        kind = stage_kind(stem) or (
            stage_kind(parts[-2]) if len(parts) > 1 and parts[-2] not in ("src",) else None
        )
        if kind:
            found.setdefault(kind, []).append((path, None))
    for s in stages(repo):
        kind = stage_kind(s.name) or next((stage_kind(c.split()[-1]) for c in s.cmd if c.split()), None)
        if kind:
            found.setdefault(kind, []).append((s.path, s.line))
    return found

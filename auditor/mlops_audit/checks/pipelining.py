"""PIP: pipelining — the path from data to an evaluated model is a declared, modular, repeatable pipeline."""

from __future__ import annotations

import re

from .. import lazyre
from ..facts import dvc, notebooks, pipelines, serving
from ..facts.python import module
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check


def _training_evidence(repo: Repo) -> list[Evidence]:
    return [Evidence(p, ln, "trains a model") for p, ln in pipelines.training_modules(repo)[:3]] or [
        Evidence(p, None, "notebook trains a model") for p in pipelines.training_notebooks(repo)[:3]
    ]


@check(
    "PIP001",
    Severity.ERROR,
    "The ML workflow is a declared pipeline",
    fix="dvc_pipeline",
    fix_hint="declare the stages in dvc.yaml (data -> features -> train -> evaluate) and run dvc repro",
    level=1,
)
def pipeline_defined(repo: Repo) -> Result:
    """The steps from raw data to an evaluated model are declared as a pipeline: ``dvc.yaml`` stages, an
    ``MLproject``, Kedro / ZenML / Prefect / Airflow / Dagster / Metaflow / Kubeflow / Flyte definitions, or at
    least a task chain data → train → evaluate (Makefile, poe tasks, justfile).

    Why it matters: a pipeline is the unit MLOps automates — continuous training, caching, lineage and
    reproducibility all need the steps and their inputs/outputs written down rather than remembered.
    ``transformers.pipeline(...)`` and scikit-learn's ``Pipeline`` are models, not workflows, and do not count;
    nor does a hollow pipeline, whose steps (and the project's code) import no modelling or data library and
    train nothing (they print).

    How to fix: declare the stages with their inputs and outputs in ``dvc.yaml`` (or in the orchestration
    framework the team already uses) and run them with one command (``dvc repro``);
    ``mlops-audit fix --select PIP001`` renders the template's ``dvc.yaml``. A lone training task earns
    partial credit.

    Example (``dvc.yaml``)::

        stages:
          prepare:  {cmd: python -m pkg.data, deps: [data/raw], outs: [data/processed]}
          train:    {cmd: python -m pkg.train, deps: [data/processed], params: [train], outs: [models/model.pkl]}
          evaluate: {cmd: python -m pkg.evaluate, deps: [models/model.pkl], metrics: [metrics.json]}
    """
    defs = pipelines.pipeline_definitions(repo)
    if defs and (hollow := pipelines.no_training_run(repo)):  # a declared pipeline whose steps only print
        return Result.failed(f"a pipeline is declared, but {hollow.removeprefix('the ')}",
                             [Evidence(d.path, d.line, d.framework) for d in defs[:2]])  # fmt: skip
    if defs:
        names = ", ".join(dict.fromkeys(d.framework for d in defs))
        return Result.passed(
            f"pipeline defined with {names}", [Evidence(d.path, d.line, d.framework) for d in defs[:4]]
        )
    training = _training_evidence(repo)
    if not training:
        return Result.not_applicable("no model training code found")
    tasks = pipelines.all_tasks(repo)
    train_tasks = [t for t in tasks if pipelines.stage_kind(t.name) == "train"]
    if train_tasks:
        t = train_tasks[0]
        return Result.failed(
            "a training task exists but no data -> train -> evaluate chain",
            [Evidence(t.path, t.line, t.name)],
            credit=0.3,
        )
    return Result.failed("models are trained by ad-hoc scripts or notebooks, with no pipeline", training)


@check(
    "PIP002",
    Severity.WARNING,
    "Pipeline steps are separate modules",
    fix="dvc_pipeline",
    fix_hint="split the training script into data, features, train and evaluate modules or stages",
    level=1,
)
def modular_steps(repo: Repo) -> Result:
    """Data preparation, feature engineering, training and evaluation live in separate modules or pipeline
    stages (at least three of the four), not in one script.

    Why it matters: separate steps can be cached, tested, re-run and replaced independently; a monolithic
    ``train.py`` reruns everything for every change and cannot be orchestrated.

    How to fix: split the code into ``data.py``, ``features.py``, ``train.py`` and ``evaluate.py`` (or
    framework steps / ``dvc.yaml`` stages) that hand files or artifacts to each other. Steps are recognised by
    their module, stage or function names (``prepare``, ``preprocess``, ``train``, ``evaluate``...). The steps
    of a hollow pipeline (no modelling or data library, nothing trained: they print) do no ML work and fail.

    Example::

        src/churn/data.py        # load_raw() -> data/interim/customers.parquet
        src/churn/features.py    # build_features() -> data/processed/features.parquet
        src/churn/train.py       # fit the model on the features -> models/model.joblib
        src/churn/evaluate.py    # score the model on the holdout -> reports/metrics.json
    """
    defs = pipelines.pipeline_definitions(repo)
    if defs and (hollow := pipelines.no_training_run(repo)):  # steps named data / train / evaluate that print
        return Result.failed(f"no step does ML work: {hollow.removeprefix('the ')}",
                             [Evidence(d.path, d.line, d.framework) for d in defs[:2]])  # fmt: skip
    if not pipelines.is_ml_project(repo):
        return Result.not_applicable("no model training code or pipeline found")
    found = dict(pipelines.step_modules(repo))
    # steps of orchestration frameworks (ZenML @step, Prefect @task, Dagster @op...) are functions, not files
    for d in pipelines.python_pipelines(repo):
        mod = module(repo, d.path)
        if mod is None:
            continue
        for name, line in mod.functions:
            kind = pipelines.stage_kind(name)
            if kind and not any(p == d.path for p, _ in found.get(kind, [])):
                found.setdefault(kind, []).append((d.path, line))
    if "train" not in found and len(found) >= 2 and pipelines.training_modules(repo):
        # beside separate data / features / evaluation modules, the module that trains is the train step,
        # whatever its name (run.py, main.py)
        found["train"] = [(p, line) for p, line in pipelines.training_modules(repo)[:1]]
    kinds = [k for k in pipelines.STAGE_KINDS if k in found]
    evidence = [Evidence(found[k][0][0], found[k][0][1], k) for k in kinds]
    if len(kinds) >= 3 and "train" in kinds:
        return Result.passed(f"separate steps: {', '.join(kinds)}", evidence)
    missing = [k for k in pipelines.STAGE_KINDS if k not in kinds]
    where = evidence or _training_evidence(repo)
    return Result.failed(f"no separate step for {', '.join(missing)}", where, credit=len(kinds) / 4)


@check(
    "PIP003",
    Severity.WARNING,
    "Training does not live only in notebooks",
    fix_hint="move the notebook's training code into a module (src/<pkg>/train.py) the notebook imports",
    level=1,
)
def training_outside_notebooks(repo: Repo) -> Result:
    """When notebooks train models, the training code also exists as Python modules or scripts.

    Why it matters: notebooks are great for exploration but cannot be scheduled, reviewed line by line,
    unit-tested or run by a pipeline; hidden state and out-of-order execution make their results
    irreproducible.

    How to fix: move the training code into ``src/<pkg>/train.py`` with a ``main()`` entry point; keep the
    notebook for exploration and have it import the module.

    Example (``src/churn/train.py``)::

        from sklearn.ensemble import RandomForestClassifier

        def main() -> None:
            X, y = load_features()
            model = RandomForestClassifier(n_estimators=300, random_state=42).fit(X, y)
            joblib.dump(model, "models/model.joblib")
    """
    notebooks = pipelines.training_notebooks(repo)
    if not notebooks:
        return Result.not_applicable("no notebook trains a model")
    modules = pipelines.training_modules(repo)
    if modules:
        return Result.passed(
            "training code exists outside notebooks", [Evidence(p, ln) for p, ln in modules[:3]]
        )
    return Result.failed("models are trained only in notebooks", [Evidence(p) for p in notebooks[:5]])


_PREPROCESSING = lazyre.compile(
    r"(feature|preprocess|transform|process|clean|normali[sz]|token|encod|pipeline)", re.I
)
#: bytes of preprocessing code: transformers, encoders, tokenizers, feature engineering on frames
_PREPROCESSING_NEEDLES = (
    b"transform", b"preprocess", b"Scaler", b"Encoder", b"Imputer", b"get_dummies", b"tokeniz", b"Tokeniz",
    b"normaliz", b"Normaliz", b"Vectorizer", b"feature", b"fillna", b"astype", b"encode", b".map(", b".apply(",
    b"] = ", b".replace(", b"Pipeline", b"pipeline", b"clean", b"embed", b"resize", b"Resize", b"processor",
    b"Processor",
)  # fmt: skip
_SERVING_PREPROCESSING = (
    b"preprocess", b"transform", b"Scaler", b"Encoder", b"get_dummies", b"tokeniz", b"Tokeniz", b"normaliz",
    b"fillna", b"feature", b"resize", b"encode",
)  # fmt: skip
_PREPROCESSING_MODULE = lazyre.compile(
    r"(^|/|_)(pre_?process\w*|features?|feature_\w+|transforms?|transformers?|tokeni[sz]\w*|encod\w*|clean\w*)(\.py$|/)"
)


def _any_preprocessing(repo: Repo, training_side: set[str], serving_side: set[str]) -> bool:
    """Does the training side preprocess at all: its files (and the project modules they import) hold
    preprocessing code, or the project has a preprocessing / feature module outside the serving code (a
    pipeline step training does not import)? When it cannot be told apart, it does."""
    if repo.grep(sorted(training_side), *_PREPROCESSING_NEEDLES):
        return True
    return any(_PREPROCESSING_MODULE.search(p) and p not in serving_side for p in repo.with_suffix(".py"))


_SKLEARN_PIPELINE = lazyre.compile(r"\b(Pipeline|make_pipeline|ColumnTransformer|make_column_transformer)\(")
_MODEL_LOADERS = ("load_model", "load", "from_pretrained", "get", "import_model")


def _preprocessing_outside_the_model(repo: Repo, serving_side: set[str]) -> Evidence | None:
    """A preprocessing step that runs before training outside the model: a ``dvc.yaml`` feature stage
    (``preprocess``) whose script the serving code does not reach."""
    for stage in dvc.stages(repo):
        if pipelines.stage_kind(stage.name) != "features":
            continue
        scripts = [t.removeprefix("./") for c in stage.cmd for t in c.split() if t.endswith(".py")]
        if scripts and not any(s in serving_side for s in scripts):
            return Evidence(stage.path, stage.line, f"stage {stage.name}")
    return None


def _serving_side(repo: Repo, serving_paths: list[str], training: set[str]) -> list[tuple[str, str]]:
    """(module, serving entry it serves) for the serving entry points and the project modules they import, two
    levels deep (``app.py`` -> ``routers/predict.py`` or ``inference.py`` -> the preprocessing they import):
    a service's routes and its inference helper are serving code too. Training modules are not followed."""
    out: list[tuple[str, str]] = [(p, p) for p in serving_paths]
    seen = set(serving_paths)
    frontier = list(out)
    for _ in range(2):
        nxt = []
        for path, via in frontier:
            for target, _line in serving.local_imports(repo, path):
                if target in seen or target in training or not target.endswith(".py"):
                    continue
                seen.add(target)
                nxt.append((target, via))
        out += nxt
        frontier = nxt
    return out


@check(
    "PIP004",
    Severity.WARNING,
    "Training and serving share preprocessing",
    fix_hint="import the training feature code in the service, or ship preprocessing inside the model (sklearn Pipeline)",
    level=2,
    profiles=("pipeline", "service"),
)
def shared_preprocessing(repo: Repo) -> Result:
    """The serving code applies the same preprocessing as training: it imports the same feature / preprocessing
    module, or it loads a model artefact that contains the preprocessing (an sklearn ``Pipeline``, an MLflow
    pyfunc model, a SavedModel exported with its tf.Transform layer) and no preprocessing step runs before
    training outside it (a ``preprocess`` DVC stage) unless the serving code applies that step too. The serving code is the entry point and the project modules it imports, two levels deep
    (its routers, its inference helper).

    When it applies: serving and training code (a module, or else a notebook that trains) both live in the
    repository and at least one of them preprocesses (raw features that go to the model unchanged on both
    sides leave nothing to share).

    Why it matters: re-implementing feature engineering in the service is the classic source of training /
    serving skew — the model silently receives different inputs in production than it was evaluated on.

    How to fix: keep the transformations in one module (``pkg/features.py``) imported by both ``train.py``
    and the service, or fit them inside the model (an sklearn ``Pipeline`` saved with ``joblib`` or logged
    with MLflow) and have the service load that artefact.

    Example::

        # src/churn/train.py
        scale = ColumnTransformer([("num", StandardScaler(), NUMERIC)])
        model = make_pipeline(scale, GradientBoostingClassifier()).fit(X, y)
        joblib.dump(model, "models/model.joblib")
        # src/churn/serve.py
        app = FastAPI()
        model = joblib.load("models/model.joblib")   # the pipeline, preprocessing included
    """
    serving_paths = serving.serving_modules(repo)
    if not serving_paths:
        return Result.not_applicable("no serving code")
    training = [p for p, _ in pipelines.training_modules(repo)]
    if not training:  # the model may be trained in a notebook
        training = pipelines.training_notebooks(repo)
    if not training:
        return Result.not_applicable("no training code in the repository (the model is trained elsewhere)")
    training_imports: dict[str, int] = {}
    for path in training:
        for target, _line in serving.local_imports(repo, path):
            training_imports.setdefault(target, 0)
    training_set = set(training)
    if not _any_preprocessing(
        repo, training_set | set(training_imports), set(serving_paths)
    ) and not repo.grep(serving_paths, *_SERVING_PREPROCESSING):
        return Result.not_applicable(
            "neither training nor serving preprocesses (raw features go to the model): nothing to share"
        )
    serving_side = {path for path, _ in _serving_side(repo, serving_paths, training_set)}
    for path, via in _serving_side(repo, serving_paths, training_set):
        for target, line in serving.local_imports(repo, path):
            shared = target in training_imports or target in training_set
            if shared and (
                _PREPROCESSING.search(target)
                or repo.contains(
                    target,
                    b"def preprocess",
                    b"def transform",
                    b"def build_features",
                    b"ColumnTransformer",
                    b"def tokenize",
                )
            ):
                evidence = [Evidence(path, line, f"imports {target}")]
                if via != path:
                    evidence.insert(0, Evidence(via, None, f"serving code, imports {path}"))
                return Result.passed(f"serving and training both use {target}", evidence)
    # the model artefact carries its preprocessing
    for path in sorted(training_set | set(training_imports)):
        mod = module(repo, path) if path.endswith(".py") else None
        embeds = [c for c in (mod.calls if mod else []) if c.attr == "transform_features_layer"]
        if embeds:  # tf.Transform: the exported SavedModel's serving signature applies the fitted transform
            return Result.passed(
                "the exported model embeds the tf.Transform preprocessing graph",
                [Evidence(path, embeds[0].line, embeds[0].name)],
            )
    builds_pipeline = []
    for path in training:
        if path.endswith(".ipynb"):
            nb = notebooks.notebook(repo, path)
            code = notebooks.code_source(nb) if nb is not None else ""
            m = _SKLEARN_PIPELINE.search(code) if "sklearn" in code else None
            if m:
                builds_pipeline.append(Evidence(path, None, f"{m.group(1)} in the notebook"))
            continue
        mod = module(repo, path)
        if mod is None:
            continue
        for call in mod.calls:
            if call.name in (
                "sklearn.pipeline.Pipeline",
                "sklearn.pipeline.make_pipeline",
                "sklearn.compose.ColumnTransformer",
                "sklearn.compose.make_column_transformer",
            ) or (call.attr == "log_model" and call.name.startswith("mlflow.pyfunc")):
                builds_pipeline.append(Evidence(path, call.line, call.name))
                break
    if builds_pipeline:
        for path in serving_paths:
            mod = module(repo, path)
            if mod is None:
                continue
            loads = [
                c
                for c in mod.calls
                if c.attr in _MODEL_LOADERS
                and c.name.split(".")[0] in ("joblib", "pickle", "mlflow", "cloudpickle", "skops", "bentoml")
            ]
            if loads:
                outside = _preprocessing_outside_the_model(repo, serving_side)
                if outside is not None:
                    return Result.failed(
                        "the served pipeline holds some transforms, but a preprocessing step runs before"
                        " training outside the model and the serving code does not apply it",
                        [outside, builds_pipeline[0]],
                    )
                return Result.passed(
                    "the served model is a pipeline that contains its preprocessing",
                    [builds_pipeline[0], Evidence(path, loads[0].line, loads[0].name)],
                )
    evidence = [Evidence(p) for p in serving_paths[:2]] + [Evidence(p) for p in training[:2]]
    return Result.failed("serving code shares no preprocessing module or pipeline with training", evidence)


@check(
    "PIP005",
    Severity.INFO,
    "DVC stages declare their dependencies and outputs",
    fix="dvc_pipeline",
    fix_hint="list each stage's deps (code and data) and outs in dvc.yaml",
    level=1,
)
def stages_declare_io(repo: Repo) -> Result:
    """Every ``dvc.yaml`` stage lists its ``deps`` and its ``outs`` (or metrics / plots).

    Why it matters: DVC decides what to re-run, what to cache and what to push from these lists; a stage
    without deps never re-runs when its code changes, one without outs is re-run every time and produces
    nothing DVC can version.

    How to fix: give every stage the code and data it reads as ``deps`` and the files it writes as ``outs``
    (or ``metrics`` / ``plots`` for reports).

    Example (``dvc.yaml``)::

        stages:
          train:
            cmd: python -m pkg.train
            deps: [src/pkg/train.py, data/processed]
            outs: [models/model.pkl]
    """
    stages = dvc.stages(repo)
    if not stages:
        return Result.not_applicable("no dvc.yaml stages")
    incomplete = [s for s in stages if not s.deps or not s.outs]
    if not incomplete:
        return Result.passed(
            f"{len(stages)} stage(s) declare deps and outs",
            [Evidence(s.path, s.line, s.name) for s in stages[:4]],
        )
    evidence = [
        Evidence(
            s.path,
            s.line,
            f"{s.name}: no " + " and no ".join(x for x, v in (("deps", s.deps), ("outs", s.outs)) if not v),
        )
        for s in incomplete[:6]
    ]
    return Result.failed(
        f"{len(incomplete)} of {len(stages)} stage(s) lack deps or outs",
        evidence,
        credit=1 - len(incomplete) / len(stages),
    )

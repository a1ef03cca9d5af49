"""DAT: data validation and drift — schemas and expectations, validation before training, drift detection
and reproducible data splits."""

from __future__ import annotations

import re

from .. import lazyre
from ..facts import ml, notebooks, serving, source, validation
from ..facts.pipelines import is_ml_project, no_training_run
from ..facts.python import prefilter, python_files
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check


def _has_code(repo: Repo) -> bool:
    return bool(python_files(repo) or notebooks.notebooks(repo))


def _flat(found: dict[str, list[Evidence]], n: int = 5) -> list[Evidence]:
    return [ev for evs in found.values() for ev in evs[:2]][:n]


@check(
    "DAT001",
    Severity.WARNING,
    "Data schemas or expectations are defined",
    fix="data_validation",
    fix_hint="define the expected data (Great Expectations suite, pandera schema, pydantic model) and check it",
    level=1,
)
def schema_defined(repo: Repo) -> Result:
    """The expected shape of the data is written down as code: a Great Expectations suite, a pandera
    schema, pydantic models of records, a TFDV schema, deepchecks or Evidently test suites, Soda checks, dbt
    column tests (``unique``, ``not_null``...), the typed schema of Feast feature views, or data tests (a test
    module that reads the dataset and checks its schema, missing values or distribution:
    ``def test_check_schema()``).

    Why it matters: upstream data changes silently — a renamed column, a unit change, a flood of nulls — and
    a model trains happily on garbage. A schema turns that into a failed step with a clear message.

    How to fix: describe the columns, types and ranges you rely on and validate every new batch.

    Example::

        class Transactions(pa.DataFrameModel):
            amount: float = pa.Field(ge=0)
            country: str = pa.Field(isin=["FR", "DE", "ES"])
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    found = validation.data_validation_usages(repo)
    if found:
        return Result.passed(f"data validation with {', '.join(sorted(found))}", _flat(found))
    if not is_ml_project(repo) and not serving.online_entries(repo):
        return Result.not_applicable("no training code, pipeline or serving: no data to validate")
    return Result.failed("no data schema or expectations (Great Expectations, pandera, pydantic, TFDV...)")


_VALIDATE_STEP = lazyre.compile(
    r"validat|expectation|check[-_]?data|data[-_]?check|schema|great_expectations|gx\b"
)
_TRAIN_STEP = lazyre.compile(r"train|fit\b")
_METRICS_CLIENT_NEEDLES = prefilter(b"influxdb", b"prometheus_client")
_SPLIT_NEEDLES = prefilter(
    b"train_test_split", b"ShuffleSplit", b"KFold", b"random_split", b".sample(", b"shuffle(", b"randomSplit",
    b"random.rand(", b"random.random(", b"RAND()",
)  # fmt: skip


def _ordered_steps(repo: Repo) -> list[Evidence]:
    """A pipeline (dvc.yaml, Makefile, poe, just) in which a validation step comes before training."""
    from ..facts import dvc, pipelines

    out: list[Evidence] = []
    stages = dvc.stages(repo)
    for i, stage in enumerate(stages):
        text = (stage.name + " " + " ".join(stage.cmd)).lower()
        if not _TRAIN_STEP.search(text):
            continue
        for prior in stages[:i]:
            prior_text = (prior.name + " " + " ".join(prior.cmd)).lower()
            if (
                prior.path == stage.path
                and _VALIDATE_STEP.search(prior_text)
                and not _TRAIN_STEP.search(prior_text)
            ):
                out.append(Evidence(prior.path, prior.line, f"stage {prior.name} before {stage.name}"))
                break
    tasks = pipelines.all_tasks(repo)
    for task in tasks:
        if not _TRAIN_STEP.search(task.name.lower()) and not (
            task.depends and any(_TRAIN_STEP.search(d.lower()) for d in task.depends)
        ):
            continue
        names = [d.lower() for d in task.depends]
        v = next((i for i, d in enumerate(names) if _VALIDATE_STEP.search(d)), None)
        t = next((i for i, d in enumerate(names) if _TRAIN_STEP.search(d)), len(names))
        if v is not None and v < t:
            out.append(Evidence(task.path, task.line, f"task {task.name}: {task.depends[v]} before training"))
    return out


@check(
    "DAT002",
    Severity.WARNING,
    "Data is validated before training",
    fix_hint="call the validation step before fitting (or order a validate stage before train in the pipeline)",
    level=1,
    profiles=("pipeline", "service"),
    requires=("DAT001",),
)
def validated_before_training(repo: Repo) -> Result:
    """The data validation runs on the training path: a training file (or a project module it imports, at that
    module's top level or in a function the training file names) validates its input before fitting, or the pipeline (``dvc.yaml``, Makefile, poe, just) runs a
    validation step before the training step.

    Why it matters: a schema that is never run protects nothing; validation has to gate training so that
    bad data stops the pipeline instead of producing a bad model.

    How to fix: make validation a pipeline step that training depends on.

    Example (``dvc.yaml``)::

        stages:
          validate: {cmd: python -m churn.validate, deps: [data/raw]}
          train: {cmd: python -m churn.train, deps: [data/raw, reports/validation.json]}
    """
    units = ml.training_units(repo)
    steps = _ordered_steps(repo)
    if steps:
        return Result.passed("a validation step runs before training", steps[:3])
    if not units:
        return Result.not_applicable("no training code or pipeline found")
    if reason := no_training_run(repo):
        return Result.not_applicable(reason)
    validating: dict[str, list[Evidence]] = {}
    for unit in ml.code_units(repo, *validation.VALIDATION_NEEDLES):
        calls = validation.validation_calls(unit)
        if calls and not unit.is_notebook:
            validating[unit.path] = [unit.call_ev(c) for c in calls]
    for unit in units:
        calls = validation.validation_calls(unit)
        train = ml.train_calls(unit)
        if calls and (not train or calls[0].line <= train[0].line):
            return Result.passed(f"{unit.path} validates its data before training", [unit.call_ev(calls[0])])
        for path in sorted(p for p in ml.imported_project_files(repo, unit) if p in validating):
            reached = [ev for ev in validating[path] if _reached(repo, ev, unit.path)]
            if reached:
                return Result.passed(
                    f"{unit.path} imports the validation in {path}",
                    [unit.ev(None, f"imports {path}"), reached[0]],
                )
    return Result.failed(
        "validation is defined but no training file or pipeline step runs it before training",
        [u.ev(None, "trains") for u in units[:3]],
        credit=0.3,
    )


def _reached(repo: Repo, ev: Evidence, importer: str) -> bool:
    """Does an importer run the validation call ``ev`` of the module it imports: a call at module level or in a
    class runs with it, one inside a top-level function only when the importer names that function
    (``validate_prediction_input`` for serving is not on the training path)."""
    name = source.ask(repo, ev.path, ml.enclosing_function, ev.line)
    return name is None or source.names(repo, importer, name) > 0


@check(
    "DAT003",
    Severity.WARNING,
    "Data drift is monitored",
    fix_hint="compare new data with the training reference (Evidently, alibi-detect, whylogs, KS/PSI tests)",
    level=2,
    profiles=("pipeline", "service"),
)
def drift_monitored(repo: Repo) -> Result:
    """New data is compared with the training data: Evidently drift presets, alibi-detect, whylogs,
    NannyML, deepchecks drift checks, a managed platform's model monitoring (Vertex AI skew / drift detection,
    SageMaker Model Monitor, Azure ML data drift), or custom statistical tests (Kolmogorov-Smirnov, PSI) on
    feature distributions. When the code exports its metrics to InfluxDB or Prometheus and the repository ships
    Grafana, an alert rule there may watch the inputs: the verdict is unknown (Grafana's rules are not code).

    Why it matters: models degrade when the world changes; drift detection is the early warning that
    triggers investigation or retraining before the business metric drops.

    How to fix: run a drift report on each inference batch against the training reference and alert (or
    retrain) above a threshold.

    Example::

        report = Report([DataDriftPreset()])
        result = report.run(reference_data=train_df, current_data=batch_df)
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    found = validation.drift_usages(repo)
    if found:
        return Result.passed(f"drift detection with {', '.join(sorted(found))}", _flat(found))
    if (reason := no_training_run(repo)) and not serving.online_entries(repo):
        return Result.not_applicable(reason)
    stack = _dashboard_monitoring(repo)
    if stack:
        return Result.unknown(
            "the code exports metrics to a time-series store watched by Grafana: whether an alert rule compares "
            "the inputs with the training data is configured in Grafana (its database or provisioning), not in "
            "the code",
            stack,
        )
    return Result.failed("no drift detection (Evidently, alibi-detect, whylogs, KS / PSI tests...)")


_TIME_SERIES_CLIENTS = ("influxdb_client", "influxdb", "prometheus_client")


def _dashboard_monitoring(repo: Repo) -> list[Evidence]:
    """Evidence of a dashboard-and-alerting monitoring stack: non-test code writes to InfluxDB or Prometheus, and
    the repository ships Grafana (a ``grafana`` folder or file, or a compose service running its image)."""
    from ..facts.python import modules_containing

    writers = [
        Evidence(m.path, found[0][1], f"import {found[0][0]}")
        for m in modules_containing(repo, *_METRICS_CLIENT_NEEDLES)
        if not m.path.startswith(("tests/", "test/")) and (found := m.imports_any(*_TIME_SERIES_CLIENTS))
    ]
    if not writers:
        return []
    grafana = [p for p in repo.paths if "grafana" in p.lower()]
    grafana += repo.grep(repo.named("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"),
                         b"grafana/grafana")  # fmt: skip
    return [*writers[:2], Evidence(grafana[0])] if grafana else []


_SPLITS = {
    "sklearn.model_selection.train_test_split": ("random_state",),
    "sklearn.model_selection.ShuffleSplit": ("random_state",),
    "sklearn.model_selection.StratifiedShuffleSplit": ("random_state",),
    "sklearn.model_selection.GroupShuffleSplit": ("random_state",),
    "torch.utils.data.random_split": ("generator",),
    "sklearn.utils.shuffle": ("random_state",),
}
_SHUFFLED = ("sklearn.model_selection.KFold", "sklearn.model_selection.StratifiedKFold",
             "sklearn.model_selection.RepeatedKFold", "sklearn.model_selection.StratifiedGroupKFold")  # fmt: skip
_GLOBAL_NUMPY_SEED = ("numpy.random.seed",)


#: numpy draws that make a random mask over the rows (``np.random.rand(len(df)) < 0.8``)
_MASK_DRAWS = (
    "numpy.random.rand",
    "numpy.random.random",
    "numpy.random.random_sample",
    "numpy.random.uniform",
)
_ROW_COUNT = lazyre.compile(r"\blen\(|\.shape\[0\]|\.count\(\)")


@source.source_question
def _counts_rows_at(text: str, line: int) -> bool:
    """Whether the line counts rows (``len(df)``, ``df.shape[0]``): a random mask drawn per row."""
    lines = text.splitlines()
    return 0 < line <= len(lines) and _ROW_COUNT.search(lines[line - 1]) is not None


#: a SQL split on an unseeded random number (BigQuery's ``RAND()`` takes no seed): ``IF(RAND() <= 0.8, ...)``
_SQL_RAND_SPLIT = lazyre.compile(r"\bRAND\(\)\s*(<=?|>=?)\s*0?\.\d", re.IGNORECASE)


def _unseeded_splits(repo: Repo, unit: ml.CodeUnit) -> tuple[list[Evidence], list[Evidence]]:
    seeded: list[Evidence] = []
    unseeded: list[Evidence] = []
    global_seed = any(c.name in _GLOBAL_NUMPY_SEED for c in unit.info.calls)
    parts = unit.path.lower().split("/")
    in_tests = any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith("test_")
    for text, line in [] if in_tests else unit.info.strings:  # a test's SQL strings are fixtures
        if _SQL_RAND_SPLIT.search(text):
            unseeded.append(unit.ev(line, "SQL split on RAND() (unseeded)"))
    for call in unit.info.calls:
        if call.name in _MASK_DRAWS:
            if source.ask(repo, unit.path, _counts_rows_at, call.line):
                (seeded if global_seed else unseeded).append(unit.ev(call.line, f"{call.name} row mask"))
            continue
        if call.attr == "randomSplit":  # Spark: df.randomSplit(weights, seed)
            has_seed = len(call.args) >= 2 or call.kwargs.get("seed") is not None
            (seeded if has_seed else unseeded).append(unit.call_ev(call))
            continue
        keys: tuple[str, ...] | None = _SPLITS.get(call.name)
        if keys is None and call.name in _SHUFFLED:
            if call.kwargs.get("shuffle") is not True and not call.name.startswith(
                "sklearn.model_selection.Repeated"
            ):
                continue
            keys = ("random_state",)
        if keys is None and call.attr == "sample" and "frac" in call.kwargs:
            keys = ("random_state",)
        if keys is None or call.kwargs.get("shuffle") is False:
            continue  # train_test_split(..., shuffle=False) takes the rows in order: nothing random
        has_seed = any(call.kwargs.get(k) is not None and k in call.kwargs for k in keys)
        uses_global = global_seed and not call.name.startswith("torch") and call.attr != "sample"
        (seeded if has_seed or uses_global else unseeded).append(unit.call_ev(call))
    return seeded, unseeded


@check(
    "DAT004",
    Severity.WARNING,
    "Data splits are reproducible",
    fix_hint="pass random_state= (or a seeded generator) to every split and shuffle",
    level=1,
)
def reproducible_splits(repo: Repo) -> Result:
    """Every random split or shuffle of the data is seeded: ``train_test_split(..., random_state=42)``,
    shuffled ``KFold`` / ``ShuffleSplit`` with ``random_state``, ``random_split(..., generator=g)``,
    ``df.sample(frac=..., random_state=...)``, ``sklearn.utils.shuffle(..., random_state=...)``, Spark's
    ``df.randomSplit(weights, seed)``, a random row mask (``np.random.rand(len(df)) < 0.8``) after
    ``np.random.seed`` (a split with ``shuffle=False`` is not random). A SQL split on ``RAND()`` (BigQuery's takes
    no seed) is never reproducible: split on a hash of a key (``FARM_FINGERPRINT``) instead.

    Why it matters: an unseeded split puts different rows in the test set on every run, so metrics move
    without any change of code or data, and rows may leak between train and test across runs.

    How to fix: pass a fixed seed from configuration.

    Example::

        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=cfg.seed)
    """
    units = ml.code_units(repo, *_SPLIT_NEEDLES)
    seeded: list[Evidence] = []
    unseeded: list[Evidence] = []
    for unit in units:
        s, u = _unseeded_splits(repo, unit)
        seeded += s
        unseeded += u
    if not seeded and not unseeded:
        return Result.not_applicable("no random data split in the code")
    if unseeded:
        credit = len(seeded) / (len(seeded) + len(unseeded))
        return Result.failed(f"{len(unseeded)} random splits without a seed", unseeded[:10], credit=credit)
    return Result.passed(f"{len(seeded)} random splits are seeded", seeded[:5])

"""Data validation and drift: schema and expectation suites, validation calls on the training path, drift
detectors and managed model monitoring.

The reusable entry points are :func:`data_validation_usages`, :func:`validation_calls` and :func:`drift_usages`.
"""

from __future__ import annotations

import re

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from .ml import CodeUnit, add_found, code_units, flatten, imports_from
from .python import Call, modules_containing, prefilter, python_files
from .source import ask, source_question

# ----------------------------------------------------------------------------------------- data validation


_DATA_CLASS_NAME = lazyre.compile(
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
_DATA_TEST_NAME = lazyre.compile(
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
            for name, line in imports_from(unit, roots):
                add_found(found, tool, unit.ev(line, f"import {name}"))
        for name, bases, line in unit.info.classes:
            pydantic_model = any(b in ("pydantic.BaseModel", "pydantic.main.BaseModel") for b in bases)
            data_name = _DATA_CLASS_NAME.search(name) and not re.search(r"(config|settings)$", name, re.I)
            if pydantic_model and data_name:
                add_found(found, "pydantic", unit.ev(line, f"class {name}(BaseModel)"))
        for call in unit.info.calls:  # a Feast feature view declares the typed schema of its features
            if (call.name == "feast.FeatureView" and "schema" in call.kwargs) or (
                call.name in ("feast.Field", "feast.field.Field") and "dtype" in call.kwargs
            ):
                add_found(found, "feast", unit.ev(call.line, f"{call.name}(...)"))
                break
    for ev in _data_tests(repo):
        add_found(found, "data tests", ev)
    for path, dbt_line in _dbt_tests(repo):
        add_found(found, "dbt tests", Evidence(path, dbt_line, "dbt column tests"))
    for path, entry in repo.entries.items():
        low = path.lower()
        if entry.name in ("great_expectations.yml", "great_expectations.yaml") or (
            entry.suffix == ".json"
            and "expectations/" in low
            and repo.contains(path, b"expectation_type", b'"expectations"', b'"type": "expect_')
        ):
            add_found(found, "great_expectations", Evidence(path))
        elif entry.name == "schema.pbtxt":
            add_found(found, "tfdv", Evidence(path))
        elif entry.suffix in (".yml", ".yaml") and "soda" in low and repo.contains(path, b"checks for "):
            add_found(found, "soda", Evidence(path))
    return found


_READER_NEEDLES = prefilter(b"read_", b"scan_", parse_ahead=False)  # among test modules


def _is_test_module_name(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py")


def _data_tests(repo: Repo) -> list[Evidence]:
    """Test modules that check the data itself: they read a dataset with pandas / polars and hold test functions
    about its schema, missing values or distribution (``test_check_schema``, ``test_missing_values``)."""
    out: list[Evidence] = []
    test_modules = [p for p in python_files(repo) if _is_test_module_name(p.rsplit("/", 1)[-1])]
    for mod in modules_containing(repo, *_READER_NEEDLES, paths=test_modules):
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


_VALIDATION_CALL = lazyre.compile(r"validat|expect_|run_checkpoint|check_schema|assert_schema", re.IGNORECASE)


_VALIDATION_ROOTS = ("great_expectations", "pandera", "tensorflow_data_validation", "deepchecks")


#: What a file with a :func:`validation_calls` call holds (the call names in the cases code writes them).
VALIDATION_NEEDLES = prefilter(
    *(n.encode() for n in _VALIDATION_ROOTS),
    *(v for n in ("validat", "expect_", "run_checkpoint", "check_schema", "assert_schema")
      for v in (n.encode(), n.upper().encode(), n.title().encode())),
)  # fmt: skip


#: not data validation: model cross-validation and validation loops, pydantic's validator decorators (fields of
#: settings and records), validating settings or arguments
_NOT_DATA_VALIDATION = lazyre.compile(
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


_DRIFT_NAME = lazyre.compile(
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


_PLATFORM_MONITOR = lazyre.compile(
    r"drift|skewdetection|ObjectiveConfig|ModelDeploymentMonitoringJob|model_monitoring_job|ModelMonitor|"
    r"(Quality|Bias)Monitor|monitoring_schedule",
    re.IGNORECASE,
)


_MANAGED_MONITORING = lazyre.compile(
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


@source_question
def _mentions_drift(text: str) -> bool:
    return "drift" in text.lower()


@memoized
def drift_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Drift detection: Evidently drift presets/metrics, alibi-detect, whylogs, NannyML, frouros, deepchecks
    drift checks, managed platform monitoring (Vertex AI skew / drift detection, SageMaker Model Monitor, Azure
    ML data drift), or custom statistical tests (KS, PSI...) in code about drift."""
    found: dict[str, list[Evidence]] = {}
    for unit in code_units(repo, *_DRIFT_NEEDLES):
        for tool, roots in _DRIFT_MODULES.items():
            for name, line in imports_from(unit, roots):
                add_found(found, tool, unit.ev(line, f"import {name}"))
        mentions_drift = ask(repo, unit.path, _mentions_drift)
        for name, line in unit.info.imports:
            if name.startswith(("evidently", "deepchecks")) and mentions_drift:
                # `from evidently.presets import DataDriftPreset`: the imported name says drift
                add_found(found, name.split(".")[0], unit.ev(line, f"import {name}"))
        about_drift = bool(_DRIFT_NAME.search(unit.path)) or any(
            _DRIFT_NAME.search(f) for f, _ in unit.info.functions
        )
        for call in unit.info.calls:
            if call.name.startswith(("evidently", "deepchecks")) and "drift" in call.name.lower():
                add_found(found, call.name.split(".")[0], unit.call_ev(call))
            elif call.name.startswith(_PLATFORM_ROOTS) and _PLATFORM_MONITOR.search(call.name):
                add_found(found, "managed-monitoring", unit.call_ev(call))
            elif call.name in _STAT_TESTS or (about_drift and call.name in _STAT_GENERIC):
                add_found(found, "custom", unit.call_ev(call))
        for fname, line in unit.info.functions:
            if _DRIFT_NAME.search(fname):
                add_found(found, "custom", unit.ev(line, f"def {fname}"))
        for text, line in unit.info.strings:
            if _MANAGED_MONITORING.match(text):
                add_found(found, "managed-monitoring", unit.ev(line, text))
    return found


@report_fact("data_validation")
def data_validation_fact(repo: Repo) -> FactValue:
    return FactValue.of(flatten(data_validation_usages(repo)))


@report_fact("drift_monitoring")
def drift_monitoring_fact(repo: Repo) -> FactValue:
    return FactValue.of(flatten(drift_usages(repo)))


@inventory("data_validation")
def data_validation_inventory(repo: Repo) -> list[str]:
    return sorted(data_validation_usages(repo))


@inventory("drift")
def drift_inventory(repo: Repo) -> list[str]:
    return sorted(drift_usages(repo))

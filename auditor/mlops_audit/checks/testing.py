"""TST: testing — real tests exist, pytest and coverage are configured, the ML code itself is tested, and model
quality is gated against a threshold or the champion."""

from __future__ import annotations

from .. import lazyre
from ..facts import project, subprojects, testing
from ..facts.pipelines import (
    is_ml_project,
    no_training_run,
    pipeline_definitions,
    training_modules,
    training_notebooks,
)
from ..facts.training import training_evidence
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check


@check(
    "TST001",
    Severity.ERROR,
    "Tests exist",
    fix_hint="add tests/ with pytest tests of your data and model code",
)
def tests_exist(repo: Repo) -> Result:
    """The repository holds real tests (``test_*.py`` / ``*_test.py`` with test functions that exercise code).

    A generated placeholder does not count: cookiecutter-data-science's
    ``def test_code_is_tested(): assert False``, or tests whose body is only ``pass``, ``assert True`` or
    asserts over constants.

    Why it matters: ML code fails silently — a shifted column, a leaked label, a wrong dtype still trains a
    model. Tests of the data processing, features and training code catch it before the metrics do (or don't).

    How to fix: add ``tests/test_features.py`` with tests of your functions on small, hand-made frames, and
    delete generated placeholders.

    Example (``tests/test_features.py``)::

        import pandas as pd
        from churn.features import build_features

        def test_build_features_has_no_nulls():
            df = build_features(pd.DataFrame({"age": [1, None]}))
            assert df.notna().all().all()
    """
    real = testing.real_tests(repo)
    if real:
        files = list(dict.fromkeys(p for p, _ in real))
        return Result.passed(
            f"{len(real)} test(s) in {len(files)} file(s)", [Evidence(p, ln) for p, ln in real[:3]]
        )
    placeholders = testing.placeholder_tests(repo)
    if placeholders:
        return Result.failed(f"only placeholder tests ({len(placeholders)}) that test nothing",
                             [Evidence(p, ln, "placeholder") for p, ln in placeholders[:3]])  # fmt: skip
    if any(not m.parsed for m in testing.test_modules(repo)):
        return Result.not_applicable("the test files could not be parsed")
    files = testing.test_files(repo)
    if files:
        return Result.failed("test files hold no test functions", files[:3])
    return Result.failed("no tests (test_*.py)", project.anchor(repo))


@check("TST002", Severity.WARNING, "pytest is configured", fix="pytest_config",
       fix_hint="add [tool.pytest.ini_options] to pyproject.toml", level=0)  # fmt: skip
def pytest_configured(repo: Repo) -> Result:
    """pytest has a configuration: ``[tool.pytest.ini_options]`` (or ``[tool.pytest]``) in pyproject.toml,
    ``pytest.ini``, ``setup.cfg`` ``[tool:pytest]`` or ``tox.ini`` ``[pytest]`` — at the root, or in the
    sub-projects that hold their own tests (``components/<group>/pyproject.toml``). It applies to any project
    with Python code: configuring where tests live comes before the first test.

    Why it matters: the configuration pins where tests live, which markers exist (``slow``, ``gpu``) and the
    strictness options, so ``pytest`` behaves the same on every machine and in CI.

    How to fix: add a ``[tool.pytest.ini_options]`` table to ``pyproject.toml``
    (``mlops-audit fix --select TST002`` writes the template's), or a ``pytest.ini``.

    Example (``pyproject.toml``)::

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        addopts = "-ra --strict-markers"
        markers = ["slow: long-running training tests"]
    """
    if not testing.test_files(repo) and not repo.with_suffix(".py", ".ipynb"):
        return Result.not_applicable("no Python code")
    configs = testing.pytest_configs(repo) or subprojects.pytest_configs(repo)
    if configs:
        return Result.passed(f"pytest configured in {configs[0][0]}", configs[:1])
    anchor = (
        "pyproject.toml" if "pyproject.toml" in repo.entries else next(iter(testing.test_files(repo)), None)
    )
    return Result.failed("no pytest configuration", [(anchor, None)] if anchor else None)


@check(
    "TST003",
    Severity.WARNING,
    "The ML code is tested",
    fix_hint="test the data, feature and training modules",
)
def ml_code_tested(repo: Repo) -> Result:
    """Tests import the project's ML code: the data loading, feature, training, model or pipeline modules (the
    modules that import pandas, scikit-learn, torch... or are named that way). Not applicable when the
    modules are only named that way in a hollow pipeline (its steps import no ML or data library and train
    nothing: they print). When the ML code lives only in notebooks that train and no test exists, it fails.

    Why it matters: tests of utilities alone leave the risky part — data handling and training — untested.

    How to fix: ``from churn.features import build_features`` in ``tests/test_features.py`` and test it on a
    small frame; test that training runs on a tiny sample and produces a model with the expected interface.
    Tests that import only the project's utilities earn partial credit.

    Example (``tests/test_train.py``)::

        from churn.train import train_model

        def test_training_on_a_tiny_sample_predicts_probabilities(tiny_frame):
            model = train_model(tiny_frame, n_estimators=5)
            proba = model.predict_proba(tiny_frame.drop(columns="churned"))
            assert proba.shape == (len(tiny_frame), 2)
    """
    ml = testing.ml_modules(repo)
    if not ml:
        notebooks = training_notebooks(repo)
        if notebooks and not testing.real_tests(repo):  # the ML code lives in notebooks and nothing tests it
            return Result.failed(
                "the ML code lives in notebooks that no test exercises",
                [Evidence(p, None, "trains in a notebook") for p in notebooks[:3]],
            )
        return Result.not_applicable("no ML or data code found")
    if (
        pipeline_definitions(repo)
        and (hollow := no_training_run(repo))
        and not any(why.startswith("imports") for why in ml.values())
    ):  # modules named preprocess.py / train.py whose pipeline steps only print: nothing to test
        return Result.not_applicable(hollow)
    tested = testing.tested_ml_modules(repo)
    if tested:
        modules = sorted({t for _, _, t in tested})
        return Result.passed(f"tests import {len(modules)} ML/data module(s), e.g. {modules[0]}",
                             [Evidence(p, ln, f"imports {t}") for p, ln, t in tested[:3]])  # fmt: skip
    evidence = [Evidence(p, None, why) for p, why in list(ml.items())[:3]]
    if not testing.real_tests(repo):
        return Result.failed(f"{len(ml)} ML/data module(s) and no real tests", evidence)
    if testing.tested_project_modules(repo):
        return Result.failed(
            "tests import project code, but none of its ML/data modules", evidence, credit=0.3
        )
    return Result.failed(f"no test imports the {len(ml)} ML/data module(s)", evidence)


@check("TST004", Severity.WARNING, "Model quality is gated", level=2,
       fix_hint="assert the evaluation metric against a threshold (or the champion) in tests or the pipeline")  # fmt: skip
def quality_gate(repo: Repo) -> Result:
    """A model metric (accuracy, AUC, F1, RMSE, loss... or what an evaluation function returns) is checked
    against a threshold or the current champion's metric, failing the run or withholding promotion when it is
    not met: an ``assert f1 >= MIN_F1`` in tests, an ``if auc < threshold: raise``/``sys.exit`` or an ``if``
    that registers, promotes or cancels in the evaluation step, or MLflow's ``validation_thresholds`` /
    ``MetricThreshold``; a bar every model clears (``accuracy > 0``, ``auc >= 0.5``) is no gate, nor is a gate
    that only sets a flag another module overrides before testing it (``deploy_flag=1`` then
    ``if deploy_flag==1: register``). Not applicable to a library that trains only in its package and in
    examples and benchmarks: it ships no model. Not applicable
    when no code or notebook of the repository trains a model (no ``fit``, ``backward``, ``trainer.train``...:
    a pipeline whose steps fit nothing).

    Why it matters: a pipeline that always succeeds will happily ship a model that is worse than the one in
    production; the gate turns "metrics were logged" into "metrics were checked".

    How to fix: compare the evaluation metric with a threshold from configuration (or with the champion's
    metric) and fail the step or the test when it falls short.

    Example (``tests/test_quality.py``)::

        from sklearn.metrics import f1_score

        def test_model_beats_baseline(trained_model, holdout):
            assert f1_score(holdout.y, trained_model.predict(holdout.X)) >= 0.80
    """
    if not training_evidence(repo) and not testing.ml_modules(repo) and not training_notebooks(repo):
        return Result.not_applicable("no model training code found")
    gates = testing.quality_gates(repo)
    defeated = [(g, by) for g in gates if (by := testing.overridden_gate(repo, g))]
    if defeated and len(defeated) == len(gates):
        gate, by = defeated[0]
        return Result.failed(
            f"the quality gate only sets a flag that {by} overrides before deciding: nothing is gated",
            [Evidence(gate.path, gate.line, gate.text[:80]), Evidence(by, None, "overrides the flag")],
        )
    gates = [g for g in gates if all(g is not d for d, _ in defeated)]
    if gates:
        return Result.passed(
            f"quality gate: {gates[0].text[:80]}", [Evidence(g.path, g.line, g.text[:80]) for g in gates[:3]]
        )
    if not is_ml_project(repo):  # serving or analysis code: the model is trained and gated elsewhere
        return Result.not_applicable("no training code or pipeline: no model of this repository to gate")
    if reason := _library_benchmarks_only(repo):
        return Result.not_applicable(reason)
    if not training_evidence(repo) and not training_modules(repo) and not training_notebooks(repo):
        return Result.not_applicable(
            "no code or notebook trains a model: no model of this repository to gate"
        )
    evidence = (
        training_evidence(repo)[:1]
        or [Evidence(p, None) for p in list(testing.ml_modules(repo))[:1]]
        or [Evidence(p, None, "trains in a notebook") for p in training_notebooks(repo)[:1]]
    )
    return Result.failed("no metric is compared with a threshold or the champion", evidence)


_EXAMPLE_DIRS = lazyre.compile(r"(^|/)(examples?|benchmarks?|benchmarking\w*)/")


def _library_benchmarks_only(repo: Repo) -> str | None:
    """Why an installable library has no model to gate, or None: it trains inside its package (what it
    offers its users) and, outside it, only in examples and benchmarks that compare methods and ship no
    model."""
    from ..facts.configs import package_layout

    layout = package_layout(repo)
    if not layout.installable or not layout.package_dir:
        return None
    outside = [p for p, _ in training_modules(repo) if not p.startswith(layout.package_dir + "/")]
    if not outside or training_notebooks(repo) or not all(_EXAMPLE_DIRS.search(p) for p in outside):
        return None
    return (
        f"a library: it trains in its package ({layout.package_dir}/) and in examples and benchmarks only,"
        " no model of its own to gate"
    )


@check("TST005", Severity.INFO, "Test coverage is measured", fix="coverage_config",
       fix_hint="add [tool.coverage.run] and run pytest --cov")  # fmt: skip
def coverage_configured(repo: Repo) -> Result:
    """Coverage is configured (``[tool.coverage.*]``, ``.coveragerc``, ``[coverage:*]``) or measured
    (``--cov`` in pytest options, ``coverage run`` or ``--cov`` in CI).

    Why it matters: coverage shows which data paths and branches no test exercises; a floor
    (``fail_under``) stops it from eroding.

    How to fix: configure coverage.py in ``pyproject.toml`` (``mlops-audit fix --select TST005`` writes the
    template's settings) and run the tests with ``pytest --cov`` in CI.

    Example (``pyproject.toml``)::

        [tool.coverage.run]
        source = ["src"]
        branch = true
        [tool.coverage.report]
        fail_under = 70
    """
    if not testing.test_files(repo):
        return Result.not_applicable("no test files")
    found = testing.coverage_configs(repo)
    if found:
        return Result.passed(f"coverage configured ({found[0][0]})", found[:2])
    return Result.failed("coverage is neither configured nor measured",
                         [("pyproject.toml" if "pyproject.toml" in repo.entries else testing.test_files(repo)[0], None)])  # fmt: skip

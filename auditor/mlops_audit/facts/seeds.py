"""Seeds and randomness: where code seeds its random generators, which training needs a seed (random
operations, estimators without randomness), and the ``seeds_set`` fact.
"""

from __future__ import annotations

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, memoized
from . import FactValue, report_fact
from .ml import (
    ML_ROOTS,
    CodeUnit,
    code_units,
    enclosing_function,
    imported_project_files,
    train_calls,
)
from .python import NON_LITERAL, Call, module, prefilter, python_files
from .source import ask, names, search

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
_SEED_IN_DICT = lazyre.compile(
    r"""["'](?:random_state|random_seed|seed)["']\s*(?::|\]\s*=(?!=))\s*(?!None\b)[\w.(\[]"""
)


def _dict_seeds(repo: Repo, unit: CodeUnit) -> list[Evidence]:
    found = search(repo, unit.path, _SEED_IN_DICT)
    if found is None:
        return []
    line, text, _ = found
    return [Evidence(unit.path, None if unit.nb is not None else line, f"seed in a params dict: {text[:40]}")]


@memoized
def seed_usages(repo: Repo) -> dict[str, list[Evidence]]:
    """Seeds set, per file (modules and notebooks), including a seed inside a params dict."""
    out: dict[str, list[Evidence]] = {}
    for unit in code_units(repo, *_SEED_NEEDLES):
        evs = unit_seeds(unit) or _dict_seeds(repo, unit)
        if evs:
            out[unit.path] = evs
    return out


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
_STOCHASTIC_ROOTS = (*(r for r in ML_ROOTS if r != "statsmodels"), "gensim", "sklearn.ensemble")


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


def _called_somewhere(repo: Repo, path: str, name: str) -> bool:
    """Is function ``name`` of module ``path`` used anywhere: named again in its module, or in another file?"""
    if names(repo, path, name) > 1:
        return True
    others = [p for p in [*python_files(repo), *repo.with_suffix(".ipynb")] if p != path]
    return bool(repo.grep(others, name.encode()))


@report_fact("seeds_set")
def seeds_set_fact(repo: Repo) -> FactValue:
    """Seeds that run: a seed inside a function nothing calls (a dead seeding helper) sets nothing."""
    live: list[Evidence] = []
    for path, evs in seed_usages(repo).items():
        notebook = path.endswith(".ipynb")
        for ev in evs:
            name = None if notebook else ask(repo, path, enclosing_function, ev.line)
            if name is None or _called_somewhere(repo, path, name):
                live.append(ev)
        if len(live) >= 5:
            break
    return FactValue.of(live[:5])

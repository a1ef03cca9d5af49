"""REP: reproducibility — declared and locked dependencies, a pinned interpreter, an environment as code,
seeds on the training path, a one-command reproduction, portable paths and notebooks run in order."""

from __future__ import annotations

import re
from typing import Any

from .. import lazyre
from ..facts import dependencies as deps
from ..facts import ml, notebooks, source
from ..facts import seeds as seedfacts
from ..facts.python import imports_of, python_files
from ..model import Evidence, Result, Severity
from ..repo import Repo, makes_file_fact
from .base import check


def _has_code(repo: Repo) -> bool:
    return bool(python_files(repo) or notebooks.notebooks(repo))


@check(
    "REP001",
    Severity.ERROR,
    "Dependencies are declared",
    fix_hint="declare dependencies in pyproject.toml ([project] dependencies) or requirements.txt",
    level=1,
)
def deps_declared(repo: Repo) -> Result:
    """The project declares the packages it needs: ``pyproject.toml`` (PEP 621, Poetry, PEP 735 groups),
    ``requirements*.txt`` (in any folder), a conda ``environment.yml``, ``setup.py`` / ``setup.cfg`` or a
    ``Pipfile``.

    Why it matters: code without a dependency list runs only on the machine it was written on; nobody can
    rebuild the environment that trained a model, and CI cannot install it.

    How to fix: list the direct dependencies, e.g. with ``uv add pandas scikit-learn``, which writes them to
    ``pyproject.toml``.

    Example (``pyproject.toml``)::

        [project]
        dependencies = ["pandas>=2.2", "scikit-learn>=1.5"]
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    files = deps.declaration_files(repo)
    if not files:
        return Result.failed(
            "no dependency declaration (pyproject.toml, requirements.txt, environment.yml...)"
        )
    reqs = deps.declared_requirements(repo)
    evidence = [(p, next((r.line for r in reqs if r.path == p), None)) for p in files[:5]]
    return Result.passed(f"{len(reqs)} dependencies declared in {', '.join(files[:3])}", evidence)


@check(
    "REP002",
    Severity.ERROR,
    "Dependencies are locked",
    fix_hint="commit a lock file (uv lock / poetry lock / pdm lock / conda-lock) or pin every requirement with ==",
    level=1,
)
def deps_locked(repo: Repo) -> Result:
    """The exact versions of every package are recorded: a lock file (``uv.lock``, ``poetry.lock``,
    ``pdm.lock``, ``Pipfile.lock``, ``pylock.toml``, conda-lock) or a requirements file whose every entry is
    pinned with ``==``.

    Pinned requirements must cover every runtime environment: a pinned ``requirements.txt`` beside another
    requirements file or conda environment with ranges (``pandas>=1.3``) is half locked and earns partial
    credit (tooling environments — dev, test, docs, lint — are left out).

    Why it matters: ``pandas>=2`` installs a different pandas next month; a model retrained from the same
    commit may then differ, or fail. ``dvc.lock`` pins pipeline data, not packages, and a ``pip freeze`` full
    of ``file://`` paths only works on the machine it came from — neither counts.

    How to fix: ``uv lock`` (or ``poetry lock``, ``pdm lock``, ``pip-compile``, ``conda-lock``) and commit
    the lock file; re-lock deliberately when upgrading.

    Example::

        uv lock && git add uv.lock
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    if not deps.declaration_files(repo) and not deps.lock_files(repo):
        return Result.not_applicable("nothing declared or locked (REP001 reports the missing declaration)")
    status = deps.lock_status(repo)
    if status.locks:
        return Result.passed(f"lock file {status.locks[0]}", status.locks[:3])
    if status.pinned_requirements and status.unpinned_environments:
        path, line, raw = status.unpinned_environments[0]
        return Result.failed(
            f"{status.pinned_requirements[0]} pins every requirement, but {len(status.unpinned_environments)} "
            f"other environment(s) do not ({path}: {raw[:40]}) and there is no lock file",
            [
                Evidence(status.pinned_requirements[0]),
                *(Evidence(p, ln, r[:60]) for p, ln, r in status.unpinned_environments[:3]),
            ],
            credit=0.5,
        )
    if status.pinned_requirements:
        return Result.passed(
            f"every requirement pinned with == in {status.pinned_requirements[0]}",
            status.pinned_requirements[:3],
        )
    if status.unlockable:
        path, line, why = status.unlockable[0]
        return Result.failed(
            f"{path} looks frozen but is not a usable lock: {why}", [(path, line)], credit=0.3
        )
    reqs = deps.declared_requirements(repo)
    unpinned = [r for r in reqs if r.name and not r.pinned][:5]
    return Result.failed(
        "no lock file and unpinned requirements",
        [Evidence(r.path, r.line, r.raw[:60]) for r in unpinned] or deps.declaration_files(repo)[:3],
    )


@check(
    "REP003",
    Severity.WARNING,
    "Imports are covered by the declared dependencies",
    fix_hint="add every third-party package the code imports to the dependency list",
    level=1,
    requires=("REP001",),
)
def imports_declared(repo: Repo, *, ignore: tuple[str, ...] = (), max_missing: int = 0) -> Result:
    """Every third-party package the code imports is declared as a dependency (import names are mapped to
    distributions: ``sklearn`` → scikit-learn, ``yaml`` → PyYAML, ``cv2`` → opencv-python, ``PIL`` → Pillow;
    the standard library (Python 2 names included), the project's own modules and optional imports guarded by
    ``try: ... except ImportError`` are skipped).

    Why it matters: a package that is only installed "by accident" (transitively, or by hand in a notebook)
    disappears at the next upgrade and the training script breaks, typically in CI or in production.

    How to fix: add the missing packages (``uv add seaborn``). Optional imports can be listed in the check's
    ``ignore`` option.

    Example::

        [tool.mlops-audit.options.REP003]
        ignore = ["google.colab"]
    """
    if not python_files(repo):
        return Result.not_applicable("no Python code")
    reqs = deps.declared_requirements(repo)
    if any(r.raw == "<computed install_requires>" for r in reqs) and len(reqs) == 1:
        return Result.not_applicable("setup.py computes install_requires: names unknown")
    declared = deps.declared_names(repo)
    ignored = set(ignore)
    own = deps.project_modules(repo)
    missing: dict[str, Evidence] = {}
    covered: set[str] = set()
    for path in python_files(repo):  # imports only: a scan, not a parse of every file
        optional = deps.optional_imports(repo, path)
        for name, line in imports_of(repo, path):
            if name.startswith(".") or (name, line) in optional:
                continue
            root = name.split(".", 1)[0]
            if root in own or deps.is_stdlib(root) or root in ignored or name in ignored:
                continue
            if deps.is_declared(root, declared):
                covered.add(root)
            elif root not in missing:
                missing[root] = Evidence(path, line, f"import {name}")
    if not missing and not covered:
        return Result.not_applicable("the code imports no third-party package")
    if len(missing) <= max_missing:
        return Result.passed(
            f"all {len(covered)} third-party imports are declared", deps.declaration_files(repo)[:1]
        )
    names = ", ".join(sorted(missing)[:8])
    credit = len(covered) / (len(covered) + len(missing))
    return Result.failed(f"imported but not declared: {names}", list(missing.values())[:10], credit=credit)


@check(
    "REP004",
    Severity.WARNING,
    "The Python version is pinned",
    fix="python_version",
    fix_hint="add .python-version and requires-python in pyproject.toml",
    level=1,
)
def python_pinned(repo: Repo) -> Result:
    """The interpreter version is recorded: ``.python-version``, ``requires-python`` in ``pyproject.toml``,
    ``python=3.x`` in a conda environment, ``runtime.txt``, ``python_requires`` or a ``python:3.x`` base image.

    Why it matters: pickled models, numerical results and even dependency resolution change across Python
    versions; a model trained on 3.12 may not load on 3.9.

    How to fix: ``uv python pin 3.12`` writes ``.python-version``; also set ``requires-python``.

    Example (``pyproject.toml``)::

        [project]
        requires-python = ">=3.12,<3.13"
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    pins = deps.python_version_pins(repo)
    if pins:
        path, _, what = pins[0]
        return Result.passed(
            f"Python pinned ({what}) in {path}", [Evidence(p, ln, w) for p, ln, w in pins[:3]]
        )
    return Result.failed("no Python version pinned (.python-version, requires-python, conda python=...)")


_ENV_FILES = (
    "Dockerfile",
    "Containerfile",
    "devcontainer.json",
    ".devcontainer.json",
    "flake.nix",
    "shell.nix",
)


@check(
    "REP005",
    Severity.WARNING,
    "The environment is defined as code",
    fix="dockerfile",
    fix_hint="describe the environment in pyproject.toml (uv), a conda environment.yml or a Dockerfile",
    level=1,
)
def environment_as_code(repo: Repo) -> Result:
    """The whole environment can be rebuilt from files in the repository: a ``pyproject.toml`` managed by a
    tool (uv, Poetry, PDM, Hatch), a conda ``environment.yml``, a ``Dockerfile``, a dev container or a Nix
    shell.

    Why it matters: a bare ``requirements.txt`` leaves the interpreter, system libraries and install
    commands to each person's memory; an environment file rebuilds the same setup on a laptop, in CI and in
    the training cluster.

    How to fix: adopt uv (``uv init && uv add ...``) or write ``environment.yml`` / a ``Dockerfile``.

    Example (``environment.yml``)::

        name: churn
        dependencies: [python=3.12, pip, {pip: [-r requirements.txt]}]
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    found: list[Evidence] = []
    for path in repo.named("pyproject.toml"):
        data = deps.load_toml(repo, path) or {}
        if isinstance(data.get("project"), dict) or any(
            k in (data.get("tool") or {}) for k in ("uv", "poetry", "pdm", "hatch")
        ):
            found.append(Evidence(path, None, "pyproject.toml project"))
    found += [Evidence(p, None, "conda environment") for p in deps.conda_files(repo)]
    found += [Evidence(p) for p in repo.entries if p.rsplit("/", 1)[-1] in _ENV_FILES or "Dockerfile" in p]
    found += [Evidence(p) for p in repo.named("Pipfile")]
    if found:
        found.sort(key=lambda ev: (ev.path.count("/"), ev.path))
        return Result.passed(f"environment defined in {found[0].path}", found[:3])
    if deps.declaration_files(repo):
        return Result.failed(
            "only a package list: no pyproject project, conda env, Dockerfile or dev container",
            deps.declaration_files(repo)[:2],
            credit=0.4,
        )
    return Result.failed("no environment definition")


@check(
    "REP006",
    Severity.WARNING,
    "Seeds are set on the training path",
    fix_hint="seed random, numpy and the framework (or pass random_state) in every training script",
    level=1,
)
def seeds_on_training_path(repo: Repo, *, min_fraction: float = 1.0) -> Result:
    """Every file that trains a model (``train*.py``, or code and notebooks that import a modelling library
    and call ``fit``/``train``) sets a seed — ``random.seed``, ``np.random.seed``, ``torch.manual_seed``,
    ``tf.random.set_seed``, ``seed_everything``, ``set_seed``, ``random_state=`` or a ``"random_state"`` /
    ``"seed"`` entry of a params dict — itself or in a project module it imports (at that module's top level, or in
    a function the training file names: a seeding helper nobody calls seeds nothing); training with no random
    operation (a ``LinearRegression``, KNN or naive Bayes fit, a split with ``shuffle=False``) needs none.

    Why it matters: unseeded weight initialisation, shuffling and splits make two runs of the same commit
    produce different models and metrics; a regression can then not be told apart from noise.

    How to fix: call one seeding helper at the start of training and pass ``random_state`` to estimators
    and splits.

    Example::

        def seed_everything(seed: int = 42) -> None:
            random.seed(seed); np.random.seed(seed); torch.manual_seed(seed)
    """
    units = ml.training_units(repo)
    if not units:
        return Result.not_applicable("no training code found")
    units = [u for u in units if seedfacts.needs_seed(repo, u)]
    if not units:
        return Result.not_applicable(
            "no random operation on the training path (deterministic estimators only)"
        )
    seeds = seedfacts.seed_usages(repo)
    seeded: list[Evidence] = []
    unseeded: list[Evidence] = []
    for unit in units:
        if unit.path in seeds:
            seeded.append(seeds[unit.path][0])
            continue
        via = sorted(
            p
            for p in ml.imported_project_files(repo, unit)
            if p in seeds and any(_reached(repo, p, ev.line, unit.path) for ev in seeds[p])
        )
        if via:
            seeded.append(Evidence(unit.path, None, f"seeded via {via[0]}"))
        else:
            first = next(iter(ml.train_calls(unit)), None)
            unseeded.append(unit.ev(first.line if first else None, "trains without a seed"))
    fraction = len(seeded) / len(units)
    if fraction >= min_fraction and seeded:
        return Result.passed(f"{len(seeded)} of {len(units)} training files set a seed", seeded[:5])
    return Result.failed(
        f"{len(unseeded)} of {len(units)} training files set no seed", unseeded[:10], credit=fraction
    )


def _reached(repo: Repo, path: str, line: int | None, importer: str) -> bool:
    """Does the importer reach the seed at ``line`` of module ``path``: a seed at module level runs on import, one
    inside a top-level function only when the importer names that function (``shuffle_in_parallel`` that no
    training file calls seeds nothing)."""
    name = source.ask(repo, path, ml.enclosing_function, line)
    return name is None or source.names(repo, importer, name) > 0


_REPRO_TASK = lazyre.compile(
    r"^(repro|reproduce|pipeline|all|run[-_]?all|run[-_]?pipeline|train[-_]?all|workflow)$"
)
_REPRO_CMD = lazyre.compile(
    r"\b(dvc\s+(exp\s+run|repro)|mlflow\s+run|kedro\s+run|snakemake|zenml\s+pipeline\s+run)\b"
)


#: a task that runs the pipeline it is given by name (``make run pipeline=training``: a Kubeflow / Vertex AI
#: pipeline compiled and submitted by one recipe)
_RUN_TASK = lazyre.compile(r"^(run|train|submit|trigger|execute|launch)([-_]?(pipeline|all))?$", re.I)
_NAMED_PIPELINE_RUN = lazyre.compile(r"\bpython\S*\b[^\n]*\$[({](pipeline|PIPELINE|pipeline_name)[)}]")


@check(
    "REP007",
    Severity.WARNING,
    "One command reproduces the pipeline",
    fix="dvc_pipeline",
    fix_hint="add a `pipeline` / `repro` task (Makefile, poe, just) or a dvc.yaml",
    level=1,
)
def one_command(repo: Repo) -> Result:
    """A single, documented command rebuilds the results from raw data: a ``dvc.yaml`` (``dvc repro``), an
    ``MLproject``, a Makefile / poe / just task named ``repro``, ``pipeline`` or ``all``, a task that runs
    ``dvc repro`` / ``mlflow run`` / ``kedro run``, a ``run`` task that runs the pipeline it is given by name
    (``make run pipeline=training`` compiling and submitting a Kubeflow / Vertex AI pipeline), a pipeline
    framework that runs the whole pipeline (Kedro, Metaflow, ZenML, Prefect, Dagster, Flyte, Luigi) when the
    documentation, a task or CI says how to run it (its script, a script that imports it, or the framework's run
    command), or a platform pipeline (AzureML, Kubeflow, Vertex, SageMaker, TFX) whose definition script CI runs.

    Why it matters: when reproducing means running six scripts in an order that lives in someone's head,
    nobody reproduces anything and CI cannot retrain.

    How to fix: add a ``pipeline`` task that chains the steps, or describe them as DVC stages.

    Example (``pyproject.toml``)::

        [tool.poe.tasks]
        pipeline = ["data", "validate", "train", "evaluate"]
    """
    if not _has_code(repo):
        return Result.not_applicable("no Python code or notebooks")
    found: list[Evidence] = []
    for path in repo.named("dvc.yaml", "MLproject", "Snakefile", "kedro.yml", ".kedro.yml"):
        found.append(Evidence(path, None, path.rsplit("/", 1)[-1]))
    from ..facts import pipelines

    for task in pipelines.all_tasks(repo):
        if _REPRO_TASK.match(task.name.lower()) and (task.depends or task.text):
            found.append(Evidence(task.path, task.line, f"task {task.name}"))
        elif _REPRO_CMD.search(task.text):
            found.append(Evidence(task.path, task.line, f"task {task.name}: {task.text[:40]}"))
        elif _RUN_TASK.search(task.name) and _NAMED_PIPELINE_RUN.search(task.text):
            found.append(Evidence(task.path, task.line, f"task {task.name} <pipeline={{name}}>"))
    undocumented: list[Evidence] = []
    for definition in pipelines.python_pipelines(repo):  # the framework runs the whole pipeline
        if definition.framework in _ONE_COMMAND_FRAMEWORKS:
            run = _ONE_COMMAND_FRAMEWORKS[definition.framework]
            where = _documented_run(repo, definition)
            if where is None:
                undocumented.append(
                    Evidence(definition.path, definition.line, f"{definition.framework} pipeline")
                )
                continue
            found.append(
                Evidence(definition.path, definition.line, f"{definition.framework} pipeline: {run}")
            )
            found.append(where)
            break
    if not found and pipelines.is_ml_project(
        repo
    ):  # a hollow pipeline (its steps only print) reproduces nothing
        found += _ci_submitted_pipelines(repo)
    if found:
        return Result.passed(f"reproducible with one command ({found[0].note})", found[:3])
    if not pipelines.is_ml_project(repo):
        return Result.not_applicable("no training code or pipeline: no results to reproduce")
    if undocumented:
        return Result.failed(
            f"the {undocumented[0].note} is run by no documented command (README, task, CI)", undocumented[:2]
        )
    return Result.failed("no pipeline task, dvc.yaml or MLproject to reproduce the results in one command")


#: Pipeline frameworks whose definition script builds the pipeline and submits (or publishes) it to a platform.
_SUBMITTED_FRAMEWORKS = ("azureml", "kubeflow", "vertex", "sagemaker", "tfx")


def _ci_submitted_pipelines(repo: Repo) -> list[Evidence]:
    """A platform pipeline (AzureML, Kubeflow, Vertex, SageMaker, TFX) whose definition script CI runs
    (``python -m ml_service.pipelines.build_train_pipeline``): the workflow that builds, submits and runs it is
    the one command, started by a push."""
    from ..facts import ci, pipelines

    out: list[Evidence] = []
    commands = ci.all_commands(repo)
    for definition in pipelines.python_pipelines(repo):
        if definition.framework not in _SUBMITTED_FRAMEWORKS:
            continue
        dotted = definition.path[:-3].replace("/", ".")
        runs = re.compile(
            r"(^|[\s/=])(" + re.escape(definition.path) + r"|-m\s+" + re.escape(dotted) + r")(\s|$)"
        )
        cmd = next((c for c in commands if runs.search(c.text)), None)
        if cmd is not None:
            note = f"CI runs the {definition.framework} pipeline {definition.path}"
            out.append(Evidence(cmd.path, cmd.line, note))
    return out


#: a framework's own command that runs a pipeline
_FRAMEWORK_RUN = lazyre.compile(
    r"\bkedro\s+run\b|\bdagster\s+(job\s+(execute|launch)|asset\s+materialize|dev)\b"
    r"|\bprefect\s+deployment\s+run\b|\bpyflyte\s+run\b|\bluigi\s+--module\b|\.py\s+run\b"
)
_DOC_SUFFIXES = (".md", ".rst", ".txt")


def _documented_run(repo: Repo, definition: Any) -> Evidence | None:
    """Where the repository says how to run a framework pipeline: its documentation (README, docs), a task
    runner or CI names the definition script, a script that imports it, or the framework's run command."""
    from ..facts import ci

    stem = definition.path.rsplit("/", 1)[-1][:-3]
    module = definition.path[:-3].replace("/", ".")
    runners = {definition.path.rsplit("/", 1)[-1], module}
    for path in repo.grep([p for p in python_files(repo) if p != definition.path], stem.encode()):
        imports_it = r"^\s*(from|import)\s+[\w.]*\b" + re.escape(stem) + r"\b"
        if path.rsplit("/", 1)[-1] not in ("__init__.py",) and source.ask(
            repo, path, source.first_match, imports_it, int(re.MULTILINE)
        ):
            runners.add(path.rsplit("/", 1)[-1])
    names = re.compile(
        r"(^|[\s/`'\"=(-])(" + "|".join(re.escape(r) for r in sorted(runners)) + r")([\s`'\")]|$)"
    )
    docs = [p for p in repo.with_suffix(*_DOC_SUFFIXES) if p.rsplit("/", 1)[-1].lower().startswith("readme")]
    docs += [p for p in repo.with_suffix(".md", ".rst") if p.startswith("docs/")]
    docs += repo.named(
        "Makefile", "justfile", "Justfile", "pyproject.toml", "docker-compose.yml", "docker-compose.yaml"
    )
    for path in docs:
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            if _FRAMEWORK_RUN.search(line) or (("python" in line or "run" in line) and names.search(line)):
                return Evidence(path, number, line.strip()[:80])
    for cmd in ci.all_commands(repo):
        if _FRAMEWORK_RUN.search(cmd.text) or names.search(cmd.text):
            return Evidence(cmd.path, cmd.line, cmd.text[:80])
    return None


#: Pipeline frameworks whose one command runs the whole pipeline.
_ONE_COMMAND_FRAMEWORKS = {
    "kedro": "kedro run",
    "metaflow": "python <flow>.py run",
    "zenml": "python <pipeline script>",
    "prefect": "python <flow script>",
    "dagster": "dagster job execute / materialize",
    "flyte": "pyflyte run",
    "luigi": "luigi --module ...",
}


_ABS_PATH = lazyre.compile(
    rb"""["'\s=(:](/home/[A-Za-z0-9._-]+/|/Users/[A-Za-z0-9._ -]+/|[A-Za-z]:\\\\?(?:Users|Documents and Settings)\\\\?"""
    rb"""|/content/drive/|/content/gdrive/|/mnt/c/Users/)"""
)
_PATH_SUFFIXES = (".py", ".ipynb", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".json", ".sh", ".r")


@makes_file_fact("paths.absolute/1")
def absolute_path_in(repo: Repo, path: str) -> tuple[int, str] | None:
    """:func:`_first_abs_path` of a file's bytes, kept in the audit cache."""
    return repo.file_fact("paths.absolute/1", path, lambda: _first_abs_path(repo.read_bytes(path) or b""))


def _first_abs_path(data: bytes) -> tuple[int, str] | None:
    """``(line, path)`` of the first absolute user path of ``data`` outside comments."""
    for m in _ABS_PATH.finditer(data):
        start = data.rfind(b"\n", 0, m.start()) + 1
        if data[start : m.start()].lstrip().startswith(b"#"):
            continue  # a comment
        return data.count(b"\n", 0, m.start()) + 1, m.group(1).decode(errors="replace")[:40]
    return None


@check(
    "REP008",
    Severity.WARNING,
    "No absolute user paths",
    fix_hint="use paths relative to the project root (pathlib) or configuration/environment variables",
    level=1,
)
def no_absolute_paths(repo: Repo) -> Result:
    """Code, configurations and notebooks (their code cells: stored outputs are data) hold no machine-specific
    absolute paths (``/home/alice/...``, ``/Users/bob/...``, ``C:\\Users\\...``, Colab's ``/content/drive``).

    Why it matters: such paths work on one machine only; the pipeline fails everywhere else — in CI, on a
    colleague's laptop, in the training cluster.

    How to fix: resolve paths from the project root or read them from configuration.

    Example::

        ROOT = Path(__file__).resolve().parents[1]
        df = pd.read_csv(ROOT / "data" / "raw" / "train.csv")
    """
    candidates = [
        p
        for p, e in repo.entries.items()
        if e.suffix in _PATH_SUFFIXES
        and e.name not in ("uv.lock", "package-lock.json")
        and "/." not in "/" + p
    ]
    if not candidates:
        return Result.not_applicable("no code, configuration or notebooks")
    hits: list[Evidence] = []
    for path in repo.grep(candidates, b"/home/", b"/Users/", b":\\", b"/content/", b"/mnt/c/"):
        if path.endswith(".ipynb"):  # code cells only: stored outputs are data, not code
            nb = notebooks.notebook(repo, path)
            sources: list[tuple[int | None, bytes]] = (
                [(c.number, c.source.encode()) for c in nb.code_cells] if nb is not None else []
            )
            for cell, data in sources:
                hit = _first_abs_path(data)
                if hit is not None:
                    hits.append(Evidence(path, None, f"cell {cell}: {hit[1]}"))
                    break
        elif (hit := absolute_path_in(repo, path)) is not None:
            hits.append(Evidence(path, hit[0], hit[1]))
    if hits:
        return Result.failed(f"absolute user paths in {len(hits)} files", hits[:10])
    return Result.passed(f"no absolute user paths in {len(candidates)} files")


@check(
    "REP009",
    Severity.WARNING,
    "Notebooks were executed in order",
    fix_hint="restart the kernel and run all cells before committing (or clear outputs)",
    level=1,
)
def notebooks_in_order(repo: Repo) -> Result:
    """Committed notebooks that carry execution counts were run top to bottom: the counts increase, and no
    code cell was skipped between executed ones. Notebooks with cleared outputs pass.

    Why it matters: a notebook whose cells ran out of order shows results that its code, read top to bottom,
    does not produce; re-running it gives other numbers, or fails.

    How to fix: "Restart kernel and run all" before committing, or strip outputs (nbstripout) and move
    the logic to scripts.

    Example::

        jupyter nbconvert --to notebook --execute --inplace analysis.ipynb
    """
    nbs = notebooks.notebooks(repo)
    if not nbs:
        return Result.not_applicable("no notebooks")
    executed = notebooks.executed_notebooks(repo)
    bad: list[Evidence] = []
    for nb in executed:
        problems = notebooks.execution_order_problems(nb)
        if problems:
            bad.append(Evidence(nb.path, None, f"cell {problems[0].cell}: {problems[0].message}"))
    if bad:
        credit = 1 - len(bad) / len(executed)
        return Result.failed(
            f"{len(bad)} of {len(executed)} executed notebooks ran out of order", bad[:10], credit=credit
        )
    if not executed:
        return Result.passed(f"{len(nbs)} notebooks committed without execution counts", nbs[:3])
    return Result.passed(
        f"{len(executed)} executed notebooks ran top to bottom", [nb.path for nb in executed[:3]]
    )


@check(
    "REP010",
    Severity.INFO,
    "Notebooks are committed without outputs",
    fix_hint="strip outputs before committing (nbstripout as a pre-commit hook)",
    level=1,
)
def notebooks_stripped(repo: Repo) -> Result:
    """Committed notebooks carry no outputs.

    Why it matters: outputs bloat the repository, make every diff unreadable, can leak data (printed rows,
    personal data, tokens) and show results that the committed code may no longer produce.

    How to fix: add the ``nbstripout`` pre-commit hook, or ``jupyter nbconvert --clear-output --inplace``.

    Example::

        - repo: https://github.com/kynan/nbstripout
          rev: 0.8.1
          hooks: [{id: nbstripout}]
    """
    nbs = notebooks.notebooks(repo)
    if not nbs:
        return Result.not_applicable("no notebooks")
    with_outputs = notebooks.notebooks_with_outputs(repo)
    if with_outputs:
        return Result.failed(
            f"{len(with_outputs)} of {len(nbs)} notebooks carry outputs",
            [Evidence(p, None, f"cell {n}") for p, n in with_outputs[:10]],
            credit=1 - len(with_outputs) / len(nbs),
        )
    return Result.passed(f"{len(nbs)} notebooks without outputs", nbs[:3])

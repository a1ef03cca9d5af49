"""FLX: flexibility — the project is a package whose parts, hosts and environments are chosen by configuration."""

from __future__ import annotations

import functools

from .. import lazyre
from ..facts import configs, project, serving, subprojects
from ..facts.pipelines import is_ml_project, no_training_run, pipeline_definitions
from ..facts.python import module, python_files
from ..model import Evidence, Result, Severity
from ..repo import Repo, makes_file_fact
from .base import check


@check(
    "FLX001",
    Severity.WARNING,
    "The code is an installable package",
    fix_hint="add [build-system] and [project] to pyproject.toml and move the code to src/<package>/",
    level=1,
)
def installable_package(repo: Repo) -> Result:
    """The code is a Python package that installs: ``pyproject.toml`` with ``[build-system]`` (or
    ``setup.py`` / ``setup.cfg``) and a package directory (``src/<pkg>/__init__.py`` or ``<pkg>/__init__.py``).

    A project template (cookiecutter, copier) without a package of its own is judged by the project it
    generates (``{{ cookiecutter.repo_name }}/pyproject.toml`` with ``src/{{ cookiecutter.package }}/``).

    Why it matters: an installable package is importable from pipelines, services, notebooks and tests
    without ``sys.path`` hacks, gets a version, and can be reused by another project; loose scripts cannot.

    How to fix: add ``[build-system]`` and ``[project]`` to ``pyproject.toml`` and move the code into a package
    directory with an ``__init__.py`` (``src/churn/``), then ``pip install -e .`` (or ``uv sync``). A build
    file without a package, or a package without a build file, earns partial credit. With neither at the root,
    sub-projects that build packages (``pipelines/pyproject.toml`` with ``[build-system]`` beside
    ``pipelines/src/<pkg>/``) pass.

    Example (``pyproject.toml``, with the code in ``src/churn/__init__.py``, ``src/churn/train.py``...)::

        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "churn"
        version = "0.1.0"
    """
    if not python_files(repo):
        return Result.not_applicable("no Python code")
    layout = configs.package_layout(repo)
    build = (
        Evidence(layout.build_file, layout.line if layout.build_file == "pyproject.toml" else None)
        if layout.build_file
        else None
    )
    if layout.installable:
        init = f"{layout.package_dir}/__init__.py"
        pkg = Evidence(
            init if init in repo.entries else layout.package_dir or "", None, f"{layout.layout} layout"
        )
        shown = [e for e in (build, pkg) if e is not None]  # build is None only for an empty build_file name
        return Result.passed(f"package {layout.import_name} ({layout.layout} layout)", shown)
    if build is not None:  # i.e. layout.build_file
        return Result.failed(
            f"{layout.build_file} builds nothing: no package directory with __init__.py", [build], credit=0.5
        )
    if layout.package_dir:
        where = "pyproject.toml" if "pyproject.toml" in repo.entries else f"{layout.package_dir}/__init__.py"
        return Result.failed(
            f"{layout.package_dir} is a package but nothing builds it (no [build-system])",
            [where],
            credit=0.4,
        )
    for directory in project.template_projects(repo):  # a project template: the project it generates
        generated = configs.package_layout(repo.subproject(directory))
        if generated.installable and generated.build_file and generated.package_dir:
            shown = [
                Evidence(f"{directory}/{generated.build_file}"),
                Evidence(f"{directory}/{generated.package_dir}"),
            ]
            return Result.passed(
                f"the generated project is a package ({generated.layout} layout, {directory})", shown
            )
    nested = subprojects.packages(repo)
    if nested:
        return Result.passed(
            f"{len(nested)} sub-project package(s): {', '.join(pkg for _, _, pkg in nested[:3])}",
            [Evidence(path, line, f"package {pkg}") for path, line, pkg in nested[:3]],
        )
    anchor = project.anchor(repo)
    return Result.failed("loose scripts: no package and no build configuration", [anchor] if anchor else None)


_BUCKET_SCHEMES = (b"s3", b"s3a", b"gs", b"gcs", b"abfs", b"abfss", b"wasb", b"wasbs", b"hdfs", b"az", b"adl")
_PRIVATE_HOSTS = (b"localhost", b"127.", b"10.", b"192.168.", b"172.")
_IP_CORE = lazyre.compile(rb"\.\d{1,3}\.\d{1,3}\.")  # the middle of an IP address: a literal first byte, fast


def _may_hold_host(data: bytes) -> bool:
    """The byte prefilter of :func:`_hosts_in` (a superset of what it reports, found without a regex that
    tries every position): a bucket scheme, a private URL, ``localhost``, something like an IP address or a
    URL whose host has no dot (a service name)."""
    if b"localhost" in data or _IP_CORE.search(data):
        return True
    start = data.find(b"://")
    while start >= 0:
        head = data[max(0, start - 10) : start]
        private = head.endswith((b"http", b"https")) and data.startswith(_PRIVATE_HOSTS, start + 3)
        if private or head.endswith(_BUCKET_SCHEMES) or _SERVICE_HOST.match(data, start + 3):
            return True
        start = data.find(b"://", start + 3)
    return False


_SERVICE_HOST = lazyre.compile(rb"([\w.-]+@)?[A-Za-z][\w-]*:\d")


_BUCKET = lazyre.compile(r"^(s3a?|gs|gcs|abfss?|wasbs?|hdfs|az|adl)://[\w.-]+")
#: Public buckets of the cloud vendors, the same for every user and environment: Vertex AI's schema files,
#: Google / AWS sample data, SageMaker sample files.
_PUBLIC_BUCKET = lazyre.compile(
    r"^(gs://(google-cloud-aiplatform/schema|cloud-samples-data|cloud-ml-data)/|"
    r"s3://(sagemaker-sample-files|sagemaker-sample-data-[\w-]+)/)"
)
_PRIVATE_URL = lazyre.compile(
    r"^(https?|grpc|postgres(ql)?|mysql|redis|mongodb)://([\w.-]+@)?"
    r"(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+)(:\d+)?"
)
#: A URL to a single-label host with a port (``http://mlflow-server:5000``): a compose or cluster service name.
_SERVICE_URL = lazyre.compile(
    r"^(https?|grpc|postgres(ql)?|mysql|redis|mongodb|amqp)://([\w.-]+@)?[A-Za-z][\w-]*:\d{2,5}(/|$)"
)
_BARE_IP = lazyre.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(:\d+)?$")
_BIND_ADDRESSES = {"0.0.0.0", "127.0.0.1"}


def _is_test_or_config(path: str) -> bool:
    parts = path.lower().split("/")
    return (
        any(
            p in ("tests", "test", "conf", "config", "configs", "settings", "docs", "examples")
            for p in parts[:-1]
        )
        or parts[-1].startswith(("test_", "conftest", "config", "settings"))
        or parts[-1].endswith("_test.py")
    )


def _hardcoded(value: str) -> str | None:
    if " " in value or "\n" in value or len(value) > 300 or "{" in value:
        return None
    if _BUCKET.match(value):
        return None if _PUBLIC_BUCKET.match(value) else "bucket"
    if _PRIVATE_URL.match(value) or _SERVICE_URL.match(value):
        return "host"
    m = _BARE_IP.match(value)
    if (
        m
        and value.split(":")[0] not in _BIND_ADDRESSES
        and all(int(x) < 256 for x in m.groups()[:4])
        and not value.startswith(("0.", "1.", "2."))  # version numbers like 1.2.3.4
    ):
        return "ip"
    return None


@check(
    "FLX002",
    Severity.WARNING,
    "No hard-coded hosts or buckets in code",
    fix_hint="read hosts, buckets and URIs from configuration or environment variables",
    level=1,
)
def no_hardcoded_hosts(repo: Repo) -> Result:
    """Code (tests and configuration files excepted) contains no literal bucket URI (``s3://``, ``gs://``,
    ``abfs://``...), private or local host (``http://10.0.0.5``, ``http://localhost:5000``), service name with a
    port (``http://mlflow-server:5000``, a compose or cluster service) or IP address.
    The cloud vendors' public buckets (Vertex AI schema files ``gs://google-cloud-aiplatform/schema/...``,
    sample data) are the same in every environment and do not count.

    Why it matters: a literal host or bucket pins the code to one environment: the same image cannot run in
    staging and production, and moving storage means a code change (and a secret-looking diff).

    How to fix: move them to configuration, with an environment override. A literal on the same line as an
    ``os.environ.get`` / ``os.getenv`` call (its default) is accepted, and so are the bare bind addresses
    ``"0.0.0.0"`` and ``"127.0.0.1"``.

    Example::

        tracking_uri = os.environ.get("MLFLOW_TRACKING_URI", cfg.tracking.uri)
        data_uri = cfg.data.raw_uri          # conf/env/prod.yaml: data.raw_uri: s3://prod-bucket/raw
    """
    candidates = [p for p in python_files(repo) if not _is_test_or_config(p)]
    if not candidates:
        return Result.not_applicable("no Python code outside tests and configuration")
    found: list[Evidence] = []
    for path in candidates:  # per file, kept in the audit cache: an unchanged file is not scanned again
        hosts = hosts_in(repo, path)
        found += [Evidence(path, line, text) for line, text in hosts]
    if found:
        return Result.failed(f"{len(found)} hard-coded host(s) or bucket(s) in code", found[:10])
    return Result.passed(f"no hard-coded hosts or buckets in {len(candidates)} Python file(s)")


@makes_file_fact("flexibility.hosts/2")
def hosts_in(repo: Repo, path: str) -> list[tuple[int, str]]:
    """:func:`_hosts_in`, kept in the audit cache: an unchanged file is not scanned again."""
    return repo.file_fact("flexibility.hosts/2", path, functools.partial(_hosts_in, repo, path))


def _hosts_in(repo: Repo, path: str) -> list[tuple[int, str]]:
    """(line, what) of every hard-coded host or bucket in one Python file."""
    data = repo.read_bytes(path)
    if data is None or not _may_hold_host(data):
        return []
    mod = module(repo, path)
    if mod is None:
        return []
    env_lines = {
        c.line for c in mod.calls if c.name in ("os.getenv", "os.environ.get", "os.environ.setdefault")
    }
    out = []
    for value, line in mod.strings:
        kind = _hardcoded(value.strip())
        if kind and line not in env_lines:
            out.append((line, f"{kind}: {value.strip()[:80]}"))
    return out


@check(
    "FLX003",
    Severity.INFO,
    "Components are selected by configuration",
    fix="hydra_config",
    fix_hint="declare models / datasets / optimisers with _target_ in config and build them with hydra.utils.instantiate",
    level=2,
)
def components_by_config(repo: Repo) -> Result:
    """Models, datasets, optimisers or steps are chosen by configuration — Hydra ``_target_`` +
    ``instantiate``, a registry (``@register_model``, Kedro's pipeline registry, a pluggy plugin manager), a
    Kedro data catalog (``type:`` entries), plug-in entry points, or a configuration value naming a class of the
    repository by its import path (``backend: backend.Local``) in code that imports classes from computed names
    (``importlib.import_module``, ``pydoc.locate``) — rather than by editing imports.

    Why it matters: swapping a model or a data source should be a config change that is reviewed, tracked with
    the run and sweepable, not a code change.

    How to fix: describe each swappable component in configuration with a ``_target_`` and build it with
    ``hydra.utils.instantiate`` (``mlops-audit fix --select FLX003`` renders the template's Hydra tree), or
    look components up in a registry filled by ``@register_...`` decorators or entry points. A page that
    documents the extension points (``docs/extending.md``, ``PLUGINS.md``...) and names files of the repository
    shows where to plug in, and is cited with a passing verdict; without any such mechanism it earns half the
    credit (extending still means editing code).

    Example::

        # conf/model/rf.yaml
        _target_: sklearn.ensemble.RandomForestClassifier
        n_estimators: 300
        # train.py
        model = hydra.utils.instantiate(cfg.model)
    """
    uses = configs.instantiation_uses(repo)
    documented = configs.extension_docs(repo)
    pages = [
        Evidence(page, None, "extension points: " + ", ".join(named[:3])) for page, named in documented[:2]
    ]
    if uses:
        kinds = ", ".join(dict.fromkeys(how for _, _, how in uses))
        shown = [Evidence(p, ln, how) for p, ln, how in uses[:4]]
        return Result.passed(f"components chosen by configuration ({kinds})", shown + pages[:1])
    if not is_ml_project(repo):
        return Result.not_applicable("no training code or pipeline")
    if pages:
        return Result.failed(
            f"extension points documented in {documented[0][0]}, but components are hard-wired in code "
            "(no _target_, instantiate, registry or entry points)",
            pages,
            credit=0.5,
        )
    files = configs.config_files(repo)
    where = [Evidence(p) for p in files[:2]] or [Evidence(project.anchor(repo) or ".")]
    return Result.failed(
        "components are hard-wired in code (no _target_, instantiate, registry or entry points)", where
    )


@check(
    "FLX004",
    Severity.INFO,
    "Configuration exists per environment",
    fix="hydra_config",
    fix_hint="add conf/env/{dev,staging,prod}.yaml or Kustomize overlays per environment",
    level=2,
    profiles=("pipeline", "service"),
)
def multiple_environments(repo: Repo) -> Result:
    """Separate configuration for at least two environments (dev, staging, prod...): files such as
    ``conf/env/prod.yaml``, ``.env.staging``, ``values-prod.yaml``, Kustomize ``overlays/<env>/``, Kedro
    ``conf/<env>/`` or Terraform roots per environment (``terraform/envs/prod/main.tf``). An environment named
    after where it runs counts as the whole name of a file directly in a configuration directory
    (``configs/ci.yaml``, ``config/sagemaker.yml``, ``conf/aws.yaml``).

    Not applicable when nothing of the repository's own is trained or served: a library or a course whose
    training code only trains models for the reader (examples, tutorials, lesson notebooks), with no pipeline
    declared.

    Why it matters: the same code and image must run against development data and production data, with
    different endpoints, buckets and resources — selected by configuration, not by editing code.

    How to fix: ``conf/env/dev.yaml`` and ``conf/env/prod.yaml`` overriding hosts, buckets and resources, with
    the environment chosen at run time (``python -m pkg.train env=prod``); ``mlops-audit fix --select FLX004``
    renders the template's configuration. One environment alone earns half the credit.

    Example::

        # conf/env/dev.yaml
        data: {raw_uri: data/raw/customers.parquet}
        tracking: {uri: http://localhost:5000}
        # conf/env/prod.yaml
        data: {raw_uri: s3://acme-ml-prod/churn/raw/customers.parquet}
        tracking: {uri: https://mlflow.acme.internal}
    """
    envs = configs.environment_configs(repo)
    names = sorted(envs)
    evidence = [Evidence(envs[n][0], None, n) for n in names][:4]
    if len(names) >= 2:
        return Result.passed(f"configuration for {', '.join(names)}", evidence)
    reason = no_training_run(repo)
    if reason and not pipeline_definitions(repo) and not serving.online_entries(repo):
        return Result.not_applicable(f"nothing of its own is deployed to environments: {reason}")
    if names:
        return Result.failed(f"configuration only for {names[0]}", evidence, credit=0.5)
    anchor = project.anchor(repo)
    return Result.failed("no per-environment configuration", [anchor] if anchor else None)

"""Configuration facts: where hyperparameters live, how components are selected, which environments exist, and
how the project is packaged.

Recognised: Hydra (``@hydra.main``, ``compose``), OmegaConf, gin, ml_collections, jsonargparse / LightningCLI,
``conf/`` and ``configs/`` YAML trees, ``_target_`` entries, ``params.yaml`` (DVC), Kedro
``conf/base/parameters*.yml``, ZenML run configurations, and YAML/JSON/TOML files loaded by the code. Environment
configurations: ``dev``/``staging``/``prod`` files, directories or overlays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import lazyre
from ..repo import Repo, memoized, word
from . import FactValue, inventory, report_fact
from .python import NON_LITERAL, ModuleInfo, modules_containing, prefilter, python_files
from .source import search
from .yamlfile import line_of, load_yaml

CONFIG_DIRS = ("conf", "config", "configs", "cfg", "params", "hparams", "hyperparams", "settings")
_CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".gin", ".cfg", ".ini", ".jsonnet")
_NOT_CONFIG_DIRS = (".github/", ".gitlab/", ".circleci/", ".devcontainer/", ".vscode/", "node_modules/")
_NOT_CONFIG_NAMES = {
    ".pre-commit-config.yaml", "mkdocs.yml", "mkdocs.yaml", "environment.yml", "environment.yaml", "codecov.yml",
    ".readthedocs.yaml", ".readthedocs.yml", "docker-compose.yml", "docker-compose.yaml", "compose.yaml",
    "compose.yml", "dvc.yaml", "dvc.lock", "package.json", "tsconfig.json", "chart.yaml", "renovate.json",
    ".markdownlint.yaml", "citation.cff", "mlproject", ".yamllint.yaml", ".yamllint",
}  # fmt: skip


@dataclass(frozen=True)
class ConfigUse:
    """One piece of evidence that configuration drives the code: a framework call or a config file."""

    framework: str  # hydra, omegaconf, gin, ml_collections, lightning_cli, jsonargparse, kedro, zenml,
    # dvc_params, azureml_job, yaml, environment
    path: str
    line: int | None = None


def _in_config_dir(path: str) -> bool:
    parts = path.lower().split("/")[:-1]
    return any(p in CONFIG_DIRS for p in parts)


def _is_test(path: str) -> bool:
    parts = path.lower().split("/")
    return any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith("test_")


@memoized
def config_files(repo: Repo) -> list[str]:
    """Configuration files for the ML code: YAML/TOML/JSON under ``conf/``/``configs/``..., ``params.yaml``,
    ``config.yaml``, ``*.gin``; tooling configuration (CI, lint, compose, dvc.yaml) excluded."""
    out = []
    for path, entry in repo.entries.items():
        name = entry.name.lower()
        if path.startswith(_NOT_CONFIG_DIRS) or name in _NOT_CONFIG_NAMES or _is_test(path):
            continue
        if not name.endswith(_CONFIG_SUFFIXES):
            continue
        stem = name.rsplit(".", 1)[0]
        if (
            _in_config_dir(path)
            or name.endswith(".gin")
            or stem
            in ("params", "config", "hparams", "hyperparams", "parameters", "train_config", "settings")
            or re.search(r"(^|[_-])(config|params|hparams)([_-]|$)", stem)
        ):
            out.append(path)
    return out


@memoized
def target_entries(repo: Repo) -> list[tuple[str, int]]:
    """``_target_:`` entries (Hydra / OmegaConf instantiation) in YAML files, with their lines."""
    out = []
    for path in repo.grep(repo.with_suffix(".yaml", ".yml"), b"_target_"):
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            if re.match(r"^\s*-?\s*_target_\s*:", line):
                out.append((path, number))
    return out


_FRAMEWORK_NEEDLES = prefilter(
    b"hydra", b"omegaconf", b"OmegaConf", word("gin"), b"ml_collections", b"LightningCLI", b"jsonargparse", b"zenml",
    b"config_path", b"yaml", b"toml", b"json.load",
)  # fmt: skip


_LOADERS = ("yaml.safe_load", "yaml.load", "yaml.full_load", "tomllib.load", "toml.load", "json.load")


def _framework_uses(mod: ModuleInfo) -> list[ConfigUse]:
    out: list[ConfigUse] = []
    for name, line in mod.decorators:
        if name in ("hydra.main",):
            out.append(ConfigUse("hydra", mod.path, line))
    for call in mod.calls:
        n = call.name
        if n in (
            "hydra.compose",
            "hydra.initialize",
            "hydra.initialize_config_dir",
            "hydra.initialize_config_module",
        ):
            out.append(ConfigUse("hydra", mod.path, call.line))
        elif n.startswith("omegaconf.OmegaConf.") and call.attr in ("load", "create", "merge", "from_cli"):
            out.append(ConfigUse("omegaconf", mod.path, call.line))
        elif n in ("gin.parse_config_file", "gin.parse_config_files_and_bindings", "gin.parse_config"):
            out.append(ConfigUse("gin", mod.path, call.line))
        elif n.startswith("ml_collections.config_flags.") or n == "ml_collections.ConfigDict":
            out.append(ConfigUse("ml_collections", mod.path, call.line))
        elif n.endswith("LightningCLI") and ("lightning" in n or n == "LightningCLI"):
            out.append(ConfigUse("lightning_cli", mod.path, call.line))
        elif n.startswith("jsonargparse.") and call.attr in ("CLI", "ArgumentParser", "auto_cli"):
            out.append(ConfigUse("jsonargparse", mod.path, call.line))
        elif n.endswith(".with_options") and "config_path" in call.kwargs:
            out.append(ConfigUse("zenml", mod.path, call.line))
        elif n in _LOADERS and any(
            _looks_like_config_name(s) for s, ln in mod.strings if abs(ln - call.line) <= 3
        ):
            # a config file loaded by the code: a config-ish file name nearby
            out.append(ConfigUse("yaml", mod.path, call.line))
    return out


def _looks_like_config_name(s: str) -> bool:
    s = s.lower()
    return s.endswith((".yaml", ".yml", ".toml", ".json", ".gin")) and bool(
        re.search(r"(param|config|conf|hparam|setting|cfg)", s)
    )


@memoized
def code_config_uses(repo: Repo) -> list[ConfigUse]:
    """Configuration frameworks used by the (non-test) Python code."""
    out = []
    for mod in modules_containing(repo, *_FRAMEWORK_NEEDLES):
        if not _is_test(mod.path):
            out.extend(_framework_uses(mod))
    return out


@memoized
def kedro_parameters(repo: Repo) -> list[str]:
    return [
        p
        for p in repo.entries
        if re.search(r"(^|/)conf/[^/]+/(parameters[^/]*\.ya?ml|parameters/.+\.ya?ml)$", p)
    ]


@memoized
def zenml_run_configs(repo: Repo) -> list[str]:
    """YAML run configurations of ZenML pipelines (``steps:`` with ``parameters`` / ``settings``)."""
    out: list[str] = []
    if not modules_containing(repo, *_ZENML):
        return out
    for path in repo.grep(config_files(repo), b"steps:", b"parameters:"):
        data = load_yaml(repo, path)
        if isinstance(data, dict) and (isinstance(data.get("steps"), dict) or "parameters" in data):
            out.append(path)
    return out


@memoized
def dvc_params_files(repo: Repo) -> list[str]:
    """``params.yaml`` files that a ``dvc.yaml`` stage reads (DVC's default parameters file)."""
    from .dvc import stages

    used = any(s.params for s in stages(repo))
    return repo.named("params.yaml") if used else []


@memoized
def referenced_config_files(repo: Repo) -> list[tuple[str, str, int]]:
    """(config file, code file, line): config files whose name the code, a Makefile or a CI pipeline (GitHub
    Actions workflow, GitLab CI, Azure Pipelines, Cloud Build) mentions: a workflow that reads
    ``config-infra-dev.yml`` feeds its values to the jobs it runs."""
    files = config_files(repo)
    if not files:
        return []
    names = {p.rsplit("/", 1)[-1].encode() for p in files}
    dirs = {d.encode() for d in {p.split("/", 1)[0] for p in files if "/" in p}}
    out = []
    candidates = [p for p in repo.with_suffix(".py", ".sh") if not _is_test(p)] + repo.named(
        "Makefile", "justfile"
    )
    # CI pipelines count by a config file's name only (they name source folders for many other reasons)
    ci = repo.named(".gitlab-ci.yml", "azure-pipelines.yml", "cloudbuild.yaml", "cloudbuild.yml")
    ci += [p for p in repo.with_suffix(".yml", ".yaml") if p.startswith(".github/workflows/")]
    for path in repo.grep(candidates, *names, *dirs) + repo.grep(ci, *names):
        text = repo.read_text(path) or ""
        by_folder = path not in ci
        for number, line in enumerate(text.splitlines(), 1):
            for cfg in files:
                if cfg.rsplit("/", 1)[-1] in line or (
                    by_folder and "/" in cfg and cfg.split("/", 1)[0] + "/" in line
                ):
                    out.append((cfg, path, number))
                    break
    return out


#: An Azure ML job specification (pipeline, command or sweep job): the inputs it passes to the scripts.
_AML_JOB_SCHEMA = lazyre.compile(
    rb"\$schema:\s*\S*azureml\S*/(pipelineJob|commandJob|sweepJob)\.schema\.json"
)


@memoized
def aml_job_specs(repo: Repo) -> list[tuple[str, int]]:
    """Azure ML job specifications (``$schema: .../pipelineJob.schema.json``) whose jobs pass ``${{inputs.x}}``
    to their scripts: the parameters of the run live in the versioned YAML, submitted by ``az ml job create``."""
    out = []
    for path in repo.grep(repo.with_suffix(".yml", ".yaml"), b"azureml"):
        data = repo.read_bytes(path) or b""
        m = _AML_JOB_SCHEMA.search(data)
        if m and b"${{inputs." in data:
            out.append((path, data.count(b"\n", 0, m.start()) + 1))
    return out


_ENV_CALLS = ("os.getenv", "os.environ.get")
_SETTINGS_MODULE = lazyre.compile(r"(^|/)(config|configs|settings|conf)\.py$")
#: Settings a configuration module must read from the environment to count as the run's configuration.
_MIN_ENV_SETTINGS = 5


@memoized
def environment_settings_modules(repo: Repo) -> list[tuple[str, int]]:
    """Configuration modules (``config.py``, ``settings.py``) that read the run's settings from environment
    variables (at least five ``os.getenv`` / ``os.environ.get``, two of them settings of a training run such as
    ``TRAIN_LIMIT`` or ``ACCURACY_THRESHOLD``), set per run by the CI or the scheduler."""
    out = []
    candidates = [p for p in python_files(repo) if _SETTINGS_MODULE.search(p) and not _is_test(p)]
    for mod in modules_containing(repo, *_ENVIRON_NEEDLES, paths=candidates):
        calls = [c for c in mod.calls if c.name in _ENV_CALLS]
        names = [c.args[0] for c in calls if c.args and isinstance(c.args[0], str)]
        run_settings = [n for n in names if _RUN_SETTING.search(n)]
        if len(calls) >= _MIN_ENV_SETTINGS and len(run_settings) >= 2:
            out.append((mod.path, calls[0].line))
    return out


#: Environment variables that set a training run rather than a web service (``TRAIN_LIMIT``, ``BATCH_SIZE``).
_RUN_SETTING = lazyre.compile(
    r"(TRAIN|EPOCH|BATCH|LEARNING_RATE|(^|_)LR($|_)|THRESHOLD|MODEL|DATASET|EVAL|ACCURACY|HPARAM|ESTIMATOR|"
    r"NUM_|MAX_|STEPS|SEED|PIPELINE|FEATURE|LIMIT)",
    re.I,
)


@memoized
def config_evidence(repo: Repo) -> list[ConfigUse]:
    """Evidence that hyperparameters come from configuration files, or from environment variables read by a
    settings module (the ``config_management`` fact)."""
    out: list[ConfigUse] = list(code_config_uses(repo))
    out += [ConfigUse("kedro", p) for p in kedro_parameters(repo)[:2]]
    out += [ConfigUse("zenml", p) for p in zenml_run_configs(repo)[:2]]
    out += [ConfigUse("dvc_params", p) for p in dvc_params_files(repo)[:2]]
    out += [ConfigUse("azureml_job", p, ln) for p, ln in aml_job_specs(repo)[:2]]
    if not out:
        out += [ConfigUse("yaml", code, line) for _cfg, code, line in referenced_config_files(repo)[:2]]
    if not out:
        out += [ConfigUse("environment", p, ln) for p, ln in environment_settings_modules(repo)[:2]]
    return out


@report_fact("config_management")
def config_management_fact(repo: Repo) -> FactValue:
    return FactValue.of((u.path, u.line) for u in config_evidence(repo)[:5])


@inventory("config_frameworks")
def config_inventory(repo: Repo) -> list[str]:
    names = {u.framework for u in config_evidence(repo)}
    if target_entries(repo):
        names.add("hydra" if "hydra" in names else "omegaconf-instantiate")
    return sorted(names - {"yaml"}) + (["yaml"] if "yaml" in names else [])


# ----------------------------------------------------------------------------------- component selection
#: What the calls below name (a registry decorator or ``register_pipelines`` says "register").
_INSTANTIATION_NEEDLES = prefilter(
    b"hydra", b"entry_points", b"register", b"PluginManager", b"load_setuptools_entrypoints"
)
_DYNAMIC_IMPORT_NEEDLES = prefilter(b"import_module", b"locate")
_DYNAMIC_IMPORTS = ("importlib.import_module", "pydoc.locate")
#: A configuration value naming a class by its import path (``backend.Local``, ``pkg.models.Forest``).
_CLASS_PATH_VALUE = lazyre.compile(
    r"""^\s*-?\s*[\w-]+\s*:\s*["']?((?:[A-Za-z_]\w*\.)+([A-Z]\w*))["']?\s*(#.*)?$"""
)


@memoized
def class_path_entries(repo: Repo) -> list[tuple[str, int]]:
    """(config file, line) of values that name a class of the repository by its import path
    (``module: backend.Local``) in a project whose code imports a class from a computed name
    (``importlib.import_module(name)``, ``pydoc.locate(name)``): the class is chosen by configuration."""
    candidates: list[tuple[str, int, str]] = []
    for path in config_files(repo):
        if not path.endswith((".yaml", ".yml")):
            continue
        for number, line in enumerate((repo.read_text(path) or "").splitlines(), 1):
            m = _CLASS_PATH_VALUE.match(line)
            if m:
                candidates.append((path, number, m.group(2)))
    if not candidates:
        return []
    dynamic = [
        mod
        for mod in modules_containing(repo, *_DYNAMIC_IMPORT_NEEDLES)
        if not _is_test(mod.path)
        and any(c.name in _DYNAMIC_IMPORTS and c.args and c.args[0] is NON_LITERAL for c in mod.calls)
    ]
    if not dynamic:
        return []
    out: list[tuple[str, int]] = []
    for path, number, name in candidates:
        if path not in {p for p, _ in out} and repo.grep(python_files(repo), word(f"class {name}")):
            out.append((path, number))
    return out


_ZENML = prefilter(b"zenml")
_ENVIRON_NEEDLES = prefilter(b"environ", b"getenv", parse_ahead=False)  # among some files


@memoized
def instantiation_uses(repo: Repo) -> list[tuple[str, int, str]]:
    """(path, line, how): components chosen by configuration — ``instantiate`` calls, ``_target_`` entries,
    plugin registries (``@register``-style decorators, Kedro's ``pipeline_registry.py``, pluggy plugin managers),
    Kedro data catalogs (datasets built from ``type:`` entries) and plug-in entry points (``pyproject.toml``,
    ``setup.cfg``; scripts excepted)."""
    out: list[tuple[str, int, str]] = []
    for mod in modules_containing(repo, *_INSTANTIATION_NEEDLES):
        if _is_test(mod.path):
            continue
        for call in mod.calls:
            if call.name in ("hydra.utils.instantiate", "hydra.utils.call", "hydra.utils.get_class") or (
                call.attr == "instantiate" and "hydra" in mod.top_level_imports
            ):
                out.append((mod.path, call.line, "hydra instantiate"))
            elif call.name in ("importlib.metadata.entry_points", "pkg_resources.iter_entry_points"):
                out.append((mod.path, call.line, "entry points"))
            elif call.name == "pluggy.PluginManager" or call.attr == "load_setuptools_entrypoints":
                out.append((mod.path, call.line, "plugins"))
        for name, line in mod.decorators:
            attr = name.rsplit(".", 1)[-1]
            if re.match(r"^register(_\w+)?$", attr) or attr.endswith("_register"):
                out.append((mod.path, line, "registry"))
        if mod.path.rsplit("/", 1)[-1] == "pipeline_registry.py":
            out += [
                (mod.path, ln, "pipeline registry") for fn, ln in mod.functions if fn == "register_pipelines"
            ]
    out += [(p, ln, "_target_") for p, ln in target_entries(repo)]
    out += [(p, ln, "class path in configuration") for p, ln in class_path_entries(repo)]
    out += [(p, ln, "data catalog") for p, ln in catalog_entries(repo)]
    out += [("setup.cfg", ln, "entry points") for ln in _setup_cfg_plugin_groups(repo)]
    text = repo.read_text("pyproject.toml") if "pyproject.toml" in repo.entries else None
    if text and "entry-points" in text:
        for number, text_line in enumerate(text.splitlines(), 1):
            if re.match(r'^\s*\[project\.entry-points\.["\']?[\w.-]+', text_line):
                out.append(("pyproject.toml", number, "entry points"))
    return out


_CATALOG = lazyre.compile(r"(^|/)conf/[^/]+/(catalog[^/]*|catalog/[^/]+)\.ya?ml$")


@memoized
def catalog_entries(repo: Repo) -> list[tuple[str, int]]:
    """Kedro data catalogs (``conf/<env>/catalog*.yml``): the first dataset of each file whose ``type:``
    names the class Kedro instantiates, i.e. the data sources and sinks are chosen by configuration."""
    out = []
    for path in repo.entries:
        if not _CATALOG.search(path) or _is_test(path):
            continue
        data = load_yaml(repo, path)
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            dataset = isinstance(key, str) and not key.startswith("_") and isinstance(value, dict)
            if dataset and isinstance(value.get("type"), str) and value["type"].strip():
                out.append((path, line_of(data, key) or 1))
                break
    return out


_SCRIPT_GROUPS = {"console_scripts", "gui_scripts"}


def _setup_cfg_plugin_groups(repo: Repo) -> list[int]:
    """Lines of the plug-in entry-point groups (any group but console/gui scripts) of ``setup.cfg``."""
    text = repo.read_text("setup.cfg") if "setup.cfg" in repo.entries else None
    if not text or "entry_points" not in text:
        return []
    out, in_section = [], False
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            in_section = header.group(1).strip() == "options.entry_points"
            continue
        group = re.match(r"^([\w.-]+)\s*=", line)  # a key at column 0: a group (its entries are indented)
        if in_section and group and group.group(1) not in _SCRIPT_GROUPS:
            out.append(number)
    return out


_EXTENDING_PAGE = lazyre.compile(
    r"(^|/)(extending|extensions?|extension[-_]points|plugins?|customi[sz](ing|ation))\.(md|rst)$",
    re.IGNORECASE,
)
_PATH_MENTION = lazyre.compile(r"[`'\"(]([\w.-]+(?:/[\w.-]+)+/?)[`'\")]")


@memoized
def extension_docs(repo: Repo) -> list[tuple[str, list[str]]]:
    """Pages that document extension points (``docs/extending.md``, ``PLUGINS.md``...), each with the files
    or directories of the repository it names (a page naming none documents nothing that can be checked)."""
    out = []
    for path in repo.entries:
        if not _EXTENDING_PAGE.search(path) or _is_test(path):
            continue
        text = repo.read_text(path) or ""
        named: list[str] = []
        for mention in _PATH_MENTION.findall(text):
            target = mention.rstrip("/")
            hit = target in repo.entries or any(p.startswith(target + "/") for p in repo.entries)
            if hit and target not in named:
                named.append(target)
        if named:
            out.append((path, named))
    return out


# ----------------------------------------------------------------------------------- environments
ENV_NAMES = {
    "dev": "dev", "develop": "dev", "development": "dev", "local": "local",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging", "uat": "staging",
    "qa": "staging", "test": "test",
    "prod": "prod", "production": "prod", "prd": "prod", "live": "prod",
}  # fmt: skip
_ENV_SPLIT = lazyre.compile(r"[._/-]")
#: Environments named after where they run (``configs/ci.yaml``, ``config/sagemaker.yml``): counted only as the
#: whole name of a file directly in a configuration or environments directory, where nothing else is meant.
TARGET_ENV_NAMES = frozenset({
    "ci", "cloud", "remote", "cluster", "aws", "gcp", "azure", "sagemaker", "vertex", "databricks",
    "kubernetes", "k8s",
})  # fmt: skip
_ENV_DIRS = (*CONFIG_DIRS, "overlays", "environments", "envs", "env", "deploy", "k8s")


@memoized
def environment_configs(repo: Repo) -> dict[str, list[str]]:
    """Environment name (dev, staging, prod, test, local, or a place it runs: ci, sagemaker...) -> config files,
    overlays or Terraform roots (``terraform/envs/prod/main.tf``) for it."""
    found: dict[str, list[str]] = {}
    for path, entry in repo.entries.items():
        if path.startswith(_NOT_CONFIG_DIRS) or _is_test(path):
            continue
        name = entry.name.lower()
        parts = path.lower().split("/")
        # Terraform roots per environment (terraform/envs/prod/main.tf) configure that environment's stack
        is_config = name.endswith((*_CONFIG_SUFFIXES, ".env", ".tfvars", ".tf")) or name.startswith(".env")
        if not is_config:
            continue
        tokens: list[str] = []
        if name.startswith(".env"):
            tokens = [t for t in name.split(".") if t]
        else:
            stem = name.rsplit(".", 1)[0]
            tokens = _ENV_SPLIT.split(stem)
        # an env directory: conf/prod/..., overlays/staging/..., environments/dev.yaml, kedro conf/<env>/
        dir_tokens = list(parts[:-1])
        env = next((ENV_NAMES[t] for t in tokens if t in ENV_NAMES and t not in ("test", "live")), None)
        if env is None:
            for i, d in enumerate(dir_tokens):
                if d in ENV_NAMES and d not in ("test", "live"):
                    parent = dir_tokens[i - 1] if i else ""
                    if parent in _ENV_DIRS or i == 0:
                        env = ENV_NAMES[d]
                        break
        if env is None and dir_tokens and dir_tokens[-1] in _ENV_DIRS and not name.startswith(".env"):
            stem = name.rsplit(".", 1)[0]
            env = stem if stem in TARGET_ENV_NAMES else None
        if env is not None:
            found.setdefault(env, []).append(path)
    return found


# ----------------------------------------------------------------------------------- packaging
@dataclass(frozen=True)
class PackageLayout:
    """How the project is packaged (for FLX001 and for ``mlops-audit fix``)."""

    name: str | None  # distribution name from pyproject / setup.py / setup.cfg
    import_name: str | None  # the importable package (directory with __init__.py)
    layout: str | None  # "src", "flat" or None (no package directory)
    package_dir: str | None  # e.g. "src/churn"
    build_file: str | None  # pyproject.toml (with [build-system]), setup.py or setup.cfg
    build_backend: str | None
    python_requires: str | None  # requires-python, or .python-version
    line: int | None = None

    @property
    def installable(self) -> bool:
        return self.build_file is not None and self.package_dir is not None


def pyproject(repo: Repo) -> dict[str, Any] | None:
    """The root ``pyproject.toml`` as a dict; ``None`` when absent or malformed (parsed once, shared)."""
    from .textconfig import load_toml

    return load_toml(repo, "pyproject.toml") if "pyproject.toml" in repo.entries else None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


_SETUP_NAME = lazyre.compile(r"""name\s*=\s*["']([\w.-]+)["']""")
_SETUP_REQUIRES = lazyre.compile(r"""python_requires\s*=\s*["']([^"']+)["']""")


@memoized
def package_layout(repo: Repo) -> PackageLayout:
    data = pyproject(repo) or {}
    project = got if isinstance(got := data.get("project"), dict) else {}
    name = project.get("name") if isinstance(project.get("name"), str) else None
    requires = project.get("requires-python") if isinstance(project.get("requires-python"), str) else None
    build_system = data.get("build-system") if isinstance(data.get("build-system"), dict) else None
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if name is None and isinstance(poetry, dict) and isinstance(poetry.get("name"), str):
        name = poetry["name"]
    build_file = build_backend = None
    line = None
    if build_system is not None:
        build_file = "pyproject.toml"
        backend = build_system.get("build-backend")
        build_backend = backend if isinstance(backend, str) else "setuptools.build_meta:__legacy__"
        text = repo.read_text("pyproject.toml") or ""
        line = next((i for i, t in enumerate(text.splitlines(), 1) if t.strip() == "[build-system]"), None)
    elif "setup.py" in repo.entries:
        build_file, build_backend = "setup.py", "setuptools"
        m = search(repo, "setup.py", _SETUP_NAME)
        name = name or (m[2][0] if m else None)
        m = search(repo, "setup.py", _SETUP_REQUIRES)
        requires = requires or (m[2][0] if m else None)
    elif "setup.cfg" in repo.entries and repo.contains("setup.cfg", b"[metadata]"):
        build_file, build_backend = "setup.cfg", "setuptools"
    if requires is None and ".python-version" in repo.entries:
        pinned = (repo.read_text(".python-version") or "").split()
        requires = pinned[0] if pinned else None
    # the package directory: src/<pkg>/__init__.py first, then <pkg>/__init__.py at the root
    inits = list(repo.named("__init__.py"))
    src = sorted({p.split("/")[1] for p in inits if p.startswith("src/") and p.count("/") == 2})
    flat = sorted(
        {p.split("/")[0] for p in inits if p.count("/") == 1}
        - {"tests", "test", "docs", "scripts", "notebooks", "examples", "benchmarks"}
    )
    module = _module_name(data)  # flit's [tool.flit.module], uv's module-name: the package it ships
    shipped = module or name
    wanted = _normalise(shipped) if shipped else None
    layout = package_dir = import_name = None
    declared = _declared_packages(data)
    if declared:
        first = declared[0].strip("/")
        import_name = first.rsplit("/", 1)[-1]
        kind = "src" if first.startswith("src/") else "flat"
        return PackageLayout(name, import_name, kind, first, build_file, build_backend, requires, line)
    # backends that ship the package named after the distribution, and nothing else unless told
    by_name = bool(
        build_backend and wanted and "{" not in wanted and build_backend.startswith(_NAME_MATCHING_BACKENDS)
    )  # a Jinja-templated name (a project template) is only known once rendered
    for kind, candidates, prefix in (("src", src, "src/"), ("flat", flat, "")):
        matching = [c for c in candidates if wanted and _normalise(c) == wanted]
        if by_name:
            candidates = matching
        if not candidates:
            continue
        pick = (matching or candidates)[0]
        layout, package_dir, import_name = kind, prefix + pick, pick
        break
    return PackageLayout(name, import_name, layout, package_dir, build_file, build_backend, requires, line)


#: Build backends whose wheel holds, without explicit configuration, only the package named after the
#: distribution (``<name>/`` or ``src/<name>/``): any other package directory is not built.
_NAME_MATCHING_BACKENDS = ("poetry.core", "poetry.masonry", "hatchling", "flit_core", "flit.", "uv_build")


def _module_name(data: dict[str, Any]) -> str | None:
    """The import name a backend is told to ship instead of the distribution's (flit ``[tool.flit.module]
    name``, uv ``[tool.uv.build-backend] module-name``)."""
    tool = got if isinstance(got := data.get("tool"), dict) else {}
    flit = ((tool.get("flit") or {}).get("module") or {}) if isinstance(tool.get("flit"), dict) else {}
    uv = ((tool.get("uv") or {}).get("build-backend") or {}) if isinstance(tool.get("uv"), dict) else {}
    for found in (flit.get("name") if isinstance(flit, dict) else None,
                  uv.get("module-name") if isinstance(uv, dict) else None):  # fmt: skip
        if isinstance(found, str):
            return found
    return None


def _declared_packages(data: dict[str, Any]) -> list[str]:
    """Package directories listed explicitly: hatch ``packages``, poetry ``packages`` (``include`` / ``from``),
    setuptools ``packages`` / ``package-dir``."""
    tool = got if isinstance(got := data.get("tool"), dict) else {}
    hatch = (((tool.get("hatch") or {}).get("build") or {}).get("targets") or {}).get("wheel") or {}
    found = hatch.get("packages") if isinstance(hatch, dict) else None
    if isinstance(found, list) and all(isinstance(p, str) for p in found):
        return found
    poetry = got if isinstance(got := tool.get("poetry"), dict) else {}
    included = poetry.get("packages")
    if isinstance(included, list) and included and isinstance(included[0], dict):
        first = included[0]
        if isinstance(first.get("include"), str):
            base = first.get("from") if isinstance(first.get("from"), str) else ""
            return [f"{base}/{first['include']}".lstrip("/")]
    setuptools = got if isinstance(got := tool.get("setuptools"), dict) else {}
    pkgs = setuptools.get("packages")
    pkg_dir = setuptools.get("package-dir")
    if isinstance(pkgs, list) and pkgs and all(isinstance(p, str) for p in pkgs):
        base = pkg_dir.get("", "") if isinstance(pkg_dir, dict) else ""
        return [f"{base}/{pkgs[0].replace('.', '/')}".lstrip("/")]
    return []


def python_version(repo: Repo) -> str | None:
    """The Python version the project targets (``requires-python`` or ``.python-version``), as written."""
    return package_layout(repo).python_requires

"""Serving facts: online serving entry points, demo apps, how serving code finds its model, and which local
modules a file imports.

Online serving: FastAPI, Flask, Starlette, LitServe, Ray Serve, BentoML, TorchServe handlers, KServe models and
InferenceServices, Seldon, Triton model repositories, AWS Lambda / SageMaker handlers, ``mlflow models serve`` and
dploy-kickstart ``# @dploy endpoint`` annotations.
Gradio and Streamlit apps are demos: listed in the inventory but not counted as model serving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lazyre
from ..repo import Repo, memoized, word
from . import FactValue, inventory, report_fact
from .python import ModuleInfo, module, modules_containing, prefilter
from .source import ask, search, source_question

_NEEDLES = prefilter(
    b"fastapi", b"flask", b"starlette", b"litserve", word("serve"), b"bentoml", b"ts.torch_handler", b"kserve",
    b"lambda_handler", b"model_fn", b"gradio", b"streamlit", b"Mangum", b"handler", b"deploy", b"azureml",
)  # fmt: skip

#: Managed online endpoints deployed from code: (platform, the import roots whose ``deploy`` / endpoint calls
#: create one). A model ``.deploy()`` of these SDKs, or a deployer step of ZenML, serves the model online.
_MANAGED_DEPLOY = (
    ("sagemaker-endpoint", ("sagemaker",)),
    ("vertex-endpoint", ("google.cloud.aiplatform", "aiplatform", "vertexai")),
    ("azureml-endpoint", ("azureml", "azure.ai.ml")),
    ("watson-deployment", ("ibm_watson_machine_learning", "ibm_watsonx_ai")),
)
_DEPLOYER_STEPS = frozenset(
    {"mlflow_model_deployer_step", "seldon_model_deployer_step", "bentoml_model_deployer_step"}
)

# (framework, resolved call names)
_APP_CALLS = (
    ("fastapi", {"fastapi.FastAPI"}),
    ("flask", {"flask.Flask"}),
    ("starlette", {"starlette.applications.Starlette"}),
    ("litserve", {"litserve.LitServer"}),
    ("ray-serve", {"ray.serve.run", "ray.serve.start"}),
    ("bentoml", {"bentoml.Service"}),
    ("kserve", {"kserve.ModelServer", "kserve.ModelServer().start"}),
    ("lambda", {"mangum.Mangum"}),
)
_APP_DECORATORS = (
    ("ray-serve", ("ray.serve.deployment",)),
    ("bentoml", ("bentoml.service",)),
)
_APP_BASES = (
    ("torchserve", "ts.torch_handler"),
    ("kserve", "kserve.Model"),
    ("litserve", "litserve.LitAPI"),
)
_DEMO_CALLS = (("gradio", "gradio"), ("streamlit", "streamlit"))


@dataclass(frozen=True)
class ServingEntry:
    framework: str
    path: str
    line: int | None = None
    demo: bool = False  # gradio / streamlit: a demo UI, not an online serving endpoint


def _is_test(path: str) -> bool:
    parts = path.lower().split("/")
    return any(p in ("tests", "test") for p in parts[:-1]) or parts[-1].startswith("test_")


def _python_entries(mod: ModuleInfo, has_lambda_manifest: bool) -> list[ServingEntry]:
    out: list[ServingEntry] = []
    for call in mod.calls:
        for fw, names in _APP_CALLS:
            if call.name in names:
                out.append(ServingEntry(fw, mod.path, call.line))
    for name, line in mod.decorators:
        for fw, decorators in _APP_DECORATORS:
            if name in decorators:
                out.append(ServingEntry(fw, mod.path, line))
    for _cls, bases, line in mod.classes:
        for base in bases:
            for fw, root in _APP_BASES:
                if base == root or base.startswith(root + "."):
                    out.append(ServingEntry(fw, mod.path, line))
    functions = dict(mod.functions)
    if "lambda_handler" in functions:
        out.append(ServingEntry("lambda", mod.path, functions["lambda_handler"]))
    elif "handler" in functions and has_lambda_manifest:
        out.append(ServingEntry("lambda", mod.path, functions["handler"]))
    if "model_fn" in functions and ({"predict_fn", "transform_fn", "input_fn"} & set(functions)):
        out.append(ServingEntry("sagemaker", mod.path, functions["model_fn"]))
    for fw, roots in _MANAGED_DEPLOY:
        if mod.imports_any(*roots) or any(c.name.startswith(roots) for c in mod.calls):
            for call in mod.calls:
                if call.attr in ("deploy", "begin_create_or_update", "create") and (
                    call.attr == "deploy"
                    or "deployment" in call.name.lower()
                    or "endpoint" in call.name.lower()
                ):
                    out.append(ServingEntry(fw, mod.path, call.line))
                    break
    for call in mod.calls:
        if call.attr in _DEPLOYER_STEPS:
            out.append(ServingEntry("zenml-deployer", mod.path, call.line))
            break
    if "init" in functions and "run" in functions and mod.imports_any("azureml"):
        out.append(ServingEntry("azureml-scoring", mod.path, functions["init"]))
    for fw, root in _DEMO_CALLS:
        hits = mod.imports_any(root)
        if hits:
            out.append(ServingEntry(fw, mod.path, hits[0][1], demo=True))
    return out


#: dploy-kickstart serves the function below a ``# @dploy endpoint <name>`` comment as a REST endpoint
_DPLOY = lazyre.compile(r"^[ \t]*#[ \t]*@dploy[ \t]+endpoint[ \t]+\w+", re.MULTILINE)


@memoized
def serving_entries(repo: Repo) -> list[ServingEntry]:
    """Every serving entry point (demos included, flagged ``demo``), tests excluded."""
    from .docker import manifests

    infra = manifests(repo)
    has_lambda = any(m.tool in ("serverless", "sam") for m in infra)
    out: list[ServingEntry] = []
    for mod in modules_containing(repo, *_NEEDLES):
        if not _is_test(mod.path):
            out.extend(_python_entries(mod, has_lambda))
    out += [ServingEntry("bentoml", p) for p in repo.named("bentofile.yaml")]
    out += [ServingEntry("triton", p) for p in repo.named("config.pbtxt")]
    for m in infra:
        if m.kind == "InferenceService":
            out.append(ServingEntry("kserve", m.path, m.line))
        elif m.kind == "SeldonDeployment":
            out.append(ServingEntry("seldon", m.path, m.line))
    scripts = repo.named(
        "Makefile", "Dockerfile", "Procfile", "justfile", "pyproject.toml"
    ) + repo.with_suffix(".sh", ".yaml", ".yml")
    for path in repo.grep(repo.with_suffix(".py"), b"@dploy endpoint"):  # dploy-kickstart annotations
        annotation = search(repo, path, _DPLOY)
        if annotation and not _is_test(path):
            out.append(ServingEntry("dploy-kickstart", path, annotation[0]))
    for path in repo.grep(repo.with_suffix(".yaml", ".yml"), b"OnlineEndpoint.schema.json"):
        if not _is_test(path):  # an Azure ML managed / Kubernetes online endpoint definition
            out.append(ServingEntry("azureml-endpoint", path, 1))
    for path in repo.grep(scripts, b"mlflow models serve", b"torchserve --start", b"torch-model-archiver"):
        if _is_test(path) or path.startswith(".github/"):
            continue
        text = repo.read_text(path) or ""
        for number, line in enumerate(text.splitlines(), 1):
            if "mlflow models serve" in line:
                out.append(ServingEntry("mlflow-serve", path, number))
                break
            if "torchserve --start" in line or "torch-model-archiver" in line:
                out.append(ServingEntry("torchserve", path, number))
                break
    return out


def online_entries(repo: Repo) -> list[ServingEntry]:
    """Serving entry points that answer requests (demo apps excluded)."""
    return [e for e in serving_entries(repo) if not e.demo]


def serving_modules(repo: Repo) -> list[str]:
    """Python files that hold an online serving entry point."""
    seen: list[str] = []
    for e in online_entries(repo):
        if e.path.endswith(".py") and e.path not in seen:
            seen.append(e.path)
    return seen


#: Distributions that exist to serve a model or an HTTP API: declaring one says the project means to serve.
SERVING_DISTRIBUTIONS = frozenset(
    {
        "fastapi", "flask", "starlette", "litestar", "litserve", "bentoml", "kserve", "mlserver", "seldon-core",
        "torchserve", "uvicorn", "gunicorn", "hypercorn", "mangum", "ray-serve",
    }
)  # fmt: skip
#: Kubernetes kinds that run a long-lived service (a Job / CronJob is batch).
SERVICE_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout"})
#: Pipeline frameworks whose steps run as container images.
CONTAINER_ORCHESTRATORS = ("kubeflow", "vertex", "sagemaker", "flyte")


@memoized
def service_signals(repo: Repo) -> list[tuple[str, int | None, str]]:
    """What says the project runs an online service, besides serving code: a declared serving framework
    (:data:`SERVING_DISTRIBUTIONS`), a service manifest (Kubernetes Deployment / Service, KServe, Seldon,
    Knative, Ray Serve, a PaaS descriptor, Serverless / SAM) or a Dockerfile with an ``EXPOSE`` instruction
    (but a supporting stack's: an MLflow tracking server). ``(path, line, what)`` items."""
    from .dependencies import declared_requirements
    from .docker import SERVING_KINDS, dockerfiles, manifests, supporting_stacks

    out: list[tuple[str, int | None, str]] = [
        (r.path, r.line, f"{r.name} declared")
        for r in declared_requirements(repo)
        if r.name in SERVING_DISTRIBUTIONS
    ]
    for m in manifests(repo):
        if m.kind in SERVING_KINDS or m.kind in SERVICE_KINDS or m.tool in ("paas", "serverless", "sam"):
            out.append((m.path, m.line, f"{m.tool} {m.kind}"))
    support = set(supporting_stacks(repo))  # the port of a tracking server is not the project's service
    for df in dockerfiles(repo):
        if df.path not in support:
            out += [(df.path, line, f"EXPOSE {args}") for kw, args, line in df.instructions if kw == "EXPOSE"]
    return out


@memoized
def deployables(repo: Repo) -> list[tuple[str, int | None, str]]:
    """What the project deploys or runs outside a developer's environment: serving code (demo apps included),
    :func:`service_signals`, container definitions (Dockerfile, compose; supporting stacks such as a tracking
    server or a local database excepted, :func:`~.docker.supporting_stacks`), deployment or infrastructure
    manifests, and pipelines for container-based orchestrators (:data:`CONTAINER_ORCHESTRATORS`). Empty for a
    batch project that runs its steps from a locked environment. ``(path, line, what)`` items."""
    from .docker import compose_paths, dockerfile_paths, manifests, supporting_stacks
    from .pipelines import python_pipelines

    out: list[tuple[str, int | None, str]] = [
        (e.path, e.line, f"{e.framework} serving") for e in serving_entries(repo)
    ]
    out += service_signals(repo)
    support = set(supporting_stacks(repo))  # a tracking server or a database stack: used, not delivered
    out += [
        (p, None, "container definition")
        for p in dockerfile_paths(repo) + compose_paths(repo)
        if p not in support
    ]
    out += [(m.path, m.line, f"{m.tool} {m.kind}") for m in manifests(repo) if m.path not in support]
    out += [
        (d.path, d.line, f"{d.framework} pipeline")
        for d in python_pipelines(repo)
        if d.framework in CONTAINER_ORCHESTRATORS
    ]
    return list(dict.fromkeys(out))


@report_fact("model_serving")
def model_serving_fact(repo: Repo) -> FactValue:
    return FactValue.of((e.path, e.line) for e in online_entries(repo)[:5])


@inventory("serving_frameworks")
def serving_inventory(repo: Repo) -> list[str]:
    seen: list[str] = []
    for e in serving_entries(repo):
        if e.framework not in seen:
            seen.append(e.framework)
    return seen


# ----------------------------------------------------------------------------------------- local imports
@memoized
def _module_index(repo: Repo) -> dict[str, list[str]]:
    """Dotted module name (and every dotted tail of it) -> Python files of the tree."""
    index: dict[str, list[str]] = {}
    for path in repo.with_suffix(".py"):
        parts = path[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            name = ".".join(parts[i:])
            if name:
                index.setdefault(name, []).append(path)
    return index


def resolve_module(repo: Repo, name: str, importer: str | None = None) -> str | None:
    """The file of the tree that ``import name`` refers to (relative names need ``importer``), or ``None``.
    Of several files with that name, the one beside the importer wins (a script's own directory comes first
    on ``sys.path``)."""
    if name.startswith("."):
        if importer is None:
            return None
        level = len(name) - len(name.lstrip("."))
        base = importer.split("/")[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)]
        rest = name.lstrip(".")
        name = ".".join([*base, *([rest] if rest else [])])
    candidates = _module_index(repo).get(name, [])
    if len(candidates) == 1:
        return candidates[0]
    if candidates and importer is not None and "/" in importer:
        # a script imports from its own directory first (Python puts it on sys.path): week_9/app.py's
        # ``import inference`` is week_9/inference.py, not a same-named copy in a sibling folder
        here = importer.rsplit("/", 1)[0] + "/" + name.replace(".", "/")
        sibling = next((c for c in (here + ".py", here + "/__init__.py") if c in candidates), None)
        if sibling:
            return sibling
    exact = [
        c for c in candidates if c[:-3].replace("/", ".").removesuffix(".__init__") in (name, "src." + name)
    ]
    return exact[0] if exact else None


def local_imports(repo: Repo, path: str) -> list[tuple[str, int]]:
    """(file, line) of the tree's own modules that the Python file ``path`` imports (``from pkg import
    features`` counts ``pkg/features.py`` when it is a module)."""
    mod = module(repo, path)
    if mod is None:
        return []
    imported = ask(repo, path, _imported_names_at, tuple(line for _, line in mod.imports))
    out: list[tuple[str, int]] = []

    def add(target: str | None, line: int) -> bool:
        if target is None or target == path:
            return False
        if all(target != t for t, _ in out):
            out.append((target, line))
        return True

    for (name, line), names in zip(mod.imports, imported, strict=True):
        submodules = [f"{name}.{n}" if not name.endswith(".") else name + n for n in names]
        found = [add(resolve_module(repo, sub, path), line) for sub in submodules]
        if not any(found):
            add(resolve_module(repo, name, path), line)
    return out


@source_question
def _imported_names_at(text: str, lines: tuple[int, ...]) -> list[list[str]]:
    """:func:`_imported_names` of each of ``lines``."""
    split = text.splitlines()
    return [_imported_names(split, line) for line in lines]


def _imported_names(lines: list[str], line: int) -> list[str]:
    """The names of a ``from X import a, b as c`` statement starting at ``line`` (1-based)."""
    if not 0 < line <= len(lines):
        return []
    text = lines[line - 1]
    m = re.match(r"\s*from\s+\S+\s+import\s+(.*)$", text)
    if not m:
        return []
    rest = m.group(1)
    if "(" in rest:
        i = line
        while ")" not in rest and i < len(lines) and i < line + 50:
            rest += " " + lines[i]
            i += 1
    rest = rest.split("#", 1)[0].replace("(", " ").replace(")", " ").replace("\\", " ")
    names = []
    for part in rest.split(","):
        words = part.split()
        if words and words[0].isidentifier():
            names.append(words[0])
    return names


# ----------------------------------------------------------------------------------------- model references
_REGISTRY_URI = lazyre.compile(r"^models:/([^/@]+)(?:/([^/]+)|@([\w-]+))")
#: ``f"models:/{name}@{alias}"`` / ``f"models:/{name}/{version}"`` in the source text.
_FSTRING_URI = lazyre.compile(
    r"models:/(?:\{[^{}]+\}|[^/@{}\"'\s]+)(?:@(\{[^{}]+\}|[\w-]+)|/(\{[^{}]+\}|\w+))?"
)
_MODEL_FILE = lazyre.compile(
    r"\.(pkl|pickle|joblib|pt|pth|ckpt|onnx|h5|keras|safetensors|tflite|cbm|bin|sav|model)$", re.IGNORECASE
)


@dataclass(frozen=True)
class ModelRef:
    kind: str  # "registry-version", "registry-alias", "registry-latest", "local-path", "environment", "run"
    path: str
    line: int
    value: str


#: Modules that read settings from the environment or a ``.env`` file.
_ENV_READERS = {"os", "decouple", "environs", "dotenv", "pydantic_settings", "starlette"}
#: Committed environment files that give variables their (example) values.
_ENV_FILE = lazyre.compile(r"(^|/)(\.env(\.[\w-]+)?|[\w-]+\.env)$")
_ENV_LINE = lazyre.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*[\"']?([^\"'#\s]*)")


@memoized
def env_file_values(repo: Repo) -> dict[str, tuple[str, int, str]]:
    """Variable -> (file, line, value) from the committed environment files (``.env``, ``.env.example``...),
    the root ones first: the value a setting read from the environment takes."""
    found: dict[str, tuple[str, int, str]] = {}
    files = sorted((p for p in repo.entries if _ENV_FILE.search(p)), key=lambda p: (p.count("/"), p))
    for path in files:
        for number, line in enumerate((repo.read_text(path) or "").splitlines(), 1):
            m = _ENV_LINE.match(line)
            if m and m.group(2):
                found.setdefault(m.group(1), (path, number, m.group(2)))
    return found


def _value_reference(path: str, line: int, value: str) -> ModelRef | None:
    """What a configured value (an environment file's) says about the model's location, if anything."""
    m = _REGISTRY_URI.match(value)
    if m:
        version, alias = m.group(2), m.group(3)
        if alias or (version and (version.isdigit() or version.lower() in _STAGE_ALIASES)):
            return ModelRef("registry-alias" if alias else "registry-version", path, line, value)
        return ModelRef("registry-latest", path, line, value)
    if _MODEL_FILE.search(value) and "://" not in value:
        return ModelRef("local-path", path, line, value)
    return None


_STAGE_ALIASES = ("production", "staging", "champion", "challenger")
#: ``mlflow models serve -m <uri>`` (or ``build-docker``) in a compose file, Dockerfile, script or Procfile.
_CLI_SERVE = lazyre.compile(
    r"mlflow\s+models\s+(?:serve|build-docker)\b[^;&|]{0,300}?(?:-m|--model-uri)[\s=]+[\"']?([^\s\"']+)"
)
_CLI_FILES = lazyre.compile(
    r"(^|/)((docker-)?compose[\w.-]*\.ya?ml|Dockerfile[\w.-]*|[\w.-]+\.sh|Procfile|Makefile)$"
)


@memoized
def cli_model_references(repo: Repo) -> list[ModelRef]:
    """The model a command-line server serves (``mlflow models serve -m runs:/<id>/model``), from compose
    files, Dockerfiles, shell scripts, Procfiles and Makefiles: a registry version or alias, a run's artifact
    (``runs:/``, kind ``run``), a local path."""
    out: list[ModelRef] = []
    candidates = [p for p in repo.entries if _CLI_FILES.search(p)]
    for path in repo.grep(candidates, b"mlflow"):
        text = repo.read_text(path) or ""
        for m in _CLI_SERVE.finditer(text):
            uri, line = m.group(1), text.count("\n", 0, m.start(1)) + 1
            if uri.startswith("runs:/"):
                out.append(ModelRef("run", path, line, uri))
            elif ref := _value_reference(path, line, uri):
                out.append(ref)
            elif not uri.startswith(("$", "{")):
                out.append(ModelRef("local-path", path, line, uri))
    return out


@source_question
def _fstring_uri_at(text: str, line: int) -> tuple[str, str | None, str | None] | None:
    """The ``models:/`` reference an f-string at ``line`` builds: (matched text, alias, version), or None."""
    lines = text.splitlines()
    f = _FSTRING_URI.search(lines[line - 1]) if 0 < line <= len(lines) else None
    return (f.group(0), f.group(1), f.group(2)) if f else None


def model_references(repo: Repo, paths: list[str]) -> list[ModelRef]:
    """How the given Python files locate their model: registry URIs (``models:/churn@champion``,
    ``models:/churn/3``), registry API calls, local file literals (``"model.pkl"``) or environment variables
    (read with ``os``, python-decouple, environs, pydantic-settings or Starlette's ``Config``), these followed to
    the value a committed ``.env`` / ``.env.example`` file gives them."""
    out: list[ModelRef] = []
    for path in paths:
        mod = module(repo, path)
        if mod is None:
            continue
        uses_env = bool(_ENV_READERS & mod.top_level_imports)
        for s, line in mod.strings:
            s = s.strip()
            m = _REGISTRY_URI.match(s)
            if uses_env and re.fullmatch(r"[A-Z0-9_]*MODEL[A-Z0-9_]*", s):
                configured = env_file_values(repo).get(s)
                followed = _value_reference(*configured) if configured else None
                out.append(followed or ModelRef("environment", path, line, s))
            elif s.startswith("models:/") and not m:
                # an f-string: its literal parts are separate strings; read the reference from the source line
                f = ask(repo, path, _fstring_uri_at, line)
                if f and f[1]:
                    out.append(ModelRef("registry-alias", path, line, f[0]))
                elif f and f[2]:
                    out.append(ModelRef("registry-version", path, line, f[0]))
                elif f:
                    out.append(ModelRef("registry-latest", path, line, f[0]))
            elif m:
                version, alias = m.group(2), m.group(3)
                if alias or (version and version.isdigit()):
                    out.append(ModelRef("registry-alias" if alias else "registry-version", path, line, s))
                elif version and version.lower() in ("production", "staging", "champion", "challenger"):
                    out.append(ModelRef("registry-alias", path, line, s))
                else:
                    out.append(ModelRef("registry-latest", path, line, s))
            elif (
                _MODEL_FILE.search(s)
                and "://" not in s
                and " " not in s
                and len(s) < 200
                and not s.startswith("*")
            ):
                out.append(ModelRef("local-path", path, line, s))
        for call in mod.calls:
            if call.attr in ("get_model_version_by_alias", "get_model_version", "get_latest_versions"):
                out.append(ModelRef("registry-alias", path, call.line, call.name))
            elif call.attr == "use_artifact" or (
                call.name.startswith("bentoml.") and call.attr in ("get", "load_model")
            ):
                ref = next((a for a in call.args if isinstance(a, str)), "")
                if ":" in ref:
                    out.append(ModelRef("registry-version", path, call.line, ref))
            elif call.attr == "from_pretrained" and isinstance(call.kwargs.get("revision"), str):
                out.append(ModelRef("registry-version", path, call.line, call.kwargs["revision"]))
    return out

"""Container and infrastructure facts: Dockerfiles, compose files, Kubernetes / Helm / Kustomize manifests,
Terraform, serverless and other deployment descriptors.

Dockerfiles are parsed line by line (continuations, comments, parser directives, ``ARG`` defaults in ``FROM``);
a file that cannot be parsed becomes a note. A devcontainer (``.devcontainer/``) is a development environment,
not a deployable container, and does not make a repository containerised.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from .. import lazyre
from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from .yamlfile import LineDict, line_of, load_yaml

_DOCKERFILE = lazyre.compile(
    r"^(docker|container)file([.-][\w.-]+)?$|^[\w.-]+\.(docker|container)file$", re.IGNORECASE
)
_COMPOSE = lazyre.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_NOT_DOCKERFILE = (
    ".md",
    ".rst",
    ".txt",
    ".py",
    ".sh",
    ".json",
    ".yml",
    ".yaml",
    ".toml",
    ".j2",
    ".jinja",
    ".html",
    ".dockerignore",  # BuildKit's per-Dockerfile ignore file (Dockerfile.dockerignore)
)
_VAR = lazyre.compile(r"\$\{?(\w+)(?::?[-+]([^}]*))?\}?")


@dataclass(frozen=True)
class BaseImage:
    ref: str  # as written after variable substitution: "python:3.12-slim@sha256:..."
    line: int
    alias: str | None = None  # FROM ... AS alias
    stage_ref: bool = False  # FROM an earlier stage of the same file
    unresolved: bool = False  # contains a variable without default

    @property
    def scratch(self) -> bool:
        return self.ref.lower() == "scratch"

    @property
    def digest(self) -> str | None:
        return self.ref.split("@", 1)[1] if "@" in self.ref else None

    @property
    def tag(self) -> str | None:
        name = self.ref.split("@", 1)[0]
        last = name.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else None

    @property
    def pinned(self) -> bool | None:
        """True: a digest or an explicit tag other than ``latest``; False: no tag or ``latest``; None: unknown."""
        if self.stage_ref or self.scratch:
            return True
        if self.unresolved:
            return None
        if self.digest:
            return True
        return self.tag is not None and self.tag.lower() != "latest"


@dataclass
class Dockerfile:
    path: str
    images: list[BaseImage] = field(default_factory=list)
    users: list[tuple[str, int]] = field(default_factory=list)  # USER of the final stage
    healthchecks: list[int] = field(default_factory=list)  # HEALTHCHECK lines of the final stage (not NONE)
    healthcheck_none: list[int] = field(default_factory=list)
    instructions: list[tuple[str, str, int]] = field(default_factory=list)  # (KEYWORD, arguments, line)

    @property
    def multi_stage(self) -> bool:
        return len(self.images) > 1

    @property
    def final_user(self) -> tuple[str, int] | None:
        return self.users[-1] if self.users else None

    @property
    def runs_as_root(self) -> bool:
        """No USER in the final stage, or the last one is root / uid 0."""
        user = self.final_user
        if user is None:
            return True
        name = user[0].split(":", 1)[0].strip().lower()
        return name in ("root", "0", "")

    def commands(self) -> list[tuple[str, int]]:
        """RUN / CMD / ENTRYPOINT arguments, with their lines."""
        return [(args, ln) for kw, args, ln in self.instructions if kw in ("RUN", "CMD", "ENTRYPOINT")]


def is_devcontainer(path: str) -> bool:
    return path.startswith(".devcontainer/") or "/.devcontainer/" in path


@memoized
def dockerfile_paths(repo: Repo) -> list[str]:
    """Dockerfiles (``Dockerfile``, ``Dockerfile.gpu``, ``api.Dockerfile``, ``Containerfile``), devcontainers
    excluded."""
    return [
        p
        for p, e in repo.entries.items()
        if _DOCKERFILE.match(e.name)
        and not e.name.lower().endswith(_NOT_DOCKERFILE)
        and not is_devcontainer(p)
    ]


@memoized
def compose_paths(repo: Repo) -> list[str]:
    return [p for p, e in repo.entries.items() if _COMPOSE.match(e.name) and not is_devcontainer(p)]


@memoized
def devcontainers(repo: Repo) -> list[str]:
    return [p for p in repo.entries if is_devcontainer(p)]


def _logical_lines(text: str) -> list[tuple[str, int]]:
    """Join continuation lines; drop comments, blank lines and parser directives. Heredoc bodies are skipped."""
    escape = "\\"
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    start = 0
    heredoc: str | None = None
    directives = True
    for number, raw in enumerate(text.splitlines(), 1):
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            continue
        stripped = raw.strip()
        if directives:
            m = re.match(r"^#\s*escape\s*=\s*(\S)", stripped, re.IGNORECASE)
            if m:
                escape = m.group(1)
                continue
            if not re.match(r"^#\s*\w+\s*=", stripped):
                directives = False
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if not buf:
            start = number
        if stripped.endswith(escape):
            buf.append(stripped[: -len(escape)])
            continue
        buf.append(stripped)
        logical = " ".join(b for b in buf if b)
        buf = []
        out.append((logical, start))
        m = re.search(r"<<-?\s*[\"']?(\w+)[\"']?", logical)
        if m and logical.split(None, 1)[0].upper() in ("RUN", "COPY", "ADD"):
            heredoc = m.group(1)
    if buf:
        out.append((" ".join(buf), start))
    return out


def parse_dockerfile(text: str, path: str = "Dockerfile") -> Dockerfile:
    info = Dockerfile(path)
    args: dict[str, str] = {}
    aliases: set[str] = set()
    for logical, line in _logical_lines(text):
        keyword, _, rest = logical.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        info.instructions.append((keyword, rest, line))
        if keyword == "ARG" and not info.images:
            name, eq, default = rest.partition("=")
            if eq:
                args[name.strip()] = default.strip().strip("\"'")
        elif keyword == "FROM":
            tokens = [t for t in rest.split() if not t.startswith("--")]
            if not tokens:
                continue
            ref = tokens[0]
            unresolved = False

            def substitute(m: re.Match[str]) -> str:
                nonlocal unresolved
                value = args.get(m.group(1)) or m.group(2)
                if not value:
                    unresolved = True
                    return m.group(0)
                return value

            ref = _VAR.sub(substitute, ref)
            alias = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
            info.images.append(BaseImage(ref, line, alias, ref.lower() in aliases, unresolved))
            if alias:
                aliases.add(alias.lower())
            info.users.clear()
            info.healthchecks.clear()
            info.healthcheck_none.clear()
        elif keyword == "USER" and rest:
            info.users.append((rest.split()[0], line))
        elif keyword == "HEALTHCHECK":
            (info.healthcheck_none if rest.upper().startswith("NONE") else info.healthchecks).append(line)
    return info


@memoized
def dockerfiles(repo: Repo) -> list[Dockerfile]:
    out = []
    for path in dockerfile_paths(repo):
        text = repo.read_text(path)
        if text is None:
            continue
        info = parse_dockerfile(text, path)
        if not info.images:
            repo.note(path, "Dockerfile without a FROM instruction")
        out.append(info)
    return out


@dataclass(frozen=True)
class ComposeService:
    name: str
    path: str
    line: int | None
    image: str | None
    build: bool
    healthcheck: bool
    user: str | None


@memoized
def compose_services(repo: Repo) -> list[ComposeService]:
    out = []
    for path in compose_paths(repo):
        data = load_yaml(repo, path)
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            continue
        for name, body in services.items():
            if not isinstance(body, dict):
                continue
            line = services.line_of(name) if isinstance(services, LineDict) else None
            image = body.get("image")
            user = body.get("user")
            out.append(
                ComposeService(
                    str(name),
                    path,
                    line,
                    str(image) if image else None,
                    "build" in body,
                    isinstance(body.get("healthcheck"), dict) and not body["healthcheck"].get("disable"),
                    str(user) if user is not None else None,
                )
            )
    return out


@memoized
def third_party_mounted_files(repo: Repo) -> dict[str, str]:
    """{repository file: compose service}: files of the tree that a compose file bind-mounts into a service run
    from a third-party image (``image: grafana/grafana``, no ``build:``), such as
    ``./src/grafana/grafana.db:/var/lib/grafana/grafana.db``: that tool's own state or configuration."""
    out: dict[str, str] = {}
    for path in compose_paths(repo):
        data = load_yaml(repo, path)
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            continue
        base = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        for name, body in services.items():
            if not isinstance(body, dict) or not body.get("image") or "build" in body:
                continue
            volumes = body.get("volumes")
            for volume in volumes if isinstance(volumes, list) else []:
                source = volume.split(":", 1)[0] if isinstance(volume, str) else None
                if isinstance(volume, dict):
                    source = volume.get("source") if volume.get("type") == "bind" else None
                if not isinstance(source, str) or not source.startswith((".", "/")) or source.startswith("/"):
                    continue
                target = posixpath.normpath(base + source)
                if target in repo.entries:
                    out[target] = str(name)
    return out


# ------------------------------------------------------------------------------------------ supporting stacks
#: Images of services a project runs beside its own code (databases, object stores, brokers, caches, search,
#: an MLflow tracking server): running them is operations, not a deliverable of the project.
_SUPPORT_IMAGE = lazyre.compile(
    r"^(?:(?:docker\.io|quay\.io|ghcr\.io|public\.ecr\.aws|mcr\.microsoft\.com)/)?(?:library/|bitnami/)?"
    r"(postgres|postgresql|mysql|mariadb|mongo|redis|valkey/valkey|memcached|minio/minio|minio/mc|rabbitmq|"
    r"zookeeper|elasticsearch|opensearchproject/opensearch|confluentinc/cp-kafka|apache/kafka|localstack/localstack|"
    r"azure-storage/azurite|fsouza/fake-gcs-server|mlflow/mlflow|pgvector/pgvector|adminer|dpage/pgadmin4)"
    r"(?:[:@]|$)",
    re.IGNORECASE,
)
_MLFLOW_SERVER = lazyre.compile(r"\bmlflow\b[\]\[\"',\s]+(server|ui)\b")


def _runs_tracking_server(df: Dockerfile) -> bool:
    """The image's final command starts an MLflow tracking server (``mlflow server`` / ``mlflow ui``)."""
    final = [args for kw, args, _ in df.instructions if kw in ("CMD", "ENTRYPOINT")]
    return bool(_MLFLOW_SERVER.search(" ".join(final[-2:])))  # ENTRYPOINT ["mlflow"] + CMD ["server"] too


def _build_dockerfile(compose_path: str, build: Any) -> str | None:
    """The repository path of the Dockerfile a compose ``build:`` entry names (context and dockerfile)."""
    context, dockerfile = (build, "Dockerfile") if isinstance(build, str) else (None, None)
    if isinstance(build, dict):
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    if not isinstance(context, str) or not isinstance(dockerfile, str) or "://" in context:
        return None
    parts = compose_path.split("/")[:-1]
    for part in f"{context}/{dockerfile}".split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


@memoized
def supporting_stacks(repo: Repo) -> list[str]:
    """Compose files that only run supporting services (:data:`_SUPPORT_IMAGE`, or an image built from a
    Dockerfile that starts an MLflow tracking server), with those Dockerfiles: a tracking server or a local
    database stack, which the project uses but does not deliver."""
    dockerfiles_by_path = {df.path: df for df in dockerfiles(repo)}
    out: list[str] = []
    for path in compose_paths(repo):
        data = load_yaml(repo, path)
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict) or not services:
            continue
        built: list[str] = []
        for body in services.values():
            if not isinstance(body, dict):
                break
            if "build" in body:
                target = _build_dockerfile(path, body["build"])
                df = dockerfiles_by_path.get(target or "")
                if df is None or not _runs_tracking_server(df):
                    break
                built.append(df.path)
            elif not (isinstance(body.get("image"), str) and _SUPPORT_IMAGE.match(body["image"])):
                break
        else:
            out += [path, *built]
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------------------------------ infrastructure
#: Kubernetes kinds that run a workload (and so can carry probes).
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet", "Rollout"}
#: Kinds that deploy a model or a service without a plain workload.
SERVING_KINDS = {"InferenceService", "ServingRuntime", "SeldonDeployment", "Service", "RayService", "Knative"}


@dataclass(frozen=True)
class Manifest:
    path: str
    line: int | None
    kind: str
    tool: str  # kubernetes, helm, kustomize, terraform, compose, serverless, sam, cloudformation, pulumi, ...
    probes: tuple[int, ...] = ()  # lines of liveness/readiness/startup probes


def _k8s_docs(repo: Repo, path: str) -> list[Any]:
    if not repo.contains(path, b"apiVersion", b"kind:"):
        return []
    docs = load_yaml(repo, path, all_docs=True) or []
    return [d for d in docs if isinstance(d, dict) and "apiVersion" in d and "kind" in d]


def _probe_lines(node: Any, out: list[int], depth: int = 0) -> None:
    if depth > 12:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("livenessProbe", "readinessProbe", "startupProbe") and isinstance(node, LineDict):
                out.append(node.line_of(key) or 0)
            _probe_lines(value, out, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _probe_lines(item, out, depth + 1)


_AZUREML_DEPLOYMENT = lazyre.compile(
    r"azuremlschemas\.azureedge\.net/.*(OnlineDeployment|batchDeployment)\.schema\.json"
)
_SKIP_YAML_DIRS = (".github/", ".gitlab/", ".circleci/", "node_modules/", ".pre-commit")


@memoized
def manifests(repo: Repo) -> list[Manifest]:
    """Infrastructure / deployment descriptors found in the tree (devcontainers and CI workflows excluded)."""
    out: list[Manifest] = []
    for path, entry in repo.entries.items():
        name = entry.name.lower()
        if is_devcontainer(path) or path.startswith(_SKIP_YAML_DIRS):
            continue
        if name == "chart.yaml":
            out.append(Manifest(path, None, "Chart", "helm"))
        elif name in ("kustomization.yaml", "kustomization.yml"):
            out.append(Manifest(path, None, "Kustomization", "kustomize"))
        elif name.endswith((".tf", ".tf.json")):
            out.append(Manifest(path, None, "terraform", "terraform"))
        elif name in ("pulumi.yaml", "pulumi.yml"):
            out.append(Manifest(path, None, "pulumi", "pulumi"))
        elif name == "cdk.json":
            out.append(Manifest(path, None, "cdk", "cdk"))
        elif name in ("serverless.yml", "serverless.yaml"):
            out.append(Manifest(path, None, "serverless", "serverless"))
        elif name in ("skaffold.yaml", "skaffold.yml"):
            out.append(Manifest(path, None, "skaffold", "skaffold"))
        elif name in (
            "fly.toml",
            "app.yaml",
            "app.yml",
            "render.yaml",
            "railway.json",
            "procfile",
            "vercel.json",
        ):
            out.append(Manifest(path, None, "paas", "paas"))
        elif name == "heroku.yml":  # how Heroku builds and runs the app; the platform is no code of the repo
            out.append(Manifest(path, None, "heroku", "heroku"))
        elif _COMPOSE.match(entry.name):
            out.append(Manifest(path, None, "compose", "compose"))
        elif name.endswith((".yaml", ".yml")) and "/templates/" not in f"/{path}":
            if repo.contains(path, b"AWSTemplateFormatVersion", b"AWS::Serverless"):
                tool = "sam" if repo.contains(path, b"AWS::Serverless") else "cloudformation"
                out.append(Manifest(path, None, tool, tool))
                continue
            if repo.contains(path, b"Deployment.schema.json"):  # an Azure ML online / batch deployment
                data = load_yaml(repo, path)
                schema = data.get("$schema") if isinstance(data, dict) else None
                if isinstance(schema, str) and _AZUREML_DEPLOYMENT.search(schema):
                    aml_kind = schema.rsplit("/", 1)[-1].split(".", 1)[0]
                    out.append(Manifest(path, line_of(data, "$schema"), aml_kind, "azureml"))
                    continue
            for doc in _k8s_docs(repo, path):
                probes: list[int] = []
                _probe_lines(doc, probes)
                line = doc.line if isinstance(doc, LineDict) else None
                out.append(Manifest(path, line, str(doc.get("kind")), "kubernetes", tuple(probes)))
        elif "/templates/" in f"/{path}" and name.endswith((".yaml", ".yml", ".tpl")):
            # Helm templates are not valid YAML before rendering: look for probes in the bytes
            data = repo.read_text(path) or ""
            kind = re.search(r"^kind:\s*(\w+)", data, re.MULTILINE)
            if kind:
                helm_probes = tuple(
                    i
                    for i, text in enumerate(data.splitlines(), 1)
                    if re.search(r"(liveness|readiness|startup)Probe:", text)
                )
                out.append(Manifest(path, None, kind.group(1), "helm", helm_probes))
    return out


# ------------------------------------------------------------------------------------------ report
@report_fact("containerized")
def containerized_fact(repo: Repo) -> FactValue:
    from .cloudml import component_images

    images = [(p, line) for p, line, _ in component_images(repo)[:2]]
    return FactValue.of([*dockerfile_paths(repo)[:3], *compose_paths(repo)[:2], *images])


@inventory("containers")
def containers_inventory(repo: Repo) -> list[str]:
    tools = []
    if dockerfile_paths(repo):
        tools.append("docker")
    if compose_paths(repo):
        tools.append("docker-compose")
    if devcontainers(repo):
        tools.append("devcontainer")
    for tool in sorted({m.tool for m in manifests(repo)} - {"compose"}):
        tools.append(tool)
    return tools

"""DEP: orchestration and deployment — serving code, containers, infrastructure as code, model references.

Deployment automation through CI (a workflow that deploys) is checked by the CI family; the checks here look
only at what can be deployed and how it is described (containers, manifests, IaC).
"""

from __future__ import annotations

from ..facts import cloudml, docker, serving
from ..model import Evidence, Result, Severity
from ..repo import Repo
from .base import check

_SERVICE = ("service",)
_DEPLOYABLE = ("pipeline", "service")


@check(
    "DEP001",
    Severity.WARNING,
    "The model is served by an online endpoint",
    fix_hint="add a FastAPI (or BentoML, Ray Serve, KServe) app that loads the model and exposes /predict",
    level=2,
    profiles=_SERVICE,
)
def serving_code(repo: Repo) -> Result:
    """The repository contains an online serving entry point: FastAPI / Flask / Starlette app, LitServe, Ray
    Serve deployment, BentoML service, TorchServe handler, KServe model or InferenceService, Triton model
    repository, AWS Lambda / SageMaker handler, or ``mlflow models serve``.

    Why it matters: a service-profile project delivers predictions to other systems; the code that does it
    must be versioned, tested and deployed with the model. Gradio and Streamlit apps are demos, not APIs.

    When it applies: a repository that shows it means to serve — serving or demo code, a declared serving
    framework (FastAPI, Flask, uvicorn, BentoML, KServe...), a service manifest (Kubernetes Deployment /
    Service, InferenceService, Knative, PaaS, Serverless) or a Dockerfile with an ``EXPOSE`` instruction. A batch
    project with none of these (it trains, then predicts in batch) is not expected to serve: not applicable.
    Choose ``profile = "service"`` to hold every repository to the serving checks.

    How to fix: expose the model behind an API (FastAPI, BentoML, Ray Serve, KServe...) that loads it from
    the registry; a Gradio or Streamlit demo alone earns partial credit.

    Example (``src/churn/serve.py``)::

        import mlflow
        import pandas as pd
        from fastapi import FastAPI

        app = FastAPI()
        model = mlflow.pyfunc.load_model("models:/churn@champion")

        @app.post("/predict")
        def predict(rows: list[Row]) -> list[float]:
            return model.predict(pd.DataFrame([r.model_dump() for r in rows])).tolist()
    """
    entries = serving.online_entries(repo)
    if entries:
        names = ", ".join(dict.fromkeys(e.framework for e in entries))
        return Result.passed(
            f"serving with {names}", [Evidence(e.path, e.line, e.framework) for e in entries[:4]]
        )
    demos = [e for e in serving.serving_entries(repo) if e.demo]
    if demos:
        return Result.failed(
            "only a demo app (gradio / streamlit), no serving API",
            [Evidence(e.path, e.line, e.framework) for e in demos[:3]],
            credit=0.3,
        )
    signals = serving.service_signals(repo)
    if not signals:
        return Result.not_applicable(
            "batch project: no serving code, serving framework, service manifest or exposed container port"
        )
    return Result.failed(
        "a service is declared but no serving entry point was found",
        [Evidence(p, line, what) for p, line, what in signals[:4]],
    )


#: deployables that are a managed platform's endpoint (its prebuilt serving image), and cloud IaC beside them
_MANAGED_SERVING = ("-endpoint serving", "watson-deployment serving")
_CLOUD_IAC = ("terraform ", "pulumi ", "cdk ", "cloudformation ")


@check(
    "DEP002",
    Severity.WARNING,
    "The project is containerised",
    fix="dockerfile",
    fix_hint="add a Dockerfile that installs the locked dependencies and runs the pipeline or the service",
    level=1,
    profiles=_DEPLOYABLE,
)
def containerised(repo: Repo) -> Result:
    """A ``Dockerfile`` (or ``Containerfile``, ``*.Dockerfile``) or a compose file builds the project's image.
    Pipeline components that declare the image they run in (Kubeflow / Vertex AI
    ``@component(base_image="python:3.11")``, a container spec's ``image``) count too: the image is defined in
    code. A ``.devcontainer/`` alone is a development environment, not a deployable artefact.

    Why it matters: the container is the unit that runs the same way on a laptop, in CI, in the training
    cluster and in production — it pins the OS, system libraries and Python.

    When it applies: when something is deployed as an image — serving or demo code, a declared serving
    framework, Kubernetes / Helm / Kustomize / compose / PaaS / Serverless / Terraform manifests, or a pipeline
    for a container-based orchestrator (Kubeflow, Vertex AI, SageMaker, Flyte). A batch project that runs its
    steps from its locked environment (REP002, REP005) on a laptop or a CI runner deploys no image: not
    applicable; so is a model deployed only to a managed endpoint (SageMaker, Vertex AI, Azure ML, Watson)
    from the platform's prebuilt serving image, with at most cloud infrastructure code beside it.

    How to fix: add a ``Dockerfile`` that installs the locked dependencies and runs the service or the
    pipeline; ``mlops-audit fix --select DEP002`` renders the template's multi-stage Dockerfile. A
    devcontainer alone earns little credit.

    Example (``Dockerfile``)::

        FROM python:3.12-slim AS build
        COPY requirements.lock .
        RUN pip wheel --wheel-dir /wheels -r requirements.lock
        FROM python:3.12-slim
        COPY --from=build /wheels /wheels
        RUN pip install --no-index /wheels/* && useradd --create-home app
        COPY src/ /app/src/
        USER app
        HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
        CMD ["python", "-m", "churn.serve"]
    """
    found = docker.dockerfile_paths(repo) + docker.compose_paths(repo)
    if found:
        return Result.passed("container definition found", found[:3])
    images = cloudml.component_images(repo)
    if images:
        return Result.passed(
            "the pipeline components run in container images they declare (base_image / image)",
            [Evidence(p, line, f"image {image}") for p, line, image in images[:3]],
        )
    deployed = serving.deployables(repo)
    if not deployed:
        return Result.not_applicable(
            "nothing is deployed as an image (no serving code, deployment manifest or container orchestrator)"
        )
    managed = [d for d in deployed if d[2].endswith(_MANAGED_SERVING)]
    if managed and all(d in managed or d[2].startswith(_CLOUD_IAC) for d in deployed):
        return Result.not_applicable(
            f"the model is deployed to a managed endpoint ({managed[0][2]}) that runs the platform's serving"
            f" image: no image of the project ({managed[0][0]})"
        )
    dev = docker.devcontainers(repo)
    if dev:
        return Result.failed(
            "only a devcontainer: no Dockerfile for the deployable image",
            [Evidence(dev[0], None, "development container only")],
            credit=0.2,
        )
    return Result.failed(
        "no Dockerfile or compose file", [Evidence(p, line, what) for p, line, what in deployed[:4]]
    )


def _has_probes(repo: Repo) -> list[Evidence]:
    out = [Evidence(m.path, m.probes[0], f"{m.kind} probes") for m in docker.manifests(repo) if m.probes]
    out += [
        Evidence(s.path, s.line, f"compose healthcheck for {s.name}")
        for s in docker.compose_services(repo)
        if s.healthcheck
    ]
    return out


@check(
    "DEP003",
    Severity.WARNING,
    "Container images follow production hygiene",
    fix="dockerfile",
    fix_hint="pin the base image (tag + digest), add USER non-root, HEALTHCHECK, and a multi-stage build",
    level=0,
    profiles=_DEPLOYABLE,
)
def container_hygiene(repo: Repo) -> Result:
    """Each Dockerfile pins its base image (an explicit tag other than ``latest``, ideally ``@sha256:``
    digest), runs as a non-root ``USER``, declares a ``HEALTHCHECK`` (or the Kubernetes manifests / compose
    file declare probes), and uses a multi-stage build. Partial credit per item.

    Why it matters: ``FROM python`` changes under you (irreproducible builds, surprise CVEs); root in the
    container turns an exploit into a host compromise; without health checks the orchestrator routes traffic
    to a dead model; single-stage images ship compilers and caches to production.

    How to fix: pin the base image (``python:3.12-slim``, better with its ``@sha256:`` digest), create and
    switch to an unprivileged user, add a ``HEALTHCHECK`` (or liveness / readiness probes in the Kubernetes
    manifests, a compose ``healthcheck:``), and build in one stage, run from a slim second one
    (``mlops-audit fix --select DEP003`` renders the template's Dockerfile).

    Example (``Dockerfile``)::

        FROM python:3.12-slim@sha256:<digest> AS build
        RUN pip wheel --wheel-dir /wheels -r requirements.lock
        FROM python:3.12-slim@sha256:<digest>
        COPY --from=build /wheels /wheels
        RUN pip install --no-index /wheels/* && useradd -r app
        USER app
        HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
    """
    files = docker.dockerfiles(repo)
    if not files:
        return Result.not_applicable("no Dockerfile")
    probes = _has_probes(repo)
    scores: list[float] = []
    problems: list[Evidence] = []
    good: list[Evidence] = []
    digests = True
    for df in files:
        external = [i for i in df.images if not i.stage_ref and not i.scratch]
        unpinned = [i for i in external if i.pinned is False]
        digests = digests and all(i.digest for i in external if i.pinned)
        items = 0
        if df.images and not unpinned:
            items += 1
            good += [Evidence(df.path, i.line, f"base image {i.ref}") for i in external[:1]]
        problems += [Evidence(df.path, i.line, f"unpinned base image {i.ref}") for i in unpinned]
        user = df.final_user
        if not df.runs_as_root:
            items += 1
            good.append(Evidence(df.path, user[1] if user else None, f"USER {user[0] if user else ''}"))
        else:
            line = user[1] if user else (df.images[-1].line if df.images else None)
            problems.append(Evidence(df.path, line, "runs as root" if user else "no USER: runs as root"))
        if df.healthchecks:
            items += 1
            good.append(Evidence(df.path, df.healthchecks[-1], "HEALTHCHECK"))
        elif probes:
            items += 1
        else:
            problems.append(Evidence(df.path, df.images[-1].line if df.images else None, "no HEALTHCHECK"))
        if df.multi_stage:
            items += 1
            good.append(Evidence(df.path, df.images[-1].line, f"{len(df.images)} stages"))
        else:
            problems.append(Evidence(df.path, df.images[0].line if df.images else None, "single-stage build"))
        scores.append(items / 4)
    credit = sum(scores) / len(scores)
    if not problems:
        note = "" if digests else " (pin base images by digest for fully reproducible builds)"
        return Result.passed(
            f"{len(files)} Dockerfile(s): pinned, non-root, health-checked, multi-stage{note}",
            (good + probes)[:6],
        )
    return Result.failed(f"{len(problems)} container hygiene issue(s)", problems[:10], credit=credit)


_IAC_TOOLS = (
    "terraform",
    "pulumi",
    "cdk",
    "cloudformation",
    "sam",
    "serverless",
    "kubernetes",
    "helm",
    "kustomize",
    "compose",
    "skaffold",
    "paas",
)


@check(
    "DEP004",
    Severity.INFO,
    "Infrastructure is described as code",
    fix_hint="describe the runtime in k8s manifests / Helm / Kustomize, Terraform, or a compose file",
    level=2,
    profiles=_SERVICE,
)
def infrastructure_as_code(repo: Repo) -> Result:
    """The infrastructure the model runs on is versioned as code: Kubernetes manifests, Helm charts, Kustomize
    overlays, Terraform / Pulumi / CDK / CloudFormation, Serverless / SAM, compose files.

    Why it matters: infrastructure created by clicking in a console cannot be reviewed, reproduced, rolled
    back or recreated in another region or environment.

    How to fix: describe at least the serving runtime, e.g. ``deploy/k8s/deployment.yaml`` + ``service.yaml``
    with Kustomize overlays per environment, or Terraform for the cloud resources.

    Example (``deploy/k8s/deployment.yaml``)::

        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: churn-api}
        spec:
          replicas: 2
          selector: {matchLabels: {app: churn-api}}
          template:
            metadata: {labels: {app: churn-api}}
            spec:
              containers:
                - name: api
                  image: ghcr.io/acme/churn-api:1.4.0
                  ports: [{containerPort: 8000}]
    """
    found = [m for m in docker.manifests(repo) if m.tool in _IAC_TOOLS]
    if found:
        tools = ", ".join(dict.fromkeys(m.tool for m in found))
        return Result.passed(
            f"infrastructure as code: {tools}", [Evidence(m.path, m.line, m.kind) for m in found[:4]]
        )
    if not serving.online_entries(repo) and not docker.dockerfile_paths(repo):
        return Result.not_applicable("nothing to deploy (no serving code or container)")
    where = (docker.dockerfile_paths(repo) + serving.serving_modules(repo))[:2]
    return Result.failed("no infrastructure-as-code files", where)


_DEPLOY_KINDS = docker.WORKLOAD_KINDS | docker.SERVING_KINDS


@check(
    "DEP005",
    Severity.INFO,
    "The service has a deployment manifest",
    fix_hint="add a Kubernetes Deployment / KServe InferenceService, a Helm chart or a serverless config",
    level=2,
    profiles=_SERVICE,
)
def deployment_manifest(repo: Repo) -> Result:
    """A versioned manifest says how the serving code runs: a Kubernetes workload, KServe ``InferenceService``,
    Seldon deployment, Helm chart, Serverless / SAM function, a PaaS descriptor (``fly.toml``, ``app.yaml``,
    ``render.yaml``, ``Procfile``, ``heroku.yml``), an Azure ML online or batch deployment, a compose service
    built from the repository, or Terraform that declares the workload itself (a Lambda function, a SageMaker
    endpoint, a Cloud Run service, an ECS service...).

    Why it matters: a declared deployment is what automation (CI/CD, GitOps) applies; without it each release is
    a manual, unreviewed procedure. The CI family checks that a pipeline actually deploys it.

    How to fix: add a manifest for the platform the service runs on — a Kubernetes ``Deployment``, a KServe
    ``InferenceService``, a Helm chart, ``serverless.yml``, ``fly.toml``... Terraform alone (cloud resources
    without the workload) earns half the credit.

    Example (``deploy/inference-service.yaml``)::

        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: churn}
        spec: {predictor: {model: {modelFormat: {name: mlflow}, storageUri: "s3://models/churn/3"}}}
    """
    if not serving.online_entries(repo):
        return Result.not_applicable("no serving code")
    manifests = docker.manifests(repo)
    deploys = [
        m
        for m in manifests
        if m.kind in _DEPLOY_KINDS
        or m.tool in ("helm", "serverless", "sam", "paas", "skaffold", "azureml", "heroku")
    ]
    deploys += [
        docker.Manifest(s.path, s.line, "compose service", "compose")
        for s in docker.compose_services(repo)
        if s.build
    ]
    deploys += [docker.Manifest(r.path, r.line, r.type, "terraform") for r in cloudml.workloads(repo)]
    if deploys:
        return Result.passed(
            "deployment manifest found", [Evidence(m.path, m.line, m.kind) for m in deploys[:4]]
        )
    infra = [m for m in manifests if m.tool in ("terraform", "pulumi", "cdk", "cloudformation")]
    if infra:
        return Result.failed(
            "infrastructure code exists but no manifest deploys the service",
            [Evidence(m.path) for m in infra[:2]],
            credit=0.5,
        )
    return Result.failed("no deployment manifest for the serving code", serving.serving_modules(repo)[:2])


@check(
    "DEP006",
    Severity.WARNING,
    "Serving loads the model by registry version or alias",
    fix_hint='load "models:/<name>@champion" (or a pinned version) instead of a local model file',
    level=2,
    profiles=_SERVICE,
)
def model_by_version(repo: Repo) -> Result:
    """The serving code refers to the model through a registry, by version or alias
    (``models:/churn@champion``, ``models:/churn/3``, a W&B ``:v3`` artifact, a BentoML tag, a Hugging Face
    ``revision=``), not through a local file literal such as ``"model.pkl"``. A URI built by an f-string counts by
    its shape: ``f"models:/{name}@{alias}"`` is an alias, ``f"models:/{name}/{version}"`` a version. A default
    registry reference passes even when an environment variable may override it
    (``os.environ.get("MODEL_URI") or f"models:/{name}@champion"``). The serving modules are read with the
    local modules they import, two levels down (a route calling a pipeline calling a loader). A setting read
    from the environment
    (``os``, python-decouple, environs, pydantic-settings, Starlette ``Config``) is judged by the value a
    committed ``.env`` / ``.env.example`` gives it, and a command-line server (``mlflow models serve -m ...`` in
    a compose file, Dockerfile or script) by the URI it serves: a run's artifact (``runs:/<id>/model``) is no
    registered version.

    Why it matters: a registry reference says exactly which trained model is live, lets you promote or roll back
    by moving an alias, and links the prediction service to the model's lineage. A file baked next to the code
    has no version, and ``latest`` changes without a release.

    How to fix: load ``models:/<name>@<alias>`` (or a pinned ``models:/<name>/<version>``) and promote by
    moving the alias; a bare ``models:/<name>/latest`` or a registry name without version earns partial
    credit.

    Example::

        MODEL_URI = os.environ.get("MODEL_URI", "models:/churn@champion")
        model = mlflow.pyfunc.load_model(MODEL_URI)
    """
    paths = serving.serving_modules(repo)
    cli = serving.cli_model_references(repo)
    if not paths and not cli:
        return Result.not_applicable("no Python serving code")
    scope = list(paths)
    frontier = list(paths)
    for _ in range(2):  # the service's own modules, and the modules they import (a loader behind a pipeline)
        frontier = [t for p in frontier for t, _ in serving.local_imports(repo, p) if t not in scope]
        scope += list(dict.fromkeys(frontier))
    refs = serving.model_references(repo, scope) + cli
    pinned = [r for r in refs if r.kind in ("registry-version", "registry-alias")]
    local = [r for r in refs if r.kind == "local-path"]
    latest = [r for r in refs if r.kind == "registry-latest"]
    runs = [r for r in refs if r.kind == "run"]
    if pinned:
        return Result.passed(
            "model referenced by registry version or alias",
            [Evidence(r.path, r.line, r.value) for r in pinned[:3]],
        )
    if local:
        return Result.failed(
            "serving loads a local model file",
            [Evidence(r.path, r.line, r.value) for r in local[:4]],
            credit=0.0,
        )
    if runs:
        return Result.failed(
            "serving loads a training run's artifact (runs:/...), not a registered version or alias",
            [Evidence(r.path, r.line, r.value) for r in runs[:3]],
            credit=0.3,
        )
    if latest:
        return Result.failed(
            "model referenced by registry name without a pinned version or alias",
            [Evidence(r.path, r.line, r.value) for r in latest[:3]],
            credit=0.6,
        )
    env = [r for r in refs if r.kind == "environment"]
    if env:
        return Result.not_applicable(
            f"the model location comes from the environment ({env[0].value}); set it to a registry alias"
        )
    return Result.not_applicable("no model reference found in the serving code")

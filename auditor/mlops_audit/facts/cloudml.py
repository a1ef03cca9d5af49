"""Cloud ML platforms and workloads declared as infrastructure code (Terraform), credited as the equivalents they
are of the in-code tools the checks know: a SageMaker pipeline resource is a pipeline definition, a
``RegisterModel`` step of a pipeline definition registers models in the SageMaker model registry, a Lambda /
SageMaker endpoint / Cloud Run service declares the serving workload, and a Cloud Scheduler job or an
EventBridge schedule that starts a pipeline is a training schedule.

Terraform is read with regular expressions (HCL is not parsed): ``resource "TYPE" "NAME" {`` opens a block that
ends at the next top-level block. A resource only counts for what its type says; a schedule counts only when
its block names the pipeline or training run it starts. Nothing is executed, nothing fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lazyre
from ..repo import Repo, memoized
from .python import modules_containing, prefilter

_RESOURCE = lazyre.compile(r'^[ \t]*resource[ \t]+"([\w-]+)"[ \t]+"([\w-]+)"', re.MULTILINE)
_TOP_BLOCK = lazyre.compile(
    r"^(resource|data|module|variable|output|locals|provider|terraform)\b", re.MULTILINE
)
_MAX_TF = 1_000_000


@dataclass(frozen=True)
class TfResource:
    """A Terraform resource block: where, its type and name, and its text."""

    path: str
    line: int
    type: str
    name: str
    body: str


def terraform_files(repo: Repo) -> list[str]:
    return sorted(
        p
        for p, e in repo.entries.items()
        if e.name.endswith(".tf") and repo.smaller_than(p, _MAX_TF) and "/.terraform/" not in f"/{p}"
    )


@memoized
def terraform_resources(repo: Repo) -> list[TfResource]:
    """Every ``resource`` block of the repository's ``.tf`` files (``.terraform/`` module caches skipped)."""
    out: list[TfResource] = []
    for path in terraform_files(repo):
        text = repo.read_text(path) or ""
        for m in _RESOURCE.finditer(text):
            nxt = _TOP_BLOCK.search(text, m.end())
            body = text[m.start() : nxt.start() if nxt else len(text)]
            out.append(TfResource(path, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2), body))
    return out


def resources_of(repo: Repo, *types: str) -> list[TfResource]:
    return [r for r in terraform_resources(repo) if r.type in types]


# ------------------------------------------------------------------------------------------------ pipelines
#: Managed ML pipelines declared as resources.
PIPELINE_RESOURCES = ("aws_sagemaker_pipeline",)


def declared_pipelines(repo: Repo) -> list[TfResource]:
    """Managed ML pipelines declared in Terraform (``aws_sagemaker_pipeline``)."""
    return resources_of(repo, *PIPELINE_RESOURCES)


# ------------------------------------------------------------------------------------------------ registry
#: a pipeline step that registers the model in the SageMaker model registry, in HCL or JSON
_REGISTER_STEP = lazyre.compile(r"""["']?Type["']?\s*[:=]\s*["']RegisterModel["']""")


def registry_declarations(repo: Repo) -> list[tuple[str, int, str]]:
    """Models registered by declared infrastructure: a ``RegisterModel`` step of a SageMaker pipeline
    definition (Terraform or JSON), or an ``aws_sagemaker_model_package`` resource: ``(path, line, what)``."""
    out: list[tuple[str, int, str]] = []
    for res in declared_pipelines(repo):
        m = _REGISTER_STEP.search(res.body)
        if m:
            out.append(
                (res.path, res.line + res.body.count("\n", 0, m.start()), "SageMaker RegisterModel step")
            )
    out += [(r.path, r.line, r.type) for r in resources_of(repo, "aws_sagemaker_model_package")]
    candidates = [
        p for p, e in repo.entries.items() if e.name.endswith(".json") and repo.smaller_than(p, _MAX_TF)
    ]
    for path in repo.grep(candidates, b"RegisterModel"):
        text = repo.read_text(path) or ""
        m = _REGISTER_STEP.search(text)
        if m and '"Steps"' in text:
            out.append((path, text.count("\n", 0, m.start()) + 1, "SageMaker RegisterModel step"))
    return out


# ------------------------------------------------------------------------------------------------ serving
#: Resources that run a workload: a function, a container service, a model endpoint, a Kubernetes deployment.
WORKLOAD_RESOURCES = frozenset(
    {
        "aws_lambda_function", "aws_sagemaker_endpoint", "aws_ecs_service", "aws_apprunner_service",
        "aws_elastic_beanstalk_environment", "google_cloud_run_service", "google_cloud_run_v2_service",
        "google_cloudfunctions_function", "google_cloudfunctions2_function", "google_app_engine_standard_app_version",
        "google_app_engine_flexible_app_version", "azurerm_container_app", "azurerm_linux_web_app",
        "azurerm_linux_function_app", "azurerm_container_group", "kubernetes_deployment",
        "kubernetes_deployment_v1", "helm_release",
    }
)  # fmt: skip


def workloads(repo: Repo) -> list[TfResource]:
    """Terraform resources that declare a running workload (see :data:`WORKLOAD_RESOURCES`)."""
    return [r for r in terraform_resources(repo) if r.type in WORKLOAD_RESOURCES]


# ------------------------------------------------------------------------------------------------ schedules
#: Cloud schedulers: Cloud Scheduler jobs, EventBridge Scheduler schedules and scheduled EventBridge rules.
SCHEDULE_RESOURCES = ("google_cloud_scheduler_job", "aws_scheduler_schedule", "aws_cloudwatch_event_rule")
_SCHEDULE = lazyre.compile(r"^\s*(schedule|schedule_expression)\s*=", re.MULTILINE)
_STARTS_TRAINING = lazyre.compile(r"pipeline|train", re.IGNORECASE)


def schedules(repo: Repo) -> list[TfResource]:
    """Cloud schedules that start a pipeline or a training run: a scheduler resource with a schedule whose
    block (name, target, attributes) names a pipeline or training."""
    targets = resources_of(repo, "aws_cloudwatch_event_target", "aws_scheduler_schedule")
    out = []
    for r in resources_of(repo, *SCHEDULE_RESOURCES):
        if not _SCHEDULE.search(r.body):
            continue
        ref = f"{r.type}.{r.name}"
        if _STARTS_TRAINING.search(r.body) or any(
            ref in t.body and _STARTS_TRAINING.search(t.body) for t in targets
        ):  # the rule itself, or the EventBridge target attached to it, names the pipeline it starts
            out.append(r)
    return out


# ------------------------------------------------------------------------------------------------ images
#: Calls that run a pipeline step in a declared container image, with the argument that names the image.
_CONTAINER_SPEC_NEEDLES = prefilter(b"base_image", b"ContainerSpec", b"ContainerOp")
_IMAGE_CALLS = (
    ("kfp", frozenset({"component", "create_component_from_func", "func_to_container_op"}), "base_image"),
    ("kfp", frozenset({"ContainerSpec", "ContainerOp"}), "image"),
)


@memoized
def component_images(repo: Repo) -> list[tuple[str, int, str]]:
    """Pipeline steps that run in a container image the code declares: Kubeflow / Vertex AI Pipelines
    components with ``base_image=`` (``@component(base_image="python:3.11", packages_to_install=[...])``) or a
    container spec with ``image=``: ``(path, line, image)``. Test files do not count."""
    out: list[tuple[str, int, str]] = []
    for mod in modules_containing(repo, *_CONTAINER_SPEC_NEEDLES):
        if re.search(r"(^|/)(tests?/|test_)", mod.path):
            continue
        for call in mod.calls:
            for root, attrs, key in _IMAGE_CALLS:
                if call.name.startswith(root + ".") and call.attr in attrs and key in call.kwargs:
                    value = call.kwargs[key]
                    out.append((mod.path, call.line, value if isinstance(value, str) else "image"))
    return out

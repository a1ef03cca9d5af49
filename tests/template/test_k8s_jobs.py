"""The training Jobs of the generated project (deploy/k8s/jobs/) are valid Kubernetes objects, checked offline.

Validation: the Kubernetes OpenAPI schemas vendored by the `kubernetes-validate` package (strict: an unknown
field fails), plus the structure that ties each Job to its `configs/resources/` file: the command trains with
those resources, and the container reserves exactly their CPUs and GPUs."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from tests.helpers.template import render

JOBS = {"train.yaml": "local", "train-gpu.yaml": "gpu"}


@pytest.fixture(scope="module")
def project(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(template_repo, tmp_path_factory.mktemp("k8s-jobs") / "project")


def test_the_jobs_are_the_ones_documented(project: Path) -> None:
    assert {p.name for p in (project / "deploy" / "k8s" / "jobs").iterdir()} == set(JOBS)
    assert {p.stem for p in (project / "configs" / "resources").glob("*.yaml")} == set(JOBS.values())


@pytest.mark.parametrize(("name", "resources"), sorted(JOBS.items()))
def test_training_job_is_valid_and_reserves_its_resources(project: Path, name: str, resources: str) -> None:
    job = yaml.safe_load((project / "deploy" / "k8s" / "jobs" / name).read_text())
    kubernetes_validate.validate(job, latest_version(), strict=True)
    assert job["kind"] == "Job" and job["apiVersion"] == "batch/v1"
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    command = container["command"]
    assert command[:3] == ["python", "-m", "my_ml_project.train"]
    assert f"resources={resources}" in command
    config = yaml.safe_load((project / "configs" / "resources" / f"{resources}.yaml").read_text())
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert int(requests["cpu"]) == config["cpus"]
    assert int(limits.get("nvidia.com/gpu", 0)) == config["gpus"]
    assert (config["device"] == "cuda") == (config["gpus"] > 0)
    secret = {e["name"]: e for e in container["env"]}["MLFLOW_TRACKING_URI"]["valueFrom"]["secretKeyRef"]
    assert secret["name"] == "my-ml-project-mlflow"
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/app/data", "/app/artifacts", "/tmp"} <= mounts


def test_the_image_has_what_training_reads(project: Path) -> None:
    """Training in the image hashes uv.lock and reads the configs and the data contract."""
    runtime = (project / "Dockerfile").read_text().split(" AS runtime", 1)[1]
    for needed in ("uv.lock", "configs", "gx/expectations"):
        assert f"COPY --chown=10001:10001 {needed}" in runtime

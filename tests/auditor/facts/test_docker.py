"""Container and infrastructure facts."""

from __future__ import annotations

from mlops_audit.facts import docker
from mlops_audit.repo import Repo

GOOD = """# syntax=docker/dockerfile:1
ARG PY=3.12
FROM python:${PY}-slim@sha256:abc AS build
RUN pip wheel \\
    --wheel-dir /w .
FROM python:${PY}-slim
COPY --from=build /w /w
USER app
HEALTHCHECK CMD curl -f http://localhost/health || exit 1
"""


def test_parse_dockerfile_stages_user_healthcheck():
    info = docker.parse_dockerfile(GOOD)
    assert [i.ref for i in info.images] == ["python:3.12-slim@sha256:abc", "python:3.12-slim"]
    assert info.images[0].alias == "build" and info.images[0].digest == "sha256:abc"
    assert info.images[1].tag == "3.12-slim" and info.images[1].pinned
    assert info.multi_stage and not info.runs_as_root
    assert info.final_user == ("app", 8) and info.healthchecks == [9]


def test_unpinned_root_single_stage():
    info = docker.parse_dockerfile("FROM python\nRUN pip install x\nUSER root\nHEALTHCHECK NONE\n")
    assert info.images[0].pinned is False and info.runs_as_root and not info.multi_stage
    assert info.healthchecks == [] and info.healthcheck_none == [4]
    assert docker.parse_dockerfile("FROM python:latest\n").images[0].pinned is False
    assert docker.parse_dockerfile("FROM registry:5000/team/img\n").images[0].pinned is False
    assert docker.parse_dockerfile("FROM registry:5000/team/img:1.2\n").images[0].pinned is True
    assert docker.parse_dockerfile("FROM img:${TAG}\n").images[0].pinned is None


def test_stage_reference_is_not_an_external_image():
    info = docker.parse_dockerfile("FROM python:3.12 AS base\nFROM base\n")
    assert info.images[1].stage_ref and info.images[1].pinned


def test_dockerfile_names_and_devcontainer_alone_is_not_a_container(make_repo):
    repo = Repo(
        make_repo(
            {
                "api.Dockerfile": "FROM python:3.12\n",
                "docker/Dockerfile.gpu": "FROM nvidia/cuda:12.1.0-base-ubuntu22.04\n",
                ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/devcontainers/python:3.12\n",
                "docs/dockerfile-guide.md": "text\n",
            }
        )
    )
    assert docker.dockerfile_paths(repo) == ["api.Dockerfile", "docker/Dockerfile.gpu"]
    only_dev = Repo(
        make_repo({".devcontainer/devcontainer.json": "{}", ".devcontainer/Dockerfile": "FROM x:1\n"})
    )
    assert docker.containerized_fact(only_dev).value is False
    assert docker.containers_inventory(only_dev) == ["devcontainer"]
    assert docker.containerized_fact(repo).value is True


def test_compose_and_manifests(make_repo):
    repo = Repo(
        make_repo(
            {
                "compose.yaml": "services:\n  api:\n    build: .\n    healthcheck:\n      test: [CMD, true]\n",
                "deploy/k8s/deployment.yaml": (
                    "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
                    "        - name: api\n          readinessProbe:\n            httpGet: {path: /health}\n"
                    "---\napiVersion: v1\nkind: Service\n"
                ),
                "infra/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
                "chart/Chart.yaml": "name: api\n",
                "chart/templates/dep.yaml": "kind: Deployment\n{{ if .Values.x }}\nlivenessProbe:\n{{ end }}\n",
                "bad.yaml": "apiVersion: v1\nkind: [\n",
            }
        )
    )
    [svc] = docker.compose_services(repo)
    assert svc.name == "api" and svc.build and svc.healthcheck and svc.line == 2
    kinds = {(m.path, m.kind): m for m in docker.manifests(repo)}
    assert kinds[("deploy/k8s/deployment.yaml", "Deployment")].probes == (8,)
    assert ("deploy/k8s/deployment.yaml", "Service") in kinds
    assert kinds[("chart/templates/dep.yaml", "Deployment")].probes == (3,)
    assert {"terraform", "helm", "kubernetes"} <= set(docker.containers_inventory(repo))
    assert any(n.path == "bad.yaml" for n in repo.notes)


def test_no_container(make_repo):
    repo = Repo(make_repo({"a.py": "x = 1\n"}))
    assert docker.containerized_fact(repo).value is False
    assert docker.manifests(repo) == []

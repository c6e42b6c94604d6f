"""gunicorn.conf.py: the one place the web server's settings are written (image and compose)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> Config:
    """The Config gunicorn builds from the file under `env`; a name it does not know fails."""
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name.startswith("_") or name == "os":
            continue
        # gunicorn skips unknown names silently, so a typo would quietly keep its default.
        assert name in config.settings, f"gunicorn has no setting {name!r}"
        config.set(name, value)
    return config


def test_it_binds_every_interface_on_port_8000_by_default(monkeypatch) -> None:
    assert load(monkeypatch).bind == ["0.0.0.0:8000"]


def test_port_and_web_concurrency_come_from_the_environment(monkeypatch) -> None:
    config = load(monkeypatch, PORT="9100", WEB_CONCURRENCY="5")
    assert config.bind == ["0.0.0.0:9100"]
    assert config.workers == 5


def test_it_runs_three_workers_when_web_concurrency_is_unset(monkeypatch) -> None:
    assert load(monkeypatch).workers == 3


def test_it_keeps_heartbeats_in_memory_logs_on_stdout_and_no_control_socket(monkeypatch) -> None:
    config = load(monkeypatch)
    assert config.worker_tmp_dir == "/dev/shm"
    assert config.accesslog == "-"
    assert config.errorlog == "-"
    assert config.control_socket_disable is True


def test_a_stuck_worker_is_killed_and_restarts_wait_for_running_requests(monkeypatch) -> None:
    config = load(monkeypatch)
    assert 30 <= config.timeout <= 120
    assert config.graceful_timeout >= config.timeout
    assert config.keepalive > 2
    assert config.max_requests > 0 and config.max_requests_jitter > 0

"""Settings fail loudly in production and need nothing at all in the embedded default."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Only what a Python process needs to start; none of the project's own variables.
_BARE = {
    key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ
}
_PRINT_SETTINGS = (
    "import nhitweek, django; django.setup(); from django.conf import settings as s; "
    "print(s.SETTINGS_MODULE); print(s.DATABASES['default']['ENGINE']); "
    "print(s.DATABASES['default']['NAME']); print(s.CELERY_BROKER_URL); "
    "print(s.CACHES['default']['BACKEND']); print(s.DEBUG)"
)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**_BARE, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "nhitweek.settings.production",
        "NHITWEEK_VAR_DIR": str(tmp_path),
        **extra,
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"],
        _production_env(tmp_path, ALLOWED_HOSTS="nhitweek.example.org"),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set. Production refuses to start without one" in result.stderr


@pytest.mark.parametrize("key", ["short", "a" * 60], ids=["too-short", "too-simple"])
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    result = _run(
        ["-c", "import django; django.setup()"],
        _production_env(tmp_path, SECRET_KEY=key, ALLOWED_HOSTS="nhitweek.example.org"),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too short or too simple" in result.stderr


@pytest.mark.parametrize("hosts", ["", "*"], ids=["none", "wildcard"])
def test_production_refuses_to_start_without_real_host_names(tmp_path, hosts):
    result = _run(
        ["-c", "import django; django.setup()"],
        _production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=hosts),
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list this site's host names" in result.stderr


def test_production_passes_the_deploy_check(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(
            tmp_path,
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="nhitweek.example.org",
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


_PRINT_COOKIES = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
)


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, "True True"),  # HTTPS, the production default
        ({"SECURE_SSL_REDIRECT": "false"}, "False False"),  # plain HTTP: cookies must come back
        ({"SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "true"}, "True True"),
        ({"SECURE_SSL_REDIRECT": "true", "SECURE_COOKIES": "false"}, "False False"),
    ],
    ids=["https", "plain-http", "tls-proxy-without-redirect", "opted-out"],
)
def test_session_and_csrf_cookies_are_secure_where_the_site_is_served_over_https(
    tmp_path, env, secure
):
    result = _run(
        ["-c", _PRINT_COOKIES],
        _production_env(
            tmp_path,
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="nhitweek.example.org",
            **env,
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == secure


def test_production_never_runs_in_debug_unless_asked(tmp_path):
    result = _run(
        ["-c", _PRINT_SETTINGS],
        _production_env(
            tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="nhitweek.example.org"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"


def test_the_embedded_default_needs_no_environment_at_all(tmp_path):
    result = _run(["-c", _PRINT_SETTINGS], {"NHITWEEK_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    module, engine, name, broker, cache, debug = result.stdout.splitlines()
    assert module == "nhitweek.settings.local"
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == tmp_path / "nhitweek.sqlite3"
    assert broker == "filesystem://"
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    # Visitors of `make run` get the site's error pages (tests/browser/test_error_pages.py).
    assert debug == "False"


def test_the_embedded_default_shows_tracebacks_only_when_asked(tmp_path):
    result = _run(["-c", _PRINT_SETTINGS], {"NHITWEEK_VAR_DIR": str(tmp_path), "DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True"


def test_the_embedded_default_keeps_one_generated_secret_key(tmp_path):
    show_key = (
        "import nhitweek, django; django.setup(); "
        "from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    first = _run(["-c", show_key], {"NHITWEEK_VAR_DIR": str(tmp_path)})
    second = _run(["-c", show_key], {"NHITWEEK_VAR_DIR": str(tmp_path)})
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_database_and_redis_urls_switch_the_embedded_default_to_servers(tmp_path):
    result = _run(
        ["-c", _PRINT_SETTINGS],
        {
            "NHITWEEK_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://nhitweek@db.internal:5432/nhitweek",
            "REDIS_URL": "redis://cache.internal:6379/0",
        },
    )
    assert result.returncode == 0, result.stderr
    _, engine, name, broker, cache, _ = result.stdout.splitlines()
    assert engine == "django.db.backends.postgresql"
    assert name == "nhitweek"
    assert broker == "redis://cache.internal:6379/0"
    assert cache == "django.core.cache.backends.redis.RedisCache"


def test_a_boolean_setting_that_is_not_true_or_false_is_refused(tmp_path):
    result = _run(["-c", _PRINT_SETTINGS], {"NHITWEEK_VAR_DIR": str(tmp_path), "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr

"""Tests: PostgreSQL and Redis, always (TEST_DATABASE_URL / REDIS_URL, default localhost)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

from .base import *  # noqa: F403
from .base import without_jit
from .env import env_str

# Each pytest-xdist worker gets its own Redis database, so one worker's flush cannot hit another.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"

SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": without_jit(
        dj_database_url.parse(
            env_str("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/nhitweek",
            conn_max_age=0,
        )
    )
}
# A test database per test run, so runs that overlap on one server never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_nhitweek_{os.getpid()}"}
# Keep the server from REDIS_URL but choose the database number per xdist worker.
_redis = urlsplit(env_str("REDIS_URL") or "redis://127.0.0.1:6379")
# TEST_REDIS_DB_BASE moves the range, so two people testing on one machine keep apart.
_base = int(env_str("TEST_REDIS_DB_BASE") or 10)
REDIS_URL = urlunsplit(_redis._replace(path=f"/{_base + int(_worker) % 6}"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "nhitweek-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders, as in development; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

"""Tests on the embedded database: SQLite, a local-memory cache and an in-memory broker.

`make test-sqlite` runs the tests marked `both_databases` with these settings, so the code that
branches on `connection.vendor` (the ORM fallbacks of the dashboard and the queue, the plain
INSERTs of ingestion, ...) is tested on the database the embedded default uses, not only on
PostgreSQL. Everything else is the PostgreSQL test settings (nhitweek.settings.test).

- The database is a SQLite file per test process under the temp dir (pytest-django adds
  _gw0, _gw1, ... per xdist worker and removes it at the end), with the embedded default's
  options: WAL, a busy timeout and IMMEDIATE transactions. A file, not `:memory:`: Django's
  in-memory test database is shared-cache, whose table locks fail at once ("database table is
  locked") instead of waiting, so a test of two writers at once could not run as the embedded
  default's web, worker and beat do. (tests/nhitweek/test_embedded.py still runs the real
  embedded default in subprocesses; it is part of the PostgreSQL run.)
- The cache is the embedded default's local memory, one per worker process: nothing here needs
  Redis (or PostgreSQL), so this run needs no service at all, and two runs never share a cache.
- The Celery broker is kombu's in-memory transport: tests never start a worker here; the ones
  that enqueue mock apply_async, and anything left over goes nowhere instead of to Redis.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .test import *  # noqa: F403

# The embedded default's options (nhitweek/settings/base.py), spelled out: base.DATABASES is
# PostgreSQL when DATABASE_URL is set.
_file = Path(tempfile.gettempdir()) / f"nhitweek-test-{os.getpid()}.sqlite3"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _file,
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": str(_file)},
    }
}
REDIS_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}

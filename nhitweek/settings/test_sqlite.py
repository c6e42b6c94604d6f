"""Tests on the embedded database: SQLite, a local-memory cache and an in-memory broker.

`make test-sqlite` runs the tests marked `both_databases` with these settings, so the code that
branches on `connection.vendor` (the ORM fallbacks of the dashboard and the queue, the plain
INSERTs of ingestion, ...) is tested on the database the embedded default uses, not only on
PostgreSQL. Everything else is the PostgreSQL test settings (nhitweek.settings.test).

- The database is SQLite in memory (pytest-django makes one per xdist worker process, shared
  between that process's threads), with the embedded default's options (busy timeout, IMMEDIATE
  transactions). The tests that need a file (subprocesses opening the database) stay on
  PostgreSQL; tests/nhitweek/test_embedded.py runs the real embedded default on a file.
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

# A file per test process (pytest-django adds _gw0, _gw1, ... per xdist worker), removed when
# the run ends; with the embedded default's options: WAL, busy timeout, IMMEDIATE transactions.
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
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}

"""The project's Celery app for a test worker subprocess: demo sources answer from the paged fake
client, and broker and cache may be moved (NHITWEEK_TEST_BROKER_URL) to a Redis database that no
test's cache.clear() flushes."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.test")

from django.conf import settings

from hashtags import sources
from nhitweek.celery import app

# client_for picks a platform's module by name at call time; route demo to the fake.
sources._MODULES["demo"] = "tests.support.paged_client"

if os.environ.get("NHITWEEK_TEST_BROKER_URL"):
    app.conf.broker_url = os.environ["NHITWEEK_TEST_BROKER_URL"]
    # The cache too: a concurrent test's cache.clear() must not pull keys from under the worker.
    settings.CACHES["default"]["LOCATION"] = os.environ["NHITWEEK_TEST_BROKER_URL"]
    settings.CACHES["default"]["KEY_PREFIX"] = os.environ.get("NHITWEEK_TEST_CACHE_PREFIX", "")
# A test worker takes orders from its queue only; no pidbox keys left behind in Redis.
app.conf.worker_enable_remote_control = False

__all__ = ["app"]

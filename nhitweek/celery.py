"""The Celery application: configured from Django settings (CELERY_*), tasks found per app."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.local")

app = Celery("nhitweek")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

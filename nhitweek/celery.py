"""The Celery application: configured from Django settings (CELERY_*), tasks found per app and
per feature package that has a `tasks` module."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.local")

app = Celery("nhitweek")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["campaigns.jobs", "campaigns.dashboard", "campaigns.chats"])

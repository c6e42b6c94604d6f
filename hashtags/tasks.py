"""Thin Celery tasks of the data plane."""

from __future__ import annotations

import socket

from celery import shared_task

from .services import heartbeat_record


@shared_task(name="hashtags.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves that beat schedules and a worker runs; /health/ reports its age."""
    heartbeat_record(name=f"worker@{socket.gethostname()}")

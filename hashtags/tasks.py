"""Thin Celery tasks of the data plane: ids in, one service call, nothing else."""

from __future__ import annotations

import logging
import socket

from celery import shared_task

from .polling import source_poll
from .refresh import metrics_refresh
from .services import heartbeat_record

log = logging.getLogger(__name__)


@shared_task(name="hashtags.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves that beat schedules and a worker runs; /health/ reports its age."""
    heartbeat_record(name=f"worker@{socket.gethostname()}")


@shared_task(name="hashtags.poll", ignore_result=True, max_retries=0)
def poll(*, source_id: int, hashtag_ids: list[int]) -> None:
    """Poll one source for these hashtags. Failures are rescheduled in the database by the
    service (next_poll_at), never by Celery retries."""
    result = source_poll(source_id=source_id, hashtag_ids=hashtag_ids)
    log.info(
        "poll source=%s outcome=%s pages=%s new=%s %s",
        source_id,
        result.outcome,
        result.pages,
        result.stored.new,
        result.message,
    )


@shared_task(name="hashtags.refresh_metrics", ignore_result=True, max_retries=0)
def refresh_metrics(*, source_id: int, post_ids: list[int]) -> None:
    """Fresh engagement counts for these posts. A rate limit or failure leaves them stale, and
    the next scheduled refresh asks again; never a Celery retry."""
    result = metrics_refresh(source_id=source_id, post_ids=post_ids)
    log.info(
        "refresh source=%s outcome=%s asked=%s refreshed=%s missing=%s %s",
        source_id,
        result.outcome,
        result.asked,
        result.refreshed,
        result.missing,
        result.message,
    )

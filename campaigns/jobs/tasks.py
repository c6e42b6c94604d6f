"""Beat's scheduler tasks for collection: polls and metric refreshes of the campaigns in their
window. Each calls one service and enqueues the data plane's thin tasks after commit."""

from __future__ import annotations

from celery import shared_task

from campaigns.jobs.refreshing import metrics_refresh_schedule
from campaigns.jobs.scheduling import polls_schedule


@shared_task(name="campaigns.schedule_polls", ignore_result=True)
def schedule_polls() -> int:
    return polls_schedule()


@shared_task(name="campaigns.schedule_metrics_refresh", ignore_result=True)
def schedule_metrics_refresh() -> int:
    """Enqueue fresh-metrics lookups for the top posts of live campaigns."""
    return metrics_refresh_schedule()

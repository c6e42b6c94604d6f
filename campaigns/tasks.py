"""Beat's scheduler tasks for the people plane: polls, metric refreshes and dashboard
snapshots for live campaigns."""

from __future__ import annotations

from celery import shared_task

from .refreshing import metrics_refresh_schedule
from .scheduling import polls_schedule
from .snapshots import snapshots_refresh


@shared_task(name="campaigns.schedule_polls", ignore_result=True)
def schedule_polls() -> int:
    return polls_schedule()


@shared_task(name="campaigns.schedule_metrics_refresh", ignore_result=True)
def schedule_metrics_refresh() -> int:
    """Enqueue fresh-metrics lookups for the top posts of live campaigns."""
    return metrics_refresh_schedule()


@shared_task(name="campaigns.refresh_snapshots", ignore_result=True)
def refresh_snapshots() -> int:
    """Recompute the dashboard snapshots (unique authors, reach, contributors) of big windows."""
    return snapshots_refresh()

"""Beat's task for the dashboard: the snapshots of big windows, which live answers cannot give."""

from __future__ import annotations

from celery import shared_task

from campaigns.dashboard.snapshots import snapshots_refresh


@shared_task(name="campaigns.refresh_snapshots", ignore_result=True)
def refresh_snapshots() -> int:
    """Recompute the dashboard snapshots (unique authors, reach, contributors) of big windows."""
    return snapshots_refresh()

"""Beat's scheduler task for the people plane: enqueue polls for live campaigns."""

from __future__ import annotations

from celery import shared_task

from .scheduling import polls_schedule


@shared_task(name="campaigns.schedule_polls", ignore_result=True)
def schedule_polls() -> int:
    return polls_schedule()

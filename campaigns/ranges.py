"""The ranges a campaign is read over: the whole campaign, the last hour, day or week, custom.

One vocabulary for every screen that offers a range (the dashboard, the curator queue) and for
the snapshots the jobs keep of the standard ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models


class Range(models.TextChoices):
    CAMPAIGN = "campaign", "Whole campaign"
    HOUR = "1h", "Last hour"
    DAY = "24h", "Last 24 hours"
    WEEK = "7d", "Last 7 days"
    CUSTOM = "custom", "Custom"


# How far back each "last ..." range reaches from now.
LAST: dict[str, timedelta] = {
    Range.HOUR: timedelta(hours=1),
    Range.DAY: timedelta(hours=24),
    Range.WEEK: timedelta(days=7),
}
# The ranges that need no dates of their own: offered by the queue, snapshotted for big windows.
STANDARD = (Range.CAMPAIGN, Range.WEEK, Range.DAY, Range.HOUR)


def range_choices(*, custom: bool) -> list[tuple[str, str]]:
    """(value, label) of the ranges, in menu order; `custom` adds the dated range."""
    order = [Range.CAMPAIGN, Range.HOUR, Range.DAY, Range.WEEK]
    if custom:
        order.append(Range.CUSTOM)
    return [(r.value, r.label) for r in order]


def since(range_: str, now: datetime) -> datetime | None:
    """Where a "last ..." range starts at `now`; None for the others."""
    span = LAST.get(range_)
    return None if span is None else now - span

"""Year over year: this edition's posts beside the previous edition's, aligned by campaign time.

Design: the previous edition is the campaign of the same series with the latest start before
this one. Both curves are bucketed by time since their own edition's start (hours when the
window spans at most three days, else 24-hour campaign days), so "Day 2 09:00" of 2026 sits
beside "Day 2 09:00" of 2025. The buckets span the whole campaign (range=campaign, the
default) or the window clamped to this edition's dates; the current edition's buckets after the
window's end (a live campaign's future) are null. The totals compare exactly the same
elapsed span of both editions (up to the window's end, to the minute), so a campaign on its
third day is compared with the first three days of the last one, not with all of it.
Counts are original posts from the tag-set rollups (each post once); each edition reads its
own hashtags (a hashtag filter applies to both, by name).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from campaigns.dashboard.params import Window
from campaigns.dashboard.summary import change_pct
from campaigns.models import Campaign
from campaigns.totals import rollup_rows, totals_of

HOUR_UNIT_MAX = timedelta(days=3)


def previous_edition(campaign: Campaign) -> Campaign | None:
    if campaign.series_id is None:
        return None
    return (
        Campaign.objects.filter(series_id=campaign.series_id, start__lt=campaign.start)
        .order_by("-start", "-pk")
        .first()
    )


def _span(campaign: Campaign, window: Window) -> tuple[datetime, datetime]:
    """The buckets drawn: the whole campaign for range=campaign (a live one fills in), else
    the window clamped to the campaign's dates (the whole campaign if they do not meet)."""
    if window.range == "campaign":
        return campaign.start, campaign.end
    start, end = max(window.start, campaign.start), min(window.end, campaign.end)
    return (start, end) if end > start else (campaign.start, campaign.end)


def _curve(
    edition: Campaign, window: Window, first: int, count: int, unit: timedelta, until: timedelta
) -> list[int]:
    """Posts per bucket since the edition's start, buckets first .. first+count-1, read up to
    `until` after its start."""
    start = edition.start + first * unit
    end = edition.start + until
    aligned = edition.start.minute == 0 and edition.start.second == 0
    rows = rollup_rows(
        campaign_id=edition.pk,
        hashtag=window.hashtag,
        start=start,
        end=end,
        platform=window.platform,
        minutes_only=not aligned,
    )
    values = [0] * count
    for row in rows:
        index = int((row.bucket - edition.start) / unit) - first
        if 0 <= index < count:
            values[index] += row.posts
    return values


def _label(campaign: Campaign, offset: int, unit: timedelta) -> str:
    if unit == timedelta(days=1):
        return f"Day {offset + 1}"
    local = (campaign.start + offset * unit).astimezone(campaign.tz)
    return f"Day {offset // 24 + 1} {local:%H:%M}"


def _edition(campaign: Campaign | None) -> dict[str, Any] | None:
    if campaign is None:
        return None
    return {
        "campaign": campaign.slug,
        "name": campaign.name,
        "start": campaign.local_start.isoformat(),
    }


def campaign_yoy(*, campaign: Campaign, window: Window) -> dict[str, Any]:
    start, end = _span(campaign, window)
    unit = timedelta(hours=1) if end - start <= HOUR_UNIT_MAX else timedelta(days=1)
    first = int((start - campaign.start) / unit)
    last = -int(-(end - campaign.start) // unit)  # ceiling: the bucket holding `end` counts
    count = last - first
    elapsed = min(end, window.end) - campaign.start  # how far this edition has come
    current = _curve(campaign, window, first, count, unit, elapsed)
    reached = -int(-(elapsed - first * unit) // unit)
    current_values: list[int | None] = [v if i < reached else None for i, v in enumerate(current)]
    previous = previous_edition(campaign)
    answer: dict[str, Any] = {
        "available": previous is not None,
        "current": _edition(campaign),
        "previous": _edition(previous),
        "unit": "hour" if unit == timedelta(hours=1) else "day",
        "offsets": list(range(first, last)),
        "labels": [_label(campaign, k, unit) for k in range(first, last)],
        "current_values": current_values,
        "previous_values": [],
        "current_total": sum(current),
        "previous_total": 0,
        "change_pct": None,
        "counting": "Original posts by time since each edition's start; totals compare the "
        "same elapsed span of both editions.",
    }
    if previous is None:
        answer["message"] = (
            "This campaign is not an edition of a series."
            if campaign.series_id is None
            else "There is no earlier edition of this series to compare with."
        )
        return answer
    answer["previous_values"] = _curve(previous, window, first, count, unit, last * unit)
    previous_total = totals_of(
        rollup_rows(
            campaign_id=previous.pk,
            hashtag=window.hashtag,
            start=previous.start + first * unit,
            end=previous.start + elapsed,
            platform=window.platform,
        )
    )["posts"]
    answer["previous_total"] = previous_total
    answer["change_pct"] = change_pct(answer["current_total"], previous_total)
    answer["message"] = (
        f"Compared with {previous.name}, over the same time since each edition's start."
    )
    return answer

"""Posts by local weekday and hour of day, in the campaign's zone, from the tag-set rollups.

Design: in a zone whose offset is a whole number of hours throughout the window, a UTC hour
falls inside one local hour, so hour rows (and minute rows at the window's edges) are enough;
where the offset is not (Asia/Kolkata +05:30, Asia/Kathmandu +05:45), minute rows are read.
Each row is one bucket summed over tag sets and platforms; its start is turned into the local
weekday and hour here, which also places the two 01:00 hours of a fall-back night in the same
cell (they are the same local hour) and leaves the skipped spring-forward hour empty.
"""

from __future__ import annotations

from campaigns.dashboard.params import Window, window_header
from campaigns.models import Campaign
from campaigns.totals import rollup_rows, whole_hour_offsets

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def campaign_heatmap(*, campaign: Campaign, window: Window) -> dict:
    """7 x 24 cells of original posts (Monday first, local hours 0-23)."""
    tz = campaign.tz
    minutes_only = not whole_hour_offsets(tz, window.start, window.end)
    rows = rollup_rows(
        campaign_id=campaign.pk,
        hashtag=window.hashtag,
        start=window.start,
        end=window.end,
        platform=window.platform,
        minutes_only=minutes_only,
    )
    cells = [[0] * 24 for _ in DAYS]
    for row in rows:
        if row.posts:
            local = row.bucket.astimezone(tz)
            cells[local.weekday()][local.hour] += row.posts
    return {
        **window_header(campaign, window),
        "days": DAYS,
        "hours": list(range(24)),
        "cells": cells,
        "total": sum(map(sum, cells)),
        "counting": "Original posts (not plain reposts) by the local weekday and hour they "
        "were posted at; a post with several campaign hashtags counts once.",
    }

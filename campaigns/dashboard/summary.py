"""The dashboard's headline numbers for a window and the period of the same length before it.

Design: posts, reposts, likes, replies and quotes come from the tag-set rollups (each post
once, one query for both periods); unique authors and potential reach from
campaigns.dashboard.snapshots (live for small windows, a periodic snapshot for big ones;
`authors_as_of` says which). The platform split is the current period's rollup rows per platform.
"""

from __future__ import annotations

from typing import Any

from campaigns.dashboard.params import Window, window_header
from campaigns.dashboard.snapshots import authors_for, exact_max, previous_of
from campaigns.models import Campaign
from campaigns.totals import rollup_periods, totals_of
from hashtags.models import Platform

ROLLUP_METRICS = ("posts", "reposts", "likes", "replies", "quotes")
NOTES = {
    "counting": (
        "A post carrying several campaign hashtags counts once. Posts are original posts; "
        "reposts are plain reposts carrying a campaign hashtag; likes, replies and quotes are "
        "the current counts of the original posts. Unique authors are the accounts (one per "
        "platform) that posted or reposted in the period."
    ),
    "reach": (
        "Potential reach = the sum of the followers of the unique authors of the period "
        "(followers as last seen). It is potential: how many could have seen a post, not "
        "how many did, and followers shared by several authors count once per author."
    ),
}


def change_pct(value: int, previous: int) -> float | None:
    """The change against the previous period in percent; None when there was nothing."""
    if not previous:
        return None
    return round((value - previous) * 100 / previous, 1)


def _metric(value: int, previous: int) -> dict[str, Any]:
    return {"value": value, "previous": previous, "change_pct": change_pct(value, previous)}


def _platforms(rows) -> list[dict[str, Any]]:
    sums: dict[str, dict[str, int]] = {}
    for row in rows:
        acc = sums.setdefault(row.platform, {"posts": 0, "reposts": 0, "engagement": 0})
        acc["posts"] += row.posts
        acc["reposts"] += row.reposts
        acc["engagement"] += row.likes + row.replies + row.shares + row.quotes
    return [
        {"platform": value, "label": label, **sums[value]}
        for value, label in Platform.choices
        if value in sums
    ]


def campaign_summary(*, campaign: Campaign, window: Window) -> dict[str, Any]:
    """Headline metrics with change_pct, the platform split and how each was counted."""
    scope: dict[str, Any] = {
        "campaign_id": campaign.pk,
        "hashtag": window.hashtag,
        "platform": window.platform,
    }
    prev_start, prev_end = previous_of(window)
    rows, previous_rows = rollup_periods(
        periods=[(window.start, window.end), (prev_start, prev_end)], **scope
    )
    current, previous = totals_of(rows), totals_of(previous_rows)
    counts = (
        current["posts"] + current["reposts"],
        previous["posts"] + previous["reposts"],
    )
    authors = authors_for(campaign=campaign, window=window, counts=counts)
    metrics = {name: _metric(current[name], previous[name]) for name in ROLLUP_METRICS}
    for name in ("unique_authors", "potential_reach"):
        metrics[name] = _metric(authors["current"][name], authors["previous"][name])
    tz = campaign.tz
    as_of = authors["as_of"]
    return {
        **window_header(campaign, window),
        "previous": {
            "start": prev_start.astimezone(tz).isoformat(),
            "end": prev_end.astimezone(tz).isoformat(),
        },
        "metrics": metrics,
        "authors_as_of": as_of.astimezone(tz).isoformat() if as_of else None,
        "authors_source": "snapshot" if as_of else "live",
        "exact_authors_max": exact_max(),
        "platforms": _platforms(rows),
        "notes": NOTES,
    }

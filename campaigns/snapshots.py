"""Unique authors, potential reach and top contributors: the numbers rollups cannot give.

Design: these need the distinct authors of a window's posts, so they are computed from the
posts themselves (PostHashtag (hashtag, created_at) index -> posts -> authors). When the
rollups say a window holds at most `exact_max()` posts (DASHBOARD_EXACT_AUTHORS_MAX, default
10,000) that is fast enough to do on every (cache-missing) request, and the answer is live.
Above it the dashboard serves a DashboardSnapshot: beat runs campaigns.refresh_snapshots every
minute, which recomputes the standard ranges of the campaigns still polled (a snapshot that
took d seconds to compute is not recomputed within 3 d, so a huge campaign cannot keep the
worker busy). A big custom window with no snapshot yet is computed on the spot (slow, exact)
and stored. Every answer says which it is (`as_of`: null when live, else when computed).

Counting: an author is one account on one platform; authors of plain reposts count (they
carried the hashtag); engagement is likes + reposts + replies + quotes of their original
posts (a plain repost carries its original's numbers, so it adds none).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Case, Count, F, QuerySet, Sum, When
from django.http import QueryDict
from django.utils import timezone

from hashtags.generation import generation_bump
from hashtags.models import Author, Platform, Post, PostHashtag

from .dashboard_params import Window, window_parse
from .models import Campaign, CampaignHashtag, DashboardSnapshot
from .selectors_totals import rollup_rows, totals_of

NAME = "authors"
TOP = 50  # contributors kept per list; the endpoints' limit is at most this
STANDARD_RANGES = ("campaign", "7d", "24h", "1h")
EXACT_MAX = 10_000


def web_link(url: str) -> str:
    """The address if it is a web address (http or https), else ""."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else ""


def exact_max() -> int:
    return int(getattr(settings, "DASHBOARD_EXACT_AUTHORS_MAX", EXACT_MAX))


def previous_of(window: Window) -> tuple[datetime, datetime]:
    """The period of the same length just before the window."""
    return window.start - (window.end - window.start), window.start


def campaign_links(campaign: Campaign, hashtag: str = "") -> QuerySet[CampaignHashtag]:
    links = CampaignHashtag.objects.filter(campaign_id=campaign.pk)
    return links.filter(hashtag__name=hashtag) if hashtag else links


def snapshot_key(window: Window) -> str:
    """Standard ranges keep one snapshot each (they slide with the clock); custom ones are
    keyed by their instants."""
    if window.range == "custom":
        where = f"{window.start.isoformat()}|{window.end.isoformat()}"
    else:
        where = window.range
    return f"{where}|{window.platform}|{window.hashtag}"


# --- Exact answers from the posts ------------------------------------------------------------


def _posts(campaign: Campaign, start: datetime, end: datetime, platform: str, hashtag: str):
    links = PostHashtag.objects.filter(
        hashtag_id__in=campaign_links(campaign, hashtag).values("hashtag_id"),
        created_at__gte=start,
        created_at__lt=end,
    )
    if platform:
        links = links.filter(platform=platform)
    return Post.objects.filter(pk__in=links.values("post_id"))


def authors_reach(
    *, campaign: Campaign, start: datetime, end: datetime, platform: str = "", hashtag: str = ""
) -> dict[str, int]:
    """unique_authors and potential_reach (their followers summed), exactly. One query."""
    posts = _posts(campaign, start, end, platform, hashtag)
    found = Author.objects.filter(pk__in=posts.values("author_id")).aggregate(
        authors=Count("pk"), reach=Sum("followers")
    )
    return {"unique_authors": found["authors"] or 0, "potential_reach": found["reach"] or 0}


_ENGAGEMENT = Sum(
    Case(
        When(is_repost=False, then=F("likes") + F("reposts") + F("replies") + F("quotes")),
        default=0,
    )
)
_AUTHOR_FIELDS = {
    "handle": "author__handle",
    "name": "author__name",
    "platform": "author__platform",
    "url": "author__url",
    "followers": "author__followers",
}


def contributors(
    *,
    campaign: Campaign,
    start: datetime,
    end: datetime,
    platform: str = "",
    hashtag: str = "",
    limit: int = TOP,
) -> dict[str, list[dict]]:
    """Top authors by posts and by engagement, exactly. Two queries."""
    per_author = (
        _posts(campaign, start, end, platform, hashtag)
        .values("author_id", *_AUTHOR_FIELDS.values())
        .annotate(n=Count("pk"), engagement=_ENGAGEMENT)
    )
    by_posts = per_author.order_by("-n", "-engagement", "author_id")[:limit]
    by_engagement = per_author.order_by("-engagement", "-n", "author_id")[:limit]
    return {
        "by_posts": [_contributor(row) for row in by_posts],
        "by_engagement": [_contributor(row) for row in by_engagement],
    }


def _contributor(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row[column] for key, column in _AUTHOR_FIELDS.items()}
    out["platform_label"] = Platform(out["platform"]).label
    out["url"] = web_link(out["url"])
    out["posts"] = row["n"]
    out["engagement"] = int(row["engagement"] or 0)
    return out


# --- Snapshots -------------------------------------------------------------------------------


def post_count(*, campaign: Campaign, start: datetime, end: datetime, window: Window) -> int:
    """Posts and plain reposts in [start, end) by the rollups. One query."""
    sums = totals_of(
        rollup_rows(
            campaign_id=campaign.pk,
            hashtag=window.hashtag,
            platform=window.platform,
            start=start,
            end=end,
        )
    )
    return sums["posts"] + sums["reposts"]


def snapshot_compute(*, campaign: Campaign, window: Window) -> dict[str, Any]:
    """Everything the summary and contributors endpoints need, for a window and the period
    before it, computed exactly (slow on big windows)."""
    began = time.monotonic()
    prev_start, prev_end = previous_of(window)
    scope = {"platform": window.platform, "hashtag": window.hashtag}
    current = authors_reach(campaign=campaign, start=window.start, end=window.end, **scope)
    current.update(contributors(campaign=campaign, start=window.start, end=window.end, **scope))
    previous = authors_reach(campaign=campaign, start=prev_start, end=prev_end, **scope)
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "current": current,
        "previous": previous,
        "seconds": round(time.monotonic() - began, 3),
    }


def snapshot_store(
    *, campaign: Campaign, window: Window, data: dict[str, Any], now: datetime | None = None
) -> datetime:
    """Save a snapshot; bump the campaign's generations if its numbers changed, so cached
    answers built on the older one are recomputed. Returns computed_at."""
    now = now or timezone.now()
    key = snapshot_key(window)
    old = DashboardSnapshot.objects.filter(campaign=campaign, name=NAME, params_key=key).first()
    DashboardSnapshot.objects.update_or_create(
        campaign=campaign, name=NAME, params_key=key, defaults={"data": data, "computed_at": now}
    )
    numbers = ("current", "previous")
    if old is None or any(old.data.get(k) != data.get(k) for k in numbers):
        hashtag_ids = list(campaign_links(campaign).values_list("hashtag_id", flat=True))
        generation_bump(hashtag_ids=hashtag_ids)
    return now


def authors_for(*, campaign: Campaign, window: Window, counts: tuple[int, int]) -> dict[str, Any]:
    """{"current", "previous", "as_of"} for a window whose (current, previous) post counts by
    the rollups are `counts`: live when both are small, else the snapshot (computed now if
    there is none)."""
    scope = {"platform": window.platform, "hashtag": window.hashtag}
    if max(counts) <= exact_max():
        prev_start, prev_end = previous_of(window)
        return {
            "current": authors_reach(
                campaign=campaign, start=window.start, end=window.end, **scope
            ),
            "previous": authors_reach(campaign=campaign, start=prev_start, end=prev_end, **scope),
            "as_of": None,
        }
    snapshot = DashboardSnapshot.objects.filter(
        campaign=campaign, name=NAME, params_key=snapshot_key(window)
    ).first()
    if snapshot is not None:
        data, as_of = snapshot.data, snapshot.computed_at
    else:
        data = snapshot_compute(campaign=campaign, window=window)
        as_of = snapshot_store(campaign=campaign, window=window, data=data)
    return {"current": data["current"], "previous": data["previous"], "as_of": as_of}


def _due(snapshot: DashboardSnapshot | None, now: datetime) -> bool:
    if snapshot is None:
        return True
    cost = float(snapshot.data.get("seconds", 0))
    return now - snapshot.computed_at >= timedelta(seconds=max(50.0, 3 * cost))


def snapshots_refresh(*, now: datetime | None = None) -> int:
    """Recompute the due snapshots of the standard ranges of the campaigns still polled whose
    windows are too big to answer live. Returns how many were computed."""
    now = now or timezone.now()
    tail = timedelta(minutes=getattr(settings, "POLL_TAIL_MINUTES", 24 * 60))
    computed = 0
    campaigns = Campaign.objects.filter(start__lte=now, end__gte=now - tail).order_by("pk")
    for campaign in campaigns:
        stored = {
            s.params_key: s for s in DashboardSnapshot.objects.filter(campaign=campaign, name=NAME)
        }
        for range_ in STANDARD_RANGES:
            window = window_parse(params=QueryDict(f"range={range_}"), campaign=campaign, now=now)
            prev_start, prev_end = previous_of(window)
            counts = (
                post_count(campaign=campaign, start=window.start, end=window.end, window=window),
                post_count(campaign=campaign, start=prev_start, end=prev_end, window=window),
            )
            if max(counts) <= exact_max() or not _due(stored.get(snapshot_key(window)), now):
                continue
            data = snapshot_compute(campaign=campaign, window=window)
            snapshot_store(campaign=campaign, window=window, data=data, now=now)
            computed += 1
    return computed

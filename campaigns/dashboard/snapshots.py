"""Unique authors, potential reach and top contributors: the numbers rollups cannot give.

Design: these need the distinct authors of a window's posts, so they are computed from the
posts themselves (index post_tagset_time: tag set, created_at -> authors). When the
rollups say a window holds at most `exact_max()` posts (DASHBOARD_EXACT_AUTHORS_MAX, default
3,000) that is fast enough to do on every (cache-missing) request, and the answer is live.
Above it the dashboard serves a DashboardSnapshot: beat runs campaigns.refresh_snapshots every
minute, which recomputes the standard ranges of the campaigns still polled (a snapshot that
took d seconds to compute is not recomputed within 3 d, so a huge campaign cannot keep the
worker busy). A big custom window with no snapshot yet is computed on the spot (slow, exact)
and stored, but any visitor can ask for new ones: a campaign keeps its newest
DASHBOARD_CUSTOM_SNAPSHOTS_MAX custom snapshots, pruned when one is stored and by every
refresh, and a new one bumps no generation (no cached answer was built on it). Every answer
says which it is (`as_of`: null when live, else when computed).

Counting: an author is one account on one platform; authors of plain reposts count (they
carried the hashtag); engagement is likes + reposts + replies + quotes of their original
posts (a plain repost carries its original's numbers, so it adds none).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.utils import timezone

from campaigns.dashboard.params import Window, standard_window
from campaigns.models import Campaign, CampaignHashtag, DashboardSnapshot, web_link
from campaigns.ranges import STANDARD, Range
from campaigns.totals import rollup_periods, tagsets_cte, tagsets_of, totals_of
from hashtags.generation import generation_bump
from hashtags.models import Author, Platform, Post

NAME = "authors"
TOP = 50  # contributors kept per list; the endpoints' limit is at most this
# Live unique authors cost about 1.5 us per distinct author (looked up for the followers), for
# the window and the period before it: at 3,000 posts each a cold summary takes ~15 ms when
# every post has its own author (bench/dashboard.py, 10M posts); above, snapshots.


def exact_max() -> int:
    return settings.DASHBOARD_EXACT_AUTHORS_MAX


def previous_of(window: Window) -> tuple[datetime, datetime]:
    """The period of the same length just before the window."""
    return window.start - (window.end - window.start), window.start


def campaign_links(campaign: Campaign, hashtag: str = "") -> QuerySet[CampaignHashtag]:
    links = CampaignHashtag.objects.filter(campaign_id=campaign.pk)
    return links.filter(hashtag__name=hashtag) if hashtag else links


def snapshot_key(window: Window) -> str:
    """Standard ranges keep one snapshot each (they slide with the clock); custom ones are
    keyed by their instants."""
    if window.range == Range.CUSTOM:
        where = f"{window.start.isoformat()}|{window.end.isoformat()}"
    else:
        where = window.range
    return f"{where}|{window.platform}|{window.hashtag}"


# --- Exact answers from the posts ------------------------------------------------------------
# A campaign window's posts are those whose tag set meets the campaign's hashtags, read through
# the index post_tagset_time (tag set, created_at) INCLUDE author: the authors come from the
# index alone, and other columns from heap pages in time order. On PostgreSQL the statements
# are written out: the planner, misjudging how few rows these are, preferred scanning the
# authors table to looking up a few thousand of them by id.


def _posts(campaign: Campaign, start: datetime, end: datetime, platform: str, hashtag: str):
    posts = Post.objects.filter(
        tagset_id__in=tagsets_of(campaign_links(campaign, hashtag)),
        created_at__gte=start,
        created_at__lt=end,
    )
    return posts.filter(platform=platform) if platform else posts


_WINDOW_POSTS = """tagset_id = ANY(ARRAY(SELECT id FROM ts)) AND created_at >= %s
    AND created_at < %s AND (%s = '' OR platform = %s)"""
_AUTHORS_REACH = f"""
    SELECT %s::int, count(*), coalesce(sum(followers), 0) FROM {Author._meta.db_table}
    WHERE id = ANY(ARRAY(
        SELECT DISTINCT author_id FROM {Post._meta.db_table} WHERE {_WINDOW_POSTS}
    ))"""  # noqa: S608 - tables are ours; values are parameters


def authors_reach_periods(
    *,
    campaign: Campaign,
    periods: list[tuple[datetime, datetime]],
    platform: str = "",
    hashtag: str = "",
) -> list[dict[str, int]]:
    """unique_authors and potential_reach (their followers summed), exactly, for each period
    (a window and the one before it) of at most exact_max() posts: one query on PostgreSQL,
    which looks each author up by id (1.5 us each; for hundreds of thousands, use
    authors_reach, whose hash join the planner picks)."""
    if connection.vendor != "postgresql":
        return [
            authors_reach(campaign=campaign, start=a, end=b, platform=platform, hashtag=hashtag)
            for a, b in periods
        ]
    ts, params = tagsets_cte(campaign.pk, hashtag)
    for i, (start, end) in enumerate(periods):
        params += [i, start, end, platform, platform]
    sql = f"WITH {ts}" + "\n    UNION ALL".join([_AUTHORS_REACH] * len(periods))
    out = [{"unique_authors": 0, "potential_reach": 0} for _ in periods]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for i, authors, reach in cursor.fetchall():
            out[i] = {"unique_authors": int(authors), "potential_reach": int(reach)}
    return out


def authors_reach(
    *, campaign: Campaign, start: datetime, end: datetime, platform: str = "", hashtag: str = ""
) -> dict[str, int]:
    """unique_authors and potential_reach of one window of any size, exactly. One query."""
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
_ORDERS = {"by_posts": ("n", "engagement"), "by_engagement": ("engagement", "n")}
_CONTRIBUTORS = f"""
    WITH {{ts}}, per AS (
        SELECT author_id, count(*) AS n, coalesce(sum(CASE WHEN is_repost THEN 0
            ELSE likes + reposts + replies + quotes END), 0) AS engagement
        FROM {Post._meta.db_table} WHERE {_WINDOW_POSTS}
        GROUP BY author_id
    ), top AS (
        (SELECT 'by_posts' AS list, * FROM per
         ORDER BY n DESC, engagement DESC, author_id LIMIT %s)
        UNION ALL
        (SELECT 'by_engagement', * FROM per
         ORDER BY engagement DESC, n DESC, author_id LIMIT %s)
    )
    SELECT top.list, top.author_id, top.n, top.engagement,
        a.handle, a.name, a.platform, a.url, a.followers
    FROM top JOIN {Author._meta.db_table} a ON a.id = top.author_id
"""  # noqa: S608 - tables are ours; values are parameters


def contributors(
    *,
    campaign: Campaign,
    start: datetime,
    end: datetime,
    platform: str = "",
    hashtag: str = "",
    limit: int = TOP,
) -> dict[str, list[dict]]:
    """Top authors by posts and by engagement, exactly: one query on PostgreSQL (each author's
    sums once, then both lists), two by the ORM."""
    if connection.vendor == "postgresql":
        rows = _pg_contributors(campaign, start, end, platform, hashtag, limit)
    else:
        per_author = (
            _posts(campaign, start, end, platform, hashtag)
            .values("author_id", *_AUTHOR_FIELDS.values())
            .annotate(n=Count("pk"), engagement=_ENGAGEMENT)
        )
        rows = {
            "by_posts": per_author.order_by("-n", "-engagement", "author_id")[:limit],
            "by_engagement": per_author.order_by("-engagement", "-n", "author_id")[:limit],
        }
    return {name: [_contributor(row) for row in rows[name]] for name in _ORDERS}


def _pg_contributors(campaign, start, end, platform, hashtag, limit) -> dict[str, list[dict]]:
    ts, params = tagsets_cte(campaign.pk, hashtag)
    params += [start, end, platform, platform, limit, limit]
    rows: dict[str, list[dict]] = {name: [] for name in _ORDERS}
    with connection.cursor() as cursor:
        cursor.execute(_CONTRIBUTORS.format(ts=ts), params)
        for name, author_id, n, engagement, *fields in cursor.fetchall():
            row = {"author_id": author_id, "n": n, "engagement": engagement}
            rows[name].append(row | dict(zip(_AUTHOR_FIELDS.values(), fields, strict=True)))
    for name, (first, second) in _ORDERS.items():
        rows[name].sort(key=_order_key(first, second))
    return rows


def _order_key(first: str, second: str) -> Callable[[dict[str, Any]], tuple[Any, Any, Any]]:
    """Most `first`, then most `second`, then by author id."""
    return lambda r: (-r[first], -r[second], r["author_id"])


def _contributor(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row[column] for key, column in _AUTHOR_FIELDS.items()}
    out["platform_label"] = Platform(out["platform"]).label
    out["url"] = web_link(out["url"])
    out["posts"] = row["n"]
    out["engagement"] = int(row["engagement"] or 0)
    return out


# --- Snapshots -------------------------------------------------------------------------------


def post_counts(*, campaign: Campaign, window: Window) -> tuple[int, int]:
    """Posts and plain reposts of the window and of the period before it, by the rollups.
    One query."""
    periods = rollup_periods(
        campaign_id=campaign.pk,
        hashtag=window.hashtag,
        platform=window.platform,
        periods=[(window.start, window.end), previous_of(window)],
    )
    current, previous = (totals_of(rows) for rows in periods)
    return current["posts"] + current["reposts"], previous["posts"] + previous["reposts"]


def snapshot_compute(*, campaign: Campaign, window: Window) -> dict[str, Any]:
    """Everything the summary and contributors endpoints need, for a window and the period
    before it, computed exactly (slow on big windows)."""
    began = time.monotonic()
    prev_start, prev_end = previous_of(window)
    scope: dict[str, Any] = {"platform": window.platform, "hashtag": window.hashtag}
    # Big windows: the planner's own choice (hash joins), not the live path's lookups by id.
    current: dict[str, Any] = authors_reach(
        campaign=campaign, start=window.start, end=window.end, **scope
    )
    previous = authors_reach(campaign=campaign, start=prev_start, end=prev_end, **scope)
    current.update(contributors(campaign=campaign, start=window.start, end=window.end, **scope))
    return {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "current": current,
        "previous": previous,
        "seconds": round(time.monotonic() - began, 3),
    }


# Standard snapshots are keyed "<range>|..."; every other key is a custom window's.
_STANDARD_KEYS = Q(*(Q(params_key__startswith=f"{r}|") for r in STANDARD), _connector=Q.OR)


def custom_snapshots_prune(*, campaign_ids: list[int] | None = None) -> int:
    """Delete all but the newest DASHBOARD_CUSTOM_SNAPSHOTS_MAX custom snapshots of each of
    these campaigns (None: every campaign). Returns how many went."""
    keep = settings.DASHBOARD_CUSTOM_SNAPSHOTS_MAX
    custom = DashboardSnapshot.objects.filter(name=NAME).exclude(_STANDARD_KEYS)
    if campaign_ids is not None:
        custom = custom.filter(campaign_id__in=campaign_ids)
    crowded = (
        custom.values("campaign_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=keep)
        .values_list("campaign_id", flat=True)
    )
    deleted = 0
    for campaign_id in crowded:
        stale = custom.filter(campaign_id=campaign_id).order_by("-computed_at", "-pk")[keep:]
        deleted += DashboardSnapshot.objects.filter(
            pk__in=list(stale.values_list("pk", flat=True))
        ).delete()[0]
    return deleted


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
    custom = window.range == Range.CUSTOM
    if custom:
        custom_snapshots_prune(campaign_ids=[campaign.pk])
    numbers = ("current", "previous")
    if old is None and custom:
        # Only this request has read it: a visitor's new windows cannot flush the cache.
        return now
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
        current, previous = authors_reach_periods(
            campaign=campaign, periods=[(window.start, window.end), previous_of(window)], **scope
        )
        return {"current": current, "previous": previous, "as_of": None}
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
    windows are too big to answer live, after pruning every campaign's custom snapshots.
    Returns how many were computed."""
    now = now or timezone.now()
    custom_snapshots_prune()
    computed = 0
    campaigns = Campaign.objects.counting_at(now).order_by("pk")
    for campaign in campaigns:
        stored = {
            s.params_key: s for s in DashboardSnapshot.objects.filter(campaign=campaign, name=NAME)
        }
        for range_ in STANDARD:
            window = standard_window(campaign=campaign, range_=range_, now=now)
            counts = post_counts(campaign=campaign, window=window)
            if max(counts) <= exact_max() or not _due(stored.get(snapshot_key(window)), now):
                continue
            data = snapshot_compute(campaign=campaign, window=window)
            snapshot_store(campaign=campaign, window=window, data=data, now=now)
            computed += 1
    return computed

"""Campaign totals over any window, from the tag-set rollups: each post counted once.

Design: the tag sets that meet the campaign's hashtags hold every post of the campaign exactly
once; they are found by a subquery on TagSet.key (few rows), so it costs no round trip.
A window [start, end) is read from the hour rows for the whole UTC hours inside it and from
the minute rows for its edges, in ONE statement (a UNION ALL of the two, summed per bucket
and platform), so a week costs a few hundred rows whatever the number of posts.
`rollup_rows` is that statement; the summary, heat map and year-over-year selectors bucket
its rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum

from campaigns.models import Campaign, CampaignHashtag
from hashtags.models import Hashtag, Platform, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.tagsets import RollupSpans, holds_sql, rollup_spans, tagsets_holding_any

# Zone offsets change at transitions, months apart: probing every few hours finds any stretch
# whose offset is not a whole hour.
_PROBE = timedelta(hours=6)
METRICS = ("posts", "reposts", "likes", "replies", "shares", "quotes")


@dataclass(frozen=True)
class RollupRow:
    bucket: datetime  # UTC start of the hour or minute the row covers
    platform: str
    posts: int
    reposts: int
    likes: int
    replies: int
    shares: int
    quotes: int


def tagsets_of(links: QuerySet[CampaignHashtag]) -> QuerySet[TagSet, dict[str, Any]]:
    """The tag sets meeting the hashtags of these campaign links, as a subquery (no query of
    its own)."""
    return tagsets_holding_any(links)


def tagsets_cte(campaign_id: int, hashtag: str = "") -> tuple[str, list]:
    """PostgreSQL: `ts AS (...)`, the ids of the tag sets meeting the campaign's hashtags (or
    only `hashtag`), for a WITH clause; and its parameters. Name them in a condition as
    `tagset_id = ANY(ARRAY(SELECT id FROM ts))`: an index condition, never a join the planner
    could misjudge."""
    tagset, link = TagSet._meta.db_table, CampaignHashtag._meta.db_table
    hashtags = Hashtag._meta.db_table
    sql = f"""ts AS (
            SELECT t.id FROM {tagset} t JOIN {link} l
              ON {holds_sql("t", "l.hashtag_id")}
            WHERE l.campaign_id = %s
              AND (%s = '' OR l.hashtag_id IN (SELECT id FROM {hashtags} WHERE name = %s))
        )"""  # noqa: S608 - tables are ours; values are parameters
    return sql, [campaign_id, hashtag, hashtag]


def rollup_rows(
    *,
    campaign_id: int,
    start: datetime,
    end: datetime,
    hashtag: str = "",
    platform: str = "",
    minutes_only: bool = False,
) -> list[RollupRow]:
    """Sums per (bucket, platform) over [start, end) of the posts carrying the campaign's
    hashtags (or only `hashtag`): hour rows for whole hours, minute rows for the edges (or
    minute rows only). One query."""
    return rollup_periods(
        campaign_id=campaign_id,
        periods=[(start, end)],
        hashtag=hashtag,
        platform=platform,
        minutes_only=minutes_only,
    )[0]


def rollup_periods(
    *,
    campaign_id: int,
    periods: list[tuple[datetime, datetime]],
    hashtag: str = "",
    platform: str = "",
    minutes_only: bool = False,
) -> list[list[RollupRow]]:
    """rollup_rows for each of several windows (a window and the period before it), in one
    statement on PostgreSQL: one list of rows per window, in order."""
    out: list[list[RollupRow]] = [[] for _ in periods]
    wanted = [
        (i, rollup_spans(start, end, minutes_only=minutes_only))
        for i, (start, end) in enumerate(periods)
        if end > start
    ]
    if not wanted:
        return out
    if connection.vendor == "postgresql":
        rows = _pg_rows(campaign_id, hashtag, platform, wanted)
    else:
        rows = [
            (i, *row)
            for i, spans in wanted
            for row in _orm_rows(campaign_id, hashtag, platform, spans)
        ]
    for i, platform_, bucket, *sums in rows:
        out[i].append(RollupRow(bucket.astimezone(UTC), platform_, *(int(v or 0) for v in sums)))
    return out


def _pg_rows(campaign_id, hashtag, platform, wanted) -> list[tuple]:
    """The same read as _orm_rows in SQL written once (building the ORM's union of subqueries
    cost more than running it), one branch per kind of row and window, tagged with the
    window's index."""
    minute_table, hour_table = TagSetRollup._meta.db_table, TagSetRollupHour._meta.db_table
    # Both rollup indexes are (tag set, platform, bucket): naming every tag set and platform
    # lets each become index ranges instead of a scan of the table.
    platforms = [platform] if platform else list(Platform.values)
    columns = ", ".join(METRICS)
    sums = ", ".join(f"SUM({name})" for name in METRICS)
    where = "tagset_id = ANY(ARRAY(SELECT id FROM ts)) AND platform = ANY(%s)"
    branch = f"""
            SELECT %s::int AS period, platform, minute AS bucket, {columns} FROM {minute_table}
            WHERE {where} AND ((minute >= %s AND minute < %s) OR (minute >= %s AND minute < %s))
            UNION ALL
            SELECT %s::int, platform, hour, {columns} FROM {hour_table}
            WHERE {where} AND hour >= %s AND hour < %s"""  # noqa: S608 - ours; values are parameters
    ts, params = tagsets_cte(campaign_id, hashtag)
    for i, spans in wanted:
        (a, b), (c, d) = spans.minutes
        params += [i, platforms, a, b, c, d, i, platforms, *spans.hours]
    union = "\n            UNION ALL".join([branch] * len(wanted))
    sql = f"""
        WITH {ts}
        SELECT period, platform, bucket, {sums} FROM ({union}
        ) r
        GROUP BY period, platform, bucket
    """  # noqa: S608 - tables and columns are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _orm_rows(campaign_id, hashtag, platform, spans: RollupSpans) -> list[tuple]:
    """The embedded SQLite's read (datetimes need the ORM's conversions there), one window
    per query."""
    links = CampaignHashtag.objects.filter(campaign_id=campaign_id)
    tagsets = tagsets_of(links.filter(hashtag__name=hashtag) if hashtag else links)
    sums = {name: Sum(name) for name in METRICS}
    (a, b), (c, d) = spans.minutes
    minutes = TagSetRollup.objects.filter(tagset_id__in=tagsets).filter(
        Q(minute__gte=a, minute__lt=b) | Q(minute__gte=c, minute__lt=d)
    )
    if platform:
        minutes = minutes.filter(platform=platform)
    # Rows of either rollup model: only their values are read.
    query: QuerySet[Any, dict[str, Any]]
    query = minutes.values("platform", bucket=F("minute")).annotate(**sums).order_by()
    if spans.has_hours:
        first, last = spans.hours
        hours = TagSetRollupHour.objects.filter(
            tagset_id__in=tagsets, hour__gte=first, hour__lt=last
        )
        if platform:
            hours = hours.filter(platform=platform)
        hour_rows = hours.values("platform", bucket=F("hour")).annotate(**sums).order_by()
        query = hour_rows.union(query, all=True)
    return list(query.values_list("platform", "bucket", *METRICS))


def whole_hour_offsets(tz: ZoneInfo, start: datetime, end: datetime) -> bool:
    """True if the zone's offset is a whole number of hours all through [start, end)."""
    moment = start.astimezone(UTC)
    while True:
        offset = moment.astimezone(tz).utcoffset() or timedelta()
        if offset % timedelta(hours=1):
            return False
        if moment >= end:
            return True
        moment = min(moment + _PROBE, end)


def totals_of(rows: Iterable[RollupRow]) -> dict[str, int]:
    out = dict.fromkeys(METRICS, 0)
    for row in rows:
        for name in METRICS:
            out[name] += getattr(row, name)
    return out


def campaign_totals(
    *, campaign: Campaign, start: datetime, end: datetime, platform: str = ""
) -> dict[str, int]:
    """posts, reposts, likes, replies, shares, quotes of the campaign's posts in [start, end).

    One query (tag sets found inside it), whatever the window or the data.
    """
    return totals_of(rollup_rows(campaign_id=campaign.pk, start=start, end=end, platform=platform))

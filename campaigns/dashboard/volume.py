"""Volume over time for a campaign's dashboard, read from the tag-set rollups, never from posts.

A hashtag's line sums the rows of every tag set that holds it (hashtags.tagsets). Whole UTC
hours inside the window are read from the hour rows and the edges from the minute rows, when
the zone's offset is a whole number of hours over the window (else minute rows only); either
way the answer takes one query on PostgreSQL (tag sets found, rows read through the rollup
indexes and summed per hashtag and bucket inside it), and three on the embedded SQLite (tag
sets, minute rows, hour rows, bucketed in Python), whatever the data.

Buckets are drawn in the campaign's time zone: an hour bucket starts at a local full hour (so
India's +05:30 hours start at :30 UTC), a day bucket at local midnight (23 or 25 hours long on
daylight-saving days), and the two 01:00 hours of a fall-back night stay apart. Each value is
the number of original posts carrying the hashtag in the bucket; plain reposts are counted
separately. A post with several campaign hashtags counts once in each of their lines.

`total` counts each post once for the campaign (or the one chosen hashtag): a tag set's rows go
to it once, through its smallest campaign hashtag. On PostgreSQL it is a second grouping set of
the same statement (hashtag NULL), summing only the rows joined through that first hashtag; on
SQLite the same rows are added once per tag set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q

from campaigns.dashboard.params import Window
from campaigns.models import Campaign
from campaigns.totals import whole_hour_offsets
from hashtags.models import Platform, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.tagsets import RollupSpans, holds_sql, rollup_spans, tagsets_meeting


def bucket_start(moment: datetime, granularity: str, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which the bucket holding `moment` starts, in zone `tz`."""
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    if granularity == "minute":
        return moment
    local = moment.astimezone(tz)
    if granularity == "hour":
        return moment - timedelta(minutes=local.minute)
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    return midnight.astimezone(UTC)


def bucket_starts(window: Window, tz: ZoneInfo) -> list[datetime]:
    """Every bucket from the one holding the window's start to the one before its end."""
    out = []
    current = bucket_start(window.start, window.granularity, tz)
    while current < window.end:
        out.append(current)
        if window.granularity == "day":
            local = current.astimezone(tz).date() + timedelta(days=1)
            current = datetime.combine(local, time(0), tzinfo=tz).astimezone(UTC)
        else:
            step = timedelta(minutes=1 if window.granularity == "minute" else 60)
            current = bucket_start(current + step, window.granularity, tz)
    return out


# The start of the bucket holding {t}, and how many times the expression names the zone.
_PG_BUCKET = {
    "minute": ("{t}", 0),
    "hour": ("{t} - make_interval(mins => EXTRACT(MINUTE FROM {t} AT TIME ZONE %s)::int)", 1),
    "day": ("date_trunc('day', {t} AT TIME ZONE %s) AT TIME ZONE %s", 2),
}


def _spans(window: Window, tz: ZoneInfo) -> RollupSpans:
    """Which rows serve the window. Hour rows serve whole UTC hours inside it only when every
    bucket boundary in it falls on a whole UTC hour, i.e. when the zone's offset is a whole
    number of hours all along it."""
    minutes_only = window.granularity == "minute" or not whole_hour_offsets(
        tz, window.start, window.end
    )
    return rollup_spans(window.start, window.end, minutes_only=minutes_only)


def _rows(campaign: Campaign, window: Window, hashtag_ids: list[int]) -> list[tuple]:
    """(hashtag_id, platform, bucket start in Unix seconds, posts, reposts) summed per bucket:
    each tag set's rows go to every hashtag of the campaign it holds, and once to the total
    (hashtag_id None)."""
    if not hashtag_ids:
        return []
    spans = _spans(window, campaign.tz)
    if connection.vendor == "postgresql":
        return _pg_rows(campaign.timezone, window, hashtag_ids, spans)
    members = tagsets_meeting(hashtag_ids)
    out = []
    for tagset_id, platform, bucket, posts, reposts in _orm_rows(
        campaign.tz, window, members, spans
    ):
        seconds = int(bucket.timestamp())
        for hashtag_id in (*members[tagset_id], None):
            out.append((hashtag_id, platform, seconds, posts, reposts))
    return out


def _orm_rows(tz: ZoneInfo, window: Window, members: dict, spans: RollupSpans) -> list[tuple]:
    """(tagset_id, platform, bucket start, posts, reposts) summed per bucket. The embedded
    SQLite has no time zones: the rows are bucketed here."""
    tagset_ids = sorted(members)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for model, field, ranges in (
        (TagSetRollup, "minute", spans.minutes),
        (TagSetRollupHour, "hour", [spans.hours]),
    ):
        when = Q()
        for start, end in ranges:
            when |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        rows = model.objects.filter(when, tagset_id__in=tagset_ids)
        if window.platform:
            rows = rows.filter(platform=window.platform)
        for t, p, moment, n, r in rows.values_list(
            "tagset_id", "platform", field, "posts", "reposts"
        ):
            acc = sums[(t, p, bucket_start(moment, window.granularity, tz))]
            acc[0] += n
            acc[1] += r
    return [(*key, n, r) for key, (n, r) in sums.items()]


def _pg_rows(
    tz_name: str, window: Window, hashtag_ids: list[int], spans: RollupSpans
) -> list[tuple]:
    """One statement: the tag sets holding each hashtag (from TagSet.key), then each range of
    rows as its own branch naming every tag set and platform, so each is an index range scan
    of (tagset, platform, bucket) and never a scan of the minute table; summed per hashtag,
    platform and bucket (a few hundred rows for a week in hours), and per platform and bucket
    over the rows joined through each tag set's first hashtag (the total, hashtag NULL)."""
    bucket, zones = _PG_BUCKET[window.granularity]
    minute_bucket, tz = bucket.format(t="minute"), [tz_name] * zones
    # Hour rows are read only when local hours start at whole UTC hours: an hour row is its
    # own hour bucket, so only day buckets need working out.
    hour_bucket, hour_tz = ("hour", []) if zones < 2 else (bucket.format(t="hour"), tz)
    platforms = [window.platform] if window.platform else list(Platform.values)
    (a, b), (c, d) = spans.minutes
    minute_table, hour_table = TagSetRollup._meta.db_table, TagSetRollupHour._meta.db_table
    where = "tagset_id = ANY(ARRAY(SELECT DISTINCT tagset_id FROM m)) AND platform = ANY(%s)"
    sql = f"""
        WITH m AS (
            SELECT t.id AS tagset_id, h.id AS hashtag_id,
                h.id = MIN(h.id) OVER (PARTITION BY t.id) AS first
            FROM {TagSet._meta.db_table} t JOIN unnest(%s::bigint[]) AS h(id)
              ON {holds_sql("t", "h.id")}
        )
        SELECT m.hashtag_id, r.platform, EXTRACT(EPOCH FROM r.bucket)::bigint,
            CASE WHEN GROUPING(m.hashtag_id) = 0 THEN SUM(r.posts)
                ELSE SUM(r.posts) FILTER (WHERE m.first) END,
            CASE WHEN GROUPING(m.hashtag_id) = 0 THEN SUM(r.reposts)
                ELSE SUM(r.reposts) FILTER (WHERE m.first) END
        FROM (
            SELECT tagset_id, platform, {minute_bucket} AS bucket, posts, reposts
            FROM {minute_table} WHERE {where} AND minute >= %s AND minute < %s
            UNION ALL
            SELECT tagset_id, platform, {minute_bucket}, posts, reposts
            FROM {minute_table} WHERE {where} AND minute >= %s AND minute < %s
            UNION ALL
            SELECT tagset_id, platform, {hour_bucket}, posts, reposts
            FROM {hour_table} WHERE {where} AND hour >= %s AND hour < %s
        ) r JOIN m ON m.tagset_id = r.tagset_id
        GROUP BY GROUPING SETS ((m.hashtag_id, r.platform, r.bucket), (r.platform, r.bucket))
    """  # noqa: S608 - tables and expressions are ours; values are parameters
    params: list[Any] = [list(hashtag_ids), *tz, platforms, a, b, *tz, platforms, c, d]
    params += [*hour_tz, platforms, *spans.hours]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def campaign_volume(*, campaign: Campaign, window: Window) -> dict:
    """Series per campaign hashtag (with a per-platform breakdown) over the window's buckets."""
    links = [
        link
        for link in campaign.campaign_hashtags.select_related("hashtag").order_by("position")
        if not window.hashtag or link.hashtag.name == window.hashtag
    ]
    tz = campaign.tz
    starts = bucket_starts(window, tz)
    index = {int(start.timestamp()): i for i, start in enumerate(starts)}
    series: dict[int, dict[str, Any]] = {
        link.hashtag_id: {
            "hashtag": link.hashtag.display,
            "color": link.color,
            "posts": [0] * len(starts),
            "reposts": [0] * len(starts),
            "platforms": {},
        }
        for link in links
    }
    total: dict[str, Any] = {
        "posts": [0] * len(starts),
        "reposts": [0] * len(starts),
        "platforms": {},
    }
    for hashtag_id, platform, bucket, posts, reposts in _rows(campaign, window, list(series)):
        i = index[bucket]
        line = total if hashtag_id is None else series[hashtag_id]
        line["posts"][i] += posts
        line["reposts"][i] += reposts
        per = line["platforms"].setdefault(platform, [0] * len(starts))
        per[i] += posts
    return {
        "campaign": campaign.slug,
        "timezone": campaign.timezone,
        "range": window.range,
        "granularity": window.granularity,
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "buckets": [start.astimezone(tz).isoformat() for start in starts],
        "series": list(series.values()),
        "total": total,
        "counting": (
            "Each line counts original posts carrying its hashtag (plain reposts are counted "
            "separately); a post with several campaign hashtags counts once in each line. "
            "The total counts each post once."
        ),
    }

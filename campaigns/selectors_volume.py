"""Volume over time for a campaign's dashboard, read from the tag-set rollups, never from posts.

A hashtag's line sums the rows of every tag set that holds it (hashtags.tagsets). Whole UTC
hours inside the window are read from the hour rows and the edges from the minute rows, when
the zone's offset is a whole number of hours over the window (else minute rows only); either
way the answer takes one query for the tag sets and one for the rows, whatever the data.

Buckets are drawn in the campaign's time zone: an hour bucket starts at a local full hour (so
India's +05:30 hours start at :30 UTC), a day bucket at local midnight (23 or 25 hours long on
daylight-saving days), and the two 01:00 hours of a fall-back night stay apart. Each value is
the number of original posts carrying the hashtag in the bucket; plain reposts are counted
separately. A post with several campaign hashtags counts once in each of their lines.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q

from hashtags.models import TagSetRollup, TagSetRollupHour
from hashtags.tagsets import hour_span, tagsets_meeting

from .dashboard_params import Window
from .models import Campaign


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


_PG_BUCKET = {
    "minute": "r.t",
    "hour": "r.t - make_interval(mins => EXTRACT(MINUTE FROM r.t AT TIME ZONE %s)::int)",
    "day": "date_trunc('day', r.t AT TIME ZONE %s) AT TIME ZONE %s",
}


def _spans(window: Window, tz: ZoneInfo) -> tuple[list[tuple[datetime, datetime]], tuple | None]:
    """Which rows serve the window: (minute-row ranges, hour-row range or None).

    Hour rows serve whole UTC hours inside the window when every bucket boundary in it falls on
    a whole UTC hour, i.e. when the zone's offset is a whole number of hours all along it."""
    hours = hour_span(window.start, window.end) if window.granularity != "minute" else None
    if hours is None or not _whole_hours(tz, window.start, window.end):
        return [(window.start, window.end)], None
    first, last = hours
    return [(window.start, first), (last, window.end)], hours


def _whole_hours(tz: ZoneInfo, start: datetime, end: datetime) -> bool:
    moment = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while moment <= end:
        if moment.astimezone(tz).utcoffset() % timedelta(hours=1):
            return False
        moment += timedelta(hours=1)
    return True


def _rows(campaign: Campaign, window: Window, hashtag_ids: list[int]) -> list[tuple]:
    """(hashtag_id, platform, bucket start, posts, reposts) summed per bucket: each tag set's
    rows go to every hashtag of the campaign it holds."""
    members = tagsets_meeting(hashtag_ids)
    out = []
    for tagset_id, platform, bucket, posts, reposts in _tagset_rows(campaign, window, members):
        for hashtag_id in members[tagset_id]:
            out.append((hashtag_id, platform, bucket, posts, reposts))
    return out


def _tagset_rows(campaign: Campaign, window: Window, members: dict) -> list[tuple]:
    """(tagset_id, platform, bucket start, posts, reposts) summed per bucket."""
    tz = campaign.tz
    minutes, hours = _spans(window, tz)
    hours = hours or (window.end, window.end)
    tagset_ids = sorted(members)
    if connection.vendor == "postgresql":
        return _pg_rows(campaign.timezone, window, tagset_ids, minutes, hours)
    # The embedded SQLite has no time zones: bucket the rows here.
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for model, field, ranges in (
        (TagSetRollup, "minute", minutes),
        (TagSetRollupHour, "hour", [hours]),
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


def _pg_rows(tz_name: str, window: Window, tagset_ids: list[int], minutes, hours) -> list[tuple]:
    bucket = _PG_BUCKET[window.granularity]
    tz_params = {"minute": [], "hour": [tz_name], "day": [tz_name, tz_name]}[window.granularity]
    platform_sql = "AND platform = %s" if window.platform else ""
    platform = [window.platform] if window.platform else []
    (a, b), (c, d) = minutes if len(minutes) == 2 else (minutes[0], (window.end, window.end))
    sql = f"""
        SELECT r.tagset_id, r.platform, {bucket} AS bucket, SUM(r.posts), SUM(r.reposts)
        FROM (
            SELECT tagset_id, platform, minute AS t, posts, reposts
            FROM {TagSetRollup._meta.db_table}
            WHERE tagset_id = ANY(%s) AND ((minute >= %s AND minute < %s)
                OR (minute >= %s AND minute < %s)) {platform_sql}
            UNION ALL
            SELECT tagset_id, platform, hour AS t, posts, reposts
            FROM {TagSetRollupHour._meta.db_table}
            WHERE tagset_id = ANY(%s) AND hour >= %s AND hour < %s {platform_sql}
        ) r
        GROUP BY 1, 2, 3
    """  # noqa: S608 - table and expressions are ours; values are parameters
    params = [*tz_params, tagset_ids, a, b, c, d, *platform, tagset_ids, *hours, *platform]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(t, p, b.astimezone(UTC), n, r) for t, p, b, n, r in cursor.fetchall()]


def campaign_volume(*, campaign: Campaign, window: Window) -> dict:
    """Series per campaign hashtag (with a per-platform breakdown) over the window's buckets."""
    links = [
        link
        for link in campaign.campaign_hashtags.select_related("hashtag").order_by("position")
        if not window.hashtag or link.hashtag.name == window.hashtag
    ]
    tz = campaign.tz
    starts = bucket_starts(window, tz)
    index = {start: i for i, start in enumerate(starts)}
    series = {
        link.hashtag_id: {
            "hashtag": link.hashtag.display,
            "color": link.color,
            "posts": [0] * len(starts),
            "reposts": [0] * len(starts),
            "platforms": {},
        }
        for link in links
    }
    for hashtag_id, platform, bucket, posts, reposts in _rows(campaign, window, list(series)):
        i = index[bucket]
        line = series[hashtag_id]
        line["posts"][i] += int(posts)
        line["reposts"][i] += int(reposts)
        per = line["platforms"].setdefault(platform, [0] * len(starts))
        per[i] += int(posts)
    return {
        "campaign": campaign.slug,
        "timezone": campaign.timezone,
        "range": window.range,
        "granularity": window.granularity,
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "buckets": [start.astimezone(tz).isoformat() for start in starts],
        "series": list(series.values()),
        "counting": (
            "Each line counts original posts carrying its hashtag (plain reposts are counted "
            "separately); a post with several campaign hashtags counts once in each line."
        ),
    }

"""Volume over time for a campaign's dashboard, read from the minute rollups, never from posts.

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

from hashtags.models import VolumeRollup

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
    "minute": "r.minute",
    "hour": "r.minute - make_interval(mins => EXTRACT(MINUTE FROM r.minute AT TIME ZONE %s)::int)",
    "day": "date_trunc('day', r.minute AT TIME ZONE %s) AT TIME ZONE %s",
}


def _rows(campaign: Campaign, window: Window, hashtag_ids: list[int]) -> list[tuple]:
    """(hashtag_id, platform, bucket start, posts, reposts) summed per bucket."""
    tz_name = campaign.timezone
    if connection.vendor == "postgresql":
        bucket = _PG_BUCKET[window.granularity]
        tz_params = {"minute": [], "hour": [tz_name], "day": [tz_name, tz_name]}[window.granularity]
        platform_sql = "AND r.platform = %s" if window.platform else ""
        sql = f"""
            SELECT r.hashtag_id, r.platform, {bucket} AS bucket, SUM(r.posts), SUM(r.reposts)
            FROM {VolumeRollup._meta.db_table} r
            WHERE r.hashtag_id = ANY(%s) AND r.minute >= %s AND r.minute < %s {platform_sql}
            GROUP BY 1, 2, 3
        """  # noqa: S608 - table and expressions are ours; values are parameters
        params = [*tz_params, hashtag_ids, window.start, window.end]
        if window.platform:
            params.append(window.platform)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(h, p, b.astimezone(UTC), n, r) for h, p, b, n, r in cursor.fetchall()]
    # The embedded SQLite has no time zones: bucket the minute rows here.
    rollups = VolumeRollup.objects.filter(
        hashtag_id__in=hashtag_ids, minute__gte=window.start, minute__lt=window.end
    )
    if window.platform:
        rollups = rollups.filter(platform=window.platform)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    tz = campaign.tz
    for h, p, minute, n, r in rollups.values_list(
        "hashtag_id", "platform", "minute", "posts", "reposts"
    ):
        acc = sums[(h, p, bucket_start(minute, window.granularity, tz))]
        acc[0] += n
        acc[1] += r
    return [(*key, n, r) for key, (n, r) in sums.items()]


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

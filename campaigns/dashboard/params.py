"""Query parameters of the dashboard's JSON endpoints, validated into one `Window`.

range: campaign (default), 1h, 24h, 7d, or custom with start and end (ISO 8601; a time without
an offset is read in the campaign's zone). granularity: auto (default), minute, hour, day; auto
picks minute up to 6 hours, hour up to 14 days, day beyond. platform, hashtag: one of each, or
all. Dates must fall in the years a campaign may take (campaigns.models.DATES_MIN..MAX) and
offsets within ±14:00. Each endpoint names the parameters it reads (`uses`); the others are
neither validated nor part of its answer's key, so top posts over a week do not refuse
`granularity=minute`. Anything else is a ValueError whose message the endpoint returns with
HTTP 400.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from campaigns.models import Campaign, dates_bounds_error
from campaigns.ranges import LAST, Range
from hashtags.models import Platform

GRANULARITIES = ("minute", "hour", "day")
STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_POINTS = 5000
MAX_SPAN = timedelta(days=400)
# The widest offset any zone uses (Kiribati, +14:00); PostgreSQL refuses 16:00 and beyond.
MAX_OFFSET = timedelta(hours=14)
# What an endpoint may read besides the range; each names its own subset.
GRANULARITY, PLATFORM, HASHTAG = "granularity", "platform", "hashtag"
ALL = frozenset({GRANULARITY, PLATFORM, HASHTAG})


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    granularity: str  # "" when the endpoint does not bucket by time
    range: str
    platform: str = ""
    hashtag: str = ""  # normalized name, or "" for all of the campaign's

    def key(self) -> str:
        return "|".join(
            [
                self.start.isoformat(),
                self.end.isoformat(),
                self.granularity,
                self.platform,
                self.hashtag,
            ]
        )


def _parse_when(value: str, campaign: Campaign, name: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name}={value!r} is not an ISO 8601 date or time.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=campaign.tz)
    elif abs(when.utcoffset() or timedelta(0)) > MAX_OFFSET:
        raise ValueError(f"{name}={value!r} has a UTC offset beyond ±14:00.")
    problem = dates_bounds_error(when)
    if problem:
        raise ValueError(f"{name}={value!r}: {problem}")
    return when


def range_window(
    *, campaign: Campaign, range_: str, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """[start, end) of a range that needs no dates (the campaign, or the last hour, day, week).

    Rollups are per minute: relative ranges end at the next whole minute, which includes the
    minute under way and keeps the answer (and its cache key) the same for the whole minute."""
    now = (now or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    if range_ == Range.CAMPAIGN:
        start, end = campaign.start, min(campaign.end, max(now, campaign.start))
        if end <= start:  # an upcoming campaign: its whole window, empty for now
            end = campaign.end
        return start, end
    return now - LAST[range_], now


def _span(params: Mapping[str, str], campaign: Campaign, now: datetime | None):
    range_ = params.get("range", Range.CAMPAIGN) or Range.CAMPAIGN
    if range_ == Range.CUSTOM:
        if not params.get("start") or not params.get("end"):
            raise ValueError("range=custom needs both start and end.")
        start = _parse_when(params["start"], campaign, "start")
        end = _parse_when(params["end"], campaign, "end")
        if end <= start:
            raise ValueError("end must be after start.")
        if end - start > MAX_SPAN:
            raise ValueError(f"A custom range can span at most {MAX_SPAN.days} days.")
        return range_, start, end
    if range_ == Range.CAMPAIGN or range_ in LAST:
        return (range_, *range_window(campaign=campaign, range_=range_, now=now))
    choices = ", ".join(["campaign", *LAST, "custom"])
    raise ValueError(f"range={range_!r} is not one of: {choices}.")


def _granularity(params: Mapping[str, str], start: datetime, end: datetime) -> str:
    granularity = params.get("granularity", "auto") or "auto"
    if granularity == "auto":
        span = end - start
        granularity = (
            "minute"
            if span <= timedelta(hours=6)
            else "hour"
            if span <= timedelta(days=14)
            else "day"
        )
    elif granularity not in GRANULARITIES:
        raise ValueError(
            f"granularity={granularity!r} is not one of: auto, {', '.join(GRANULARITIES)}."
        )
    points = (end - start) / STEP[granularity]
    if points > MAX_POINTS:
        raise ValueError(
            f"{granularity} buckets over this range would be {int(points):,} points "
            f"(at most {MAX_POINTS:,}); choose a coarser granularity or a shorter range."
        )
    return granularity


def window_parse(
    *,
    params: Mapping[str, str],
    campaign: Campaign,
    uses: Collection[str] = ALL,
    now: datetime | None = None,
) -> Window:
    """The window these parameters ask for, reading only the parameters in `uses`."""
    range_, start, end = _span(params, campaign, now)
    granularity = _granularity(params, start, end) if GRANULARITY in uses else ""
    platform = (params.get("platform", "") or "") if PLATFORM in uses else ""
    if platform and platform not in Platform.values:
        raise ValueError(f"platform={platform!r} is not one of: {', '.join(Platform.values)}.")
    hashtag = (params.get("hashtag", "") or "").lstrip("#").casefold() if HASHTAG in uses else ""
    if hashtag and hashtag not in {h.name for h in campaign.hashtags.all()}:
        raise ValueError(f"#{hashtag} is not one of this campaign's hashtags.")
    return Window(start, end, granularity, range_, platform, hashtag)


def standard_window(*, campaign: Campaign, range_: str, now: datetime | None = None) -> Window:
    """The whole-campaign window of a standard range, as the snapshots keep it."""
    start, end = range_window(campaign=campaign, range_=range_, now=now)
    return Window(start, end, "", range_)


def window_header(campaign: Campaign, window: Window) -> dict[str, str]:
    """The keys that open an answer about a window: whose, in which zone, which range, and its
    instants in the campaign's zone."""
    tz = campaign.tz
    return {
        "campaign": campaign.slug,
        "timezone": campaign.timezone,
        "range": window.range,
        "start": window.start.astimezone(tz).isoformat(),
        "end": window.end.astimezone(tz).isoformat(),
    }

"""Query parameters of the dashboard's JSON endpoints, validated into one `Window`.

range: campaign (default), 1h, 24h, 7d, or custom with start and end (ISO 8601; a time without
an offset is read in the campaign's zone). granularity: auto (default), minute, hour, day; auto
picks minute up to 6 hours, hour up to 14 days, day beyond. Anything else is a ValueError
whose message the endpoint returns with HTTP 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import QueryDict
from django.utils import timezone

from hashtags.models import Platform

from .models import Campaign

RANGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
GRANULARITIES = ("minute", "hour", "day")
STEP = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_POINTS = 5000
MAX_SPAN = timedelta(days=400)


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    granularity: str
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
    return when if when.tzinfo else when.replace(tzinfo=campaign.tz)


def window_parse(*, params: QueryDict, campaign: Campaign, now: datetime | None = None) -> Window:
    # Rollups are per minute: end relative ranges at the next whole minute, which includes the
    # minute under way and keeps the answer (and its cache key) the same for the whole minute.
    now = (now or timezone.now()).replace(second=0, microsecond=0) + timedelta(minutes=1)
    range_ = params.get("range", "campaign") or "campaign"
    if range_ == "campaign":
        start, end = campaign.start, min(campaign.end, max(now, campaign.start))
        if end <= start:  # an upcoming campaign: its whole window, empty for now
            end = campaign.end
    elif range_ in RANGES:
        end = now
        start = end - RANGES[range_]
    elif range_ == "custom":
        if not params.get("start") or not params.get("end"):
            raise ValueError("range=custom needs both start and end.")
        start = _parse_when(params["start"], campaign, "start")
        end = _parse_when(params["end"], campaign, "end")
        if end <= start:
            raise ValueError("end must be after start.")
        if end - start > MAX_SPAN:
            raise ValueError(f"A custom range can span at most {MAX_SPAN.days} days.")
    else:
        choices = ", ".join(["campaign", *RANGES, "custom"])
        raise ValueError(f"range={range_!r} is not one of: {choices}.")

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

    platform = params.get("platform", "") or ""
    if platform and platform not in Platform.values:
        raise ValueError(f"platform={platform!r} is not one of: {', '.join(Platform.values)}.")
    hashtag = (params.get("hashtag", "") or "").lstrip("#").casefold()
    if hashtag and hashtag not in {h.name for h in campaign.hashtags.all()}:
        raise ValueError(f"#{hashtag} is not one of this campaign's hashtags.")
    return Window(start, end, granularity, range_, platform, hashtag)

"""Which stored posts get fresh engagement counts: the top posts of the campaigns we still poll.

Counts keep moving for hours after a post is stored, but asking the platforms about the whole
collection would spend their quotas on posts nobody looks at. So, per campaign, the top K
original posts by the dashboard's score (Post.SCORE_FORMULA, so the posts the top-posts panel
shows are the ones kept fresh; read through the score index in a big campaign) in its dates, of
those only the ones whose counts are older than a few minutes, grouped by the source that can
look them up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignHashtag
from campaigns.posts import posts_tagged
from hashtags.models import Post, Source


@dataclass(frozen=True)
class RefreshWork:
    source_id: int
    post_ids: tuple[int, ...]


def _top() -> int:
    return settings.METRICS_REFRESH_TOP


def _min_age() -> timedelta:
    return timedelta(minutes=settings.METRICS_REFRESH_MIN_AGE_MINUTES)


def _platforms() -> list[str]:
    return list(settings.METRICS_REFRESH_PLATFORMS)


def refreshed_campaigns(*, now: datetime) -> list[Campaign]:
    """Live campaigns, and ended ones within the polling tail: late likes count in the report."""
    return list(Campaign.objects.counting_at(now).order_by("pk"))


def campaign_top_post_ids(*, campaign: Campaign, limit: int) -> list[int]:
    """The campaign's `limit` best-scored posts in its dates; plain reposts carry none."""
    in_campaign = posts_tagged(CampaignHashtag.objects.filter(campaign=campaign))
    return list(
        in_campaign.filter(
            created_at__gte=campaign.start, created_at__lt=campaign.end, is_repost=False
        )
        .order_by("-score", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def metrics_refresh_work(*, now: datetime) -> list[RefreshWork]:
    """The stale top posts of every refreshed campaign, grouped by the source to ask."""
    top_ids: set[int] = set()
    for campaign in refreshed_campaigns(now=now):
        top_ids.update(campaign_top_post_ids(campaign=campaign, limit=_top()))
    if not top_ids:
        return []
    platforms = _platforms()
    stale = Post.objects.filter(
        pk__in=top_ids, platform__in=platforms, metrics_updated_at__lte=now - _min_age()
    )
    # A source whose polls are failing gets no extra traffic until it recovers.
    sources = Source.objects.filter(enabled=True, platform__in=platforms).exclude(
        poll_state__failures__gt=0
    )
    by_platform: dict[str, list[Source]] = defaultdict(list)
    for source in sources.order_by("pk"):
        by_platform[source.platform].append(source)
    groups: dict[int, list[int]] = defaultdict(list)
    rows = stale.order_by("pk").values_list("pk", "platform", "external_id", "source_id")
    for pk, platform, external_id, source_id in rows:
        asker = _asker(by_platform.get(platform, []), external_id, source_id)
        if asker is not None:
            groups[asker.pk].append(pk)
    return [RefreshWork(source_id=s, post_ids=tuple(ids)) for s, ids in sorted(groups.items())]


def _asker(candidates: list[Source], external_id: str, source_id: int | None) -> Source | None:
    """The server a post lives on (a Mastodon status is looked up where it was written), else
    the source that stored it, else any enabled source of its platform (imported posts)."""
    host = urlsplit(external_id).hostname if "://" in external_id else None
    for source in candidates:
        if host and source.base_url and urlsplit(source.base_url).hostname == host:
            return source
    for source in candidates:
        if source.pk == source_id:
            return source
    return candidates[0] if candidates else None


def metrics_refresh_schedule(*, now: datetime | None = None) -> int:
    """Beat's job: one refresh task per source, with post ids only, enqueued after commit."""
    from hashtags.tasks import refresh_metrics

    work = metrics_refresh_work(now=now or timezone.now())
    for item in work:
        kwargs = {"source_id": item.source_id, "post_ids": list(item.post_ids)}

        # A def, not a lambda with a default: mypy cannot type a lambda's default arguments.
        def enqueue(kw: dict[str, Any] = kwargs) -> None:
            refresh_metrics.apply_async(kwargs=kw)

        transaction.on_commit(enqueue)
    return len(work)

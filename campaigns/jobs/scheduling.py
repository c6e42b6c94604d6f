"""Which sources are due, and for which hashtags: those of campaigns inside their window.

The data plane knows nothing of campaigns; this module turns campaign windows (with a lead-in
before the start and a tail after the end, to catch early and late posts) into poll work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign, CampaignHashtag, Chat
from hashtags.models import Source
from hashtags.polling import PollResult, poll_rate_limited, poll_reserve, source_poll


@dataclass(frozen=True)
class PollWork:
    source: Source
    hashtag_ids: tuple[int, ...]


def active_hashtag_ids(*, now: datetime, campaign_slug: str | None = None) -> list[int]:
    """Hashtags of every campaign whose window (with lead-in and tail) contains `now`, and the
    own hashtag of every chat from its lead-in to its tail (a chat tag need not be a campaign's)."""
    links = CampaignHashtag.objects.filter(campaign__in=Campaign.objects.polled_at(now))
    chats = Chat.objects.polled_at(now)
    if campaign_slug:
        links = links.filter(campaign__slug=campaign_slug)
        chats = chats.filter(campaign__slug=campaign_slug)
    ids = set(links.values_list("hashtag_id", flat=True))
    return sorted(ids | set(chats.values_list("hashtag_id", flat=True)))


def poll_work(
    *, now: datetime, campaign_slug: str | None = None, platform: str | None = None
) -> list[PollWork]:
    hashtag_ids = tuple(active_hashtag_ids(now=now, campaign_slug=campaign_slug))
    if not hashtag_ids:
        return []
    sources = Source.objects.filter(enabled=True)
    if platform:
        sources = sources.filter(platform=platform)
    return [PollWork(source=s, hashtag_ids=hashtag_ids) for s in sources.order_by("pk")]


def polls_schedule(*, now: datetime | None = None) -> int:
    """Beat's job: reserve each due source and enqueue one poll task for it, after commit."""
    from hashtags.tasks import poll

    now = now or timezone.now()
    enqueued = 0
    due = Q(poll_state__isnull=True) | Q(poll_state__next_poll_at__lte=now)
    due_ids = set(Source.objects.filter(due, enabled=True).values_list("pk", flat=True))
    for work in poll_work(now=now):
        if work.source.pk not in due_ids or not poll_reserve(source=work.source, now=now):
            continue
        kwargs = {"source_id": work.source.pk, "hashtag_ids": list(work.hashtag_ids)}

        # A def, not a lambda with a default: mypy cannot type a lambda's default arguments.
        def enqueue(kw: dict[str, Any] = kwargs) -> None:
            poll.apply_async(kwargs=kw)

        transaction.on_commit(enqueue)
        enqueued += 1
    return enqueued


def polls_run_once(
    *,
    now: datetime | None = None,
    campaign_slug: str | None = None,
    platform: str | None = None,
    force: bool = False,
) -> Iterable[tuple[Source, PollResult]]:
    """For `manage.py poll --once`: poll each due source in this process, one after another."""
    now = now or timezone.now()
    for work in poll_work(now=now, campaign_slug=campaign_slug, platform=platform):
        if force and poll_rate_limited(source=work.source, now=now):
            continue
        if not force and not poll_reserve(source=work.source, now=now):
            continue
        yield work.source, source_poll(source_id=work.source.pk, hashtag_ids=work.hashtag_ids)

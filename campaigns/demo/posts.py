"""The demo editions' posts: a week of demo posts for last year, the elapsed days of this year
and one live poll, so the dashboard and its year-over-year chart have data at first load.

Design:
- Posts come from the demo source's generator (hashtags.sources.demo), minute by minute over
  an edition's window, with the seed polling uses, so the ids are the ones a poll of the same
  minutes would produce. They are stored through the storage service (posts_upsert, like
  `import_posts`: no source, no cursor, one ArchiveRun per edition), in archive-sized batches
  inside ONE transaction, so an edition is filled whole or not at all; rollups, links and tag
  sets come out as for polled posts, and coverage counts the generated minutes as imported.
- Last year keeps a deterministic share of the generated posts (LAST_YEAR_KEEP, chosen by a
  hash of the original's id, so a repost goes with its original), so this year is ahead.
- This year: the history from the start up to the point where the live poll's backfill
  begins, then ONE poll through the polling service (hashtags.polling.source_poll) that stores
  the rest and leaves the demo source's cursor where beat carries on.
- Each edition opens with a welcome post by the campaign's own account (demo_content.TEAM),
  which seed_demo pins on the wall.
- Bounded: at most MAX_POSTS per edition (about 17,000 posts in all for a seed on the last
  evening of the week, the most there can be).
- Idempotent: an edition that already has posts is left alone (no regeneration, no poll).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import transaction

from campaigns.jobs.scheduling import poll_work
from campaigns.models import Campaign
from campaigns.posts import campaign_posts
from hashtags.ingest import ArchiveRun, posts_upsert
from hashtags.normalize import hashtag_normalize
from hashtags.polling import PollResult, source_poll
from hashtags.sources.base import AuthorData, PostData
from hashtags.sources.demo import DemoClient
from hashtags.sources.demo_content import (
    HOST,
    TEAM,
    TEAM_FOLLOWERS,
    WELCOME,
    WELCOME_AFTER_HOURS,
    WELCOME_METRICS,
)

MINUTE = timedelta(minutes=1)
BATCH = 5000  # posts per posts_upsert call, as the archive import
LAST_YEAR_KEEP = 0.7  # share of the generated posts last year's edition keeps
# A bound on the posts one edition gets from the seed, whatever demo_content's rates say; the
# current content gives about 10,000 posts for a whole week (6,500 last year).
MAX_POSTS = 12_000
# How far back the seed's live poll reaches; the history stops where it starts.
LIVE_BACKFILL = timedelta(hours=6)
PLATFORM = "demo"


@dataclass
class EditionFill:
    slug: str
    generated: int = 0  # posts handed to storage
    new: int = 0  # posts stored for the first time
    polled: int = 0  # posts the live poll stored
    poll_outcome: str = ""  # "" when no poll ran


def demo_client(now: datetime) -> DemoClient:
    """The demo source's generator, on a fixed clock, with the seed the polls use."""
    seed = settings.DEMO_SEED
    return DemoClient(seed=seed, now=lambda: now, backfill=LIVE_BACKFILL)


def _floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _kept(post: PostData, share: float) -> bool:
    """Whether last year's edition keeps this post: always the chat host (replies point at its
    questions); else by a stable hash of the original, so reposts follow their original."""
    if share >= 1 or post.author.handle == HOST[0]:
        return True
    ids = (post.repost_of, post.external_id) if post.is_repost else (post.external_id,)
    for external_id in ids:
        digest = hashlib.blake2b(external_id.encode(), digest_size=8).digest()
        if int.from_bytes(digest, "big") / 2**64 >= share:
            return False
    return True


def generated_posts(
    *,
    client: DemoClient,
    hashtags: list[str],
    start: datetime,
    end: datetime,
    share: float = 1.0,
) -> Iterator[PostData]:
    """The demo's posts of the whole minutes in [start, end), oldest first."""
    minute = _floor_minute(start)
    if minute < start:
        minute += MINUTE
    while minute < end:
        for post in client.minute_posts(hashtags=hashtags, minute=minute):
            if _kept(post, share):
                yield post
        minute += MINUTE


def welcome_post(campaign: Campaign, hashtags: list[str], *, now: datetime) -> PostData:
    """The edition's welcome post, a few hours into it (never after `now`)."""
    handle, name, _kind = TEAM
    at = campaign.start + timedelta(hours=WELCOME_AFTER_HOURS)
    at = max(campaign.start, min(at, now - MINUTE))
    displays = {hashtag_normalize(tag): f"#{tag}" for tag in hashtags}
    external_id = f"demo-welcome-{campaign.slug}"
    author = AuthorData(
        platform=PLATFORM,
        external_id=f"demo-user-{handle}",
        handle=handle,
        name=name,
        url=f"https://example.org/@{handle}",
        followers=TEAM_FOLLOWERS,
        verified=True,
    )
    return PostData(
        platform=PLATFORM,
        external_id=external_id,
        author=author,
        text=WELCOME.format(name=campaign.name, **displays),
        url=f"https://example.org/@{handle}/{external_id}",
        created_at=at,
        hashtags=tuple(displays),
        lang="en",
        conversation_id=external_id,
        **WELCOME_METRICS,
    )


def _store(
    posts: Iterator[PostData], fill: EditionFill, *, label: str, start: datetime, end: datetime
) -> None:
    """Everything in one transaction, a batch per storage call, as one import. Every minute of
    [start, end) is generated, so the import holds that stretch whole, unless MAX_POSTS cut it
    short: then only up to its last post."""
    archive = ArchiveRun(label=label, covers=(start, start))
    kept = islice(posts, MAX_POSTS)
    with transaction.atomic():
        batch = list(islice(kept, BATCH))
        while batch:
            following = list(islice(kept, BATCH))
            if not following and next(posts, None) is None:
                archive = replace(archive, covers=(start, end))
            fill.new += posts_upsert(posts=batch, archive=archive).new
            fill.generated += len(batch)
            batch = following


def _with_welcome(posts: Iterator[PostData], welcome: PostData) -> Iterator[PostData]:
    yield welcome
    yield from posts


def edition_fill(
    *, campaign: Campaign, hashtags: list[str], now: datetime, share: float = 1.0
) -> EditionFill:
    """An edition's posts up to `now` (all of a past one); nothing if it has posts already."""
    fill = EditionFill(slug=campaign.slug)
    if campaign.start >= now or campaign_posts(campaign=campaign).exists():
        return fill
    live = campaign.end > now
    # A live edition leaves the last hours to the poll (demo_poll), which carries on from there.
    end = _floor_minute(now) - LIVE_BACKFILL if live else campaign.end
    posts = generated_posts(
        client=demo_client(now), hashtags=hashtags, start=campaign.start, end=end, share=share
    )
    _store(
        _with_welcome(posts, welcome_post(campaign, hashtags, now=now)),
        fill,
        label=f"demo posts of {campaign.name}",
        start=campaign.start,
        end=end,
    )
    if live:
        result = demo_poll(campaign=campaign, now=now)
        if result is not None:
            fill.polled, fill.poll_outcome = result.stored.new, result.outcome
    return fill


def demo_poll(*, campaign: Campaign, now: datetime) -> PollResult | None:
    """One poll of the demo source for this campaign's hashtags, as beat would run it; None
    when the source is disabled or the campaign is outside its polling window."""
    for work in poll_work(now=now, campaign_slug=campaign.slug, platform=PLATFORM):
        return source_poll(
            source_id=work.source.pk,
            hashtag_ids=work.hashtag_ids,
            client_factory=lambda _source: demo_client(now),
            now=lambda: now,
        )
    return None

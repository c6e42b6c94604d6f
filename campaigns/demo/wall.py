"""The demo's first curation, so the wall has something on it before a curator acts.

Design: only for a campaign nobody has curated yet (no curation row, no audit event), through
the curation services a curator's clicks go through (campaigns.curation.services), acting as
the demo curator, so the audit log shows who did it:
- the welcome post (campaigns.demo.posts) pinned at 1, or the top post when there is none;
- FEATURED more of the top posts by score, one per author, plain reposts left out;
- the sample #IHeartHIT stories (campaigns.demo.stories) sent the way the public form sends
  them (campaigns.stories.services.story_submit: validated, with consent), then approved.
Once it ran the campaign has events, so a second run does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from campaigns.curation.services import post_curate, story_curate
from campaigns.demo.stories import STORIES
from campaigns.models import Campaign, CurationAction, CurationEvent, PostCuration
from campaigns.posts import campaign_posts
from campaigns.stories.services import StoryRefused, story_client_key, story_submit

FEATURED = 6
TOP_SCAN = 60  # best-scored posts looked at to find FEATURED different authors


@dataclass
class WallSeed:
    pinned: int | None = None  # post id pinned at 1
    featured: int = 0
    stories: int = 0
    note: str = ""


def uncurated(campaign: Campaign) -> bool:
    return not (
        PostCuration.objects.filter(campaign=campaign).exists()
        or CurationEvent.objects.filter(campaign=campaign).exists()
    )


def _welcome_id(campaign: Campaign) -> int | None:
    return (
        campaign_posts(campaign=campaign)
        .filter(external_id=f"demo-welcome-{campaign.slug}")
        .values_list("pk", flat=True)
        .first()
    )


def _top_ids(campaign: Campaign, exclude: int | None) -> list[int]:
    """The best-scored posts, one per author, originals only."""
    posts = campaign_posts(campaign=campaign).filter(is_repost=False)
    if exclude is not None:  # (excluding pk=None would leave out nothing)
        posts = posts.exclude(pk=exclude)
    rows = posts.order_by("-score", "-id").values_list("pk", "author_id")[:TOP_SCAN]
    chosen: dict[int, int] = {}
    for post_id, author_id in rows:
        chosen.setdefault(author_id, post_id)
    return list(chosen.values())[:FEATURED]


def _stories(campaign: Campaign, actor: Any) -> int:
    approved = 0
    for number, data in enumerate(STORIES):
        # One client per sample, so they never use up a real visitor's rate limit.
        key = story_client_key(address=f"demo-story-{number}")
        story = story_submit(campaign=campaign, data={**data, "consent": True}, client_key=key)
        story_curate(
            campaign=campaign, story_id=story.pk, action=CurationAction.APPROVE, actor=actor
        )
        approved += 1
    return approved


def wall_seed(*, campaign: Campaign, actor: Any) -> WallSeed:
    """Pin, feature and add approved stories to a campaign no one has curated yet."""
    seeded = WallSeed()
    if not uncurated(campaign):
        return seeded
    with transaction.atomic():
        pinned = _welcome_id(campaign)
        top = _top_ids(campaign, exclude=pinned)
        if pinned is None and top:
            pinned, top = top[0], top[1:]
        if pinned is not None:
            post_curate(
                campaign=campaign,
                post_id=pinned,
                action=CurationAction.PIN,
                actor=actor,
                position=1,
            )
            seeded.pinned = pinned
        for post_id in top:
            post_curate(
                campaign=campaign, post_id=post_id, action=CurationAction.FEATURE, actor=actor
            )
            seeded.featured += 1
        try:
            with transaction.atomic():
                seeded.stories = _stories(campaign, actor)
        except StoryRefused as exc:  # the rate-limit cache is down: the posts still go up
            seeded.note = f"sample stories not added: {exc}"
    return seeded

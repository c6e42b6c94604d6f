"""What the /c/<slug>/api/volume tests share: the request, a custom window's parameters and a
campaign of random posts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hashtags.ingest import posts_upsert
from hashtags.models import Post, TagSet, TagSetRollup, TagSetRollupHour
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import post

URL = "/c/{}/api/volume"


def volume(client, campaign, **params):
    return client.get(URL.format(campaign.slug), params)


def custom(campaign, start, end, granularity):
    return {
        "range": "custom",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "granularity": granularity,
    }


def random_campaign(rng: random.Random, seed: int, zone: str):
    """A 4-day public campaign in `zone` with 120 random posts (1-3 of its tags, a fifth plain
    reposts, two platforms). Hypothesis runs every example in the same test transaction, so
    the post tables are emptied first."""
    for model in (TagSetRollup, TagSetRollupHour, TagSet, Post):
        model.objects.all().delete()
    campaign = CampaignFactory(
        public=True,
        timezone=zone,
        start=datetime(2026, 10, 30, tzinfo=UTC),
        end=datetime(2026, 11, 3, tzinfo=UTC),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )
    tags = ["nhitweek", "hitworks", "ihearthit"]
    batch = [
        post(
            seed * 1000 + i,
            tags=tuple(rng.sample(tags, rng.randint(1, 3))),
            at=campaign.start + timedelta(seconds=rng.randint(0, 4 * 86400 - 1)),
            is_repost=rng.random() < 0.2,
            platform=rng.choice(["x", "bluesky"]),
        )
        for i in range(120)
    ]
    posts_upsert(posts=batch)
    return campaign

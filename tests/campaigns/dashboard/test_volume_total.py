"""/c/<slug>/api/volume's total line: each post counted once, by platform and hashtag."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashtags.ingest import posts_upsert
from hashtags.models import Post
from hashtags.tagsets import tagset_hashtag_ids
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import post
from tests.support.volume_data import custom, random_campaign, volume

pytestmark = pytest.mark.both_databases


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(
        slug="nhit",
        public=True,
        start=datetime(2026, 10, 30, 4, 0, tzinfo=UTC),
        end=datetime(2026, 11, 6, 4, 0, tzinfo=UTC),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


def local_label(moment: datetime, granularity: str, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    if granularity == "minute":
        return local.replace(second=0, microsecond=0).isoformat()
    if granularity == "hour":
        return local.replace(minute=0, second=0, microsecond=0).isoformat()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).isoformat()


def brute_force_total(campaign, window: dict, platform: str = "", hashtag: str = "") -> dict:
    """{(kind, platform, local bucket label): count} over the posts, each post once."""
    tz = ZoneInfo(campaign.timezone)
    tags = campaign.hashtags.filter(name=hashtag) if hashtag else campaign.hashtags.all()
    wanted = {h.pk for h in tags}
    posts = Post.objects.filter(created_at__gte=window["start"], created_at__lt=window["end"])
    if platform:
        posts = posts.filter(platform=platform)
    posts = [
        p
        for p in posts.select_related("tagset")
        if p.tagset_id and wanted & set(tagset_hashtag_ids(p.tagset.key))
    ]
    counts: Counter = Counter()
    for one in posts:
        label = local_label(one.created_at, window["granularity"], tz)
        kind = "reposts" if one.is_repost else "posts"
        counts[(kind, "*", label)] += 1
        if not one.is_repost:
            counts[("posts", one.platform, label)] += 1
    return counts


def answered_total(data: dict) -> Counter:
    counts: Counter = Counter()
    total = data["total"]
    lines = [("posts", "*", total["posts"]), ("reposts", "*", total["reposts"])]
    lines += [("posts", p, values) for p, values in total["platforms"].items()]
    for kind, platform, values in lines:
        for label, n in zip(data["buckets"], values, strict=True):
            if n:
                counts[(kind, platform, label)] += n
    return counts


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    granularity=st.sampled_from(["minute", "hour", "day"]),
    zone=st.sampled_from(["America/New_York", "Asia/Kolkata", "UTC"]),
    platform=st.sampled_from(["", "x", "bluesky"]),
    hashtag=st.sampled_from(["", "hitworks"]),
)
@pytest.mark.django_db
def test_the_total_counts_each_post_once(client, seed, granularity, zone, platform, hashtag):
    rng = random.Random(seed)
    campaign = random_campaign(rng, seed, zone)
    span = {"minute": timedelta(hours=5), "hour": timedelta(days=3), "day": timedelta(days=4)}
    start = campaign.start + (
        timedelta(hours=rng.randint(0, 90)) if granularity == "minute" else timedelta()
    )
    if granularity == "hour":
        start += timedelta(minutes=rng.randint(0, 24 * 60))
    window = {"start": start, "end": start + span[granularity], "granularity": granularity}
    params = custom(campaign, window["start"], window["end"], granularity)
    params.update({k: v for k, v in (("platform", platform), ("hashtag", hashtag)) if v})
    data = volume(client, campaign, **params).json()
    expected = brute_force_total(campaign, window, platform, hashtag)
    assert answered_total(data) == expected


def test_a_post_with_two_hashtags_is_once_in_the_total(client, public_campaign):
    at = datetime(2026, 11, 2, 15, 4, 30, tzinfo=UTC)
    posts_upsert(
        posts=[
            post(1, tags=("nhitweek", "hitworks"), at=at, platform="x"),
            post(2, tags=("hitworks", "ihearthit", "nhitweek"), at=at, platform="bluesky"),
            post(3, tags=("ihearthit",), at=at, platform="x", is_repost=True),
        ]
    )
    params = custom(public_campaign, at - timedelta(hours=2), at + timedelta(hours=2), "hour")
    data = volume(client, public_campaign, **params).json()
    assert sum(sum(line["posts"]) for line in data["series"]) == 5
    assert sum(data["total"]["posts"]) == 2
    assert sum(data["total"]["reposts"]) == 1
    assert {p: sum(v) for p, v in data["total"]["platforms"].items()} == {"x": 1, "bluesky": 1}
    only = volume(client, public_campaign, **params, hashtag="IHeartHIT").json()
    assert (sum(only["total"]["posts"]), sum(only["total"]["reposts"])) == (1, 1)
    assert only["total"]["posts"] == only["series"][0]["posts"]
    on_x = volume(client, public_campaign, **params, platform="x").json()
    assert sum(on_x["total"]["posts"]) == 1
    assert list(on_x["total"]["platforms"]) == ["x"]

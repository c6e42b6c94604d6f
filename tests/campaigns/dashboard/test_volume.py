"""/c/<slug>/api/volume: series match a brute-force count in local time; input, access, caching."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashtags.ingest import posts_upsert
from hashtags.models import Hashtag, Post
from hashtags.polling import source_poll
from hashtags.sources.base import Page
from hashtags.tagsets import tagset_hashtag_ids
from tests.support.factories import CampaignFactory, SourceFactory
from tests.support.ingest_data import post
from tests.support.volume_data import URL, custom, random_campaign, volume

pytestmark = pytest.mark.both_databases


def brute_force(campaign, granularity: str, start: datetime, end: datetime) -> dict:
    """{(hashtag display, local bucket label): posts} straight from the posts."""
    tz = ZoneInfo(campaign.timezone)
    counts: Counter = Counter()
    display = dict(
        Hashtag.objects.filter(campaign_links__campaign=campaign).values_list("pk", "display")
    )
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end, is_repost=False)
    links = [
        (p, display[h])
        for p in posts.select_related("tagset")
        for h in (sorted(tagset_hashtag_ids(p.tagset.key)) if p.tagset_id else [])
        if h in display
    ]
    for one, name in links:
        local = one.created_at.astimezone(tz)
        if granularity == "minute":
            label = local.replace(second=0, microsecond=0)
        elif granularity == "hour":
            label = local.replace(minute=0, second=0, microsecond=0)
        else:
            label = local.replace(hour=0, minute=0, second=0, microsecond=0)
        counts[(name, label.isoformat())] += 1
    return counts


def answered(data: dict) -> Counter:
    counts: Counter = Counter()
    for line in data["series"]:
        for label, n in zip(data["buckets"], line["posts"], strict=True):
            if n:
                counts[(line["hashtag"], label)] += n
    return counts


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(
        slug="nhit",
        public=True,
        start=datetime(2026, 10, 30, 4, 0, tzinfo=UTC),
        end=datetime(2026, 11, 6, 4, 0, tzinfo=UTC),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


def test_an_empty_campaign_answers_zeros(client, public_campaign):
    data = volume(
        client,
        public_campaign,
        range="custom",
        start="2026-11-01T00:00",
        end="2026-11-02T00:00",
        granularity="hour",
    ).json()
    assert [line["hashtag"] for line in data["series"]] == ["NHITweek", "HITworks", "IHeartHIT"]
    assert all(sum(line["posts"]) == 0 for line in data["series"])
    assert len(data["buckets"]) == 25  # 1 November in New York has 25 hours


def test_a_campaign_with_one_post(client, public_campaign):
    at = datetime(2026, 11, 2, 15, 4, 30, tzinfo=UTC)
    posts_upsert(posts=[post(1, tags=("nhitweek",), at=at)])
    data = volume(
        client,
        public_campaign,
        **custom(public_campaign, at - timedelta(hours=2), at + timedelta(hours=2), "hour"),
    ).json()
    assert answered(data) == Counter({("NHITweek", "2026-11-02T10:00:00-05:00"): 1})


def test_the_fall_back_night_keeps_both_one_oclock_hours_apart(client, public_campaign):
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    posts_upsert(posts=[post(1, at=first), post(2, at=second)])
    params = custom(
        public_campaign,
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 11, 1, 9, tzinfo=UTC),
        "hour",
    )
    data = volume(client, public_campaign, **params).json()
    assert answered(data) == Counter(
        {
            ("NHITweek", "2026-11-01T01:00:00-04:00"): 1,
            ("NHITweek", "2026-11-01T01:00:00-05:00"): 1,
        }
    )
    day = volume(client, public_campaign, **{**params, "granularity": "day"}).json()
    assert day["buckets"] == ["2026-11-01T00:00:00-04:00"]
    assert answered(day) == Counter({("NHITweek", "2026-11-01T00:00:00-04:00"): 2})


def test_hours_start_at_local_full_hours_in_a_half_hour_zone(client, db):
    campaign = CampaignFactory(
        slug="india",
        public=True,
        timezone="Asia/Kolkata",
        start=datetime(2026, 10, 1, tzinfo=UTC),
        end=datetime(2026, 10, 8, tzinfo=UTC),
        tags=["NHITweek"],
    )
    posts_upsert(posts=[post(1, at=datetime(2026, 10, 2, 10, 45, tzinfo=UTC))])  # 16:15 IST
    data = volume(
        client,
        campaign,
        **custom(
            campaign,
            datetime(2026, 10, 2, 9, tzinfo=UTC),
            datetime(2026, 10, 2, 12, tzinfo=UTC),
            "hour",
        ),
    ).json()
    assert answered(data) == Counter({("NHITweek", "2026-10-02T16:00:00+05:30"): 1})


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    granularity=st.sampled_from(["minute", "hour", "day"]),
    zone=st.sampled_from(["America/New_York", "Pacific/Auckland", "Asia/Kolkata", "UTC"]),
)
@pytest.mark.django_db
def test_every_granularity_equals_a_brute_force_count(client, seed, granularity, zone):
    rng = random.Random(seed)
    campaign = random_campaign(rng, seed, zone)
    span = {"minute": timedelta(hours=5), "hour": timedelta(days=4), "day": timedelta(days=4)}
    start = campaign.start + (
        timedelta(hours=rng.randint(0, 90)) if granularity == "minute" else timedelta()
    )
    end = start + span[granularity]
    data = volume(client, campaign, **custom(campaign, start, end, granularity)).json()
    assert answered(data) == brute_force(campaign, granularity, start, end)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "year"}, "is not one of"),
        ({"range": "custom"}, "needs both start and end"),
        ({"range": "custom", "start": "yesterday", "end": "2026-11-02"}, "not an ISO 8601"),
        ({"range": "custom", "start": "2026-11-03", "end": "2026-11-02"}, "end must be after"),
        ({"granularity": "week"}, "is not one of"),
        (
            {
                "range": "custom",
                "start": "2026-01-01",
                "end": "2026-11-01",
                "granularity": "minute",
            },
            "coarser granularity",
        ),
        ({"platform": "myspace"}, "platform="),
        ({"hashtag": "unrelated"}, "not one of this campaign's hashtags"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, public_campaign, params, message):
    response = volume(client, public_campaign, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_private_dashboard_needs_a_role(client, public_campaign, organizer, outsider):
    public_campaign.public = False
    public_campaign.save()
    assert volume(client, public_campaign).status_code == 401
    client.force_login(outsider)
    assert volume(client, public_campaign).status_code == 403
    client.force_login(organizer)
    assert volume(client, public_campaign).status_code == 200
    assert client.get(URL.format("no-such-campaign")).status_code == 404


def test_the_query_count_does_not_grow_with_the_data(client, public_campaign):
    def cold_queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert volume(client, public_campaign, range="campaign").status_code == 200
        return len(queries)

    posts_upsert(posts=[post(i, at=public_campaign.start + timedelta(minutes=i)) for i in range(5)])
    few = cold_queries()
    posts_upsert(
        posts=[post(i, at=public_campaign.start + timedelta(minutes=i)) for i in range(5, 500)]
    )
    assert cold_queries() == few


def test_an_unchanged_campaign_is_served_from_the_cache(client, public_campaign):
    first = volume(client, public_campaign)
    with CaptureQueriesContext(connection) as queries:
        second = volume(client, public_campaign)
    assert (first["X-Dashboard-Cache"], second["X-Dashboard-Cache"]) == ("miss", "hit")
    assert not any("tagsetrollup" in q["sql"] for q in queries.captured_queries)
    assert first.json() == second.json()


def test_a_post_stored_by_a_poll_is_in_the_json_the_moment_it_commits(
    client, public_campaign, django_capture_on_commit_callbacks
):
    now = datetime.now(UTC)
    public_campaign.start, public_campaign.end = now - timedelta(days=1), now + timedelta(days=1)
    public_campaign.save()
    before = volume(client, public_campaign, range="1h").json()
    assert sum(sum(line["posts"]) for line in before["series"]) == 0

    class OnePost:
        platform = "x"

        def fetch(self, *, hashtags, cursor):
            yield Page(posts=[post(7, at=now - timedelta(seconds=5))], cursor={"page": 1})

    source = SourceFactory(platform="x")
    with django_capture_on_commit_callbacks(execute=True):
        result = source_poll(
            source_id=source.pk,
            hashtag_ids=[h.pk for h in public_campaign.hashtags.all()],
            client_factory=lambda s: OnePost(),
        )
    assert result.stored.new == 1
    after = volume(client, public_campaign, range="1h")
    assert after["X-Dashboard-Cache"] == "miss"
    assert sum(sum(line["posts"]) for line in after.json()["series"]) == 1

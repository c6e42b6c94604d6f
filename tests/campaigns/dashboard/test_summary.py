"""/c/<slug>/api/summary and campaign_totals: equal to a brute-force count over the posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.dashboard.snapshots import snapshots_refresh
from campaigns.models import DashboardSnapshot
from campaigns.totals import campaign_totals
from hashtags.models import Post, TagSetRollup, TagSetRollupHour
from tests.support.dashboard_data import (
    END,
    START,
    brute_summary,
    custom,
    random_posts,
    rich_post,
    store,
)
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.both_databases

URL = "/c/{}/api/summary"
NUMBERS = ("posts", "reposts", "likes", "replies", "quotes", "unique_authors", "potential_reach")


def summary(client, campaign, **params):
    return client.get(URL.format(campaign.slug), params)


def values(data: dict, which: str = "value") -> dict[str, int]:
    return {name: data["metrics"][name][which] for name in NUMBERS}


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(
        slug="nhit", public=True, start=START, end=END, tags=["NHITweek", "HITworks", "IHeartHIT"]
    )


def test_an_empty_campaign_answers_zeros_and_no_change(client, public_campaign):
    data = summary(client, public_campaign).json()
    assert values(data) == dict.fromkeys(NUMBERS, 0)
    assert all(m["change_pct"] is None for m in data["metrics"].values())
    assert data["platforms"] == []
    assert data["authors_as_of"] is None
    assert "potential" in data["notes"]["reach"]


def test_a_campaign_with_one_post(client, public_campaign):
    at = datetime(2026, 11, 2, 15, 4, 30, tzinfo=UTC)
    store([rich_post(1, at=at, likes=4, replies=2, followers=250)])
    data = summary(
        client, public_campaign, **custom(at - timedelta(hours=1), at + timedelta(hours=1))
    ).json()
    assert values(data) == {
        "posts": 1,
        "reposts": 0,
        "likes": 4,
        "replies": 2,
        "quotes": 0,
        "unique_authors": 1,
        "potential_reach": 250,
    }
    assert data["platforms"] == [
        {"platform": "x", "label": "X", "posts": 1, "reposts": 0, "engagement": 6}
    ]


def test_a_post_with_several_campaign_hashtags_counts_once(client, public_campaign):
    at = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    store([rich_post(1, at=at, tags=("nhitweek", "hitworks", "ihearthit"), likes=3)])
    window = custom(at - timedelta(hours=3), at + timedelta(hours=3))
    data = summary(client, public_campaign, **window).json()
    assert data["metrics"]["posts"]["value"] == 1
    assert data["metrics"]["likes"]["value"] == 3
    totals = campaign_totals(
        campaign=public_campaign, start=at - timedelta(hours=3), end=at + timedelta(hours=3)
    )
    assert totals == {"posts": 1, "reposts": 0, "likes": 3, "replies": 0, "shares": 0, "quotes": 0}


def test_the_previous_period_has_the_same_length_and_gives_the_change(client, public_campaign):
    start = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    store(
        [rich_post(i, at=start - timedelta(hours=1, minutes=i)) for i in range(4)]
        + [rich_post(10 + i, at=start + timedelta(minutes=i)) for i in range(5)]
    )
    data = summary(client, public_campaign, **custom(start, start + timedelta(hours=2))).json()
    assert data["previous"] == {
        "start": "2026-11-02T05:00:00-05:00",
        "end": "2026-11-02T07:00:00-05:00",
    }
    assert data["metrics"]["posts"] == {"value": 5, "previous": 4, "change_pct": 25.0}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    start_minute=st.integers(0, 3 * 24 * 60),
    length_minutes=st.integers(1, 3 * 24 * 60),
    platform=st.sampled_from(["", "x", "bluesky"]),
    hashtag=st.sampled_from(["", "hitworks"]),
    exact_max=st.sampled_from([0, 100_000]),
)
@pytest.mark.django_db
def test_every_window_equals_a_brute_force_count(
    client, settings, seed, start_minute, length_minutes, platform, hashtag, exact_max
):
    # Hypothesis runs every example in the same test transaction: start each one empty.
    for model in (TagSetRollup, TagSetRollupHour, Post, DashboardSnapshot):
        model.objects.all().delete()
    cache.clear()
    settings.DASHBOARD_EXACT_AUTHORS_MAX = exact_max  # 0: every window takes the snapshot path
    campaign = CampaignFactory(
        public=True, start=START, end=END, tags=["NHITweek", "HITworks", "IHeartHIT"]
    )
    store(random_posts(seed, START - timedelta(days=1), 5 * 86400))
    start = START + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=length_minutes)
    params = custom(start, end, platform=platform, hashtag=hashtag)
    data = summary(client, campaign, **params).json()
    assert values(data) == brute_summary(campaign, start, end, platform, hashtag)
    previous = brute_summary(campaign, start - (end - start), start, platform, hashtag)
    assert values(data, "previous") == previous
    if exact_max:
        assert data["authors_as_of"] is None


def test_totals_equal_a_brute_force_count_on_unaligned_windows(public_campaign):
    store(random_posts(7, START, 2 * 86400, count=200))
    for start, end in [
        (START + timedelta(minutes=17), START + timedelta(hours=30, minutes=41)),
        (START + timedelta(minutes=3), START + timedelta(minutes=59)),
        (START, START + timedelta(days=2)),
    ]:
        brute = brute_summary(public_campaign, start, end)
        with CaptureQueriesContext(connection) as queries:
            totals = campaign_totals(campaign=public_campaign, start=start, end=end)
        assert len(queries) == 1
        assert {k: totals[k] for k in ("posts", "reposts", "likes", "replies", "quotes")} == {
            k: brute[k] for k in ("posts", "reposts", "likes", "replies", "quotes")
        }


def test_a_big_window_is_served_from_the_snapshot_with_its_time(client, settings, public_campaign):
    settings.DASHBOARD_EXACT_AUTHORS_MAX = 3
    store([rich_post(i, at=START + timedelta(hours=i), author_n=i, followers=i) for i in range(6)])
    window = custom(START, START + timedelta(days=1))
    first = summary(client, public_campaign, **window).json()
    assert first["authors_source"] == "snapshot"
    assert first["authors_as_of"] is not None
    assert first["metrics"]["unique_authors"]["value"] == 6
    assert first["metrics"]["potential_reach"]["value"] == sum(range(6))
    assert DashboardSnapshot.objects.filter(campaign=public_campaign).count() == 1


def test_sixty_distinct_big_custom_windows_keep_at_most_the_newest_few_snapshots(
    client, settings, public_campaign
):
    settings.DASHBOARD_EXACT_AUTHORS_MAX = 3
    settings.DASHBOARD_CUSTOM_SNAPSHOTS_MAX = 5
    store([rich_post(i, at=START + timedelta(hours=i), author_n=i) for i in range(6)])
    for minute in range(60):
        window = custom(START - timedelta(minutes=minute), START + timedelta(days=1))
        assert summary(client, public_campaign, **window).json()["authors_source"] == "snapshot"
    kept = DashboardSnapshot.objects.filter(campaign=public_campaign)
    assert kept.count() == 5
    newest = (START - timedelta(minutes=59)).isoformat()
    assert kept.filter(params_key__startswith=newest).exists()


def test_a_new_custom_snapshot_keeps_the_campaigns_cached_answers(
    client, settings, public_campaign
):
    settings.DASHBOARD_EXACT_AUTHORS_MAX = 3
    store([rich_post(i, at=START + timedelta(hours=i), author_n=i) for i in range(6)])
    summary(client, public_campaign)  # stores the campaign range's snapshot, which bumps
    assert summary(client, public_campaign)["X-Dashboard-Cache"] == "miss"
    assert summary(client, public_campaign)["X-Dashboard-Cache"] == "hit"
    summary(client, public_campaign, **custom(START, START + timedelta(days=1)))
    assert summary(client, public_campaign)["X-Dashboard-Cache"] == "hit"


def test_the_periodic_task_prunes_custom_snapshots_and_keeps_the_standard_ones(settings, db):
    settings.DASHBOARD_CUSTOM_SNAPSHOTS_MAX = 2
    campaign = CampaignFactory(start=START, end=END, tags=["NHITweek"])
    for n in range(4):
        DashboardSnapshot.objects.create(
            campaign=campaign,
            name="authors",
            params_key=f"{START + timedelta(hours=n)}|{END}||",
            computed_at=START + timedelta(minutes=n),
        )
    for key in ("campaign||", "7d||", "24h|x|", "1h||nhitweek"):
        DashboardSnapshot.objects.create(campaign=campaign, name="authors", params_key=key)
    snapshots_refresh(now=END + timedelta(days=30))  # ended: nothing to recompute
    keys = set(DashboardSnapshot.objects.values_list("params_key", flat=True))
    assert keys == {
        "campaign||",
        "7d||",
        "24h|x|",
        "1h||nhitweek",
        f"{START + timedelta(hours=2)}|{END}||",
        f"{START + timedelta(hours=3)}|{END}||",
    }


def test_the_periodic_task_refreshes_big_windows_of_live_campaigns(settings, db):
    settings.DASHBOARD_EXACT_AUTHORS_MAX = 3
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    campaign = CampaignFactory(public=True, start=START, end=END, tags=["NHITweek"])
    store([rich_post(i, at=now - timedelta(hours=i, minutes=5)) for i in range(8)])
    assert snapshots_refresh(now=now) >= 2  # campaign, 7d and 24h hold 8 posts; 1h holds 1
    keys = set(
        DashboardSnapshot.objects.filter(campaign=campaign).values_list("params_key", flat=True)
    )
    assert {"campaign||", "7d||", "24h||"} <= keys
    assert "1h||" not in keys
    assert snapshots_refresh(now=now + timedelta(seconds=10)) == 0  # not due yet
    assert snapshots_refresh(now=now + timedelta(minutes=2)) >= 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"range": "year"}, "is not one of"),
        ({"range": "custom"}, "needs both start and end"),
        ({"range": "custom", "start": "yesterday", "end": "2026-11-02"}, "not an ISO 8601"),
        ({"platform": "myspace"}, "platform="),
        ({"hashtag": "unrelated"}, "not one of this campaign's hashtags"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, public_campaign, params, message):
    response = summary(client, public_campaign, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_private_dashboard_needs_a_role(client, public_campaign, curator, outsider):
    public_campaign.public = False
    public_campaign.save()
    assert summary(client, public_campaign).status_code == 401
    client.force_login(outsider)
    assert summary(client, public_campaign).status_code == 403
    client.force_login(curator)
    assert summary(client, public_campaign).status_code == 200


def test_it_is_cached_until_a_post_is_stored(
    client, public_campaign, django_capture_on_commit_callbacks
):
    window = custom(START, START + timedelta(days=1))
    first = summary(client, public_campaign, **window)
    second = summary(client, public_campaign, **window)
    assert (first["X-Dashboard-Cache"], second["X-Dashboard-Cache"]) == ("miss", "hit")
    with django_capture_on_commit_callbacks(execute=True):
        store([rich_post(1, at=START + timedelta(hours=1))])
    third = summary(client, public_campaign, **window)
    assert third["X-Dashboard-Cache"] == "miss"
    assert third.json()["metrics"]["posts"]["value"] == 1


def test_the_query_count_does_not_grow_with_the_data(client, public_campaign):
    window = custom(START, START + timedelta(days=2))

    def cold_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert summary(client, public_campaign, **window).status_code == 200
        return len(queries)

    store(random_posts(1, START, 86400, count=5))
    few = cold_queries()
    store(random_posts(2, START, 2 * 86400, count=400))
    assert cold_queries() == few

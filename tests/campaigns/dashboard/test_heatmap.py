"""/c/<slug>/api/heatmap: posts by local weekday and hour, as a brute force over the posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashtags.models import Post, TagSetRollup, TagSetRollupHour
from tests.support.dashboard_data import (
    END,
    START,
    custom,
    random_posts,
    rich_post,
    store,
    window_posts,
)
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.both_databases

URL = "/c/{}/api/heatmap"


def heatmap(client, campaign, **params):
    return client.get(URL.format(campaign.slug), params)


def brute_cells(campaign, start, end, platform="", hashtag=""):
    tz = ZoneInfo(campaign.timezone)
    cells = [[0] * 24 for _ in range(7)]
    for p in window_posts(campaign, start, end, platform, hashtag):
        if not p.is_repost:
            local = p.created_at.astimezone(tz)
            cells[local.weekday()][local.hour] += 1
    return cells


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(
        slug="nhit", public=True, start=START, end=END, tags=["NHITweek", "HITworks", "IHeartHIT"]
    )


def test_an_empty_campaign_is_all_zeros(client, public_campaign):
    data = heatmap(client, public_campaign).json()
    assert data["days"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert data["hours"] == list(range(24))
    assert data["cells"] == [[0] * 24] * 7


def test_one_post_lands_in_its_local_cell(client, public_campaign):
    store([rich_post(1, at=datetime(2026, 11, 2, 15, 4, tzinfo=UTC))])  # Monday 10:04 EST
    cells = heatmap(client, public_campaign).json()["cells"]
    assert cells[0][10] == 1
    assert sum(map(sum, cells)) == 1


def test_the_fall_back_night_puts_both_one_oclock_hours_in_one_cell(client, public_campaign):
    store(
        [
            rich_post(1, at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # 01:30 EDT, Sunday
            rich_post(2, at=datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),  # 01:30 EST, Sunday
            rich_post(3, at=datetime(2026, 11, 1, 7, 30, tzinfo=UTC)),  # 02:30 EST
        ]
    )
    cells = heatmap(client, public_campaign).json()["cells"]
    assert cells[6][1] == 2
    assert cells[6][2] == 1


def test_a_half_hour_zone_splits_utc_hours_between_local_hours(client, db):
    campaign = CampaignFactory(
        slug="india", public=True, timezone="Asia/Kolkata", start=START, end=END, tags=["NHITweek"]
    )
    store(
        [
            rich_post(1, at=datetime(2026, 11, 2, 10, 15, tzinfo=UTC)),  # 15:45 IST
            rich_post(2, at=datetime(2026, 11, 2, 10, 45, tzinfo=UTC)),  # 16:15 IST
        ]
    )
    cells = heatmap(client, campaign).json()["cells"]
    assert (cells[0][15], cells[0][16]) == (1, 1)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    zone=st.sampled_from(["America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC"]),
    start_minute=st.integers(0, 2 * 24 * 60),
    length_minutes=st.integers(1, 5 * 24 * 60),
    platform=st.sampled_from(["", "x"]),
)
@pytest.mark.django_db
def test_every_window_equals_a_brute_force_count(
    client, seed, zone, start_minute, length_minutes, platform
):
    for model in (TagSetRollup, TagSetRollupHour, Post):
        model.objects.all().delete()
    cache.clear()
    campaign = CampaignFactory(
        public=True, timezone=zone, start=START, end=END, tags=["NHITweek", "HITworks", "IHeartHIT"]
    )
    store(random_posts(seed, START, 6 * 86400, count=150))
    start = START + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=length_minutes)
    data = heatmap(client, campaign, **custom(start, end, platform=platform)).json()
    assert data["cells"] == brute_cells(campaign, start, end, platform)


def test_bad_parameters_and_access(client, public_campaign, outsider):
    assert heatmap(client, public_campaign, range="year").status_code == 400
    public_campaign.public = False
    public_campaign.save()
    assert heatmap(client, public_campaign).status_code == 401
    client.force_login(outsider)
    assert heatmap(client, public_campaign).status_code == 403


def test_the_query_count_does_not_grow_with_the_data(client, public_campaign):
    def cold_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert heatmap(client, public_campaign).status_code == 200
        return len(queries)

    store(random_posts(1, START, 86400, count=3))
    few = cold_queries()
    store(random_posts(2, START, 3 * 86400, count=300))
    assert cold_queries() == few

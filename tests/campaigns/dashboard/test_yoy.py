"""/c/<slug>/api/yoy: each edition's curve by time since its start, and the same-span change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.dashboard_data import custom, random_posts, rich_post, store, window_posts
from tests.support.factories import CampaignFactory, SeriesFactory

pytestmark = pytest.mark.both_databases

URL = "/c/{}/api/yoy"
START_2026 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)  # 09:00 EDT
START_2025 = datetime(2025, 10, 6, 13, 0, tzinfo=UTC)


def yoy(client, campaign, **params):
    return client.get(URL.format(campaign.slug), params)


@pytest.fixture
def editions(db):
    series = SeriesFactory()
    tags = ["NHITweek", "HITworks", "IHeartHIT"]
    previous = CampaignFactory(
        slug="nhit-2025",
        name="NHIT Week 2025",
        public=True,
        series=series,
        edition="2025",
        start=START_2025,
        end=START_2025 + timedelta(days=5),
        tags=tags,
    )
    current = CampaignFactory(
        slug="nhit-2026",
        name="NHIT Week 2026",
        public=True,
        series=series,
        edition="2026",
        start=START_2026,
        end=START_2026 + timedelta(days=5),
        tags=tags,
    )
    return previous, current


def brute_curve(campaign, unit: timedelta, count: int, until: timedelta) -> list[int]:
    values = [0] * count
    for p in window_posts(campaign, campaign.start, campaign.start + until):
        if not p.is_repost:
            values[int((p.created_at - campaign.start) / unit)] += 1
    return values


def test_a_campaign_outside_a_series_says_there_is_nothing_to_compare(client, db):
    campaign = CampaignFactory(slug="alone", public=True, start=START_2026, tags=["NHITweek"])
    data = yoy(client, campaign).json()
    assert data["available"] is False
    assert data["previous"] is None
    assert "not an edition of a series" in data["message"]


def test_the_first_edition_has_no_previous_one(client, editions):
    previous, _ = editions
    data = yoy(client, previous).json()
    assert data["available"] is False
    assert "no earlier edition" in data["message"]


def test_days_line_up_by_time_since_each_start(client, editions):
    previous, current = editions
    store(random_posts(1, START_2025, 5 * 86400, count=150))
    store(random_posts(2, START_2026, 5 * 86400, count=120))
    data = yoy(client, current).json()
    assert data["available"] is True
    assert data["previous"]["campaign"] == "nhit-2025"
    assert data["unit"] == "day"
    assert data["offsets"] == [0, 1, 2, 3, 4]
    assert data["labels"][:2] == ["Day 1", "Day 2"]
    day = timedelta(days=1)
    assert data["current_values"] == brute_curve(current, day, 5, 5 * day)
    assert data["previous_values"] == brute_curve(previous, day, 5, 5 * day)
    assert data["current_total"] == sum(data["current_values"])
    assert data["previous_total"] == sum(data["previous_values"])


def test_a_short_window_is_in_hours_and_compares_the_same_elapsed_span(client, editions):
    previous, current = editions
    store(random_posts(3, START_2025, 3 * 86400, count=150))
    store(random_posts(4, START_2026, 3 * 86400, count=150))
    # "Now" is 30 h 30 min into the 2026 edition; the window is its first two days.
    end = START_2026 + timedelta(hours=30, minutes=30)
    data = yoy(client, current, **custom(START_2026, end)).json()
    assert data["unit"] == "hour"
    assert data["offsets"] == list(range(31))
    assert data["labels"][0] == "Day 1 09:00"
    assert data["labels"][24] == "Day 2 09:00"
    hour = timedelta(hours=1)
    elapsed = end - START_2026
    assert data["current_values"] == brute_curve(current, hour, 31, elapsed)
    assert data["previous_values"] == brute_curve(previous, hour, 31, 31 * hour)
    assert data["current_total"] == sum(brute_curve(current, hour, 31, elapsed))
    assert data["previous_total"] == sum(brute_curve(previous, hour, 31, elapsed))
    expected = (data["current_total"] - data["previous_total"]) * 100 / data["previous_total"]
    assert data["change_pct"] == round(expected, 1)


def test_a_live_edition_draws_its_whole_span_with_the_future_null(client, db):
    series = SeriesFactory(slug="live-series")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(hours=2)
    CampaignFactory(series=series, start=start - timedelta(days=365), tags=["NHITweek"])
    current = CampaignFactory(
        public=True, series=series, start=start, end=start + timedelta(days=2), tags=["NHITweek"]
    )
    store([rich_post(1, at=start + timedelta(minutes=30))])
    data = yoy(client, current).json()
    assert data["unit"] == "hour"
    assert len(data["offsets"]) == 48
    reached = [v for v in data["current_values"] if v is not None]
    assert reached[:2] == [1, 0]
    assert 2 <= len(reached) <= 4  # up to the minute under way
    assert data["current_values"][-1] is None
    assert len(data["previous_values"]) == 48


def test_an_empty_previous_edition_gives_no_change(client, editions):
    _, current = editions
    store([rich_post(1, at=START_2026 + timedelta(hours=1))])
    data = yoy(client, current).json()
    assert data["previous_total"] == 0
    assert data["change_pct"] is None
    assert data["current_total"] == 1


def test_bad_parameters_and_access(client, editions, outsider):
    _, current = editions
    assert yoy(client, current, range="fortnight").status_code == 400
    assert yoy(client, current, hashtag="nosuchtag").status_code == 400
    # Year over year picks its own unit: it reads no granularity, so none is refused.
    assert yoy(client, current, granularity="week").status_code == 200
    current.public = False
    current.save()
    assert yoy(client, current).status_code == 401
    client.force_login(outsider)
    assert yoy(client, current).status_code == 403


def test_the_query_count_does_not_grow_with_the_data(client, editions):
    _, current = editions

    def cold_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert yoy(client, current).status_code == 200
        return len(queries)

    store(random_posts(5, START_2026, 86400, count=3))
    few = cold_queries()
    store(random_posts(6, START_2025, 5 * 86400, count=300))
    assert cold_queries() == few

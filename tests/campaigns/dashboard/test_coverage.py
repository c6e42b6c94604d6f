"""/c/<slug>/api/coverage: the gaps in polling, from the poll log, with their reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hashtags.models import PollLog
from tests.support.factories import CampaignFactory, SourceFactory

T = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        slug="cov", public=True, start=T, end=T + timedelta(days=1), tags=["NHITweek", "HITworks"]
    )


def log(source, campaign, outcome, start, end, message=""):
    for hashtag in campaign.hashtags.all():
        PollLog.objects.create(
            source=source,
            hashtag=hashtag,
            started_at=end,
            finished_at=end,
            window_start=start,
            window_end=end,
            outcome=outcome,
            message=message,
        )


def coverage(client, campaign, hours=6):
    end = T + timedelta(hours=hours)
    return client.get(
        f"/c/{campaign.slug}/api/coverage",
        {"range": "custom", "start": T.isoformat(), "end": end.isoformat()},
    ).json()


def test_a_source_never_polled_is_one_gap_labelled_not_polled(client, campaign):
    SourceFactory(platform="x")
    (source,) = coverage(client, campaign)["sources"]
    assert source["covered_share"] == 0
    assert source["gaps"] == [
        {
            "start": T.isoformat(),
            "end": (T + timedelta(hours=6)).isoformat(),
            "reason": "not_polled",
            "message": "",
        }
    ]


def test_rate_limited_and_failing_stretches_are_gaps_with_their_reason(client, campaign):
    x = SourceFactory(platform="x")
    h = timedelta(hours=1)
    log(x, campaign, "ok", T, T + h)
    log(x, campaign, "rate_limited", T + h, T + 2 * h, "429 until 14:00")
    log(x, campaign, "ok", T + h, T + 3 * h)  # the next good poll covers back to the last one
    log(x, campaign, "error", T + 3 * h, T + 4 * h, "HTTP 503")
    (source,) = coverage(client, campaign)["sources"]
    assert [(g["reason"], g["start"], g["end"]) for g in source["gaps"]] == [
        ("error", (T + 3 * h).isoformat(), (T + 6 * h).isoformat()),
    ]
    assert source["gaps"][0]["message"] == "HTTP 503"
    assert source["covered_share"] == 0.5


def test_a_rate_limit_not_yet_made_up_shows_as_rate_limited(client, campaign):
    x = SourceFactory(platform="x")
    log(x, campaign, "ok", T, T + timedelta(hours=5))
    log(x, campaign, "rate_limited", T + timedelta(hours=5), T + timedelta(hours=5, minutes=1))
    gaps = coverage(client, campaign)["sources"][0]["gaps"]
    assert [g["reason"] for g in gaps] == ["rate_limited"]


def test_each_source_has_its_own_coverage(client, campaign):
    x, demo = SourceFactory(platform="x"), SourceFactory(platform="demo")
    log(demo, campaign, "ok", T, T + timedelta(hours=6))
    answer = {s["platform"]: s for s in coverage(client, campaign)["sources"]}
    assert answer["demo"]["gaps"] == [] and answer["demo"]["covered_share"] == 1
    assert answer["x"]["covered_share"] == 0
    assert x.platform == "x"

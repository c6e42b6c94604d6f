"""/c/<slug>/api/coverage: what each source collected, from the poll log and archive imports,
and the stretches it missed with their reasons; never before a source existed, never the live
edge, and one failing source only in its own row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from campaigns.dashboard.coverage import campaign_coverage
from campaigns.dashboard.params import window_parse
from hashtags.ingest import ArchiveRun, posts_upsert
from tests.support.factories import CampaignFactory, SourceFactory
from tests.support.ingest_data import post
from tests.support.polling_data import poll_logged as log

T = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
BEFORE = T - timedelta(days=1)  # when the sources of most tests were added


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        slug="cov", public=True, start=T, end=T + timedelta(days=1), tags=["NHITweek", "HITworks"]
    )


def coverage(client, campaign, hours=6, **params):
    end = T + timedelta(hours=hours)
    if "range" not in params:
        params = {"range": "custom", "start": T.isoformat(), "end": end.isoformat(), **params}
    response = client.get(f"/c/{campaign.slug}/api/coverage", params)
    assert response.status_code == 200, response.content
    return response.json()


def spans(row):
    return [
        (g["reason"], datetime.fromisoformat(g["start"]), datetime.fromisoformat(g["end"]))
        for g in row["gaps"]
    ]


def test_a_source_never_polled_is_one_gap_labelled_not_polled(client, campaign):
    SourceFactory(platform="x", created_at=BEFORE)
    (source,) = coverage(client, campaign)["sources"]
    assert source["covered_share"] == 0
    assert spans(source) == [("not_polled", T, T + 6 * H)]
    assert source["gaps"][0]["message"] == ""


def test_rate_limited_and_failing_stretches_are_gaps_with_their_reason(client, campaign):
    x = SourceFactory(platform="x", created_at=BEFORE)
    log(x, campaign, "ok", T, T + H)
    log(x, campaign, "rate_limited", T + H, T + 2 * H, "429 until 14:00")
    log(x, campaign, "ok", T + H, T + 3 * H)  # the next good poll covers back to the last one
    log(x, campaign, "error", T + 3 * H, T + 4 * H, "HTTP 503")
    (source,) = coverage(client, campaign)["sources"]
    assert spans(source) == [("error", T + 3 * H, T + 6 * H)]
    assert source["gaps"][0]["message"] == "HTTP 503"
    assert source["covered_share"] == source["polled_share"] == 0.5
    assert source["imported_share"] == 0


def test_a_rate_limit_not_yet_made_up_shows_as_rate_limited(client, campaign):
    x = SourceFactory(platform="x", created_at=BEFORE)
    log(x, campaign, "ok", T, T + 5 * H)
    log(x, campaign, "rate_limited", T + 5 * H, T + 5 * H + timedelta(minutes=1))
    gaps = coverage(client, campaign)["sources"][0]["gaps"]
    assert [g["reason"] for g in gaps] == ["rate_limited"]


def test_each_source_has_its_own_coverage(client, campaign):
    SourceFactory(platform="x", created_at=BEFORE)
    demo = SourceFactory(platform="demo", created_at=BEFORE)
    log(demo, campaign, "ok", T, T + 6 * H)
    answer = {s["platform"]: s for s in coverage(client, campaign)["sources"]}
    assert answer["demo"]["gaps"] == [] and answer["demo"]["covered_share"] == 1
    assert answer["x"]["covered_share"] == 0
    platforms = {p["platform"]: p for p in coverage(client, campaign)["platforms"]}
    assert platforms["demo"]["covered_share"] == 1 and platforms["x"]["covered_share"] == 0


# --- A source added during the range ---------------------------------------------------------


def test_a_source_added_mid_range_has_no_gap_before_it_was_added(client, campaign):
    SourceFactory(platform="bluesky", created_at=T + 2 * H)
    (source,) = coverage(client, campaign)["sources"]
    assert spans(source) == [("not_polled", T + 2 * H, T + 6 * H)]
    assert datetime.fromisoformat(source["added"]) == T + 2 * H


def test_a_source_polled_since_it_was_added_has_no_gap_and_says_how_much_it_collected(
    client, campaign
):
    bluesky = SourceFactory(platform="bluesky", created_at=T + 2 * H)
    log(bluesky, campaign, "ok", T + 2 * H, T + 6 * H)
    (source,) = coverage(client, campaign)["sources"]
    assert source["gaps"] == []
    # Of the whole range, the part before it existed was not collected: it says so in numbers.
    assert source["covered_share"] == pytest.approx(4 / 6, abs=1e-4)
    (platform,) = coverage(client, campaign)["platforms"]
    assert platform["platform"] == "bluesky"
    assert platform["covered_share"] == pytest.approx(4 / 6, abs=1e-4)


def test_a_first_polls_backfill_before_the_source_was_added_counts_as_collected(client, campaign):
    x = SourceFactory(platform="x", created_at=T + 2 * H)
    log(x, campaign, "ok", T + H, T + 6 * H)  # its first search reached an hour back
    (source,) = coverage(client, campaign)["sources"]
    assert source["gaps"] == []
    assert source["covered_share"] == pytest.approx(5 / 6, abs=1e-4)


def test_a_source_added_after_the_range_is_not_in_it(client, campaign):
    SourceFactory(platform="x", created_at=T + 7 * H)
    answer = coverage(client, campaign)
    assert answer["sources"] == [] and answer["platforms"] == []


# --- One failing source --------------------------------------------------------------------


def test_one_failing_mastodon_source_has_the_only_gap_under_its_own_name(client, campaign):
    demo = SourceFactory(platform="demo", created_at=BEFORE)
    log(demo, campaign, "ok", T, T + 6 * H)
    mastodon = SourceFactory(
        platform="mastodon", base_url="https://mastodon.example", created_at=T + 3 * H
    )
    for hour in (3, 4, 5):
        log(mastodon, campaign, "error", T + hour * H, T + hour * H, "ConnectError: refused")
    answer = coverage(client, campaign)
    rows = {s["platform"]: s for s in answer["sources"]}
    assert rows["demo"]["gaps"] == []
    failing = rows["mastodon"]
    assert spans(failing) == [("error", T + 3 * H, T + 6 * H)]
    assert failing["source"] == "Mastodon (https://mastodon.example)"
    assert failing["platform_label"] == "Mastodon"
    assert failing["gaps"][0]["message"] == "ConnectError: refused"
    platforms = {p["platform"]: p for p in answer["platforms"]}
    assert platforms["demo"]["covered_share"] == 1
    assert platforms["mastodon"]["covered_share"] == 0


# --- The live edge ---------------------------------------------------------------------------


@pytest.fixture
def live(db):
    now = timezone.now()
    return CampaignFactory(
        slug="live", public=True, start=now - 3 * H, end=now + timedelta(days=1), tags=["NHITweek"]
    )


def test_the_time_since_a_healthy_sources_last_poll_is_not_a_gap(client, live):
    now = timezone.now()
    demo = SourceFactory(platform="demo", created_at=now - 4 * H, poll_interval=60)
    log(demo, live, "ok", live.start, now - timedelta(seconds=30))
    answer = coverage(client, live, range="campaign")
    (source,) = answer["sources"]
    assert source["gaps"] == []
    assert source["covered_share"] == 1
    assert datetime.fromisoformat(source["pending_from"]) == now - timedelta(seconds=30)
    assert datetime.fromisoformat(answer["as_of"]) <= timezone.now()


def test_a_poll_that_ended_after_the_minute_the_answer_is_kept_for_is_still_the_live_edge(live):
    asked = live.start + 2 * H + timedelta(seconds=45)
    as_of = asked.replace(second=0, microsecond=0)  # the endpoint keeps an answer a minute
    demo = SourceFactory(platform="demo", created_at=live.start, poll_interval=60)
    log(demo, live, "ok", live.start, asked - timedelta(seconds=10))
    window = window_parse(params={}, campaign=live, now=asked)
    (source,) = campaign_coverage(campaign=live, window=window, now=as_of)["sources"]
    assert source["gaps"] == [] and source["covered_share"] == 1
    assert datetime.fromisoformat(source["pending_from"]) == asked - timedelta(seconds=10)


def test_a_source_just_added_and_not_yet_due_has_no_gap(client, live):
    SourceFactory(platform="x", created_at=timezone.now() - timedelta(seconds=90))
    (source,) = coverage(client, live, range="campaign")["sources"]
    assert source["gaps"] == []


def test_a_poll_overdue_is_a_gap_at_the_edge(client, live):
    now = timezone.now()
    demo = SourceFactory(platform="demo", created_at=now - 4 * H, poll_interval=60)
    log(demo, live, "ok", live.start, now - timedelta(minutes=10))  # workers stopped since
    answer = coverage(client, live, range="campaign")
    (source,) = answer["sources"]
    ((reason, start, end),) = spans(source)
    assert reason == "not_polled"
    assert start == now - timedelta(minutes=10)
    assert end == datetime.fromisoformat(answer["as_of"])
    assert source["pending_from"] is None


def test_a_source_failing_at_the_edge_is_a_gap_there(client, live):
    now = timezone.now()
    x = SourceFactory(platform="x", created_at=now - 4 * H, poll_interval=60)
    log(x, live, "ok", live.start, now - timedelta(seconds=50))
    log(x, live, "error", now - timedelta(seconds=50), now - timedelta(seconds=10), "HTTP 500")
    (source,) = coverage(client, live, range="campaign")["sources"]
    assert [g["reason"] for g in source["gaps"]] == ["error"]


# --- Archive imports -------------------------------------------------------------------------


def test_an_imported_stretch_is_collected_not_a_gap(client, campaign):
    x = SourceFactory(platform="x", created_at=BEFORE)
    log(x, campaign, "ok", T + 2 * H, T + 6 * H)
    archive = ArchiveRun(label="nhit-week.jsonl")
    posts_upsert(posts=[post(1, at=T), post(2, at=T + 2 * H)], archive=archive)
    answer = coverage(client, campaign)
    (source,) = answer["sources"]
    assert source["gaps"] == []
    assert source["covered_share"] == 1
    assert source["polled_share"] == pytest.approx(4 / 6, abs=1e-4)
    assert source["imported_share"] == pytest.approx(2 / 6, abs=1e-4)
    (platform,) = answer["platforms"]
    (imported,) = platform["imports"]
    assert imported["label"] == "nhit-week.jsonl"
    assert datetime.fromisoformat(imported["start"]) == T
    assert datetime.fromisoformat(imported["end"]) == T + 2 * H


def test_an_archive_of_a_platform_no_source_polled_then_is_its_own_entry(client, campaign):
    posts_upsert(posts=[post(1, at=T), post(2, at=T + 6 * H)], archive=ArchiveRun(label="a"))
    posts_upsert(posts=[post(1, at=T), post(2, at=T + 6 * H)], archive=ArchiveRun(label="a"))
    answer = coverage(client, campaign)
    assert answer["sources"] == []
    (platform,) = answer["platforms"]
    assert (platform["platform"], platform["covered_share"]) == ("x", 1)
    assert (platform["polled_share"], platform["imported_share"]) == (0, 1)
    assert len(platform["imports"]) == 1  # imported twice, one stretch


def test_an_import_of_another_platform_covers_nothing_of_this_one(client, campaign):
    SourceFactory(platform="bluesky", created_at=BEFORE)
    posts_upsert(posts=[post(1, at=T), post(2, at=T + 6 * H)], archive=ArchiveRun(label="x"))
    answer = coverage(client, campaign, platform="bluesky")
    (source,) = answer["sources"]
    assert spans(source) == [("not_polled", T, T + 6 * H)]
    assert [p["platform"] for p in answer["platforms"]] == ["bluesky"]


def test_coverage_reads_the_same_few_queries_whatever_it_holds(
    campaign, django_assert_max_num_queries
):
    for n in range(4):
        mastodon = SourceFactory(
            platform="mastodon", base_url=f"https://m{n}.example", created_at=BEFORE
        )
        log(mastodon, campaign, "ok", T, T + n * H)
        log(mastodon, campaign, "error", T + n * H, T + n * H, "HTTP 502")
        posts_upsert(posts=[post(n, at=T + n * H)], archive=ArchiveRun(label=f"{n}.jsonl"))
    window = window_parse(
        params={"range": "custom", "start": T.isoformat(), "end": (T + 6 * H).isoformat()},
        campaign=campaign,
    )
    with django_assert_max_num_queries(4):  # hashtags, poll log, imports, sources
        answer = campaign_coverage(campaign=campaign, window=window)
    assert len(answer["sources"]) == 4

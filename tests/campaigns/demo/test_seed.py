"""seed_demo's data: both editions have posts (stored through ingestion, so rollups and tag sets
are exact), the live edition was polled once, the wall has a first curation, and a second run
stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum
from django.http import QueryDict
from django.test import Client

from campaigns.dashboard.coverage import campaign_coverage
from campaigns.dashboard.params import window_parse
from campaigns.dashboard.yoy import campaign_yoy
from campaigns.demo.posts import LIVE_BACKFILL, demo_client, generated_posts
from campaigns.demo.seed import DEMO_HASHTAGS, demo_seed
from campaigns.demo.stories import STORIES
from campaigns.demo.wall import wall_seed
from campaigns.models import Campaign, CurationEvent, PostCuration, Story
from campaigns.posts import campaign_posts
from campaigns.totals import campaign_totals
from hashtags.models import (
    Author,
    ImportedSpan,
    PollLog,
    PollState,
    Post,
    TagSet,
    TagSetRollup,
)
from tests.support.checks import links_count, rollups_exact

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

# A Monday evening in New York: this year's edition opened at midnight, so its history is short
# and last year's whole week is the bulk of the seed.
NOW = datetime(2026, 10, 5, 23, 30, tzinfo=UTC)  # 19:30 EDT


def _counts() -> dict[str, int]:
    rollups = TagSetRollup.objects.aggregate(
        posts=Sum("posts"), reposts=Sum("reposts"), likes=Sum("likes")
    )
    return {
        "posts": Post.objects.count(),
        "authors": Author.objects.count(),
        "links": links_count(),
        "tagsets": TagSet.objects.count(),
        "rollup_rows": TagSetRollup.objects.count(),
        **{f"rollup_{k}": v or 0 for k, v in rollups.items()},
        "stories": Story.objects.count(),
        "curations": PostCuration.objects.count(),
        "events": CurationEvent.objects.count(),
        "poll_logs": PollLog.objects.count(),
        "imported_spans": ImportedSpan.objects.count(),
    }


@pytest.fixture
def seeded() -> tuple[Campaign, Campaign]:
    demo_seed(now=NOW)
    return Campaign.objects.get(slug="nhit-week-2026"), Campaign.objects.get(slug="nhit-week-2025")


def test_both_editions_have_posts_stored_through_ingestion(seeded):
    this_year, last_year = seeded
    assert last_year.end < NOW < this_year.end
    last = campaign_totals(campaign=last_year, start=last_year.start, end=last_year.end)
    assert 4000 < last["posts"] + last["reposts"] < 12_000
    assert last["likes"] > 0
    # Stored like polled or imported posts: links, tag sets and rollups agree with the posts.
    rollups_exact()
    # Over the same elapsed time this year is ahead: last year keeps a share of the posts.
    now_params = QueryDict("")
    yoy = campaign_yoy(
        campaign=this_year, window=window_parse(params=now_params, campaign=this_year, now=NOW)
    )
    assert yoy["available"]
    assert 0 < yoy["previous_total"] < yoy["current_total"]


def test_the_live_edition_is_filled_from_its_start_and_polled_once(seeded):
    this_year, _ = seeded
    logs = list(PollLog.objects.all())  # one poll: a log row per (source, hashtag)
    assert len(logs) == len(DEMO_HASHTAGS)
    assert {log.outcome for log in logs} == {PollLog.Outcome.OK}
    assert sum(log.posts_stored for log in logs) > 0
    log = logs[0]
    state = PollState.objects.get(source=log.source)
    last_minute = NOW.replace(second=0) - timedelta(minutes=1)
    assert state.cursor == {"minute": last_minute.isoformat()}
    polled = Post.objects.filter(source=log.source)
    assert polled.exists()
    assert polled.earliest("created_at").created_at >= NOW.replace(second=0) - LIVE_BACKFILL
    # History and poll meet without a gap or an overlap: every generated minute is stored once.
    expected = {
        post.external_id
        for post in generated_posts(
            client=demo_client(NOW),
            hashtags=DEMO_HASHTAGS,
            start=this_year.start,
            end=NOW.replace(second=0),
        )
    }
    stored = set(campaign_posts(campaign=this_year).values_list("external_id", flat=True))
    assert stored == expected | {"demo-welcome-nhit-week-2026"}


def test_last_years_edition_reads_as_imported_whole_not_as_unpolled(seeded):
    _, last_year = seeded
    answer = Client().get(f"/c/{last_year.slug}/api/coverage").json()
    # The demo source was added a year later: it missed nothing of 2025, and says nothing.
    assert answer["sources"] == []
    (demo,) = answer["platforms"]
    assert demo["platform"] == "demo"
    assert (demo["covered_share"], demo["imported_share"], demo["polled_share"]) == (1, 1, 0)
    (imported,) = demo["imports"]
    assert imported["label"] == "demo posts of NHIT Week 2025"
    assert datetime.fromisoformat(imported["start"]) == last_year.start
    assert datetime.fromisoformat(imported["end"]) == last_year.end


def test_this_years_edition_is_imported_then_polled_without_a_gap(seeded):
    this_year, _ = seeded
    window = window_parse(params=QueryDict(""), campaign=this_year, now=NOW)
    answer = campaign_coverage(campaign=this_year, window=window, now=NOW + timedelta(seconds=20))
    (source,) = answer["sources"]
    assert source["gaps"] == []  # the import meets the poll, and the live edge is no gap
    assert source["pending_from"] is not None
    assert source["covered_share"] > 0.999
    # Monday 00:00 to 13:30 from the seed's import, 13:30 to 19:30 from the live poll.
    assert source["imported_share"] == pytest.approx(13.5 / 19.5, abs=0.001)
    (imported,) = answer["platforms"][0]["imports"]
    assert datetime.fromisoformat(imported["end"]) == NOW.replace(second=0) - LIVE_BACKFILL


def test_the_wall_has_a_pinned_welcome_featured_posts_and_approved_stories(seeded):
    this_year, _ = seeded
    rows = PostCuration.objects.filter(campaign=this_year)
    pinned = rows.get(pinned__isnull=False)
    assert pinned.pinned == 1 and pinned.post.external_id == "demo-welcome-nhit-week-2026"
    assert rows.filter(status=PostCuration.Status.FEATURED).count() == 7
    stories = Story.objects.filter(campaign=this_year)
    assert stories.count() == len(STORIES) == 4
    assert all(s.status == Story.Status.APPROVED and s.consent for s in stories)
    assert set(CurationEvent.objects.values_list("actor_name", flat=True)) == {"curator"}

    answer = Client().get(f"/c/{this_year.slug}/api/wall").json()
    kinds = [item["kind"] for item in answer["items"]]
    assert kinds.count("post") == 7 and kinds.count("story") == 4
    assert answer["items"][0]["pinned"] == 1
    assert answer["items"][0]["text"].startswith("Welcome to NHIT Week 2026!")
    assert answer["count"]["value"] > 0


def test_the_year_over_year_endpoint_has_last_years_posts(seeded):
    this_year, _ = seeded
    answer = Client().get(f"/c/{this_year.slug}/api/yoy").json()
    assert answer["available"] is True
    assert answer["previous"]["campaign"] == "nhit-week-2025"
    assert answer["previous_total"] > 0
    assert sum(answer["previous_values"]) > 0


def test_a_second_seed_stores_nothing(seeded):
    before = _counts()
    second = demo_seed(now=NOW)
    assert second.created == []
    assert [(f.new, f.polled) for f in second.editions] == [(0, 0), (0, 0)]
    assert _counts() == before
    # Later, too: the live edition is then the worker's job, not the seed's.
    demo_seed(now=NOW + timedelta(hours=2))
    assert _counts() == before


def test_a_campaign_a_curator_already_worked_on_is_not_curated_again():
    demo_seed(now=NOW)
    this_year = Campaign.objects.get(slug="nhit-week-2026")
    events = CurationEvent.objects.count()
    Story.objects.filter(campaign=this_year).delete()
    assert wall_seed(campaign=this_year, actor=None).stories == 0
    assert CurationEvent.objects.count() == events

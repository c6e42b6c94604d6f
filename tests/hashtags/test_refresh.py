"""Refreshing engagement counts: which posts are picked, what is stored, how failures end."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.test import override_settings

from campaigns.jobs.refreshing import (
    campaign_top_post_ids,
    metrics_refresh_schedule,
    metrics_refresh_work,
)
from hashtags.ingest import posts_upsert
from hashtags.models import PollState, Post, Source, TagSetRollup
from hashtags.refresh import metrics_refresh
from hashtags.sources.base import PostData, SourceError
from hashtags.sources.demo import DemoClient
from hashtags.tasks import refresh_metrics
from nhitweek.settings import base as base_settings
from tests.support.checks import rollups_exact
from tests.support.factories import CampaignFactory, SourceFactory
from tests.support.ingest_data import T0, post

pytestmark = pytest.mark.both_databases

NOW = T0 + timedelta(hours=3)
STALE = NOW - timedelta(hours=1)


@dataclass
class LookupClient:
    """A platform at the client interface: answers lookups from `current`, records each batch,
    and raises `error` on call number `fail_at`."""

    current: dict[str, PostData]
    platform: str = "x"
    lookup_batch: int = 100
    error: SourceError | None = None
    fail_at: int = 1
    calls: list[list[str]] = field(default_factory=list)

    def fetch(self, **kwargs):
        return iter(())

    def lookup(self, *, external_ids):
        self.calls.append(list(external_ids))
        if self.error is not None and len(self.calls) == self.fail_at:
            raise self.error
        return [self.current[i] for i in external_ids if i in self.current]


@pytest.fixture(autouse=True)
def _every_platform(settings):
    settings.METRICS_REFRESH_PLATFORMS = ["x", "mastodon", "bluesky", "demo"]


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        start=T0 - timedelta(days=1), end=T0 + timedelta(days=6), tags=["NHITweek", "HITworks"]
    )


@pytest.fixture
def x_source(db):
    return SourceFactory(platform="x")


def store(*posts: PostData, source: Source | None = None, at: datetime = STALE) -> list[Post]:
    """Ingest these posts as a poll would have, `at` the given time."""
    posts_upsert(posts=posts, source=source, now=at)
    return list(Post.objects.filter(external_id__in=[p.external_id for p in posts]).order_by("pk"))


def rollups() -> list[tuple]:
    return sorted(TagSetRollup.objects.values_list("tagset_id", "minute", "posts", "likes"))


def run(source: Source, client: LookupClient, posts: list[Post], **kwargs):
    return metrics_refresh(
        source_id=source.pk,
        post_ids=[p.pk for p in posts],
        client_factory=lambda _source: client,
        now=lambda: NOW,
        **kwargs,
    )


# --- the service ---------------------------------------------------------------------------------


def test_fresh_metrics_are_stored_and_the_rollups_follow_them(campaign, x_source):
    first = [post(1, likes=5), post(2, likes=1, replies=1)]
    stored = store(*first, source=x_source)
    assert sum(row[3] for row in rollups()) == 6
    fresh = {p.external_id: replace(p, likes=p.likes * 10, reposts=7, quotes=2) for p in first}

    result = run(x_source, LookupClient(current=fresh), stored)

    assert (result.outcome, result.asked, result.refreshed, result.missing) == ("ok", 2, 2, 0)
    got = {p.external_id: p for p in Post.objects.all()}
    assert (got["p1"].likes, got["p1"].reposts, got["p1"].quotes) == (50, 7, 2)
    assert (got["p2"].likes, got["p2"].replies) == (10, 1)
    assert {p.metrics_updated_at for p in got.values()} == {NOW}
    assert {p.first_seen_at for p in got.values()} == {STALE}
    assert sum(row[3] for row in rollups()) == 60
    assert sum(row[2] for row in rollups()) == 2
    rollups_exact()
    again = run(x_source, LookupClient(current=fresh), stored, min_age=timedelta())
    assert again.refreshed == 2
    rollups_exact()
    assert Post.objects.count() == 2


def test_posts_the_platform_no_longer_shows_are_left_as_they_are_and_counted(campaign, x_source):
    stored = store(post(1, likes=5), post(2, likes=3), post(3, likes=9), source=x_source)
    client = LookupClient(current={"p2": post(2, likes=30)})  # p1 deleted, p3 made private

    result = run(x_source, client, stored)

    assert (result.refreshed, result.missing) == (1, 2)
    left = Post.objects.filter(external_id__in=["p1", "p3"]).order_by("external_id")
    assert [(p.likes, p.metrics_updated_at) for p in left] == [(5, STALE), (9, STALE)]
    assert Post.objects.get(external_id="p2").likes == 30


def test_lookups_go_in_batches_of_the_clients_size(campaign, x_source):
    first = [post(n) for n in range(5)]
    stored = store(*first, source=x_source)
    client = LookupClient(current={p.external_id: p for p in first}, lookup_batch=2)

    result = run(x_source, client, stored)

    assert [len(ids) for ids in client.calls] == [2, 2, 1]
    assert sorted(i for ids in client.calls for i in ids) == sorted(p.external_id for p in first)
    assert result.refreshed == 5


def test_posts_refreshed_recently_are_not_asked_again(campaign, x_source):
    stale = store(post(1), source=x_source)
    fresh = store(post(2), source=x_source, at=NOW - timedelta(minutes=5))
    client = LookupClient(current={"p1": post(1, likes=4), "p2": post(2, likes=4)})

    with override_settings(METRICS_REFRESH_MIN_AGE_MINUTES=15):
        result = run(x_source, client, stale + fresh)

    assert client.calls == [["p1"]]
    assert (result.asked, result.skipped) == (1, 1)


def test_a_post_the_client_was_not_asked_about_is_not_stored(campaign, x_source):
    stored = store(post(1), source=x_source)
    client = LookupClient(current={"p1": post(1, likes=2)})
    client.lookup = lambda *, external_ids: [post(1, likes=2), post(99)]

    result = run(x_source, client, stored)

    assert result.refreshed == 1
    assert not Post.objects.filter(external_id="p99").exists()


def test_a_rate_limit_keeps_the_earlier_batches_and_the_source_enabled(campaign, x_source):
    first = [post(n, likes=1) for n in range(4)]
    stored = store(*first, source=x_source)
    reset = NOW + timedelta(minutes=10)
    limited = SourceError("X rate limit reached.", rate_limited=True, retry_at=reset)
    current = {p.external_id: replace(p, likes=40) for p in first}
    client = LookupClient(current=current, lookup_batch=2, error=limited, fail_at=2)

    result = run(x_source, client, stored)

    assert (result.outcome, result.retry_at, result.refreshed) == ("rate_limited", reset, 2)
    assert sorted(Post.objects.values_list("likes", flat=True)) == [1, 1, 40, 40]
    x_source.refresh_from_db()
    assert x_source.enabled and x_source.last_error == ""


def test_a_transient_error_leaves_the_source_alone(campaign, x_source):
    stored = store(post(1), source=x_source)
    client = LookupClient(current={}, error=SourceError("X answered 503: Service Unavailable"))

    result = run(x_source, client, stored)

    assert result.outcome == "error"
    assert Source.objects.get(pk=x_source.pk).enabled


def test_a_permanent_error_disables_the_source_with_its_reason(campaign, x_source):
    stored = store(post(1), source=x_source)
    refused = SourceError("X rejected the bearer token (401): Unauthorized", permanent=True)

    result = run(x_source, LookupClient(current={}, error=refused), stored)

    assert result.outcome == "disabled"
    x_source.refresh_from_db()
    assert not x_source.enabled
    assert x_source.last_error == refused.reason
    assert x_source.last_error_at == NOW


def test_a_disabled_source_asks_nothing(campaign, x_source):
    stored = store(post(1), source=x_source)
    Source.objects.filter(pk=x_source.pk).update(enabled=False)
    client = LookupClient(current={"p1": post(1, likes=9)})

    assert run(x_source, client, stored).outcome == "disabled"
    assert client.calls == []


def test_another_platforms_posts_are_not_looked_up_through_this_source(campaign, x_source):
    stored = store(post(1), post(2, platform="bluesky"), source=x_source)
    client = LookupClient(current={})

    result = run(x_source, client, stored)

    assert client.calls == [["p1"]]
    assert result.skipped == 1


# --- the demo, end to end ------------------------------------------------------------------------


def demo_posts(now: datetime, seed: int | str = 7) -> list[PostData]:
    demo = DemoClient(seed=seed, now=lambda: now, backfill=timedelta(hours=1))
    pages = demo.fetch(hashtags=["nhitweek", "hitworks"], cursor={})
    return [p for page in pages for p in page.posts if not p.is_repost]


def test_the_demo_regrows_the_same_posts_with_counts_that_only_go_up(db):
    polled = demo_posts(NOW)
    ids = [p.external_id for p in polled]
    later = DemoClient(seed=7, now=lambda: NOW + timedelta(hours=3))
    much_later = DemoClient(seed=7, now=lambda: NOW + timedelta(days=2))

    hashed = "demo-0123456789ab-202610051300-0"  # a world too wide to spell out its tags
    again = later.lookup(external_ids=[*ids, hashed, "demo-nhitweek-202613991300-0", "p1"])

    assert [p.external_id for p in again] == ids
    assert [(p.author, p.text, p.created_at) for p in again] == [
        (p.author, p.text, p.created_at) for p in polled
    ]
    assert again == later.lookup(external_ids=ids)  # the same moment gives the same counts
    for before, now, after in zip(polled, again, much_later.lookup(external_ids=ids), strict=True):
        assert before.likes <= now.likes <= after.likes
        assert before.reposts <= now.reposts <= after.reposts
    assert sum(p.likes for p in again) > sum(p.likes for p in polled)


def test_a_demo_source_refreshes_its_stored_posts(campaign):
    source = SourceFactory(platform="demo")
    polled = demo_posts(NOW - timedelta(hours=2))
    posts_upsert(posts=polled, source=source, now=NOW - timedelta(hours=2))
    before = sum(Post.objects.values_list("likes", flat=True))
    later = DemoClient(seed=7, now=lambda: NOW)

    result = metrics_refresh(
        source_id=source.pk,
        post_ids=list(Post.objects.values_list("pk", flat=True)),
        client_factory=lambda _source: later,
        now=lambda: NOW,
    )

    assert (result.refreshed, result.missing) == (len(polled), 0)
    assert sum(Post.objects.values_list("likes", flat=True)) > before


# --- picking the posts ---------------------------------------------------------------------------


@override_settings(METRICS_REFRESH_TOP=2)
def test_each_campaign_gets_its_top_posts_by_score_without_plain_reposts(campaign):
    other = CampaignFactory(start=campaign.start, end=campaign.end, tags=["IHeartHIT"])
    store(
        post(1, likes=50),
        post(2, likes=10, reposts=10, replies=10),  # score 10 + 2 * 10 + 3 * 10 = 60
        post(3, likes=29),
        post(4, is_repost=True, likes=500),
        post(5, tags=("ihearthit",), likes=1),
        post(6, tags=("hitworks",), likes=100, at=campaign.start - timedelta(hours=1)),
    )
    ids = dict(Post.objects.values_list("external_id", "pk"))

    assert campaign_top_post_ids(campaign=campaign, limit=2) == [ids["p2"], ids["p1"]]
    assert campaign_top_post_ids(campaign=other, limit=2) == [ids["p5"]]


@override_settings(METRICS_REFRESH_TOP=1, METRICS_REFRESH_MIN_AGE_MINUTES=15)
def test_only_stale_top_posts_are_picked_grouped_by_source(campaign, x_source):
    bluesky = SourceFactory(platform="bluesky")
    top_x = store(post(1, likes=90), post(2, likes=1), source=x_source)[0]
    CampaignFactory(start=campaign.start, end=campaign.end, tags=["IHeartHIT"])
    top_bsky = store(post(3, platform="bluesky", tags=("ihearthit",), likes=9), source=bluesky)[0]

    assert [(w.source_id, w.post_ids) for w in metrics_refresh_work(now=NOW)] == [
        (x_source.pk, (top_x.pk,)),
        (bluesky.pk, (top_bsky.pk,)),
    ]
    Post.objects.filter(pk=top_x.pk).update(metrics_updated_at=NOW - timedelta(minutes=14))
    assert [w.source_id for w in metrics_refresh_work(now=NOW)] == [bluesky.pk]


@override_settings(POLL_TAIL_MINUTES=60)
def test_ended_campaigns_are_refreshed_only_within_the_polling_tail(x_source):
    CampaignFactory(start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1), tags=["NHITweek"])
    store(post(1, likes=3), source=x_source, at=T0)

    assert metrics_refresh_work(now=T0 + timedelta(minutes=119))
    assert metrics_refresh_work(now=T0 + timedelta(minutes=121)) == []
    assert metrics_refresh_work(now=T0 - timedelta(hours=2)) == []  # not started


def test_a_status_is_looked_up_on_the_mastodon_server_it_lives_on(campaign):
    social = SourceFactory(platform="mastodon", base_url="https://mastodon.social")
    hachyderm = SourceFactory(platform="mastodon", base_url="https://hachyderm.io")
    uri = "https://hachyderm.io/users/bob/statuses/113456789012345678"
    stored = store(replace(post(1, platform="mastodon"), external_id=uri), source=social)

    (work,) = metrics_refresh_work(now=NOW)

    assert (work.source_id, work.post_ids) == (hachyderm.pk, (stored[0].pk,))


def test_imported_posts_and_posts_of_disabled_sources_go_to_an_enabled_source(campaign, x_source):
    old = SourceFactory(platform="mastodon", base_url="https://mastodon.social", enabled=False)
    current = SourceFactory(platform="mastodon", base_url="https://hachyderm.io")
    imported = store(post(1, likes=2))  # no source: came from an archive
    uri = "https://fosstodon.org/users/eve/statuses/113400000000000001"
    orphaned = store(replace(post(2, platform="mastodon"), external_id=uri), source=old)

    assert [(w.source_id, w.post_ids) for w in metrics_refresh_work(now=NOW)] == [
        (x_source.pk, (imported[0].pk,)),
        (current.pk, (orphaned[0].pk,)),
    ]


def test_sources_that_are_failing_or_left_out_by_settings_get_nothing(campaign, x_source):
    demo = SourceFactory(platform="demo")
    store(post(1, likes=2), source=x_source)
    demo_post = replace(post(2, platform="demo"), external_id="demo-nhitweek-202610051300-0")
    store(demo_post, source=demo)
    PollState.objects.create(source=demo, failures=2)

    assert [w.source_id for w in metrics_refresh_work(now=NOW)] == [x_source.pk]
    with override_settings(METRICS_REFRESH_PLATFORMS=["bluesky", "mastodon", "demo"]):
        assert metrics_refresh_work(now=NOW) == []


def test_x_is_refreshed_only_when_an_operator_lists_it(campaign, x_source, settings):
    bluesky = SourceFactory(platform="bluesky")
    store(post(1, likes=2), source=x_source)
    store(post(2, platform="bluesky", likes=1), source=bluesky)
    # The default: every looked-up X post costs quota.
    settings.METRICS_REFRESH_PLATFORMS = base_settings.METRICS_REFRESH_PLATFORMS

    assert [w.source_id for w in metrics_refresh_work(now=NOW)] == [bluesky.pk]


# --- tasks ---------------------------------------------------------------------------------------


def test_the_scheduler_enqueues_one_task_per_source_with_ids_only_after_commit(
    campaign, x_source, django_capture_on_commit_callbacks
):
    stored = store(post(1, likes=5), post(2, likes=3), source=x_source)
    with mock.patch("hashtags.tasks.refresh_metrics.apply_async") as enqueued:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert metrics_refresh_schedule(now=NOW) == 1
        assert not enqueued.called  # nothing leaves before the transaction commits
        for callback in callbacks:
            callback()

    (call,) = enqueued.call_args_list
    assert call.kwargs == {"kwargs": {"source_id": x_source.pk, "post_ids": [p.pk for p in stored]}}


def test_the_refresh_task_stores_fresh_counts(campaign, settings):
    source = SourceFactory(platform="demo")
    polled = demo_posts(NOW - timedelta(hours=4), seed=settings.DEMO_SEED)
    posts_upsert(posts=polled, source=source, now=NOW - timedelta(hours=4))
    before = sum(Post.objects.values_list("likes", flat=True))

    refresh_metrics.run(
        source_id=source.pk, post_ids=list(Post.objects.values_list("pk", flat=True))
    )

    assert sum(Post.objects.values_list("likes", flat=True)) > before
    assert not Post.objects.filter(metrics_updated_at=NOW - timedelta(hours=4)).exists()

"""Scheduling: which hashtags are live, what beat enqueues, and `manage.py poll --once`."""

from __future__ import annotations

import io
import re
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from campaigns.jobs.scheduling import active_hashtag_ids, polls_schedule
from hashtags.models import PollState, Post, Source
from hashtags.polling import source_poll
from hashtags.services import source_enable
from hashtags.sources import demo
from hashtags.sources.base import SourceError
from tests.support.factories import CampaignFactory, SourceFactory
from tests.support.fake_clients import ScriptedClient

pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)


def campaign_at(start: datetime, end: datetime, tag: str):
    return CampaignFactory(start=start, end=end, tags=[tag])


def tag_ids(*campaigns) -> list[int]:
    return sorted(link.hashtag_id for c in campaigns for link in c.campaign_hashtags.all())


# --- Campaign windows ----------------------------------------------------------------------------


@override_settings(POLL_LEAD_IN_MINUTES=10, POLL_TAIL_MINUTES=5)
def test_a_campaign_is_polled_from_the_lead_in_before_its_start(db):
    soon = campaign_at(NOW + timedelta(minutes=9), NOW + timedelta(days=1), "Soon")
    campaign_at(NOW + timedelta(minutes=11), NOW + timedelta(days=1), "Later")
    assert active_hashtag_ids(now=NOW) == tag_ids(soon)


@override_settings(POLL_LEAD_IN_MINUTES=10, POLL_TAIL_MINUTES=5)
def test_a_campaign_is_polled_until_the_tail_after_its_end(db):
    just = campaign_at(NOW - timedelta(days=1), NOW - timedelta(minutes=4), "JustEnded")
    campaign_at(NOW - timedelta(days=1), NOW - timedelta(minutes=6), "LongEnded")
    live = campaign_at(NOW - timedelta(days=1), NOW + timedelta(days=1), "Live")
    assert active_hashtag_ids(now=NOW) == tag_ids(just, live)
    assert active_hashtag_ids(now=NOW, campaign_slug=live.slug) == tag_ids(live)


# --- Beat's scheduler task -----------------------------------------------------------------------


@pytest.fixture
def enqueued():
    with mock.patch("hashtags.tasks.poll.apply_async") as apply_async:
        yield apply_async


def test_the_scheduler_enqueues_one_task_per_due_source_with_ids_only_after_commit(
    campaign, enqueued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    sources = [SourceFactory(platform="demo"), SourceFactory(platform="x")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert polls_schedule(now=now) == 2
        assert not enqueued.called  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    ids = tag_ids(campaign)
    sent = [call.kwargs for call in enqueued.call_args_list]
    assert sent == [{"kwargs": {"source_id": s.pk, "hashtag_ids": ids}} for s in sources]
    for kwargs in sent:
        values = kwargs["kwargs"]
        assert type(values["source_id"]) is int
        assert all(type(i) is int for i in values["hashtag_ids"])


def test_a_second_scheduler_run_right_after_enqueues_nothing(
    campaign, enqueued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    SourceFactory(platform="demo", poll_interval=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert polls_schedule(now=now) == 1
        assert polls_schedule(now=now + timedelta(seconds=5)) == 0
    assert enqueued.call_count == 1
    assert PollState.objects.get().next_poll_at == now + timedelta(seconds=60)


def test_disabled_sources_and_sources_not_yet_due_are_skipped(
    campaign, enqueued, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = SourceFactory(platform="demo")
    SourceFactory(platform="x", enabled=False)
    later = SourceFactory(platform="bluesky")
    PollState.objects.create(source=later, next_poll_at=now + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert polls_schedule(now=now) == 1
    assert [c.kwargs["kwargs"]["source_id"] for c in enqueued.call_args_list] == [due.pk]


def test_nothing_is_enqueued_when_no_campaign_is_in_its_window(db, enqueued):
    campaign_at(NOW + timedelta(days=3), NOW + timedelta(days=10), "Future")
    SourceFactory(platform="demo")
    assert polls_schedule(now=NOW) == 0
    assert not enqueued.called


# --- manage.py poll --once -----------------------------------------------------------------------

DEMO_NOW = datetime(2026, 10, 5, 14, 30, 20, tzinfo=UTC)
_real_demo_client_for = demo.client_for


def fixed_demo_client(source):
    # The demo's minutes follow the clock; a fixed one keeps "new=0" from depending on
    # whether the test happens to cross a minute boundary.
    client = _real_demo_client_for(source)
    client.now = lambda: DEMO_NOW
    return client


@pytest.fixture
def demo_source(campaign):
    with mock.patch.object(demo, "client_for", fixed_demo_client):
        yield source_enable(platform="demo")[0]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("poll", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_poll_once_stores_the_demo_posts_and_prints_how_many(demo_source):
    output = run("--once")
    match = re.search(r"^Demo: ok, \d+ page\(s\), new=(\d+) duplicates=0", output, re.M)
    assert match, output
    assert int(match.group(1)) == Post.objects.count() > 0
    assert "#NHITweek" in output


def test_poll_once_again_right_away_says_nothing_is_due(demo_source):
    run("--once")
    assert "nothing due" in run("--once")


def test_poll_once_force_polls_again_and_stores_nothing_new(demo_source):
    run("--once")
    stored = Post.objects.count()
    output = run("--once", "--force")
    assert re.search(r"^Demo: ok, \d+ page\(s\), new=0 duplicates=0", output, re.M), output
    assert Post.objects.count() == stored


def test_poll_once_for_another_platform_or_campaign_polls_nothing(demo_source):
    ended = campaign_at(NOW - timedelta(days=30), NOW - timedelta(days=20), "LastYear")
    assert "nothing due" in run("--once", "--source", "x")
    assert "nothing due" in run("--once", "--campaign", ended.slug)
    assert not Post.objects.exists()


def test_poll_force_still_honours_a_rate_limit(campaign):
    # The command's help promises it: "--force: ignore next_poll_at (rate limits still apply)".
    source = SourceFactory(platform="x")
    reset = timezone.now() + timedelta(minutes=15)
    limit = SourceError("X rate limit reached.", rate_limited=True, retry_at=reset)
    source_poll(
        source_id=source.pk,
        hashtag_ids=tag_ids(campaign),
        client_factory=lambda s: ScriptedClient([limit]),
    )
    asked = []

    def recording_client(s):
        asked.append(s.pk)
        return ScriptedClient([])

    with mock.patch("hashtags.sources.x.client_for", recording_client):
        run("--once", "--force")
    assert asked == []
    assert Source.objects.get().enabled


def test_poll_with_an_unknown_campaign_is_an_error(db):
    with pytest.raises(CommandError, match="No campaign 'nope'"):
        run("--once", "--campaign", "nope")


def test_poll_without_once_is_an_error(db):
    with pytest.raises(CommandError, match="--once"):
        run()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_running_at_once_enqueue_each_due_source_once(enqueued):
    base = timezone.now()
    CampaignFactory(start=base - timedelta(days=1), end=base + timedelta(days=1))
    source = SourceFactory(platform="demo", poll_interval=60)
    for round_ in range(5):
        now = base + timedelta(seconds=60 * round_)
        barrier, counts = threading.Barrier(2), []

        def schedule(now=now, barrier=barrier, counts=counts):
            try:
                barrier.wait()
                counts.append(polls_schedule(now=now))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=schedule) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(counts) == [0, 1], round_
    assert enqueued.call_count == 5
    assert {c.kwargs["kwargs"]["source_id"] for c in enqueued.call_args_list} == {source.pk}

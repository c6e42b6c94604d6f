"""source_poll when it works: each page stored with its cursor and logged, idempotent, visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from hashtags.models import PollLog, PollState, Post, Source
from hashtags.polling import source_poll
from hashtags.sources.demo import DemoClient
from tests.support.checks import links_count, rollups_from_links, rollups_stored
from tests.support.factories import SourceFactory
from tests.support.fake_clients import ScriptedClient, links_per_tag, pages
from tests.support.generations import generations
from tests.support.polling_data import INTERVAL, NOW, clock, logs, poll, state, tags_make

pytestmark = pytest.mark.both_databases

# --- A poll that works ---------------------------------------------------------------------------


def test_every_page_is_stored_with_its_cursor_saved_page_by_page(source, tags):
    cursors = []
    client = ScriptedClient(
        pages(count=3, hashtags=list(tags)),
        between_pages=lambda: cursors.append(PollState.objects.get(source=source).cursor),
    )
    result = poll(source, tags, client)
    assert (result.outcome, result.pages, result.stored.new) == ("ok", 3, 30)
    assert Post.objects.count() == 30
    # Asked for page n, the poller has already committed page n-1 and its cursor.
    assert cursors == [{}, {"page": 1}, {"page": 2}]
    assert state(source).cursor == {"page": 3}


def test_a_successful_poll_reschedules_one_interval_after_it_finished_and_resets_failures(
    source, tags
):
    PollState.objects.create(source=source, failures=3, next_poll_at=NOW)
    Source.objects.filter(pk=source.pk).update(last_error="timed out", last_error_at=NOW)
    result = poll(source, tags, ScriptedClient(pages(count=1, hashtags=list(tags))))
    after = state(source)
    assert result.next_poll_at == after.next_poll_at == NOW + timedelta(seconds=INTERVAL)
    assert (after.failures, after.claimed_until, after.last_ok_at) == (0, None, NOW)
    source.refresh_from_db()
    assert (source.last_error, source.last_error_at, source.enabled) == ("", None, True)


def test_the_poll_log_has_one_ok_row_per_hashtag_with_the_posts_stored_for_it(source, tags):
    steps = pages(count=2, hashtags=list(tags))
    poll(source, tags, ScriptedClient(steps))
    expected = links_per_tag([p for page in steps for p in page.posts])
    assert logs(source) == {name: ("ok", expected.get(name, 0)) for name in tags}
    assert sum(expected.values()) == links_count()
    windows = set(PollLog.objects.values_list("window_end", "finished_at"))
    assert windows == {(NOW, NOW)}


# --- Idempotence and visibility ------------------------------------------------------------------


def test_it_keeps_one_row_per_post_and_the_rollups_when_the_same_pages_are_polled_twice(
    source, tags
):
    steps = pages(count=2, hashtags=list(tags))
    first = poll(source, tags, ScriptedClient(steps))
    counts = (Post.objects.count(), links_count())
    rollups = rollups_stored()
    second = poll(source, tags, ScriptedClient(steps), now=clock(NOW + timedelta(minutes=1)))
    assert (first.stored.new, second.stored.new, second.stored.duplicates) == (20, 0, 20)
    assert (Post.objects.count(), links_count()) == counts
    assert counts[0] == 20
    assert rollups_stored() == rollups == rollups_from_links()
    latest = PollLog.objects.filter(started_at=NOW + timedelta(minutes=1))
    assert set(latest.values_list("outcome", "posts_stored")) == {("ok", 0)}


def test_a_stored_post_bumps_its_hashtags_generation_when_the_transaction_commits(
    source, tags, django_capture_on_commit_callbacks
):
    ids = [h.pk for h in tags.values()]
    before = generations(hashtag_ids=ids)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        poll(source, tags, ScriptedClient(pages(count=1, hashtags=list(tags))))
    assert generations(hashtag_ids=ids) == before  # not before the commit
    for callback in callbacks:
        callback()
    after = generations(hashtag_ids=ids)
    assert all(after[i] > before[i] for i in ids), (before, after)


@pytest.mark.django_db(transaction=True)
def test_a_cache_outage_does_not_stop_ingestion():
    # Generations are only a cache key: losing a bump costs a stale answer for a while, but a
    # failed bump after the page committed must not turn the poll into an error and stop it.
    tags = tags_make("NHITweek", "HITworks")
    source = SourceFactory(platform="x")
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    client = ScriptedClient(pages(count=3, hashtags=list(tags)))
    with override_settings(CACHES=unreachable):
        result = poll(source, tags, client, now=timezone.now)
    assert (result.outcome, result.pages, result.stored.new) == ("ok", 3, 30)
    assert links_count() > 0  # so there was a generation to bump
    assert PollState.objects.get(source=source).failures == 0


# --- The demo client, end to end -----------------------------------------------------------------

DEMO_NOW = datetime(2026, 10, 5, 14, 30, 20, tzinfo=UTC)  # a Monday, 10:30 in New York


def demo_poll(source, tags, at):
    return source_poll(
        source_id=source.pk,
        hashtag_ids=[h.pk for h in tags.values()],
        client_factory=lambda s: DemoClient(now=clock(at)),
        now=clock(at),
    )


def test_the_demo_source_stores_its_posts_and_a_second_poll_at_the_same_time_adds_nothing(tags):
    source = SourceFactory(platform="demo")
    first = demo_poll(source, tags, DEMO_NOW)
    stored = Post.objects.count()
    assert first.outcome == "ok" and first.pages >= 2
    assert first.stored.new == stored > 100
    assert state(source).cursor == {"minute": "2026-10-05T14:29:00+00:00"}
    assert sum(n for _, n in logs(source).values()) == links_count()
    again = demo_poll(source, tags, DEMO_NOW)
    assert (again.outcome, again.stored.new, again.stored.duplicates) == ("ok", 0, 0)
    assert Post.objects.count() == stored
    later = demo_poll(source, tags, DEMO_NOW + timedelta(minutes=5))
    newest = Post.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    assert Post.objects.count() == stored + later.stored.new
    assert newest < datetime(2026, 10, 5, 14, 35, tzinfo=UTC)
    assert rollups_stored() == rollups_from_links()

"""source_poll: every way out of a poll stores what it fetched, logs it and sets next_poll_at."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from hashtags.generation import generations
from hashtags.models import PollLog, PollState, Post, Source
from hashtags.polling import source_poll
from hashtags.services import hashtag_get_or_create
from hashtags.sources.base import Page, SourceError
from hashtags.sources.demo import DemoClient

from .factories import SourceFactory
from .support.checks import links_count, rollups_from_links, rollups_stored
from .support.fake_clients import ScriptedClient, links_per_tag, page_posts, pages

NOW = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
INTERVAL = 60


def clock(at: datetime = NOW):
    return lambda: at


def tags_make(*displays: str) -> dict:
    """Hashtags by normalized name, the form clients get and posts carry."""
    return {h.name: h for h in (hashtag_get_or_create(tag=t) for t in displays)}


@pytest.fixture
def tags(db):
    return tags_make("NHITweek", "HITworks", "IHeartHIT")


@pytest.fixture
def source(db):
    return SourceFactory(platform="x", poll_interval=INTERVAL)


def poll(source, tags, client=None, *, factory=None, now=None, **kwargs):
    return source_poll(
        source_id=source.pk,
        hashtag_ids=[h.pk for h in tags.values()],
        client_factory=factory or (lambda s: client),
        now=now or clock(),
        **kwargs,
    )


def state(source) -> PollState:
    return PollState.objects.get(source=source)


def logs(source) -> dict[str, tuple[str, int]]:
    rows = PollLog.objects.filter(source=source).values_list(
        "hashtag__name", "outcome", "posts_stored"
    )
    return {name: (outcome, stored) for name, outcome, stored in rows}


class Untouchable:
    """A client factory that fails the test if the poller asks it for a client."""

    def __init__(self):
        self.calls = 0

    def __call__(self, source):
        self.calls += 1
        raise AssertionError("the poller asked for a client")


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


# --- Failures ------------------------------------------------------------------------------------


def test_a_permanent_error_disables_the_source_with_its_reason_and_keeps_earlier_pages(
    source, tags, client, admin_user
):
    reason = "X refused the bearer token (401 Unauthorized)"
    steps = [*pages(count=2, hashtags=list(tags)), SourceError(reason, permanent=True)]
    result = poll(source, tags, ScriptedClient(steps))
    assert result.outcome == "disabled"
    source.refresh_from_db()
    assert (source.enabled, source.last_error, source.last_error_at) == (False, reason, NOW)
    assert Post.objects.count() == 20
    assert state(source).cursor == {"page": 2}
    assert state(source).claimed_until is None
    assert {outcome for outcome, _ in logs(source).values()} == {"error"}
    assert set(PollLog.objects.values_list("message", flat=True)) == {reason}
    client.force_login(admin_user)
    page = client.get(f"/admin/hashtags/source/{source.pk}/change/")
    assert page.status_code == 200
    assert reason in page.content.decode()


def test_a_disabled_source_is_not_polled_again(source, tags):
    poll(source, tags, ScriptedClient([SourceError("usage cap reached", permanent=True)]))
    factory = Untouchable()
    again = poll(source, tags, factory=factory)
    assert again.outcome == "disabled"
    assert factory.calls == 0
    assert PollLog.objects.count() == len(tags)  # only the first poll's rows


def test_a_source_with_bad_configuration_is_disabled_with_a_reason(tags):
    source = Source.objects.create(platform="nosuch")  # what the real client_for refuses
    result = source_poll(
        source_id=source.pk, hashtag_ids=[h.pk for h in tags.values()], now=clock()
    )
    source.refresh_from_db()
    assert result.outcome == "disabled"
    assert not source.enabled
    assert "nosuch" in source.last_error


def test_a_rate_limit_waits_until_the_platform_says_and_is_not_a_failure(source, tags):
    PollState.objects.create(source=source, failures=2)
    reset = NOW + timedelta(minutes=15)
    limit = SourceError("X rate limit reached.", rate_limited=True, retry_at=reset)
    result = poll(source, tags, ScriptedClient([*pages(count=1, hashtags=list(tags)), limit]))
    after = state(source)
    assert result.outcome == "rate_limited"
    assert after.next_poll_at == reset + timedelta(seconds=1)
    assert (after.failures, after.claimed_until) == (2, None)
    assert {outcome for outcome, _ in logs(source).values()} == {"rate_limited"}
    assert Post.objects.count() == 10
    source.refresh_from_db()
    assert source.enabled


def test_a_rate_limit_without_a_reset_time_waits_at_least_one_interval(source, tags):
    # X and Mastodon send retry_at=None when the 429 lacks its reset header; retrying a second
    # later would hammer a platform that just said stop, on every scheduler tick.
    limit = SourceError("rate limited (429).", rate_limited=True, retry_at=None)
    poll(source, tags, ScriptedClient([limit]))
    assert state(source).next_poll_at >= NOW + timedelta(seconds=INTERVAL)


@override_settings(POLL_MAX_BACKOFF_SECONDS=500)
def test_transient_errors_back_off_exponentially_up_to_the_cap(source, tags):
    waits, failures = [], []
    for _ in range(5):
        result = poll(source, tags, ScriptedClient([SourceError("X timed out")]))
        assert result.outcome == "error"
        waits.append((state(source).next_poll_at - NOW).total_seconds())
        failures.append(state(source).failures)
    assert waits == [120, 240, 480, 500, 500]
    assert failures == [1, 2, 3, 4, 5]
    source.refresh_from_db()
    assert source.enabled and source.last_error == "X timed out"
    assert PollLog.objects.filter(outcome="error").count() == 5 * len(tags)


def raising(error):
    def factory(source):
        raise error

    return factory


@pytest.mark.parametrize("pages_before", [None, 0, 1], ids=["client", "first page", "later page"])
def test_an_unexpected_error_reschedules_and_releases_the_source_before_it_propagates(
    source, tags, pages_before
):
    boom = ValueError("boom")
    if pages_before is None:  # making the client fails
        factory = raising(boom)
    else:
        client = ScriptedClient([*pages(count=pages_before, hashtags=list(tags)), boom])
        factory = lambda s: client  # noqa: E731
    with pytest.raises(ValueError, match="boom"):
        poll(source, tags, factory=factory)
    after = state(source)
    assert after.claimed_until is None
    assert after.next_poll_at == NOW + timedelta(seconds=2 * INTERVAL)
    assert after.failures == 1
    assert set(PollLog.objects.values_list("outcome", "message")) == {("error", "ValueError: boom")}
    assert Post.objects.count() == 10 * (pages_before or 0)


def test_warnings_inside_a_good_page_keep_its_posts_and_the_message(source, tags):
    page = Page(
        posts=page_posts(page=1, hashtags=list(tags)),
        cursor={"page": 1},
        warnings=["2 posts could not be read"],
    )
    result = poll(source, tags, ScriptedClient([page]))
    assert (result.outcome, result.stored.new) == ("ok", 10)
    assert "2 posts could not be read" in result.message
    assert set(PollLog.objects.values_list("outcome", "message")) == {
        ("ok", "2 posts could not be read")
    }


def test_warnings_from_every_page_of_a_poll_are_kept(source, tags):
    first, second, third = pages(count=3, hashtags=list(tags))
    first.warnings = ["post 3 had no author"]
    third.warnings = ["post 27 had no text"]
    result = poll(source, tags, ScriptedClient([first, second, third]))
    assert "post 3 had no author" in result.message
    assert "post 27 had no text" in result.message


# --- Limits, claims and switches -----------------------------------------------------------------


def test_a_poll_stops_at_max_pages_and_is_due_again_at_once_to_continue(source, tags):
    steps = pages(count=5, hashtags=list(tags))
    client = ScriptedClient(steps, resume=True)
    result = poll(source, tags, client, max_pages=2)
    assert (result.outcome, result.pages, client.fetched) == ("ok", 2, 2)
    assert state(source).next_poll_at == NOW
    assert state(source).cursor == {"page": 2}
    assert "2 pages" in result.message
    rest = poll(source, tags, ScriptedClient(steps, resume=True))
    assert (rest.pages, rest.stored.new) == (3, 30)
    assert state(source).next_poll_at == NOW + timedelta(seconds=INTERVAL)
    assert Post.objects.count() == 50


@override_settings(POLL_MAX_PAGES=3)
def test_max_pages_comes_from_settings_by_default(source, tags):
    client = ScriptedClient(pages(count=5, hashtags=list(tags)))
    assert poll(source, tags, client).pages == 3
    assert client.fetched == 3


def test_a_source_another_worker_holds_is_left_alone(source, tags):
    held = NOW + timedelta(seconds=30)
    PollState.objects.create(source=source, claimed_until=held, cursor={"page": 7})
    factory = Untouchable()
    result = poll(source, tags, factory=factory)
    assert result.outcome == "busy"
    assert factory.calls == 0
    assert (state(source).claimed_until, state(source).cursor) == (held, {"page": 7})
    assert not PollLog.objects.exists()


def test_an_expired_claim_is_taken_over(source, tags):
    PollState.objects.create(source=source, claimed_until=NOW - timedelta(seconds=1))
    result = poll(source, tags, ScriptedClient(pages(count=1, hashtags=list(tags))))
    assert (result.outcome, result.stored.new) == ("ok", 10)
    assert state(source).claimed_until is None


def test_a_disabled_source_fetches_nothing(source, tags):
    Source.objects.filter(pk=source.pk).update(enabled=False)
    factory = Untouchable()
    result = poll(source, tags, factory=factory)
    assert result.outcome == "disabled"
    assert factory.calls == 0
    assert not PollLog.objects.exists()


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


@pytest.mark.django_db(transaction=True)
def test_a_second_poller_finds_the_source_busy_while_the_first_is_between_pages():
    tags = tags_make("NHITweek", "HITworks")
    source = SourceFactory(platform="x")
    holding, release = threading.Event(), threading.Event()
    asked = []

    def between_pages():
        asked.append(1)
        if len(asked) == 2:  # page 1 is stored; hold the claim until the main thread looked
            holding.set()
            release.wait(timeout=30)

    client = ScriptedClient(pages(count=2, hashtags=list(tags)))
    client.between_pages = between_pages
    results = []

    def first_poller():
        try:
            results.append(poll(source, tags, client, now=timezone.now))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_poller)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        factory = Untouchable()
        second = poll(source, tags, factory=factory)
        assert second.outcome == "busy"
        assert factory.calls == 0
    finally:
        release.set()
        thread.join(timeout=30)
    assert [(r.outcome, r.pages) for r in results] == [("ok", 2)]
    assert PollState.objects.get(source=source).claimed_until is None


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

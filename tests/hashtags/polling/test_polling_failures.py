"""source_poll failures: permanent ones disable, rate limits wait, the rest back off; pages kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from hashtags.models import PollLog, PollState, Post, Source
from hashtags.polling import source_poll
from hashtags.sources.base import Page, SourceError
from tests.support.fake_clients import ScriptedClient, page_posts, pages
from tests.support.polling_data import INTERVAL, NOW, Untouchable, clock, logs, poll, state

pytestmark = pytest.mark.both_databases


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

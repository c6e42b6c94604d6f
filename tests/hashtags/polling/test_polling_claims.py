"""source_poll limits and claims: max pages per poll, a source another worker holds, switches."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from hashtags.models import PollLog, PollState, Post, Source
from tests.support.factories import SourceFactory
from tests.support.fake_clients import ScriptedClient, pages
from tests.support.polling_data import INTERVAL, NOW, Untouchable, poll, state, tags_make

pytestmark = pytest.mark.both_databases


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

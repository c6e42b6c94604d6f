"""Bluesky sessions: one login per handle, reused, refreshed or renewed; client_for's settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from hashtags.models import Source
from hashtags.sources import bluesky
from hashtags.sources.base import SourceError
from hashtags.sources.bluesky import client_for
from tests.support.bluesky_replay import (
    HANDLE,
    PASSWORD,
    PDS,
    Replay,
    load,
    make_client,
    store_session,
)

ENTRYWAY = "bsky.social"


# --- logging in --------------------------------------------------------------------------------


def test_it_logs_in_once_and_reuses_the_session_across_fetches():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")

    list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))
    list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    (login,) = replay.calls("com.atproto.server.createSession")
    assert login.url.host == ENTRYWAY
    assert json.loads(login.content) == {"identifier": HANDLE, "password": PASSWORD}
    access = load("create_session.json")["accessJwt"]
    searches = replay.calls("app.bsky.feed.searchPosts")
    assert len(searches) == 2
    # Searches go to the account's PDS (from the DID document), which proxies to the AppView.
    assert {s.url.host for s in searches} == {PDS}
    assert {s.headers["Authorization"] for s in searches} == {f"Bearer {access}"}
    assert not replay.calls("app.bsky.actor.getProfile")  # login skips the profile lookup


def test_it_refreshes_a_stored_session_that_is_about_to_expire():
    now = datetime.now(UTC)
    store_session(
        access_expires=now + timedelta(minutes=5), refresh_expires=now + timedelta(days=60)
    )
    replay = Replay().add("com.atproto.server.refreshSession", "refresh_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")

    list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert not replay.calls("com.atproto.server.createSession")
    (search,) = replay.calls("app.bsky.feed.searchPosts")
    refreshed = load("refresh_session.json")
    assert search.headers["Authorization"] == f"Bearer {refreshed['accessJwt']}"
    assert refreshed["refreshJwt"] in bluesky._sessions[HANDLE]  # kept for the next fetch


def test_it_logs_in_again_when_the_stored_session_cannot_be_refreshed():
    now = datetime.now(UTC)
    store_session(access_expires=now - timedelta(hours=1), refresh_expires=now - timedelta(days=1))
    replay = Replay().add(
        "com.atproto.server.refreshSession", "error_expired_token.json", status=400
    )
    replay.add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")

    pages = list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert len(pages) == 1
    assert len(replay.calls("com.atproto.server.createSession")) == 1
    assert load("create_session.json")["refreshJwt"] in bluesky._sessions[HANDLE]


def test_a_revoked_stored_session_gets_one_new_login_not_a_loop():
    now = datetime.now(UTC)
    store_session(access_expires=now + timedelta(hours=2), refresh_expires=now + timedelta(days=60))
    replay = Replay().add("app.bsky.feed.searchPosts", "error_expired_token.json", status=400)
    replay.add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "error_expired_token.json", status=400)

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert not caught.value.permanent
    assert len(replay.calls("com.atproto.server.createSession")) == 1
    assert len(replay.calls("app.bsky.feed.searchPosts")) == 2


# --- building from a Source --------------------------------------------------------------------


@override_settings(BLUESKY_HANDLE="", BLUESKY_APP_PASSWORD="")
def test_client_for_refuses_a_source_without_credentials():
    with pytest.raises(SourceError) as caught:
        client_for(Source(platform="bluesky"))

    assert caught.value.permanent
    assert "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD" in caught.value.reason


@override_settings(BLUESKY_HANDLE="@nhitweek-bot.bsky.social", BLUESKY_APP_PASSWORD=PASSWORD)
def test_client_for_builds_a_client_from_settings():
    client = client_for(Source(platform="bluesky"))

    assert client.platform == "bluesky"
    assert repr(client) == "BlueskyClient(handle='nhitweek-bot.bsky.social')"

"""Bluesky failures: which are permanent and which transient, and no secret in errors or logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from hashtags.sources.base import SourceError
from hashtags.sources.bluesky import sessions_forget
from tests.support.bluesky_replay import PASSWORD, RESET, Replay, load, make_client


def test_a_wrong_app_password_is_permanent():
    replay = Replay().add(
        "com.atproto.server.createSession", "error_authentication_required.json", status=401
    )

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert caught.value.permanent
    assert "Invalid identifier or password" in caught.value.reason
    assert "BLUESKY_APP_PASSWORD" in caught.value.reason
    assert PASSWORD not in str(caught.value)
    assert caught.value.__cause__ is None  # nothing that carries the request body
    assert caught.value.hashtags == ()  # the login failed: every hashtag's search did


@pytest.mark.parametrize("nsid", ["com.atproto.server.createSession", "app.bsky.feed.searchPosts"])
def test_a_rate_limit_is_transient_until_the_reset_time(nsid):
    replay = Replay()
    if nsid != "com.atproto.server.createSession":
        replay.add("com.atproto.server.createSession", "create_session.json")
    replay.add(
        nsid,
        "error_rate_limit_exceeded.json",
        status=429,
        headers={"RateLimit-Limit": "30", "RateLimit-Policy": "30;w=300"},
    )

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert caught.value.rate_limited
    assert not caught.value.permanent
    assert caught.value.retry_at == datetime.fromtimestamp(RESET, tz=UTC)


def test_a_bad_request_on_the_first_page_is_a_permanent_configuration_error():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "error_invalid_request.json", status=400)

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert caught.value.permanent
    assert "InvalidRequest" in caught.value.reason


@pytest.mark.parametrize(
    ("status", "fixture"),
    [(500, "error_internal_server_error.json"), (502, "error_upstream_failure.json")],
)
def test_a_server_error_is_transient(status, fixture):
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", fixture, status=status)

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert not caught.value.permanent
    assert not caught.value.rate_limited
    assert caught.value.hashtags == ("nhitweek",)


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout("timed out"), httpx.ConnectError("connection refused")]
)
@pytest.mark.parametrize("nsid", ["com.atproto.server.createSession", "app.bsky.feed.searchPosts"])
def test_timeouts_and_connection_errors_are_transient(nsid, error):
    replay = Replay()
    if nsid != "com.atproto.server.createSession":
        replay.add("com.atproto.server.createSession", "create_session.json")
    replay.add(nsid, error=error)

    with pytest.raises(SourceError) as caught:
        list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert not caught.value.permanent
    assert PASSWORD not in caught.value.reason


def test_neither_the_password_nor_the_tokens_reach_the_logs(caplog):
    for name in (None, "httpx", "httpcore", "atproto", "atproto_client"):
        caplog.set_level(logging.DEBUG, logger=name)  # settings quiet httpx; hear everything
    session = load("create_session.json")
    replay = Replay().add("com.atproto.server.createSession", session)
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page2.json")
    list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))
    sessions_forget()
    refused = Replay().add(
        "com.atproto.server.createSession", "error_authentication_required.json", status=401
    )
    with pytest.raises(SourceError) as caught:
        list(make_client(refused).fetch(hashtags=["nhitweek"], cursor={}))
    logging.getLogger("test").exception("poll failed", exc_info=caught.value)

    assert "createSession" in caplog.text  # the HTTP traffic was logged at all
    for secret in (PASSWORD, session["accessJwt"], session["refreshJwt"]):
        assert secret not in caplog.text
    assert PASSWORD not in repr(make_client(replay))

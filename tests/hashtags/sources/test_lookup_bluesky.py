"""Bluesky lookup (app.bsky.feed.getPosts) against recorded XRPC responses, beneath atproto."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from hashtags.sources.base import SourceError
from hashtags.sources.bluesky import LOOKUP_BATCH
from tests.support.bluesky_replay import (
    GET_PROFILES,
    PASSWORD,
    PDS,
    RESET,
    Replay,
    load,
    make_client,
)

P1 = "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3lzbtv6aks22a"
P2 = "at://did:plc:4o6b4clcgvnzpmoxhzmnqpje/app.bsky.feed.post/3lzbtr4xw7k2d"  # since deleted
P3 = "at://did:plc:r3mvxhfkmo5d7tgq2jhpzyaa/app.bsky.feed.post/3lzbtkq2lhs2x"
D1 = "did:plc:u5cwb2mwiv2bfq53cjufe6yn"
D3 = "did:plc:r3mvxhfkmo5d7tgq2jhpzyaa"
GET_POSTS = "app.bsky.feed.getPosts"
LOGIN = "com.atproto.server.createSession"


def network() -> Replay:
    """Only what the test queued answers: getProfiles too is asked for only where expected."""
    return Replay(answer_profiles=False)


def profiles_of(*dids: str) -> dict[str, Any]:
    """The getProfiles answer for these actors, from the recorded profile views."""
    views = {p["did"]: p for p in load("get_profiles.json")["profiles"]}
    return {"profiles": [views[did] for did in dids if did in views]}


def test_it_returns_fresh_counts_and_leaves_out_deleted_posts():
    replay = network().add(LOGIN, "create_session.json").add(GET_POSTS, "lookup_get_posts.json")
    replay.add(GET_PROFILES, profiles_of(D1, D3))

    posts = make_client(replay).lookup(external_ids=[P1, P2, P3])

    assert [p.external_id for p in posts] == [P1, P3]
    first, third = posts
    assert (first.likes, first.reposts, first.replies, first.quotes) == (131, 40, 11, 5)
    assert first.hashtags == ("nhitweek", "hitworks")
    assert first.author.handle == "ahaonline.bsky.social"
    assert first.created_at == datetime(2025, 9, 20, 14, 2, 7, 512000, tzinfo=UTC)
    assert (third.likes, third.reposts, third.replies, third.quotes) == (27, 6, 2, 1)
    (call,) = replay.calls(GET_POSTS)
    assert call.url.host == PDS  # through the account's PDS, with the session's token
    assert call.url.params.get_list("uris") == [P1, P2, P3]
    assert call.headers["Authorization"] == f"Bearer {load('create_session.json')['accessJwt']}"


def test_authors_get_their_follower_counts_from_one_getprofiles_call():
    replay = network().add(LOGIN, "create_session.json").add(GET_POSTS, "lookup_get_posts.json")
    replay.add(GET_PROFILES, profiles_of(D1, D3))

    first, third = make_client(replay).lookup(external_ids=[P1, P2, P3])

    assert (first.author.followers, third.author.followers) == (18342, 0)
    (call,) = replay.calls(GET_PROFILES)
    assert call.url.host == PDS
    assert call.url.params.get_list("actors") == [D1, D3]


@pytest.mark.parametrize(
    ("status", "fixture"),
    [(500, "error_internal_server_error.json"), (429, "error_rate_limit_exceeded.json")],
)
def test_a_failed_getprofiles_still_returns_the_posts_with_unknown_followers(
    status, fixture, caplog
):
    replay = network().add(LOGIN, "create_session.json").add(GET_POSTS, "lookup_get_posts.json")
    replay.add(GET_PROFILES, fixture, status=status)

    posts = make_client(replay).lookup(external_ids=[P1, P2, P3])

    assert [p.external_id for p in posts] == [P1, P3]
    assert [p.likes for p in posts] == [131, 27]  # the fresh metrics are what lookup is for
    assert [p.author.followers for p in posts] == [None, None]
    assert "follower counts of 2 authors are unknown" in caplog.text


def test_more_uris_than_one_request_takes_are_split_and_one_login_serves_all():
    uris = [f"{P1[:-7]}{n:07d}" for n in range(30)]
    replay = network().add(LOGIN, "create_session.json")
    for _ in range(2):
        replay.add(GET_POSTS, "lookup_get_posts_empty.json")

    assert make_client(replay).lookup(external_ids=[*uris, uris[0]]) == []

    sent = [len(r.url.params.get_list("uris")) for r in replay.calls(GET_POSTS)]
    assert sent == [LOOKUP_BATCH, 30 - LOOKUP_BATCH]
    assert len(replay.calls(LOGIN)) == 1


def test_nothing_is_asked_for_ids_that_are_no_at_uris():
    replay = network()

    assert make_client(replay).lookup(external_ids=["", "p1", "https://bsky.app/x"]) == []
    assert replay.requests == []


def test_a_rate_limit_is_transient_until_the_reset_time():
    replay = network().add(LOGIN, "create_session.json")
    replay.add(GET_POSTS, "error_rate_limit_exceeded.json", status=429)

    with pytest.raises(SourceError) as caught:
        make_client(replay).lookup(external_ids=[P1])

    assert caught.value.rate_limited and not caught.value.permanent
    assert caught.value.retry_at == datetime.fromtimestamp(RESET, tz=UTC)


def test_a_refused_uri_list_is_transient_not_a_disabled_source():
    replay = network().add(LOGIN, "create_session.json")
    replay.add(GET_POSTS, "lookup_error_invalid_uri.json", status=400)

    with pytest.raises(SourceError) as caught:
        make_client(replay).lookup(external_ids=[P1])

    assert not caught.value.permanent
    assert "InvalidRequest" in caught.value.reason


def test_a_wrong_app_password_is_permanent_and_never_shown(caplog):
    for name in (None, "httpx", "httpcore", "atproto", "atproto_client"):
        caplog.set_level(logging.DEBUG, logger=name)
    replay = network().add(LOGIN, "error_authentication_required.json", status=401)

    with pytest.raises(SourceError) as caught:
        make_client(replay).lookup(external_ids=[P1])

    assert caught.value.permanent
    assert PASSWORD not in caplog.text and PASSWORD not in str(caught.value)
    assert not replay.calls(GET_POSTS)


@pytest.mark.parametrize("error", [httpx.ReadTimeout("timed out"), httpx.ConnectError("refused")])
def test_timeouts_are_transient(error):
    replay = network().add(LOGIN, "create_session.json").add(GET_POSTS, "", error=error)

    with pytest.raises(SourceError) as caught:
        make_client(replay).lookup(external_ids=[P1])

    assert not caught.value.permanent

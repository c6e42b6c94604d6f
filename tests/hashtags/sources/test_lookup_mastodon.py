"""Mastodon lookup of this server's statuses by their local ids, under the real Mastodon.py."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses

from hashtags.sources.base import SourceError
from hashtags.sources.mastodon import LOOKUP_BATCH, MastodonClient
from tests.support.mastodon_replay import ALICE, DELETED, REMOTE, SERVER, TOKEN, replay, requested

BOOST = "https://mastodon.social/users/carol_bot/statuses/115200000000000077/activity"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def test_statuses_of_this_server_are_read_by_their_local_ids_in_one_request(rsps):
    replay(rsps, "lookup_statuses")

    posts = MastodonClient(base_url=SERVER).lookup(external_ids=[ALICE, DELETED, BOOST])

    (post,) = posts  # the deleted one is absent from the answer
    assert post.external_id == ALICE
    assert (post.likes, post.reposts, post.replies, post.quotes) == (31, 9, 4, 1)
    assert post.hashtags == ("nhitweek", "hitworks")  # no polled tag added on a lookup
    assert post.author.handle == "alice_hit@mastodon.social"
    assert post.author.followers == 1836
    assert "<" not in post.text.replace("<IT>", "")
    # A boost is no status of its own.
    assert requested(rsps) == [
        ("/api/v1/statuses", {"id[]": ["115200000000000052", "115200000000000999"]})
    ]


def test_boosts_and_ids_that_are_no_status_uri_are_never_asked_about(rsps):
    other_boost = f"{REMOTE}/activity"
    ids = [BOOST, other_boost, "garbage", "ftp://hachyderm.io/users/bob/statuses/1", "https://[::1"]

    assert MastodonClient(base_url=SERVER, access_token=TOKEN).lookup(external_ids=ids) == []
    assert len(rsps.calls) == 0


def test_more_ids_than_one_request_takes_are_split(rsps):
    uris = [f"{SERVER}/users/alice_hit/statuses/{115200000000001000 + n}" for n in range(25)]
    rsps.get(f"{SERVER}/api/v1/statuses", json=[])

    MastodonClient(base_url=SERVER).lookup(external_ids=uris)

    assert [len(query["id[]"]) for _, query in requested(rsps)] == [LOOKUP_BATCH, 5]


def test_a_server_older_than_4_3_is_asked_one_status_at_a_time(rsps):
    replay(rsps, "lookup_statuses_old_server")
    replay(rsps, "lookup_status_single")
    replay(rsps, "lookup_status_single_deleted")
    client = MastodonClient(base_url=SERVER)

    posts = client.lookup(external_ids=[ALICE, DELETED])

    assert [p.external_id for p in posts] == [ALICE]
    assert posts[0].likes == 31
    # Once the server has shown its age, the batch request is not tried again.
    replay(rsps, "lookup_status_single")
    assert [p.external_id for p in client.lookup(external_ids=[ALICE])] == [ALICE]
    assert [path for path, _ in requested(rsps)] == [
        "/api/v1/statuses",
        "/api/v1/statuses/115200000000000052",
        "/api/v1/statuses/115200000000000999",
        "/api/v1/statuses/115200000000000052",
    ]


def test_a_rate_limit_is_transient_until_the_reset_time(rsps):
    replay(rsps, "lookup_error_429")

    with pytest.raises(SourceError) as caught:
        MastodonClient(base_url=SERVER).lookup(external_ids=[ALICE, DELETED])

    assert caught.value.rate_limited and not caught.value.permanent
    expected = datetime.now(UTC) + timedelta(seconds=270)  # reset 14:10:00, server at 14:05:30
    assert abs(caught.value.retry_at - expected) < timedelta(seconds=5)


def test_a_refused_token_is_permanent_and_never_shown(rsps, caplog):
    caplog.set_level(logging.DEBUG)
    replay(rsps, "lookup_error_401")
    client = MastodonClient(base_url=SERVER, access_token=TOKEN)

    with pytest.raises(SourceError) as caught:
        client.lookup(external_ids=[ALICE, DELETED])

    assert caught.value.permanent
    assert "check MASTODON_ACCESS_TOKEN" in caught.value.reason
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in caplog.text and TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "no answer within 20 seconds"),
        (requests.exceptions.ConnectionError("connection refused"), "could not connect"),
    ],
)
def test_network_failures_are_transient(rsps, failure, words):
    rsps.get(f"{SERVER}/api/v1/statuses", body=failure)

    with pytest.raises(SourceError) as caught:
        MastodonClient(base_url=SERVER).lookup(external_ids=[ALICE])

    assert not caught.value.permanent
    assert words in caught.value.reason

"""X lookup (GET /2/tweets) against recorded responses, replayed beneath the real tweepy Client."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from hashtags.sources.base import SourceError
from hashtags.sources.x import LOOKUP_BATCH, XClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x"
LOOKUP_URL = "https://api.twitter.com/2/tweets"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAsecret-bearer-token-for-lookups"
NOW = datetime(2026, 9, 16, 15, 0, tzinfo=UTC)
ORIGINAL, REPLY = "2100237776057274369", "2100231165834170369"
GONE, PROTECTED = "2100230000000000001", "2100229000000000002"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def make_client() -> XClient:
    return XClient(bearer_token=TOKEN, clock=lambda: NOW)


def add_lookup(body: dict[str, Any], *, status: int = 200, headers: dict | None = None) -> None:
    responses.add(responses.GET, LOOKUP_URL, json=body, status=status, headers=headers)


def sent_ids(call: Any) -> list[str]:
    return parse_qs(urlsplit(call.request.url).query)["ids"][0].split(",")


@responses.activate
def test_it_returns_fresh_metrics_and_leaves_out_deleted_and_protected_posts():
    add_lookup(load("lookup_tweets.json"))

    posts = make_client().lookup(external_ids=[ORIGINAL, GONE, REPLY, PROTECTED])

    assert [p.external_id for p in posts] == [ORIGINAL, REPLY]
    original, reply = posts
    assert (original.likes, original.reposts, original.replies, original.quotes) == (204, 31, 9, 6)
    assert original.hashtags == ("nhitweek", "hitworks")
    assert original.author.handle == "healthitnerd"
    assert original.author.followers == 1301
    assert original.created_at == datetime(2026, 9, 16, 14, 58, 1, tzinfo=UTC)
    assert (reply.likes, reply.reposts, reply.replies) == (19, 2, 1)
    assert reply.reply_to == ORIGINAL


@responses.activate
def test_it_asks_for_the_same_fields_as_search_in_one_request():
    add_lookup(load("lookup_tweets.json"))

    make_client().lookup(external_ids=[ORIGINAL, GONE, REPLY, PROTECTED, ORIGINAL])

    (call,) = responses.calls
    sent = {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}
    assert sent_ids(call) == [ORIGINAL, GONE, REPLY, PROTECTED]  # each id once
    assert "public_metrics" in sent["tweet.fields"].split(",")
    assert "entities" in sent["tweet.fields"].split(",")
    assert set(sent["expansions"].split(",")) == {
        "author_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    }
    assert "username" in sent["user.fields"].split(",")


@responses.activate
def test_more_ids_than_one_request_takes_are_split():
    add_lookup(load("lookup_all_missing.json"))
    add_lookup(load("lookup_all_missing.json"))
    ids = [str(2100240000000000000 + n) for n in range(LOOKUP_BATCH + 5)]

    posts = make_client().lookup(external_ids=ids)

    assert posts == []
    assert [len(sent_ids(call)) for call in responses.calls] == [LOOKUP_BATCH, 5]


@responses.activate
def test_ids_x_cannot_have_issued_are_not_sent():
    fullwidth = "\uff11\uff12\uff13"
    posts = make_client().lookup(external_ids=["p1", "", "12345678901234567890", fullwidth])

    assert posts == []
    assert len(responses.calls) == 0


@responses.activate
def test_a_rate_limit_is_transient_until_the_reset_header():
    reset = int((NOW + timedelta(minutes=9)).timestamp())
    add_lookup(
        load("error_429_rate_limit.json"),
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    with pytest.raises(SourceError) as caught:
        make_client().lookup(external_ids=[ORIGINAL])

    assert caught.value.rate_limited and not caught.value.permanent
    assert caught.value.retry_at == datetime.fromtimestamp(reset, tz=UTC)
    assert len(responses.calls) == 1  # tweepy did not sleep and retry


@pytest.mark.parametrize(
    ("status", "fixture", "permanent"),
    [
        (401, "error_401.json", True),
        (403, "error_usage_cap.json", True),
        (503, "error_503.json", False),
        (400, "lookup_error_400.json", False),  # our ids, not the source's settings
    ],
)
@responses.activate
def test_lookup_failures_follow_the_fetch_rules(status, fixture, permanent):
    add_lookup(load(fixture), status=status)

    with pytest.raises(SourceError) as caught:
        make_client().lookup(external_ids=[ORIGINAL])

    assert caught.value.permanent is permanent
    assert not caught.value.rate_limited


@responses.activate
def test_a_timeout_is_transient():
    responses.add(responses.GET, LOOKUP_URL, body=requests.exceptions.ReadTimeout("timed out"))

    with pytest.raises(SourceError) as caught:
        make_client().lookup(external_ids=[ORIGINAL])

    assert not caught.value.permanent


@responses.activate
def test_the_token_is_sent_but_never_logged_nor_put_in_errors(caplog):
    add_lookup(load("lookup_tweets.json"))
    add_lookup(load("error_401.json"), status=401)
    for name in (None, "tweepy", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)

    client = make_client()
    client.lookup(external_ids=[ORIGINAL, REPLY])
    with pytest.raises(SourceError) as caught:
        client.lookup(external_ids=[ORIGINAL])

    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Making API request" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN not in str(caught.value)

"""X failures: permanent or transient SourceErrors, a token never shown, clients from settings."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests
import responses
from django.test import override_settings

from hashtags.models import Source
from hashtags.sources.base import SourceError
from hashtags.sources.x import XClient, client_for
from tests.support.x_replay import (
    NEXT_TOKEN,
    NOW,
    OLD_SINCE_ID,
    SEARCH_URL,
    TOKEN,
    add_search,
    collect,
    first_cursor,
    load,
    make_client,
)

# --- failures -----------------------------------------------------------------------------------


@responses.activate
def test_a_rate_limit_is_transient_until_the_reset_header():
    reset = int((NOW + timedelta(minutes=11)).timestamp())
    add_search(
        load("error_429_rate_limit.json"),
        status=429,
        headers={
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(reset),
        },
    )

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert not caught.value.permanent
    assert caught.value.rate_limited
    assert caught.value.retry_at == datetime.fromtimestamp(reset, tz=UTC)
    assert len(responses.calls) == 1  # tweepy did not sleep and retry
    assert caught.value.hashtags == ("hitworks", "ihearthit", "nhitweek")  # the query's tags


@pytest.mark.parametrize("status", [429, 403])
@responses.activate
def test_an_exhausted_usage_cap_is_permanent(status):
    add_search(
        load("error_usage_cap.json"),
        status=status,
        headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449"},
    )

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert caught.value.permanent
    assert not caught.value.rate_limited
    assert "usage cap" in caught.value.reason.lower()


@pytest.mark.parametrize(
    ("status", "fixture", "words"),
    [
        (401, "error_401.json", "bearer token"),
        (403, "error_403_client_forbidden.json", "Project"),
        (400, "error_400_query.json", "Ambiguous use of or"),
    ],
)
@responses.activate
def test_bad_credentials_access_or_query_are_permanent(status, fixture, words):
    add_search(load(fixture), status=status)

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert caught.value.permanent
    assert words in caught.value.reason


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"),
        requests.exceptions.ConnectTimeout("Connect timed out"),
        requests.exceptions.ConnectionError("Connection aborted."),
    ],
)
@responses.activate
def test_timeouts_and_dropped_connections_are_transient(failure):
    responses.add(responses.GET, SEARCH_URL, body=failure)

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert not caught.value.permanent
    assert not caught.value.rate_limited


@responses.activate
def test_requests_carry_a_timeout():
    add_search(load("search_empty.json"))

    collect(make_client(timeout=12.5), first_cursor())

    assert responses.calls[0].request.req_kwargs["timeout"] == 12.5


@pytest.mark.parametrize("status", [500, 503])
@responses.activate
def test_server_errors_are_transient(status):
    add_search(load("error_503.json"), status=status)

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert not caught.value.permanent
    assert str(status) in caught.value.reason


# --- secrets ------------------------------------------------------------------------------------


@responses.activate
def test_the_token_is_sent_but_never_logged_nor_put_in_errors(caplog):
    add_search(load("search_page1.json"), since_id=OLD_SINCE_ID)
    add_search(load("error_401.json"), status=401, next_token=NEXT_TOKEN)
    # Settings quiet tweepy; someone debugging will turn it back on, so the test does too.
    for name in (None, "tweepy", "urllib3", "requests"):
        caplog.set_level(logging.DEBUG, logger=name)

    with pytest.raises(SourceError) as caught:
        collect(make_client(), first_cursor())

    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Making API request" in caplog.text  # tweepy did log its request headers
    assert TOKEN not in caplog.text
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(make_client())


# --- construction -------------------------------------------------------------------------------


@override_settings(X_BEARER_TOKEN="")
def test_a_source_without_a_token_is_a_permanent_configuration_error():
    with pytest.raises(SourceError) as caught:
        client_for(Source(platform="x"))
    assert caught.value.permanent
    assert "X_BEARER_TOKEN" in caught.value.reason


@override_settings(X_BEARER_TOKEN=TOKEN)
def test_a_source_with_a_token_gets_a_client_that_never_sleeps():
    client = client_for(Source(platform="x"))
    assert isinstance(client, XClient)
    assert client._api.wait_on_rate_limit is False

"""Mastodon lookup of other servers' statuses: fresh from their origin, or resolved here."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
import responses
from responses import matchers

from hashtags.sources.base import SourceError
from hashtags.sources.mastodon import MastodonClient
from hashtags.sources.mastodon_remote import ORIGINS_MAX
from tests.support.mastodon_replay import (
    ALICE,
    DELETED,
    FIXTURES,
    REMOTE,
    SERVER,
    TOKEN,
    replay,
    requested,
)

MISSKEY = "https://misskey.io/notes/a3k9x2m1p0"
FOSSTODON = "https://fosstodon.org/users/dana/statuses/113500000000000001"
RATE_HEADERS = {
    "X-RateLimit-Limit": "300",
    "X-RateLimit-Remaining": "290",
    "X-RateLimit-Reset": "2025-09-15T14:10:00.028271Z",
}
NO_RESULT = {"accounts": [], "statuses": [], "hashtags": []}
NOT_FOUND_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>The page you are looking for isn't here.</title>"
)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


INSIDE = {"intranet-social.example": {"10.0.0.7"}, "rebind.example": {"93.184.215.14", "::1"}}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """No DNS here: every origin resolves to a public address, except the INSIDE names."""
    monkeypatch.setattr(
        "hashtags.sources.mastodon_remote._addresses",
        lambda host: INSIDE.get(host, {"93.184.215.14"}),
    )


def answer(rsps, url, query, body, *, status=200, headers=None, html=False):
    """One recorded answer: Mastodon's JSON (or an HTML error page) with its rate-limit headers."""
    rsps.add(
        "GET",
        url,
        body=body if html else json.dumps(body),
        status=status,
        headers={**RATE_HEADERS, **(headers or {})},
        content_type="text/html; charset=utf-8" if html else "application/json; charset=utf-8",
        # The matcher reads a parameter given once as a string, not a list of one.
        match=[matchers.query_param_matcher({k: _once(v) for k, v in query.items()})],
    )


def _once(value):
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def search_answer(rsps, uri, body, **kwargs):
    query = {"q": uri, "resolve": "1", "type": "statuses", "limit": "1"}
    answer(rsps, f"{SERVER}/api/v2/search", query, body, **kwargs)


def bob_here(**counts) -> dict:
    """Bob's hachyderm.io status as mastodon.social's copy shows it to a signed-in client."""
    status = copy.deepcopy(json.loads((FIXTURES / "tag_nhitweek_latest.json").read_text()))
    status = status["response"]["body"][1]
    assert status["uri"] == REMOTE
    viewer = {"favourited": False, "reblogged": False, "muted": False, "bookmarked": False}
    return {**status, **viewer, "filtered": [], **counts}


def bob_at_origin(**counts) -> dict:
    """The same status as hachyderm.io answers it: its own ids, a local account and tags."""
    status = bob_here(**counts)
    for key in ("favourited", "reblogged", "muted", "bookmarked", "filtered"):
        del status[key]  # an anonymous client gets no viewer fields
    status.update(id="113456789012345678", in_reply_to_id="113456789000000001")
    status.update(in_reply_to_account_id="109301234567890123")
    avatar = "https://media.hachyderm.io/accounts/avatars/109/876/543/original/bob.png"
    status["account"] = {
        **status["account"],
        "id": "109876000000000001",
        "acct": "bob",
        "followers_count": 318,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": "https://hachyderm.io/headers/original/missing.png",
        "header_static": "https://hachyderm.io/headers/original/missing.png",
    }
    status["mentions"] = [{**status["mentions"][0], "acct": "alice_hit@mastodon.social"}]
    status["tags"] = [
        {"name": "nhitweek", "url": "https://hachyderm.io/tags/nhitweek"},
        {"name": "2025", "url": "https://hachyderm.io/tags/2025"},
    ]
    return status


def misskey_note_here(**counts) -> dict:
    """A Misskey note as mastodon.social's copy shows it (no Mastodon-shaped uri)."""
    status = bob_here(
        id="115200000000000088",
        in_reply_to_id=None,
        in_reply_to_account_id=None,
        uri=MISSKEY,
        url=MISSKEY,
        content='<p><a href="https://misskey.io/tags/NHITweek" class="mention hashtag" '
        'rel="tag">#<span>NHITweek</span></a> from the Misskey side</p>',
        mentions=[],
        tags=[{"name": "nhitweek", "url": "https://mastodon.social/tags/nhitweek"}],
        **counts,
    )
    status["account"] = {
        **status["account"],
        "id": "110000000000000123",
        "username": "carol",
        "acct": "carol@misskey.io",
        "display_name": "Carol",
        "url": "https://misskey.io/@carol",
        "uri": "https://misskey.io/users/9h1k2l3m4n",
    }
    return status


def hosts(rsps) -> list[str]:
    return [urlsplit(call.request.url).hostname for call in rsps.calls]


def test_statuses_of_other_servers_come_fresh_from_their_origin_or_through_this_server(rsps):
    replay(rsps, "lookup_statuses")  # alice's, and a deleted one, of this server
    answer(
        rsps,
        "https://hachyderm.io/api/v1/statuses",
        {"id[]": ["113456789012345678"]},
        [bob_at_origin(favourites_count=57, reblogs_count=12, replies_count=5)],
    )
    # fosstodon.org predates GET /api/v1/statuses, and dana's status was deleted there.
    fosstodon = "https://fosstodon.org/api/v1/statuses"
    answer(rsps, fosstodon, {"id[]": ["113500000000000001"]}, NOT_FOUND_PAGE, status=404, html=True)
    answer(rsps, f"{fosstodon}/113500000000000001", {}, {"error": "Record not found"}, status=404)
    search_answer(rsps, MISSKEY, {**NO_RESULT, "statuses": [misskey_note_here(favourites_count=8)]})
    client = MastodonClient(base_url=SERVER, access_token=TOKEN)

    posts = client.lookup(external_ids=[ALICE, REMOTE, DELETED, FOSSTODON, MISSKEY])

    by_id = {post.external_id: post for post in posts}
    assert sorted(by_id) == sorted([ALICE, REMOTE, MISSKEY])  # the stored uris, not local ids
    bob = by_id[REMOTE]
    assert (bob.likes, bob.reposts, bob.replies) == (57, 12, 5)
    assert bob.author.handle == "bob@hachyderm.io"  # the same author as the timeline's
    assert bob.author.followers == 318
    assert bob.hashtags == ("nhitweek",)  # "2025" has no letter: no hashtag of ours
    assert by_id[MISSKEY].likes == 8
    assert by_id[MISSKEY].author.handle == "carol@misskey.io"
    assert by_id[ALICE].likes == 31
    assert hosts(rsps) == [
        "mastodon.social",
        "hachyderm.io",
        "fosstodon.org",
        "fosstodon.org",
        "mastodon.social",  # only the Misskey note is resolved here: gone is gone
    ]
    for call in rsps.calls:  # our token goes to the configured server only
        here = urlsplit(call.request.url).hostname == "mastodon.social"
        assert (call.request.headers.get("Authorization") == f"Bearer {TOKEN}") is here


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "body": "<html>Service Unavailable</html>", "html": True},
        {"status": 401, "body": {"error": "This API requires an authenticated user"}},
        {"status": 429, "body": {"error": "Too many requests"}},
        {"status": 301, "body": "", "html": True, "headers": {"Location": "http://hachyderm.io/x"}},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
    ],
    ids=["unavailable", "private-api", "rate-limited", "redirected", "timeout"],
)
def test_an_origin_that_fails_is_skipped_and_its_status_resolved_here_instead(
    rsps, caplog, failure
):
    caplog.set_level(logging.INFO)
    origin = "https://hachyderm.io/api/v1/statuses"
    if isinstance(failure["body"], Exception):
        rsps.get(origin, body=failure["body"])
    else:
        answer(rsps, origin, {"id[]": ["113456789012345678"]}, **failure)
    search_answer(rsps, REMOTE, {**NO_RESULT, "statuses": [bob_here(favourites_count=40)]})
    search_answer(rsps, REMOTE, {**NO_RESULT, "statuses": [bob_here(favourites_count=41)]})
    client = MastodonClient(base_url=SERVER, access_token=TOKEN)

    first = client.lookup(external_ids=[REMOTE])
    second = client.lookup(external_ids=[REMOTE])  # the same refresh run: not asked again

    assert [(p.external_id, p.likes) for p in first] == [(REMOTE, 40)]
    assert [(p.external_id, p.likes) for p in second] == [(REMOTE, 41)]
    assert hosts(rsps) == ["hachyderm.io", "mastodon.social", "mastodon.social"]
    assert "Authorization" not in rsps.calls[0].request.headers
    assert "https://hachyderm.io did not answer" in caplog.text


def test_a_status_this_server_cannot_find_is_left_out(rsps):
    gone, other = MISSKEY, "https://misskey.io/notes/a3k9x2m1zz"
    search_answer(rsps, gone, {"error": "Record not found"}, status=404)
    search_answer(rsps, other, NO_RESULT)
    # A result that is not the status asked for is not taken for it.
    wrong = "https://misskey.io/notes/b0b0b0b0b0"
    search_answer(rsps, wrong, {**NO_RESULT, "statuses": [misskey_note_here()]})

    posts = MastodonClient(base_url=SERVER, access_token=TOKEN).lookup(
        external_ids=[gone, other, wrong]
    )

    assert posts == []
    assert len(rsps.calls) == 3


def test_without_a_token_statuses_left_to_resolve_are_logged_once_and_not_asked(rsps, caplog):
    caplog.set_level(logging.DEBUG)
    answer(
        rsps,
        "https://hachyderm.io/api/v1/statuses",
        {"id[]": ["113456789012345678"]},
        {},
        status=503,
    )
    ids = [MISSKEY, "https://misskey.io/notes/a3k9x2m1zz", REMOTE]

    assert MastodonClient(base_url=SERVER).lookup(external_ids=ids) == []

    assert hosts(rsps) == ["hachyderm.io"]  # the origin needs no token; a search would
    skipped = [r for r in caplog.records if "not refreshed" in r.getMessage()]
    assert [r.levelno for r in skipped] == [logging.INFO]
    assert "3 statuses of other servers not refreshed" in skipped[0].getMessage()
    assert "MASTODON_ACCESS_TOKEN" in skipped[0].getMessage()


def test_a_rate_limit_while_resolving_is_a_source_error_until_the_reset_time(rsps):
    search_answer(
        rsps,
        MISSKEY,
        {"error": "Too many requests"},
        status=429,
        headers={"X-RateLimit-Remaining": "0", "Date": "Mon, 15 Sep 2025 14:05:30 GMT"},
    )

    with pytest.raises(SourceError) as caught:
        MastodonClient(base_url=SERVER, access_token=TOKEN).lookup(external_ids=[MISSKEY])

    assert caught.value.rate_limited and not caught.value.permanent
    expected = datetime.now(UTC) + timedelta(seconds=270)  # reset 14:10:00, server at 14:05:30
    assert abs(caught.value.retry_at - expected) < timedelta(seconds=5)
    assert TOKEN not in caught.value.reason


def test_a_token_that_may_not_search_stops_the_resolving_without_an_error(rsps, caplog):
    caplog.set_level(logging.INFO)
    refused = {"error": "This action is outside the authorized scopes"}
    search_answer(rsps, MISSKEY, refused, status=403)
    client = MastodonClient(base_url=SERVER, access_token=TOKEN)

    assert client.lookup(external_ids=[MISSKEY, "https://misskey.io/notes/a3k9x2m1zz"]) == []
    assert client.lookup(external_ids=[MISSKEY]) == []

    assert len(rsps.calls) == 1  # not asked again by this client
    assert "read:search" in caplog.text
    assert "2 statuses of other servers not refreshed" in caplog.text


def test_at_most_the_configured_number_of_remote_statuses_are_asked_per_refresh(
    rsps, settings, caplog
):
    caplog.set_level(logging.INFO)
    settings.MASTODON_REMOTE_LOOKUP_MAX = 3
    notes = [f"https://misskey.io/notes/a3k9x2m1p{n}" for n in range(5)]
    rsps.get(f"{SERVER}/api/v2/search", json=NO_RESULT)

    client = MastodonClient(base_url=SERVER, access_token=TOKEN)
    client.lookup(external_ids=notes[:2])  # a refresh asks in batches, through one client
    client.lookup(external_ids=notes[2:])

    assert [query["q"] for _, query in requested(rsps)] == [[notes[0]], [notes[1]], [notes[2]]]
    assert "2 statuses of other servers left for the next refresh" in caplog.text


def test_at_most_so_many_origins_are_asked_per_refresh(rsps, caplog):
    caplog.set_level(logging.INFO)
    uris = [f"https://social{n}.example/users/u/statuses/{1000 + n}" for n in range(12)]
    for n in range(ORIGINS_MAX):
        answer(rsps, f"https://social{n}.example/api/v1/statuses", {"id[]": [str(1000 + n)]}, [])

    client = MastodonClient(base_url=SERVER)
    assert client.lookup(external_ids=uris[:6]) == []
    assert client.lookup(external_ids=uris[6:]) == []  # the same refresh: the same budget

    assert len(rsps.calls) == ORIGINS_MAX
    assert f"{12 - ORIGINS_MAX} statuses of other servers not refreshed" in caplog.text


def test_only_https_servers_with_a_domain_name_are_asked_directly(rsps):
    uris = [
        "http://plain.example/users/u/statuses/1",
        "https://10.0.0.5/users/u/statuses/2",
        "https://[::1]/users/u/statuses/3",
        "https://social.example:8443/users/u/statuses/4",
        "https://printer.local/users/u/statuses/5",
        "https://intranet/users/u/statuses/6",
        "https://user:pw@social.example/users/u/statuses/7",
    ]
    rsps.get(f"{SERVER}/api/v2/search", json=NO_RESULT)

    MastodonClient(base_url=SERVER, access_token=TOKEN).lookup(external_ids=uris)

    # Each is resolved by the configured server, whose business the fetch then is.
    assert hosts(rsps) == ["mastodon.social"] * len(uris)


def test_an_origin_whose_name_points_inside_is_not_asked_directly(rsps, caplog):
    caplog.set_level(logging.INFO)
    uris = [
        "https://intranet-social.example/users/u/statuses/1",
        "https://rebind.example/users/u/statuses/2",  # one public address and one inside
    ]
    rsps.get(f"{SERVER}/api/v2/search", json=NO_RESULT)

    MastodonClient(base_url=SERVER, access_token=TOKEN).lookup(external_ids=uris)

    assert hosts(rsps) == ["mastodon.social"] * 2  # resolved through this server instead
    assert "resolves to an address that is not public (10.0.0.7)" in caplog.text
    assert "(::1)" in caplog.text

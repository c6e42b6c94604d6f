"""The Mastodon client under the real Mastodon.py, replaying recorded server responses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from mastodon.errors import MastodonWarning

from hashtags.models import Source
from hashtags.sources.base import SourceError
from hashtags.sources.mastodon import MastodonClient, client_for
from hashtags.sources.mastodon_posts import html_to_text
from tests.support.mastodon_replay import recorded, replay

SERVER = "https://mastodon.social"
TOKEN = "mstdn-test-token-7f3a9c1e5b2d"
NEWEST_LATEST = "115200000000000077"


def requested(rsps: responses.RequestsMock) -> list[tuple[str, dict]]:
    """Every request made, matched or not: proves nothing unrecorded went out."""
    return [
        (urlsplit(call.request.url).path, dict(parse_qsl(urlsplit(call.request.url).query)))
        for call in rsps.calls
    ]


def fetch_all(client: MastodonClient, *, hashtags=("nhitweek",), cursor=None) -> list:
    return list(client.fetch(hashtags=list(hashtags), cursor=cursor or {}))


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client():
    return MastodonClient(base_url=SERVER)


def test_html_to_text_keeps_words_newlines_and_real_links_only():
    content = recorded("tag_nhitweek_latest")["response"]["body"][2]["content"]

    text, links = html_to_text(content, skip_urls={"https://hachyderm.io/@bob"})

    assert text == (
        "Kicking off #NHITweek with @bob & friends!\n"
        "Agenda: https://www.healthit.gov/nhitweek/agenda?day=1&track=policy\n"
        "\n"
        "Health <IT> works \u2014 click me nested bold text #HITworks"
    )
    # No mention, no hashtag link, and never the javascript: href.
    assert links == ("https://www.healthit.gov/nhitweek/agenda?day=1&track=policy",)


def test_html_to_text_drops_scripts_and_non_http_links():
    text, links = html_to_text(
        '<p>a<script>alert(1)</script>b <a href="mailto:x@example.org">mail</a> '
        '<a href="HTTPS://Example.org/x">x</a> <a href="https://example.org/x">dup</a>'
        '<a href="ftp://example.org/f">f</a></p><p></p><p>c&nbsp;d</p>'
    )

    assert text == "ab mail x dupf\n\nc\xa0d"
    assert links == ("HTTPS://Example.org/x", "https://example.org/x")


def test_first_poll_reads_only_the_newest_page_and_sets_the_cursor(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")

    pages = fetch_all(client)

    assert len(pages) == 1
    page = pages[0]
    assert page.cursor == {"min_id": {"nhitweek": NEWEST_LATEST}}
    assert page.warnings == []
    assert [p.external_id for p in page.posts] == [
        "https://mastodon.social/users/carol_bot/statuses/115200000000000077/activity",
        "https://hachyderm.io/users/bob/statuses/113456789012345678",
        "https://mastodon.social/users/alice_hit/statuses/115200000000000052",
    ]
    assert page.newest_at == datetime(2025, 9, 15, 14, 3, 11, 4000, tzinfo=UTC)
    assert page.oldest_at == datetime(2025, 9, 15, 13, 58, 2, 512000, tzinfo=UTC)
    assert requested(rsps) == [
        ("/api/v2/instance/", {}),
        ("/api/v1/timelines/tag/nhitweek", {"limit": "40"}),
    ]


def test_a_status_becomes_plain_text_with_its_tags_counts_and_links(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")

    post = fetch_all(client)[0].posts[2]

    assert post.platform == "mastodon"
    assert "<" not in post.text.replace("<IT>", "")
    assert post.text.startswith("Kicking off #NHITweek with @bob & friends!\nAgenda: ")
    assert post.links == ("https://www.healthit.gov/nhitweek/agenda?day=1&track=policy",)
    assert post.hashtags == ("nhitweek", "hitworks")
    assert post.url == "https://mastodon.social/@alice_hit/115200000000000052"
    assert post.created_at == datetime(2025, 9, 15, 13, 58, 2, 512000, tzinfo=UTC)
    assert (post.likes, post.reposts, post.replies, post.lang) == (12, 4, 1, "en")
    assert not post.is_repost and post.reply_to == ""
    assert post.author.handle == "alice_hit@mastodon.social"
    assert post.author.external_id == "alice_hit@mastodon.social"
    assert post.author.name == "Alice Rivera, RN"
    assert post.author.followers == 1820
    assert post.author.url == "https://mastodon.social/@alice_hit"
    assert post.author.avatar_url.endswith("/original/alice_hit.png")


def test_a_remote_account_keeps_its_server_and_invalid_tags_are_skipped(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")

    post = fetch_all(client)[0].posts[1]

    assert post.author.handle == "bob@hachyderm.io"
    assert post.author.name == "Bob \u2695\ufe0f"
    assert post.url == "https://hachyderm.io/@bob/113456789012345678"
    assert post.hashtags == ("nhitweek",)  # "#2025" is not a valid hashtag
    assert post.reply_to == "115200000000000052"
    assert (
        post.text
        == "@alice_hit Our clinic went live with patient-facing APIs this year. #NHITweek #2025"
    )
    assert post.links == ()


def test_a_boost_is_a_repost_of_the_original(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")

    boost = fetch_all(client)[0].posts[0]

    assert boost.is_repost
    assert boost.repost_of == "https://mastodon.social/users/alice_hit/statuses/115200000000000052"
    assert boost.author.handle == "carol_bot@mastodon.social"
    assert boost.text.startswith("Kicking off #NHITweek")  # the original's words
    assert boost.hashtags == ("nhitweek", "hitworks")
    assert boost.lang == "en"


# --- quotes (Mastodon 4.4+: Status.quote, a Quote or a ShallowQuote) ---------------------------


def test_a_quote_names_the_quoted_status_by_this_servers_id_once_accepted(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_quotes")

    answer, pending, of_a_quote, revoked, question = fetch_all(client)[0].posts

    # The question's id on the polled server (quote.quoted_status.id), as in_reply_to_id names
    # a parent, though the quoting status was written on another server.
    assert answer.quote_of == "115200000000000080"
    assert answer.external_id == "https://hachyderm.io/users/bob/statuses/113456789099990001"
    # A quote of a quote names the status it quotes, not the one that status quotes in turn.
    assert of_a_quote.quote_of == "115200000000000061"
    # Not (or no longer) approved: no quoted status is given, so none is named.
    assert (pending.quote_of, revoked.quote_of, question.quote_of) == ("", "", "")
    assert answer.reply_to == "" and not answer.is_repost


def test_statuses_from_a_server_older_than_quotes_quote_nothing(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")

    posts = fetch_all(client)[0].posts

    statuses = recorded("tag_nhitweek_latest")["response"]["body"]
    assert not any("quote" in status for status in statuses)
    assert [p.quote_of for p in posts] == ["", "", ""]


QUESTION = recorded("tag_nhitweek_quotes")["response"]["body"][-1]


@pytest.mark.parametrize(
    ("quote", "named"),
    [
        ({"state": "accepted", "quoted_status_id": "115200000000000080"}, "115200000000000080"),
        ({"state": "muted_account", "quoted_status": QUESTION}, "115200000000000080"),  # 4.5
        ({"state": "blocked_domain", "quoted_status": QUESTION}, "115200000000000080"),  # 4.5
        ({"state": "unauthorized", "quoted_status": None}, ""),
        ({"state": "deleted", "quoted_status": None}, ""),
        ({"state": "a_state_of_5_0", "quoted_status": QUESTION}, ""),  # unknown: unauthorized
        (None, ""),
    ],
)
def test_each_documented_quote_shape_names_its_status_only_when_approved(
    rsps, client, quote, named
):
    answer = recorded("tag_nhitweek_quotes")["response"]["body"][0]
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_quotes", body=[{**answer, "quote": quote}])

    (page,) = fetch_all(client)

    assert page.warnings == []
    assert [p.quote_of for p in page.posts] == [named]


def test_it_pages_forward_in_time_by_the_link_header(rsps):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_forward_1")
    replay(rsps, "tag_nhitweek_forward_2")
    client = MastodonClient(base_url=SERVER, page_limit=2)

    pages = fetch_all(client, cursor={"min_id": {"nhitweek": "115200000000000100"}})

    assert [[p.external_id.rsplit("/", 1)[1] for p in page.posts] for page in pages] == [
        ["113460000000000001", "115200000000000150"],
        ["115200000000000300"],
    ]
    # Each page's newest id is its cursor: storing page 1 and dying loses nothing.
    assert [page.cursor for page in pages] == [
        {"min_id": {"nhitweek": "115200000000000205"}},
        {"min_id": {"nhitweek": "115200000000000300"}},
    ]
    assert pages[0].posts[1].links == ("https://example.org/report.pdf",)
    assert requested(rsps)[1:] == [
        ("/api/v1/timelines/tag/nhitweek", {"min_id": "115200000000000100", "limit": "2"}),
        ("/api/v1/timelines/tag/nhitweek", {"limit": "2", "min_id": "115200000000000205"}),
    ]


def test_a_poll_resumes_from_the_last_stored_page_without_gaps(rsps):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_forward_1")
    stored = []
    first_run = MastodonClient(base_url=SERVER, page_limit=2).fetch(
        hashtags=["nhitweek"], cursor={"min_id": {"nhitweek": "115200000000000100"}}
    )
    stored.append(next(first_run))
    first_run.close()  # the worker dies right after storing page 1

    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_forward_2")
    second_run = fetch_all(MastodonClient(base_url=SERVER, page_limit=2), cursor=stored[-1].cursor)
    stored.extend(second_run)

    ids = [p.external_id.rsplit("/", 1)[1] for page in stored for p in page.posts]
    assert ids == ["113460000000000001", "115200000000000150", "115200000000000300"]
    assert stored[-1].cursor == {"min_id": {"nhitweek": "115200000000000300"}}


def test_the_cursor_never_moves_back_when_a_server_ignores_min_id(rsps):
    replay(rsps, "instance_v2")
    # An older page answered to a newer min_id.
    replay(rsps, "tag_nhitweek_forward_1", query={"min_id": "115200000000000300", "limit": "2"})
    client = MastodonClient(base_url=SERVER, page_limit=2)

    pages = fetch_all(client, cursor={"min_id": {"nhitweek": "115200000000000300"}})

    assert len(pages) == 1
    assert pages[0].cursor == {"min_id": {"nhitweek": "115200000000000300"}}


def test_an_empty_timeline_yields_one_empty_page_and_keeps_other_cursors(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_ihearthit_empty")
    cursor = {"min_id": {"nhitweek": NEWEST_LATEST}}

    pages = fetch_all(client, hashtags=["ihearthit"], cursor=cursor)

    assert len(pages) == 1
    assert pages[0].posts == [] and pages[0].warnings == []
    assert pages[0].newest_at is None and pages[0].oldest_at is None
    assert pages[0].cursor == {"min_id": {"nhitweek": NEWEST_LATEST}}


def test_each_hashtag_keeps_its_own_cursor(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")
    replay(rsps, "tag_ihearthit_empty")

    pages = fetch_all(client, hashtags=["nhitweek", "ihearthit"])

    assert [page.cursor for page in pages] == [
        {"min_id": {"nhitweek": NEWEST_LATEST}},
        {"min_id": {"nhitweek": NEWEST_LATEST}},
    ]
    # Each page says whose search it is, so its warnings go on that hashtag's poll log row.
    assert [page.hashtags for page in pages] == [("nhitweek",), ("ihearthit",)]
    # The instance information is asked for once per client, not per tag.
    assert [path for path, _ in requested(rsps)].count("/api/v2/instance/") == 1


def test_a_server_with_hashtag_feeds_off_gives_a_warning(rsps, client):
    replay(rsps, "instance_v2_hashtags_disabled")
    replay(rsps, "tag_ihearthit_empty")

    with pytest.warns(MastodonWarning):
        pages = fetch_all(client, hashtags=["ihearthit"])

    assert pages[0].warnings == [
        "mastodon.social reports that its hashtag timelines are not available without an "
        "access token."
    ]


@pytest.mark.parametrize(
    ("recording", "permanent", "words"),
    [
        ("error_401", True, "set MASTODON_ACCESS_TOKEN"),
        ("error_403", True, "access refused (403)"),
        ("error_404_not_mastodon", True, "check that the base URL"),
        ("error_500", False, "server error (500)"),
        ("error_503", False, "server error (503)"),
    ],
)
def test_http_failures_are_permanent_or_transient(rsps, client, recording, permanent, words):
    replay(rsps, "instance_v2")
    replay(rsps, recording)

    with pytest.raises(SourceError) as caught:
        fetch_all(client)

    assert caught.value.permanent is permanent
    assert not caught.value.rate_limited
    assert words in caught.value.reason
    assert caught.value.hashtags == ("nhitweek",)


def test_a_rate_limit_is_transient_until_the_reset_time(rsps, client):
    replay(rsps, "instance_v2")
    replay(rsps, "error_429")

    with pytest.raises(SourceError) as caught:
        fetch_all(client)

    error = caught.value
    assert error.rate_limited and not error.permanent
    # Reset 14:10:00 at a server clock of 14:05:30: four and a half minutes from now.
    expected = datetime.now(UTC) + timedelta(seconds=270)
    assert abs(error.retry_at - expected) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("failure", "permanent", "words"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), False, "no answer within 20 seconds"),
        (requests.exceptions.ConnectTimeout("timed out"), False, "no answer within 20 seconds"),
        (requests.exceptions.ConnectionError("connection refused"), False, "could not connect"),
        (requests.exceptions.InvalidURL("bad label"), True, "invalid base URL"),
    ],
)
def test_network_failures_are_transient_but_a_bad_url_is_not(
    rsps, client, failure, permanent, words
):
    replay(rsps, "instance_v2")
    rsps.get(f"{SERVER}/api/v1/timelines/tag/nhitweek", body=failure)

    with pytest.raises(SourceError) as caught:
        fetch_all(client)

    assert caught.value.permanent is permanent and not caught.value.rate_limited
    assert words in caught.value.reason


@pytest.mark.parametrize(
    "base_url", ["", "mastodon.social", "ftp://mastodon.social", "https://", "https://bad host"]
)
def test_an_invalid_base_url_is_permanent(base_url):
    with pytest.raises(SourceError) as caught:
        client_for(Source(platform="mastodon", base_url=base_url))

    assert caught.value.permanent


def test_client_for_reads_the_token_from_settings(rsps, settings):
    settings.MASTODON_ACCESS_TOKEN = TOKEN
    replay(rsps, "instance_v2")
    replay(rsps, "tag_ihearthit_empty")

    fetch_all(client_for(Source(platform="mastodon", base_url=SERVER)), hashtags=["ihearthit"])

    assert rsps.calls[-1].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_without_a_token_no_authorization_header_is_sent(rsps, settings):
    settings.MASTODON_ACCESS_TOKEN = ""
    replay(rsps, "instance_v2")
    replay(rsps, "tag_ihearthit_empty")

    fetch_all(client_for(Source(platform="mastodon", base_url=SERVER)), hashtags=["ihearthit"])

    assert all("Authorization" not in call.request.headers for call in rsps.calls)


def test_client_for_refuses_another_platform():
    with pytest.raises(SourceError) as caught:
        client_for(Source(platform="x"))

    assert caught.value.permanent


def test_the_token_never_reaches_logs_or_errors(rsps, caplog):
    caplog.set_level(logging.DEBUG)
    client = MastodonClient(base_url=SERVER, access_token=TOKEN)
    replay(rsps, "instance_v2")
    replay(rsps, "tag_nhitweek_latest")
    replay(rsps, "error_401", query={"limit": "40", "min_id": NEWEST_LATEST})

    pages = fetch_all(client)
    with pytest.raises(SourceError) as caught:
        fetch_all(client, cursor=pages[-1].cursor)

    assert caught.value.permanent and "check MASTODON_ACCESS_TOKEN" in caught.value.reason
    assert caplog.records  # the client did log at DEBUG
    assert TOKEN not in caplog.text
    assert TOKEN not in str(caught.value) and TOKEN not in repr(client)
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {TOKEN}"

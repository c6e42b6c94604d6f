"""The Bluesky client against recorded XRPC responses, replayed beneath the real atproto Client.

Follower counts (getProfiles) have their own tests in test_bluesky_profiles.py."""

from __future__ import annotations

import base64
import json
import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from atproto import Session
from django.test import override_settings

from hashtags.models import Source
from hashtags.sources import bluesky
from hashtags.sources.base import SourceError
from hashtags.sources.bluesky import BlueskyClient, client_for, sessions_forget
from hashtags.sources.bluesky_profiles import followers_forget

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bluesky"
HANDLE = "nhitweek-bot.bsky.social"
PASSWORD = "q7xk-m2vd-c9rt-w4hp"  # the shape of a Bluesky app password
DID = "did:plc:7nhitweekbot4jq2xw3cfa5z"
ENTRYWAY = "bsky.social"
PDS = "porcini.us-east.host.bsky.network"
RESET = 1758380400  # 2025-09-20T15:00:00Z, the epoch Bluesky sends in RateLimit-Reset
P1 = "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3lzbtv6aks22a"
P1_AT = "2025-09-20T14:02:07.512000Z"
GET_PROFILES = "app.bsky.actor.getProfiles"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


class Replay:
    """The network: answers each XRPC method from its queue of recorded responses, in order.

    getProfiles with nothing queued answers as the AppView does: the asked actors it knows of
    (`profiles`, the recorded profile views by DID), in the order asked, leaving out the rest.
    """

    def __init__(self) -> None:
        self.queues: dict[str, list[Any]] = defaultdict(list)
        self.requests: list[httpx.Request] = []
        self.profiles = {p["did"]: p for p in load("get_profiles.json")["profiles"]}

    def add(
        self,
        nsid: str,
        fixture: str | dict[str, Any] = "",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        error: Exception | None = None,
    ) -> Replay:
        body = load(fixture) if isinstance(fixture, str) and fixture else fixture
        self.queues[nsid].append(error or (status, body, headers or {}))
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.rsplit("/", 1)[-1]
        if nsid == GET_PROFILES and not self.queues[nsid]:
            actors = request.url.params.get_list("actors")
            answer: Any = (
                200,
                {"profiles": [self.profiles[a] for a in actors if a in self.profiles]},
                {},
            )
        else:
            assert self.queues[nsid], f"unexpected request to {nsid}"
            answer = self.queues[nsid].pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        limits = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "2999" if status != 429 else "0",
            "RateLimit-Reset": str(RESET),
            "RateLimit-Policy": "3000;w=300",
        }
        return httpx.Response(status, json=body, headers={**limits, **headers}, request=request)

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(f"/xrpc/{nsid}")]


def make_client(replay: Replay, **kwargs: Any) -> BlueskyClient:
    return BlueskyClient(
        handle=HANDLE, app_password=PASSWORD, transport=httpx.MockTransport(replay), **kwargs
    )


def jwt(*, exp: datetime, scope: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    expires = int(exp.timestamp())
    claims = {"scope": scope, "sub": DID, "iat": expires - 7200, "exp": expires}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(claims)}.c2ln"


def store_session(*, access_expires: datetime, refresh_expires: datetime) -> Session:
    """What an earlier fetch in this process left behind in the session store."""
    session = Session(
        HANDLE,
        DID,
        jwt(exp=access_expires, scope="com.atproto.appPass"),
        jwt(exp=refresh_expires, scope="com.atproto.refresh"),
        f"https://{PDS}",
    )
    bluesky._sessions[HANDLE] = session.export()
    return session


def params(request: httpx.Request) -> dict[str, list[str]]:
    return {key: request.url.params.get_list(key) for key in request.url.params}


@pytest.fixture(autouse=True)
def _empty_session_store():
    sessions_forget()
    followers_forget()
    yield
    sessions_forget()
    followers_forget()


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


# --- searching and paging ----------------------------------------------------------------------


def test_it_searches_each_hashtag_on_its_own_latest_first():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")

    pages = list(make_client(replay).fetch(hashtags=["nhitweek", "hitworks"], cursor={}))

    sent = [params(r) for r in replay.calls("app.bsky.feed.searchPosts")]
    assert sent == [
        {"q": ["#nhitweek"], "sort": ["latest"], "limit": ["100"]},
        {"q": ["#hitworks"], "sort": ["latest"], "limit": ["100"]},
    ]
    assert set(pages[-1].cursor["tags"]) == {"nhitweek", "hitworks"}


def test_it_pages_by_cursor_and_moves_the_boundary_only_after_the_last_page():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page2.json")

    first, last = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert [len(first.posts), len(last.posts)] == [3, 2]
    second = replay.calls("app.bsky.feed.searchPosts")[1]
    assert params(second)["cursor"] == ["100"]
    assert first.cursor == {
        "tags": {
            "nhitweek": {
                "since_at": None,
                "since_uri": "",
                "page": "100",
                "top_at": P1_AT,
                "top_uri": P1,
            }
        }
    }
    assert last.cursor == {"tags": {"nhitweek": {"since_at": P1_AT, "since_uri": P1}}}
    assert first.newest_at == datetime(2025, 9, 20, 14, 2, 7, 512000, tzinfo=UTC)
    assert first.oldest_at == datetime(2025, 9, 20, 13, 58, 30, tzinfo=UTC)


def test_a_fetch_resumes_from_the_cursor_of_the_last_stored_page():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page2.json")
    pages = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})
    stored = next(pages).cursor
    pages.close()  # the worker died after storing the first page

    (resumed,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor=stored)

    assert params(replay.calls("app.bsky.feed.searchPosts")[1])["cursor"] == ["100"]
    assert len(resumed.posts) == 2
    # The newest post of the interrupted run becomes the boundary, not the resumed page's.
    assert resumed.cursor == {"tags": {"nhitweek": {"since_at": P1_AT, "since_uri": P1}}}


def test_it_stops_paging_below_the_previous_boundary_and_never_moves_it_back():
    since = "2025-09-20T14:05:00Z"  # page 1 reaches below it (minus the index lag)
    cursor = {"tags": {"nhitweek": {"since_at": since, "since_uri": "at://older"}}}
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor=cursor)

    assert len(replay.calls("app.bsky.feed.searchPosts")) == 1
    assert page.cursor == cursor


def test_it_pages_a_little_past_the_boundary_for_posts_the_index_saw_late():
    cursor = {"tags": {"nhitweek": {"since_at": P1_AT, "since_uri": P1}}}
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page2.json")

    pages = list(make_client(replay).fetch(hashtags=["nhitweek"], cursor=cursor))

    assert len(pages) == 2
    assert pages[-1].cursor == cursor


def test_a_deep_backlog_stops_at_max_pages_and_resumes_next_time():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")

    (page,) = make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={})

    assert page.cursor["tags"]["nhitweek"]["page"] == "100"


def test_an_empty_result_yields_one_empty_page_and_keeps_the_boundary():
    cursor = {"tags": {"nhitweek": {"since_at": P1_AT, "since_uri": P1}}}
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_empty.json")

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor=cursor)

    assert page.posts == []
    assert page.warnings == []
    assert page.newest_at is None
    assert page.cursor == cursor


def test_a_refused_paging_token_ends_the_run_with_a_warning():
    stored = {
        "tags": {
            "nhitweek": {
                "since_at": None,
                "since_uri": "",
                "page": "10000",
                "top_at": P1_AT,
                "top_uri": P1,
            }
        }
    }
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "error_invalid_request.json", status=400)

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor=stored)

    assert page.posts == []
    assert "InvalidRequest" in page.warnings[0]
    assert page.cursor == {"tags": {"nhitweek": {"since_at": P1_AT, "since_uri": P1}}}


# --- mapping post views ------------------------------------------------------------------------


def fetched_posts() -> dict[str, Any]:
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page1.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_page2.json")
    pages = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})
    return {post.external_id.rsplit("/", 1)[-1]: post for page in pages for post in page.posts}


def test_a_post_view_maps_to_post_data():
    post = fetched_posts()["3lzbtv6aks22a"]

    assert post.platform == "bluesky"
    assert post.external_id == P1
    assert post.url == "https://bsky.app/profile/ahaonline.bsky.social/post/3lzbtv6aks22a"
    assert post.text.startswith("Kicking off #NHITweek 2025!")
    assert post.created_at == datetime(2025, 9, 20, 14, 2, 7, 512000, tzinfo=UTC)
    assert (post.likes, post.reposts, post.replies, post.quotes) == (48, 12, 3, 2)
    assert post.lang == "en"
    assert not post.is_repost
    assert post.reply_to == ""
    assert post.conversation_id == P1
    assert post.author.external_id == "did:plc:u5cwb2mwiv2bfq53cjufe6yn"
    assert post.author.handle == "ahaonline.bsky.social"
    assert post.author.name == "American Health Advocates"
    assert post.author.avatar_url.startswith("https://cdn.bsky.app/img/avatar/plain/")
    assert post.author.url == "https://bsky.app/profile/ahaonline.bsky.social"
    assert post.author.verified
    assert post.author.followers == 18342  # from getProfiles: a post view has no count


def test_every_author_gets_its_follower_count_and_a_zero_stays_zero():
    posts = fetched_posts()

    followers = {p.author.handle: p.author.followers for p in posts.values()}
    assert followers == {
        "ahaonline.bsky.social": 18342,
        "dr-kim.bsky.social": 2210,
        "ehr-notes.com": 0,  # a real zero, not an unknown
        "handle.invalid": 37,
    }


def test_tag_facets_become_hashtags_and_link_facets_become_links():
    posts = fetched_posts()

    first = posts["3lzbtv6aks22a"]
    assert first.hashtags == ("nhitweek", "hitworks")
    # The facet holds the full URL; the text shows it shortened.
    assert first.links == ("https://nhitweek.org/agenda?utm_source=bsky",)
    # Tags a client attaches outside the text count too, and a link card's URL is a link.
    card = posts["3lzbtkq2lhs2x"]
    assert card.hashtags == ("nhitweek", "healthit", "interop")
    assert card.links == ("https://www.youtube.com/watch?v=nhitweek25",)
    # Only http(s) links.
    assert posts["3lzbt7dqo3c2u"].links == ("http://sandbox.example.org",)


def test_hashtags_come_from_the_text_when_a_client_wrote_no_facets():
    post = fetched_posts()["3lzbsz2wo5s2k"]

    assert post.hashtags == ("nhitweek", "santé")  # "#2025" is not a hashtag


def test_a_reply_points_to_its_parent_and_thread():
    post = fetched_posts()["3lzbtr4xw7k2d"]

    assert post.reply_to == P1
    assert post.conversation_id == P1
    assert post.hashtags == ("ihearthit", "nhitweek")


def test_created_at_falls_back_to_indexed_at_when_future_or_unreadable():
    posts = fetched_posts()

    future = posts["3lzbt7dqo3c2u"]  # createdAt 2099
    assert future.created_at == datetime(2025, 9, 20, 13, 51, 2, 880000, tzinfo=UTC)
    assert posts["3lzbsz2wo5s2k"].created_at == datetime(2025, 9, 20, 13, 47, 40, 10000, tzinfo=UTC)
    # An invalid handle links the post by DID instead.
    assert (
        future.url == "https://bsky.app/profile/did:plc:2xkzxoa7d6g6bvv3iuhtc6q4/post/3lzbt7dqo3c2u"
    )
    assert future.lang == ""


def test_a_malformed_post_is_skipped_with_a_warning_and_the_page_kept():
    body = load("search_posts_page2.json")
    del body["posts"][0]["author"]
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", body)

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert [p.external_id.rsplit("/", 1)[-1] for p in page.posts] == ["3lzbsz2wo5s2k"]
    assert "3lzbt7dqo3c2u" in page.warnings[0]


# --- failures ----------------------------------------------------------------------------------


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

"""Bluesky follower counts: getProfiles after each search page, against recorded XRPC responses
replayed beneath the real atproto Client (the Replay of bluesky_replay.py)."""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.test import override_settings

from hashtags.sources import bluesky_profiles
from hashtags.sources.base import SourceError
from hashtags.sources.bluesky_profiles import PROFILE_BATCH
from tests.support.bluesky_replay import GET_PROFILES, Replay, load, make_client, store_session

LOGIN = "com.atproto.server.createSession"
SEARCH = "app.bsky.feed.searchPosts"
TTL = 6 * 3600
# The authors of search_posts_page1.json, in page order, and of page 2 (one of them again).
AHA = "did:plc:u5cwb2mwiv2bfq53cjufe6yn"
KIM = "did:plc:4o6b4clcgvnzpmoxhzmnqpje"
EHR = "did:plc:r3mvxhfkmo5d7tgq2jhpzyaa"
INVALID = "did:plc:2xkzxoa7d6g6bvv3iuhtc6q4"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 50_000.0

    def __call__(self) -> float:
        return self.now


def logged_in() -> Replay:
    return Replay().add(LOGIN, "create_session.json")


def actors(replay: Replay) -> list[list[str]]:
    return [r.url.params.get_list("actors") for r in replay.calls(GET_PROFILES)]


def did(n: int) -> str:
    # did:plc identifiers are 24 characters of lowercase base32.
    digest = hashlib.sha256(f"author-{n}".encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()[:24]


def busy_page(*, posts: int, authors: int) -> dict[str, Any]:
    """A searchPosts answer of `posts` recorded post views by `authors` accounts in turn."""
    template = load("search_posts_page1.json")["posts"][0]
    views = []
    for i in range(posts):
        view = copy.deepcopy(template)
        author = did(i % authors)
        view["uri"] = f"at://{author}/app.bsky.feed.post/3lzc{i:09d}"
        view["author"]["did"] = author
        view["author"]["handle"] = f"author{i % authors}.bsky.social"
        views.append(view)
    return {"hitsTotal": posts, "posts": views}


def profile(n: int, *, followers: int) -> dict[str, Any]:
    """The recorded profile view of one account, as author n."""
    view = copy.deepcopy(load("get_profiles.json")["profiles"][1])
    view.update(did=did(n), handle=f"author{n}.bsky.social", followersCount=followers)
    return view


def test_a_page_of_60_posts_by_30_authors_asks_for_25_profiles_then_5():
    replay = logged_in().add(SEARCH, busy_page(posts=60, authors=30))
    replay.profiles = {did(n): profile(n, followers=1000 + n) for n in range(30)}

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert actors(replay) == [[did(n) for n in range(25)], [did(n) for n in range(25, 30)]]
    assert PROFILE_BATCH == 25
    assert len(page.posts) == 60
    assert all(p.author.followers == 1000 + i % 30 for i, p in enumerate(page.posts))
    assert page.warnings == []


def test_a_later_page_asks_only_for_authors_it_has_not_seen():
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(SEARCH, "search_posts_page2.json")

    _, second = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert actors(replay) == [[AHA, KIM, EHR], [INVALID]]
    assert [p.author.followers for p in second.posts] == [37, 18342]


@override_settings(BLUESKY_PROFILE_TTL_SECONDS=TTL)
def test_counts_are_reused_within_the_ttl_and_asked_again_after_it():
    clock = Clock()
    replay = logged_in()
    for _ in range(3):
        replay.add(SEARCH, "search_posts_page1.json")

    def poll() -> list[int | None]:
        (page,) = make_client(replay, max_pages=1, clock=clock).fetch(
            hashtags=["nhitweek"], cursor={}
        )
        return [p.author.followers for p in page.posts]

    assert poll() == [18342, 2210, 0]
    clock.now += TTL - 1
    replay.profiles[AHA] = {**replay.profiles[AHA], "followersCount": 18400}
    assert poll() == [18342, 2210, 0]  # still the remembered counts, without asking
    assert actors(replay) == [[AHA, KIM, EHR]]
    clock.now += 2
    assert poll() == [18400, 2210, 0]
    assert actors(replay) == [[AHA, KIM, EHR], [AHA, KIM, EHR]]


@override_settings(BLUESKY_PROFILE_TTL_SECONDS=60)
def test_the_ttl_comes_from_settings():
    clock = Clock()
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(SEARCH, "search_posts_page1.json")

    list(make_client(replay, max_pages=1, clock=clock).fetch(hashtags=["nhitweek"], cursor={}))
    clock.now += 61
    list(make_client(replay, max_pages=1, clock=clock).fetch(hashtags=["nhitweek"], cursor={}))

    assert len(replay.calls(GET_PROFILES)) == 2


def test_the_cache_keeps_at_most_its_size_dropping_the_oldest(monkeypatch):
    monkeypatch.setattr(bluesky_profiles, "CACHE_SIZE", 2)
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(SEARCH, "search_posts_page1.json")

    for _ in range(2):
        list(make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={}))

    assert actors(replay) == [[AHA, KIM, EHR], [AHA]]


def test_an_account_the_answer_leaves_out_has_unknown_followers_and_is_not_asked_again():
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(SEARCH, "search_posts_page1.json")
    del replay.profiles[KIM]  # deleted or suspended since it posted

    (page,) = make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={})
    list(make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={}))

    assert [p.author.followers for p in page.posts] == [18342, None, 0]
    assert page.warnings == []
    assert actors(replay) == [[AHA, KIM, EHR]]


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        ({"status": 500, "fixture": "error_internal_server_error.json"}, "InternalServerError"),
        ({"status": 502, "fixture": "error_upstream_failure.json"}, "UpstreamFailure"),
        ({"status": 429, "fixture": "error_rate_limit_exceeded.json"}, "RateLimitExceeded"),
        ({"error": httpx.ReadTimeout("timed out")}, "InvokeTimeoutError"),
    ],
)
def test_a_failed_getprofiles_keeps_the_page_with_a_warning_and_unknown_followers(answer, detail):
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(GET_PROFILES, **answer)
    replay.add(SEARCH, "search_posts_page1.json")

    (page,) = make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={})

    assert len(page.posts) == 3
    assert [p.author.followers for p in page.posts] == [None, None, None]
    assert page.cursor["tags"]["nhitweek"]["page"] == "100"  # paging goes on as ever
    (warning,) = page.warnings
    assert "follower counts of 3 authors are unknown" in warning
    assert detail in warning
    # A failure is not remembered: the next poll asks again.
    (again,) = make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={})
    assert [p.author.followers for p in again.posts] == [18342, 2210, 0]


def test_after_a_rate_limit_getprofiles_waits_for_the_next_fetch():
    replay = logged_in().add(SEARCH, "search_posts_page1.json")
    replay.add(SEARCH, "search_posts_page2.json")
    replay.add(GET_PROFILES, "error_rate_limit_exceeded.json", status=429)

    first, second = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert len(replay.calls(GET_PROFILES)) == 1
    assert [p.author.followers for p in second.posts] == [None, None]
    assert "rate limited" in second.warnings[0]
    assert second.cursor == {
        "tags": {
            "nhitweek": {
                "since_at": "2025-09-20T14:02:07.512000Z",
                "since_uri": first.posts[0].external_id,
            }
        }
    }


def test_a_batch_that_fails_leaves_the_later_batches_unasked():
    replay = logged_in().add(SEARCH, busy_page(posts=30, authors=30))
    replay.profiles = {did(n): profile(n, followers=n) for n in range(30)}
    replay.add(GET_PROFILES, "error_internal_server_error.json", status=500)

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    assert len(replay.calls(GET_PROFILES)) == 1
    assert {p.author.followers for p in page.posts} == {None}
    assert "follower counts of 30 authors are unknown" in page.warnings[0]


def test_a_revoked_session_on_getprofiles_logs_in_once_and_the_page_gets_its_counts():
    now = datetime.now(UTC)
    store_session(access_expires=now + timedelta(hours=2), refresh_expires=now + timedelta(days=60))
    replay = Replay().add(SEARCH, "search_posts_page1.json")
    replay.add(GET_PROFILES, "error_expired_token.json", status=400)
    replay.add(LOGIN, "create_session.json")

    (page,) = make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={})

    assert [p.author.followers for p in page.posts] == [18342, 2210, 0]
    assert len(replay.calls(LOGIN)) == 1
    assert page.warnings == []


def test_a_session_still_refused_after_a_new_login_fails_the_fetch_as_a_search_would():
    now = datetime.now(UTC)
    store_session(access_expires=now + timedelta(hours=2), refresh_expires=now + timedelta(days=60))
    replay = Replay().add(SEARCH, "search_posts_page1.json")
    replay.add(GET_PROFILES, "error_expired_token.json", status=400)
    replay.add(LOGIN, "create_session.json")
    replay.add(GET_PROFILES, "error_expired_token.json", status=400)

    with pytest.raises(SourceError) as caught:
        list(make_client(replay, max_pages=1).fetch(hashtags=["nhitweek"], cursor={}))

    assert not caught.value.permanent  # the page is fetched again with the next poll
    assert "ExpiredToken" in caught.value.reason
    assert len(replay.calls(LOGIN)) == 1


def test_an_empty_page_asks_for_no_profiles():
    replay = logged_in().add(SEARCH, "search_posts_empty.json")

    list(make_client(replay).fetch(hashtags=["nhitweek"], cursor={}))

    assert replay.calls(GET_PROFILES) == []

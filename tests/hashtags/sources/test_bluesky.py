"""The Bluesky client's search: a query per hashtag, paging and its cursor, mapped post views."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support.bluesky_replay import Replay, load, make_client

P1 = "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3lzbtv6aks22a"
P1_AT = "2025-09-20T14:02:07.512000Z"
P2 = "at://did:plc:4o6b4clcgvnzpmoxhzmnqpje/app.bsky.feed.post/3lzbtr4xw7k2d"  # replies to P1


def params(request: httpx.Request) -> dict[str, list[str]]:
    return {key: request.url.params.get_list(key) for key in request.url.params}


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


def test_a_quote_names_the_quoted_post_by_the_uri_in_its_record_embed():
    replay = Replay().add("com.atproto.server.createSession", "create_session.json")
    replay.add("app.bsky.feed.searchPosts", "search_posts_quotes.json")

    (page,) = make_client(replay).fetch(hashtags=["nhitweek"], cursor={})

    quote, with_media, detached, feed = page.posts
    assert page.warnings == []
    # record.embed app.bsky.embed.record: {"record": {"uri", "cid"}}, a strong ref to the post.
    assert quote.quote_of == P1
    # app.bsky.embed.recordWithMedia: that embed under "record", beside its images.
    assert with_media.quote_of == quote.external_id
    assert with_media.hashtags == ("nhitweek", "hitworks")
    # The quoted author detached the quote (the view says so); the record still names the post.
    assert detached.quote_of == P2
    # A shared feed is an embedded record too, but not a post: no quote.
    assert feed.quote_of == ""
    assert all(p.reply_to == "" for p in page.posts)


def test_posts_without_a_record_embed_quote_nothing():
    posts = fetched_posts()

    assert {p.quote_of for p in posts.values()} == {""}  # a link card is no quote


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

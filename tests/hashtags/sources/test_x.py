"""The X client's search: normalized posts, OR queries, cursors, and what a poll survives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from hashtags.sources.base import SourceError
from hashtags.sources.x import XClient, query_build
from tests.support.x_replay import (
    NEXT_TOKEN,
    NOW,
    OLD_SINCE_ID,
    QUERY,
    TAGS,
    TOKEN,
    add_search,
    collect,
    first_cursor,
    load,
    make_client,
)


def params_of(call: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


# --- normalization ------------------------------------------------------------------------------


@responses.activate
def test_it_reads_two_pages_into_normalized_posts_with_authors_tags_and_links():
    add_search(load("search_page1.json"), since_id=OLD_SINCE_ID)
    add_search(load("search_page2.json"), since_id=OLD_SINCE_ID, next_token=NEXT_TOKEN)

    pages = collect(make_client(), first_cursor())

    assert [len(p.posts) for p in pages] == [3, 2]
    assert {p.hashtags for p in pages} == {("hitworks", "ihearthit", "nhitweek")}
    original, retweet, reply = pages[0].posts
    assert original.external_id == "2100237776057274369"
    assert original.text.startswith("Kicking off #NHITweek & #HITworks")  # &amp; unescaped
    assert original.hashtags == ("nhitweek", "hitworks")
    # The photo's own page (media_key) is not a shared link.
    assert original.links == ("https://www.himss.org/events/nhit-week",)
    assert original.url == "https://x.com/healthitnerd/status/2100237776057274369"
    assert original.created_at == datetime(2026, 9, 16, 14, 58, 1, tzinfo=UTC)
    assert (original.likes, original.reposts, original.replies, original.quotes) == (48, 12, 3, 2)
    assert original.lang == "en"
    assert not original.is_repost
    assert original.author.handle == "healthitnerd"
    assert original.author.name == "Dana Reyes"
    assert original.author.followers == 1284
    assert original.author.avatar_url.startswith("https://pbs.twimg.com/profile_images/")
    assert original.author.url == "https://x.com/healthitnerd"

    assert retweet.is_repost
    assert retweet.repost_of == "2100198047609786369"
    assert retweet.author.handle == "nurseinformatix"
    # The "RT …" text cut #NHITweek off; the expanded original still carries it. The ftp:// link
    # in the original is dropped.
    assert retweet.hashtags == ("ihearthit", "nhitweek")
    assert retweet.links == ("https://www.healthit.gov/nhitweek-stories",)

    assert reply.reply_to == "2100237776057274369"
    assert reply.conversation_id == "2100237776057274369"
    assert reply.author.verified is True
    assert reply.hashtags == ("nhitweek",)

    long_post, onc_original = pages[1].posts
    assert long_post.text.endswith("#HITworks")  # the note_tweet's full text, not the cut one
    assert "&amp;" not in long_post.text
    assert long_post.hashtags == ("nhitweek", "hitworks")
    assert long_post.links == ("http://blog.example-health.org/nhitweek-recap",)
    assert onc_original.links == ("https://www.healthit.gov/nhitweek-stories",)

    assert all(p.quote_of == "" for page in pages for p in page.posts)  # none of them quotes

    assert pages[0].newest_at == datetime(2026, 9, 16, 14, 58, 1, tzinfo=UTC)
    assert pages[0].oldest_at == datetime(2026, 9, 16, 14, 31, 45, tzinfo=UTC)
    assert all(page.warnings == [] for page in pages)


@responses.activate
def test_a_quote_names_the_tweet_it_quotes_and_a_retweet_of_a_quote_quotes_nothing():
    add_search(load("search_quotes.json"), since_id=OLD_SINCE_ID)

    (page,) = collect(make_client(), first_cursor())

    retweet, reply_quoting, quote = page.posts
    kickoff = "2100237776057274369"
    # referenced_tweets: [{"type": "quoted", "id": ...}], as X API v2 describes a quote.
    assert (quote.quote_of, quote.reply_to, quote.is_repost) == (kickoff, "", False)
    assert quote.hashtags == ("nhitweek",)
    # A reply may quote too: each reference keeps its own field.
    assert (reply_quoting.quote_of, reply_quoting.reply_to) == (quote.external_id, kickoff)
    assert retweet.is_repost and retweet.repost_of == quote.external_id
    assert retweet.quote_of == ""


@responses.activate
def test_it_asks_for_the_fields_and_expansions_it_normalizes():
    add_search(load("search_empty.json"))

    collect(make_client(), first_cursor())

    sent = params_of(responses.calls[0])
    assert sent["query"] == QUERY
    assert sent["max_results"] == "100"
    assert sent["since_id"] == OLD_SINCE_ID
    assert "start_time" not in sent
    assert set(sent["tweet.fields"].split(",")) >= {
        "created_at",
        "public_metrics",
        "lang",
        "entities",
        "author_id",
        "referenced_tweets",
        "conversation_id",
    }
    assert "author_id" in sent["expansions"].split(",")
    assert set(sent["user.fields"].split(",")) == {
        "username",
        "name",
        "profile_image_url",
        "public_metrics",
        "verified",
    }


@responses.activate
def test_an_empty_result_yields_one_empty_page_and_keeps_the_boundary():
    add_search(load("search_empty.json"))

    pages = collect(make_client(), first_cursor())

    assert len(pages) == 1
    assert pages[0].posts == []
    assert pages[0].newest_at is None
    assert pages[0].cursor == first_cursor()


@responses.activate
def test_the_first_poll_starts_at_the_edge_of_the_search_window():
    add_search(load("search_empty.json"))

    pages = collect(make_client(), {})

    sent = params_of(responses.calls[0])
    assert "since_id" not in sent
    start = datetime.strptime(sent["start_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert NOW - timedelta(days=7) < start < NOW - timedelta(days=7) + timedelta(minutes=30)
    assert pages[0].cursor == {"queries": {QUERY: {}}}


# --- queries ------------------------------------------------------------------------------------


def test_all_hashtags_share_one_or_query_in_a_stable_order():
    assert query_build(hashtags=["nhitweek", "ihearthit", "hitworks", "nhitweek"]) == [QUERY]


def test_hashtags_that_do_not_fit_the_limit_split_into_several_queries():
    tags = [f"tag{n:02d}" for n in range(10)]  # "#tag00" is 6 characters; " OR " joins them

    queries = query_build(hashtags=tags, max_length=30)

    assert queries == [
        "#tag00 OR #tag01 OR #tag02",
        "#tag03 OR #tag04 OR #tag05",
        "#tag06 OR #tag07 OR #tag08",
        "#tag09",
    ]
    assert all(len(q) <= 30 for q in queries)
    assert len(query_build(hashtags=[f"t{n:03d}" for n in range(200)])[0]) <= 512


def test_a_hashtag_longer_than_the_limit_is_a_configuration_error():
    with pytest.raises(SourceError) as caught:
        query_build(hashtags=["a" * 40], max_length=30)
    assert caught.value.permanent


@responses.activate
def test_each_split_query_keeps_its_own_cursor():
    add_search(load("search_page2.json"), query="#hitworks OR #ihearthit")
    add_search(load("search_empty.json"), query="#nhitweek")
    cursor = {"queries": {"#nhitweek": {"since_id": "2100000000000000000"}, "#gone": {}}}

    pages = collect(make_client(max_query_length=25), cursor)

    assert [params_of(c)["query"] for c in responses.calls] == [
        "#hitworks OR #ihearthit",
        "#nhitweek",
    ]
    assert params_of(responses.calls[1])["since_id"] == "2100000000000000000"
    assert pages[-1].cursor == {
        "queries": {
            "#hitworks OR #ihearthit": {"since_id": "2100209460310970369"},
            "#nhitweek": {"since_id": "2100000000000000000"},
        }
    }


# --- cursor semantics ---------------------------------------------------------------------------


@responses.activate
def test_a_crash_after_page_one_resumes_at_page_two_and_then_moves_the_boundary():
    add_search(load("search_page1.json"), since_id=OLD_SINCE_ID)
    add_search(load("search_page2.json"), since_id=OLD_SINCE_ID, next_token=NEXT_TOKEN)
    cursor = first_cursor()

    pages = make_client().fetch(hashtags=TAGS, cursor=cursor)
    page1 = next(pages)
    pages.close()  # the worker dies right after page 1 is stored

    assert cursor == first_cursor()  # the caller's dict is not changed behind its back
    state = page1.cursor["queries"][QUERY]
    assert state == {
        "since_id": OLD_SINCE_ID,  # the old boundary stays until the last page
        "next_token": NEXT_TOKEN,
        "newest_id": "2100237776057274369",
    }
    assert len(responses.calls) == 1

    resumed = list(make_client().fetch(hashtags=TAGS, cursor=page1.cursor))

    assert [p.external_id for p in resumed[0].posts] == [
        "2100209460310970369",
        "2100198047609786369",
    ]
    sent = params_of(responses.calls[1])
    assert (sent["since_id"], sent["next_token"]) == (OLD_SINCE_ID, NEXT_TOKEN)
    assert resumed[-1].cursor == {"queries": {QUERY: {"since_id": "2100237776057274369"}}}


# --- what a poll survives -----------------------------------------------------------------------


@responses.activate
def test_partial_errors_inside_a_200_keep_the_posts_and_become_warnings():
    add_search(load("search_partial.json"))

    (page,) = collect(make_client(), first_cursor())

    retweet, orphan = page.posts
    assert retweet.is_repost
    assert retweet.repost_of == "2100100000000004097"
    assert retweet.hashtags == ("ihearthit",)
    assert orphan.author.external_id == "1700000000000000001"
    assert orphan.author.handle == ""
    assert orphan.url == "https://x.com/i/web/status/2100238100000000001"
    assert len(page.warnings) == 2
    assert "Could not find tweet with referenced_tweets.id" in page.warnings[0]
    assert page.cursor == {"queries": {QUERY: {"since_id": "2100238149350330369"}}}


@responses.activate
def test_a_since_id_older_than_the_search_window_resets_instead_of_failing_forever():
    stale = "2097263674782650369"  # 2026-09-08, but the clock thinks it is still fresh
    add_search(load("error_400_stale_since_id.json"), status=400)
    add_search(load("search_empty.json"))
    client = XClient(bearer_token=TOKEN, clock=lambda: datetime(2026, 9, 10, tzinfo=UTC))

    (page,) = collect(client, first_cursor(stale))

    assert page.posts == []
    assert page.warnings and "search window" in page.warnings[0]
    assert page.cursor == {"queries": {QUERY: {}}}

    collect(make_client(), page.cursor)  # the next poll starts at the window

    sent = params_of(responses.calls[1])
    assert "since_id" not in sent
    assert sent["start_time"].startswith("2026-09-09T15:05")


@responses.activate
def test_a_since_id_known_to_be_stale_is_not_sent_at_all():
    add_search(load("search_empty.json"))

    (page,) = collect(make_client(), first_cursor("2097263674782650369"))

    sent = params_of(responses.calls[0])
    assert "since_id" not in sent
    assert sent["start_time"] == "2026-09-09T15:05:00Z"
    assert page.warnings and "search window" in page.warnings[0]


@responses.activate
def test_a_refused_page_token_rereads_from_the_kept_boundary():
    add_search(load("error_400_next_token.json"), status=400)
    cursor = {"queries": {QUERY: {"since_id": OLD_SINCE_ID, "next_token": NEXT_TOKEN}}}

    (page,) = collect(make_client(), cursor)

    assert page.cursor == first_cursor()
    assert page.warnings

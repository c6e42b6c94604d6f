"""Whom a post is addressed to, per platform, read through the real client libraries from
recorded responses: the accounts it mentions and the authors of the posts it answers, quotes
and reposts (PostData.mentions), each named as its platform compares accounts."""

from __future__ import annotations

import pytest
import responses

from hashtags.sources.base import Mention
from hashtags.sources.mastodon import MastodonClient
from tests.support.bluesky_replay import Replay
from tests.support.bluesky_replay import make_client as bluesky_client
from tests.support.mastodon_replay import replay
from tests.support.x_replay import OLD_SINCE_ID, add_search, collect, first_cursor, load
from tests.support.x_replay import make_client as x_client

HEALTHITNERD = "1496201749011132416"
INTEROPNURSE = "3141592653"


def mention(handle: str = "", uid: str = "") -> Mention:
    return Mention(role="mention", handle=handle, uid=uid)


def wrote(role: str, handle: str = "", uid: str = "") -> Mention:
    return Mention(role=role, handle=handle, uid=uid)


def x_posts(fixture: str) -> dict:
    add_search(load(fixture), since_id=OLD_SINCE_ID)
    (page,) = collect(x_client(), first_cursor())
    return {p.external_id: p for p in page.posts}


# --- X: entities.mentions {start, end, username, id}; authors from includes -------------------


@responses.activate
def test_x_mentions_are_usernames_without_case_with_their_user_ids():
    posts = x_posts("search_addressees.json")

    thanks = posts["2100238199000000001"]
    assert thanks.mentions[:2] == (
        mention("repinteroptx", "1580000000000000001"),
        mention("onc_healthit", "146569971"),
    )
    # #SenateHELP is a hashtag of the post, never a mention.
    assert "senatehelp" in thanks.hashtags
    assert all(m.handle != "senatehelp" for m in thanks.mentions)


@responses.activate
def test_an_x_reply_names_its_parents_author_by_id_and_by_the_username_it_is_known_by():
    posts = x_posts("search_addressees.json")

    # The parent is not in includes: in_reply_to_user_id, named by the reply's own mention.
    thanks = posts["2100238199000000001"]
    assert thanks.mentions[2:] == (wrote("reply", "repinteroptx", "1580000000000000001"),)
    # The parent is in includes.tweets, its author in includes.users.
    question = posts["2100238201000000003"]
    assert wrote("reply", "healthitnerd", HEALTHITNERD) in question.mentions
    assert mention("cmio_jane", "2200000000000000001") in question.mentions
    # Nobody mentioned and nothing expanded: the author by id alone.
    assert posts["2100238200000000002"].mentions == (wrote("reply", uid="4400000000000000004"),)


@responses.activate
def test_an_x_quote_and_a_retweet_name_the_authors_of_what_they_quote_and_retweet():
    posts = x_posts("search_quotes.json")

    quote = posts["2100238149350330369"]  # quotes the kickoff (in includes.tweets)
    assert quote.mentions == (wrote("quote", "healthitnerd", HEALTHITNERD),)
    reply_quoting = posts["2100238241625018369"]
    assert reply_quoting.mentions == (
        mention("healthitnerd", HEALTHITNERD),
        wrote("reply", "healthitnerd", HEALTHITNERD),
        wrote("quote", "interopnurse", INTEROPNURSE),
    )
    # "RT @interopnurse: ..." is the retweeted author, not a mention of the retweet.
    retweet = posts["2100238266790842369"]
    assert retweet.mentions == (wrote("repost", "interopnurse", INTEROPNURSE),)


@responses.activate
def test_an_x_retweet_whose_original_was_not_expanded_names_its_author_by_the_rt_prefix():
    posts = x_posts("search_partial.json")

    retweet = posts["2100238149350330369"]  # "RT @someclinic: ...", the original unavailable
    assert retweet.mentions == (wrote("repost", "someclinic", "1234567890"),)


# --- Mastodon: mentions [{id, username, url, acct}]; user@server, local ones qualified -------


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def mastodon_posts(rsps, fixture: str) -> list:
    replay(rsps, "instance_v2")
    replay(rsps, fixture)
    client = MastodonClient(base_url="https://mastodon.social")
    return [p for page in client.fetch(hashtags=["nhitweek"], cursor={}) for p in page.posts]


def test_mastodon_mentions_are_user_at_server_and_a_local_one_gets_the_polled_server(rsps):
    boost, reply, kickoff = mastodon_posts(rsps, "tag_nhitweek_latest")

    # alice_hit is local to the polled server: its acct comes without "@mastodon.social".
    assert kickoff.mentions == (mention("bob@hachyderm.io"),)
    # A reply names its parent's author by local id; Mastodon mentions that author.
    assert reply.mentions == (
        mention("alice_hit@mastodon.social"),
        wrote("reply", "alice_hit@mastodon.social"),
    )
    # A boost carries its original's mentions and names the boosted author.
    assert boost.mentions == (
        mention("bob@hachyderm.io"),
        wrote("repost", "alice_hit@mastodon.social"),
    )


def test_mastodon_handles_are_lower_case_and_a_parent_author_not_mentioned_is_found_or_left(rsps):
    thread, unnamed, boost = mastodon_posts(rsps, "tag_nhitweek_addressees")

    # Dr_Lee@hachyderm.io answers their own status: the parent's author is the post's own.
    assert thread.mentions == (
        mention("seninterop@gov.example.social"),
        wrote("reply", "dr_lee@hachyderm.io"),
    )
    # The parent's author was taken out of the mentions: a local id nothing here names.
    # (#SenInterop is a hashtag, never a mention.)
    assert unnamed.mentions == (mention("nhitweek_org@mastodon.social"),)
    assert "seninterop" in unnamed.hashtags
    assert boost.mentions == (
        mention("nhitweek_org@mastodon.social"),
        wrote("repost", "seninterop@gov.example.social"),
    )


def test_a_mastodon_quote_names_the_quoted_author_only_once_accepted(rsps):
    answer, pending, of_a_quote, revoked, question = mastodon_posts(rsps, "tag_nhitweek_quotes")

    assert answer.mentions == (wrote("quote", "alice_hit@mastodon.social"),)
    assert of_a_quote.mentions == (wrote("quote", "bob@hachyderm.io"),)  # quotes bob's answer
    assert (pending.mentions, revoked.mentions, question.mentions) == ((), (), ())


# --- Bluesky: mention facets {did}; authors from the at:// URIs they are named by -----------

SENATE_HELP = "did:plc:senhelpcmte2x7kq4rw5vb3m"
REP = "did:plc:repinteroptx6j3n5w2qzk7d"


def bluesky_posts(*fixtures: str) -> list:
    """The posts of these searchPosts pages, fetched one after the other (by their cursor)."""
    replay_ = Replay().add("com.atproto.server.createSession", "create_session.json")
    for fixture in fixtures:
        replay_.add("app.bsky.feed.searchPosts", fixture)
    pages = list(bluesky_client(replay_).fetch(hashtags=["nhitweek"], cursor={}))
    assert all(page.warnings == [] for page in pages)
    return [post for page in pages for post in page.posts]


def test_bluesky_mentions_are_dids_and_hashtags_are_not_mentions():
    follow_up, thanks = bluesky_posts("search_posts_addressees.json")

    assert thanks.mentions == (mention(uid=SENATE_HELP), mention(uid=REP))
    assert "senatehelp" in thanks.hashtags
    # Mentioned twice (once by an old handle): one mention. It answers the committee's post
    # and quotes the representative's (recordWithMedia), by the DIDs their URIs start with.
    assert follow_up.mentions == (
        mention(uid=SENATE_HELP),
        wrote("reply", uid=SENATE_HELP),
        wrote("quote", uid=REP),
    )


def test_a_bluesky_reply_and_quote_name_their_authors_dids():
    found = bluesky_posts("search_posts_page1.json", "search_posts_page2.json")
    found += bluesky_posts("search_posts_quotes.json")
    posts = {p.external_id.rsplit("/", 1)[-1]: p for p in found}

    aha = "did:plc:u5cwb2mwiv2bfq53cjufe6yn"
    assert posts["3lzbvq5n2kc2f"].mentions == (wrote("quote", uid=aha),)
    # A reply mentioning its parent's author: both, by the DID.
    assert posts["3lzbtr4xw7k2d"].mentions == (mention(uid=aha), wrote("reply", uid=aha))
    assert posts["3lzbtv6aks22a"].mentions == ()

"""posts_upsert stores whom each new post is addressed to (PostMention) on both write paths,
once: a post stored again, by a re-poll, a refresh or a concurrent writer, keeps its rows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hashtags.ingest import posts_upsert
from hashtags.models import MentionRole, Post, PostMention
from hashtags.services import hashtag_get_or_create
from hashtags.sources.base import Mention
from hashtags.sources.mentions import mention_of
from tests.support.ingest_data import post

pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("path")]

SENATOR = Mention(role="mention", handle="senhealth", uid="1580000000000000001")


@pytest.fixture
def tags(db):
    return hashtag_get_or_create(tag="NHITweek")


def addressed(n: int, *mentions: Mention | None, **fields):
    return replace(post(n, **fields), mentions=tuple(m for m in mentions if m is not None))


def stored() -> list[tuple]:
    """Every mention row by its post's natural key."""
    rows = PostMention.objects.values_list(
        "post__platform", "post__external_id", "platform", "role", "handle", "uid"
    )
    return sorted(rows)


def test_each_new_post_keeps_its_mentions_and_the_authors_it_answers_quotes_and_reposts(tags):
    page = [
        addressed(
            1, SENATOR, mention_of("x", "reply", handle="SenHealth", uid="1580000000000000001")
        ),
        addressed(2, mention_of("x", "quote", uid="146569971")),
        addressed(3, mention_of("x", "repost", handle="healthitnerd"), is_repost=True),
        addressed(4),
    ]
    posts_upsert(posts=page)

    assert stored() == [
        ("x", "p1", "x", "mention", "senhealth", "1580000000000000001"),
        ("x", "p1", "x", "reply", "senhealth", "1580000000000000001"),
        ("x", "p2", "x", "quote", "", "146569971"),
        ("x", "p3", "x", "repost", "healthitnerd", ""),
    ]
    assert set(Post.objects.get(external_id="p1").mentions.values_list("role", flat=True)) == {
        MentionRole.MENTION,
        MentionRole.REPLY,
    }


def test_storing_a_page_twice_or_a_post_again_keeps_its_mention_rows_as_they_were(tags):
    page = [addressed(1, SENATOR), addressed(2, mention_of("x", "mention", uid="146569971"))]
    posts_upsert(posts=page)
    before = stored()

    posts_upsert(posts=page)  # a re-poll
    # A refresh or a later poll that sees the post otherwise: metrics change, the rows stay.
    posts_upsert(posts=[replace(page[0], likes=9, mentions=()), addressed(2, SENATOR)])

    assert stored() == before
    assert Post.objects.get(external_id="p1").likes == 9


def test_a_mention_given_twice_in_one_post_is_stored_once(tags):
    posts_upsert(posts=[addressed(1, SENATOR, SENATOR, replace(SENATOR, role="reply"))])

    assert [row[3:] for row in stored()] == [
        ("mention", "senhealth", "1580000000000000001"),
        ("reply", "senhealth", "1580000000000000001"),
    ]


def test_mentions_of_each_platform_are_stored_with_the_posts_platform(tags):
    posts_upsert(
        posts=[
            addressed(
                1,
                mention_of("mastodon", "mention", handle="Dr_Lee@Hachyderm.io"),
                platform="mastodon",
            ),
            addressed(
                2,
                mention_of("bluesky", "reply", uid="did:plc:senhelpcmte2x7kq4rw5vb3m"),
                platform="bluesky",
            ),
        ]
    )

    assert [row[2:] for row in stored()] == [
        ("bluesky", "reply", "", "did:plc:senhelpcmte2x7kq4rw5vb3m"),
        ("mastodon", "mention", "dr_lee@hachyderm.io", ""),
    ]


def test_posts_mentioning_an_account_are_found_by_handle_or_by_id(tags):
    posts_upsert(
        posts=[
            addressed(1, SENATOR),
            addressed(2, mention_of("x", "mention", uid="1580000000000000001")),
            addressed(3, mention_of("x", "reply", handle="senhealth")),
            addressed(4, mention_of("x", "mention", handle="someoneelse", uid="42")),
        ]
    )

    by_uid = PostMention.objects.filter(platform="x", uid="1580000000000000001")
    by_handle = PostMention.objects.filter(platform="x", handle="senhealth")
    found = set(by_uid.values_list("post__external_id", flat=True))
    found |= set(by_handle.values_list("post__external_id", flat=True))
    assert found == {"p1", "p2", "p3"}


def test_deleting_a_post_deletes_its_mentions(tags):
    posts_upsert(posts=[addressed(1, SENATOR), addressed(2, SENATOR)])

    Post.objects.filter(external_id="p1").delete()

    assert [row[1] for row in stored()] == ["p2"]

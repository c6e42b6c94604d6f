"""Moderation rules: matching, posts as they arrive (through ingestion), changed rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.curation.moderation import RuleSet, posts_arrived_moderate, rules_compile, rules_save
from campaigns.curation.services import post_curate
from campaigns.models import CurationEvent, ModerationRules, PostCuration
from hashtags.models import Post
from hashtags.tagsets import tagset_hashtag_ids
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


def ruleset(words="", authors="", reposts=False) -> RuleSet:
    return rules_compile(
        ModerationRules(blocked_words=words, blocked_authors=authors, hide_reposts=reposts)
    )


def match(rules: RuleSet, text="", handle="someone", platform="x", is_repost=False) -> str:
    return rules.match(text=text, handle=handle, platform=platform, is_repost=is_repost)


@pytest.mark.parametrize(
    ("line", "text", "hit"),
    [
        ("spam", "Buy SPAM now!", True),
        ("spam", "#spam everywhere", True),
        ("spam", "a spammer wrote this", False),
        ("spam", "nospam", False),
        ("buy now", "please BUY   NOW today", True),
        ("buy now", "buy, now", False),
        ("Straße", "STRASSE ahead", True),  # casefold: ß is ss
        ("école", "L'ÉCOLE est fermée", True),
        ("école", "préécole", False),  # é is a word character: no match inside a word
        ("\uff46\uff55\uff4c\uff4c", "full text", True),  # NFKC: fullwidth "full"
        ("спам", "Это СПАМ.", True),
        ("a.b", "axb", False),  # a rule line is text, not a pattern
        ("(", "a ( b", True),
    ],
)
def test_blocked_words_match_whole_words_ignoring_case_in_any_script(line, text, hit):
    assert bool(match(ruleset(words=line), text=text)) is hit


@pytest.mark.parametrize(
    ("line", "handle", "platform", "hit"),
    [
        ("spammer", "spammer", "x", True),
        ("@spammer", "Spammer", "mastodon", True),
        ("x:spammer", "spammer", "x", True),
        ("x:@spammer", "spammer", "bluesky", False),
        ("bluesky:spam.bsky.social", "spam.bsky.social", "bluesky", True),
        ("mastodon:@spam@mastodon.social", "spam@mastodon.social", "mastodon", True),
        ("spammer", "spammer2", "x", False),
    ],
)
def test_blocked_authors_match_by_handle_with_or_without_at_per_platform_or_any(
    line, handle, platform, hit
):
    assert bool(match(ruleset(authors=line), handle=handle, platform=platform)) is hit


def test_plain_reposts_are_hidden_only_when_the_rule_is_on():
    assert match(ruleset(reposts=True), is_repost=True) == "repost"
    assert match(ruleset(reposts=True), is_repost=False) == ""
    assert match(ruleset(), is_repost=True) == ""


def test_the_rule_that_matched_is_named():
    rules = ruleset(words="spam\nbuy now", authors="@troll")
    assert match(rules, text="buy now") == "word: buy now"
    assert match(rules, text="hello", handle="troll") == "author: @troll"


# --- Stored posts and changed rules -------------------------------------------------------------


def hidden(campaign) -> dict[str, str]:
    rows = PostCuration.objects.filter(campaign=campaign, status="hidden").select_related("post")
    return {row.post.external_id: row.rule for row in rows}


def save(campaign, actor, **data):
    base = {"mode": "open", "blocked_words": "", "blocked_authors": "", "hide_reposts": False}
    return rules_save(campaign=campaign, data=base | data, actor=actor)


def test_new_rules_hide_matching_stored_posts_and_are_audited(campaign, curator):
    post_make(campaign, 1, text="Great #NHITweek panel")
    post_make(campaign, 2, text="Cheap pills SPAM #NHITweek")
    post_make(campaign, 3, handle="troll")
    post_make(campaign, 4, is_repost=True)
    applied = save(campaign, curator, blocked_words="spam", blocked_authors="@troll")
    assert (applied.hidden, applied.released) == (2, 0)
    assert hidden(campaign) == {"p2": "word: spam", "p3": "author: @troll"}
    event = CurationEvent.objects.get(target_type="rules")
    assert event.actor == curator
    assert event.before["blocked_words"] == []
    assert event.after["blocked_words"] == ["spam"]
    assert event.after["posts_hidden"] == 2 and event.after["posts_released"] == 0
    applied = save(campaign, curator, blocked_words="spam", hide_reposts=True)
    assert (applied.hidden, applied.released) == (1, 1)
    assert hidden(campaign) == {"p2": "word: spam", "p4": "repost"}


def test_a_rule_change_releases_only_rule_hidden_posts(campaign, curator):
    p1 = post_make(campaign, 1, text="spam one")
    p2 = post_make(campaign, 2, text="spam two")
    p3 = post_make(campaign, 3, text="spam three")
    p4 = post_make(campaign, 4, text="fine")
    save(campaign, curator, blocked_words="spam")
    assert set(hidden(campaign)) == {"p1", "p2", "p3"}
    # A curator approves one rule-hidden post, hides another by hand, hides a clean one.
    post_curate(campaign=campaign, post_id=p2.pk, action="approve", actor=curator)
    post_curate(campaign=campaign, post_id=p3.pk, action="hide", actor=curator)
    post_curate(campaign=campaign, post_id=p4.pk, action="hide", actor=curator)
    applied = save(campaign, curator, blocked_words="")
    assert applied.released == 1
    assert not PostCuration.objects.filter(post=p1).exists()  # new again
    assert PostCuration.objects.get(post=p2).status == "approved"
    assert PostCuration.objects.get(post=p3).status == "hidden"  # the curator's hide stands
    assert PostCuration.objects.get(post=p4).status == "hidden"
    # Blocking again does not touch what curators decided.
    applied = save(campaign, curator, blocked_words="spam")
    assert applied.hidden == 1
    assert PostCuration.objects.get(post=p2).status == "approved"
    assert PostCuration.objects.get(post=p1).rule == "word: spam"


def test_saving_the_same_rules_changes_nothing_and_writes_no_event(campaign, curator):
    post_make(campaign, 1, text="spam")
    save(campaign, curator, blocked_words="spam")
    applied = save(campaign, curator, blocked_words="  spam \n\nspam")
    assert applied.changed is False
    assert CurationEvent.objects.filter(target_type="rules").count() == 1


def test_rules_touch_only_their_own_campaigns_posts(campaign, curator):
    other = CampaignFactory(tags=["Elsewhere"])
    post_make(other, 1, tags=("elsewhere",), text="spam")
    post_make(campaign, 2, text="spam", at=campaign.start - timedelta(days=40))  # before window
    save(campaign, curator, blocked_words="spam")
    assert not PostCuration.objects.exists()


# --- Arriving posts -----------------------------------------------------------------------------


def test_arriving_posts_that_break_a_rule_are_hidden_as_they_are_stored(campaign, curator):
    from hashtags.ingest import posts_upsert
    from tests.support.ingest_data import post

    save(campaign, curator, blocked_words="spam", hide_reposts=True)
    at = campaign.start + timedelta(hours=2)
    page = [
        post(1, at=at),
        post(2, at=at, is_repost=True),
        post(3, at=at, tags=("hitworks",)),
        post(4, at=campaign.start - timedelta(days=60)),  # outside this campaign's window
    ]
    page[2] = page[2].__class__(**{**page[2].__dict__, "text": "SPAM #HITworks"})
    page[3] = page[3].__class__(**{**page[3].__dict__, "text": "spam long ago"})
    posts_upsert(posts=page)
    assert hidden(campaign) == {"p2": "repost", "p3": "word: spam"}
    # Storing the page again changes nothing.
    posts_upsert(posts=page)
    assert PostCuration.objects.count() == 2


def test_arriving_posts_cost_one_query_when_no_campaign_has_rules(
    campaign, django_assert_num_queries
):
    p = post_make(campaign, 1, text="spam")
    ModerationRules.objects.create(campaign=campaign)  # empty rules do not count
    tag_ids = sorted(tagset_hashtag_ids(p.tagset.key))
    with django_assert_num_queries(1):
        posts_arrived_moderate(post_ids=[p.pk], hashtag_ids=tag_ids)


def test_a_rule_hidden_arrival_keeps_a_curators_earlier_decision(campaign, curator):
    p = post_make(campaign, 1, text="spam")
    post_curate(campaign=campaign, post_id=p.pk, action="feature", actor=curator)
    ModerationRules.objects.create(campaign=campaign, blocked_words="spam")
    posts_arrived_moderate(post_ids=[p.pk], hashtag_ids=sorted(tagset_hashtag_ids(p.tagset.key)))
    assert PostCuration.objects.get(post=p).status == "featured"
    assert Post.objects.count() == 1

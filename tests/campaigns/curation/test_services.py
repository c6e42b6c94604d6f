"""Curation services: post and story actions, pins, the audit trail, the public filter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.curation.services import post_curate, story_curate
from campaigns.models import CurationEvent, ModerationRules, PostCuration, Story
from campaigns.posts import campaign_posts, public_post_filter
from hashtags.models import Post
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory
from tests.support.generations import generations

pytestmark = pytest.mark.django_db


def store(campaign, *numbers, tags=("nhitweek",), **kwargs) -> list[int]:
    return [post_make(campaign, n, tags=tags, **kwargs).pk for n in numbers]


def state(campaign, post_id):
    row = PostCuration.objects.filter(campaign=campaign, post_id=post_id).first()
    return (row.status, row.pinned) if row else ("new", None)


def pins(campaign) -> list[int]:
    return list(
        PostCuration.objects.filter(campaign=campaign, pinned__isnull=False)
        .order_by("pinned")
        .values_list("post_id", flat=True)
    )


def test_each_action_moves_the_post_to_the_state_it_names(campaign, curator):
    (pk,) = store(campaign, 1)
    act = lambda action, **kw: post_curate(  # noqa: E731
        campaign=campaign, post_id=pk, action=action, actor=curator, **kw
    )
    act("approve")
    assert state(campaign, pk) == ("approved", None)
    act("feature")
    assert state(campaign, pk) == ("featured", None)
    act("pin", position=1)
    assert state(campaign, pk) == ("featured", 1)
    act("unpin")
    assert state(campaign, pk) == ("featured", None)
    act("pin", position=1)
    act("unfeature")
    assert state(campaign, pk) == ("approved", None)
    act("hide")
    assert state(campaign, pk) == ("hidden", None)
    act("unhide")
    assert state(campaign, pk) == ("approved", None)
    act("pin", position=1)
    act("hide")
    assert state(campaign, pk) == ("hidden", None)
    act("unhide")
    assert state(campaign, pk) == ("featured", 1)
    row = PostCuration.objects.get(campaign=campaign, post_id=pk)
    assert row.updated_by == curator


def test_pinning_at_a_position_shifts_the_others_down_and_unpinning_closes_the_gap(
    campaign, curator
):
    a, b, c, d = store(campaign, 1, 2, 3, 4)
    for pk in (a, b, c):
        post_curate(campaign=campaign, post_id=pk, action="pin", actor=curator, position=99)
    assert pins(campaign) == [a, b, c]  # past the end goes to the end
    post_curate(campaign=campaign, post_id=d, action="pin", actor=curator, position=2)
    assert pins(campaign) == [a, d, b, c]
    post_curate(campaign=campaign, post_id=c, action="pin", actor=curator, position=1)
    assert pins(campaign) == [c, a, d, b]
    post_curate(campaign=campaign, post_id=a, action="unpin", actor=curator)
    assert pins(campaign) == [c, d, b]
    post_curate(campaign=campaign, post_id=d, action="hide", actor=curator)
    assert pins(campaign) == [c, b]
    positions = PostCuration.objects.filter(campaign=campaign, pinned__isnull=False)
    assert sorted(positions.values_list("pinned", flat=True)) == [1, 2]


def test_every_change_is_audited_with_before_and_after_and_the_actor(campaign, curator):
    (pk,) = store(campaign, 1)
    post_curate(campaign=campaign, post_id=pk, action="feature", actor=curator)
    post_curate(campaign=campaign, post_id=pk, action="feature", actor=curator)  # no change
    post_curate(campaign=campaign, post_id=pk, action="pin", actor=curator, position=3)
    events = list(CurationEvent.objects.filter(campaign=campaign).order_by("at", "id"))
    assert [e.action for e in events] == ["feature", "pin"]
    first, second = events
    assert first.actor == curator and first.actor_name == "carlos"
    assert first.target_type == "post" and first.target_id == str(pk)
    assert first.before == {"status": "new", "pinned": None, "rule": ""}
    assert first.after == {"status": "featured", "pinned": None, "rule": ""}
    assert second.after == {"status": "featured", "pinned": 1, "rule": ""}


@pytest.mark.parametrize(
    ("action", "position", "message"),
    [
        ("explode", None, "Unknown action 'explode'"),
        ("pin", None, "needs a position"),
        ("pin", 0, "between 1 and"),
        ("pin", -3, "between 1 and"),
        ("pin", "2", "needs a position"),
        ("pin", 10**9, "between 1 and"),
    ],
)
def test_bad_actions_and_positions_are_refused_with_a_clear_message(
    campaign, curator, action, position, message
):
    (pk,) = store(campaign, 1)
    with pytest.raises(ValueError, match=message):
        post_curate(campaign=campaign, post_id=pk, action=action, actor=curator, position=position)
    assert not PostCuration.objects.exists()
    assert not CurationEvent.objects.exists()


def test_a_post_of_another_campaign_or_outside_the_window_is_refused(campaign, curator):
    other = CampaignFactory(tags=["SomethingElse"])
    (foreign,) = store(other, 1, tags=("somethingelse",))
    with pytest.raises(ValueError, match="not one of this campaign's posts"):
        post_curate(campaign=campaign, post_id=foreign, action="feature", actor=curator)
    old = post_make(campaign, 2, at=campaign.start - timedelta(days=30)).pk
    with pytest.raises(ValueError, match="not one of this campaign's posts"):
        post_curate(campaign=campaign, post_id=old, action="feature", actor=curator)
    with pytest.raises(ValueError, match="not one of this campaign's posts"):
        post_curate(campaign=campaign, post_id=987654, action="feature", actor=curator)


def test_the_polling_lead_in_and_tail_belong_to_the_campaign(campaign, settings):
    settings.POLL_LEAD_IN_MINUTES = 60
    settings.POLL_TAIL_MINUTES = 120
    post_make(campaign, 1, at=campaign.start - timedelta(minutes=30))
    post_make(campaign, 2, at=campaign.end + timedelta(minutes=90))
    post_make(campaign, 3, at=campaign.start - timedelta(minutes=90))
    post_make(campaign, 4, at=campaign.end + timedelta(minutes=150))
    ids = set(campaign_posts(campaign=campaign).values_list("external_id", flat=True))
    assert ids == {"p1", "p2"}


def test_a_post_with_two_campaign_tags_is_one_post(campaign):
    store(campaign, 1, tags=("nhitweek", "hitworks"))
    assert campaign_posts(campaign=campaign).count() == 1


def test_an_action_bumps_the_generations_of_the_campaign_hashtags(
    campaign, curator, django_capture_on_commit_callbacks
):
    (pk,) = store(campaign, 1)
    tag_ids = list(campaign.hashtags.values_list("pk", flat=True))
    before = generations(hashtag_ids=tag_ids)
    with django_capture_on_commit_callbacks(execute=True):
        post_curate(campaign=campaign, post_id=pk, action="hide", actor=curator)
    after = generations(hashtag_ids=tag_ids)
    assert all(after[t] == before[t] + 1 for t in tag_ids)


def test_the_public_filter_hides_hidden_posts_and_in_approve_mode_shows_only_approved(
    campaign, curator
):
    a, b, c, d = store(campaign, 1, 2, 3, 4)
    post_curate(campaign=campaign, post_id=a, action="hide", actor=curator)
    post_curate(campaign=campaign, post_id=b, action="approve", actor=curator)
    post_curate(campaign=campaign, post_id=c, action="feature", actor=curator)
    visible = lambda: set(  # noqa: E731
        campaign_posts(campaign=campaign)
        .filter(public_post_filter(campaign))
        .values_list("pk", flat=True)
    )
    assert visible() == {b, c, d}
    ModerationRules.objects.create(campaign=campaign, mode="approve")
    assert visible() == {b, c}
    other = CampaignFactory(tags=["NHITweek"])
    # Curation is per campaign: another campaign's rows do not leak in.
    assert set(Post.objects.filter(public_post_filter(other)).values_list("pk", flat=True)) >= {
        a,
        b,
        c,
        d,
    }


# --- Stories ----------------------------------------------------------------------------------


def make_story(campaign, n: int) -> Story:
    return Story.objects.create(
        campaign=campaign,
        name=f"Teller {n}",
        role="patient",
        email=f"t{n}@example.org",
        text=f"Story {n}",
        consent=True,
    )


def test_story_actions_approve_hide_unhide_and_pin_with_audit(campaign, curator):
    s1, s2 = make_story(campaign, 1), make_story(campaign, 2)
    story_curate(campaign=campaign, story_id=s1.pk, action="approve", actor=curator)
    s1.refresh_from_db()
    assert s1.status == "approved" and s1.reviewed_by == curator
    story_curate(campaign=campaign, story_id=s2.pk, action="pin", actor=curator, position=1)
    story_curate(campaign=campaign, story_id=s1.pk, action="pin", actor=curator, position=1)
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.pinned, s2.pinned, s2.status) == (1, 2, "approved")
    story_curate(campaign=campaign, story_id=s1.pk, action="hide", actor=curator)
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.status, s1.pinned, s2.pinned) == ("hidden", None, 1)
    story_curate(campaign=campaign, story_id=s1.pk, action="unhide", actor=curator)
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.status, s1.pinned, s2.pinned) == ("approved", 1, 2)  # back as it was
    story_curate(campaign=campaign, story_id=s1.pk, action="reopen", actor=curator)
    s1.refresh_from_db()
    assert (s1.status, s1.pinned) == ("new", None) and s1.reviewed_by is None
    events = CurationEvent.objects.filter(target_type="story")
    assert events.count() == 6
    assert events.filter(action="hide").get().before == {"status": "approved", "pinned": 1}


def test_a_story_cannot_be_featured_nor_curated_in_another_campaign(campaign, curator):
    story = make_story(campaign, 1)
    with pytest.raises(ValueError, match="stories are approved, not featured"):
        story_curate(campaign=campaign, story_id=story.pk, action="feature", actor=curator)
    other = CampaignFactory()
    with pytest.raises(ValueError, match="not one of this campaign's stories"):
        story_curate(campaign=other, story_id=story.pk, action="approve", actor=curator)

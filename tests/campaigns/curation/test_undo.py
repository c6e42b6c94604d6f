"""Undo and revert: the state an action found is put back, audited, and never over a later one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.curation.moderation import rules_save
from campaigns.curation.services import post_curate, story_curate
from campaigns.curation.undo import UNDO_GRACE_SECONDS, UNDO_SECONDS, RevertRefused, events_revert
from campaigns.models import CurationEvent, PostCuration
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory
from tests.support.stories import story_make

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


def state(campaign, pk):
    row = PostCuration.objects.filter(campaign=campaign, post_id=pk).first()
    return (row.status, row.pinned) if row else ("new", None)


def act(campaign, user, pk, action, **kwargs):
    return post_curate(campaign=campaign, post_id=pk, action=action, actor=user, **kwargs)


def test_a_revert_restores_the_state_and_pins_and_is_itself_audited(campaign, curator):
    a, b = (post_make(campaign, n).pk for n in (1, 2))
    act(campaign, curator, a, "pin", position=1)
    pin_b = act(campaign, curator, b, "pin", position=1).event  # a moves to 2
    assert (state(campaign, a), state(campaign, b)) == (("featured", 2), ("featured", 1))
    ((event, done),) = events_revert(campaign=campaign, event_ids=[pin_b.pk], actor=curator)
    assert event == pin_b
    assert (state(campaign, a), state(campaign, b)) == (("featured", 1), ("new", None))
    revert = done.event
    assert revert.action == "revert" and revert.reverts == pin_b
    assert revert.before["pinned"] == 1 and revert.after["status"] == "new"
    # The revert can be reverted in turn: a redo.
    events_revert(campaign=campaign, event_ids=[revert.pk], actor=curator)
    assert (state(campaign, a), state(campaign, b)) == (("featured", 2), ("featured", 1))


def test_a_revert_over_a_later_action_is_refused_and_says_who_and_what(campaign, curator):
    pk = post_make(campaign, 1).pk
    feature = act(campaign, curator, pk, "feature").event
    act(campaign, curator, pk, "hide")
    with pytest.raises(RevertRefused, match="carlos did “hide” after this"):
        events_revert(campaign=campaign, event_ids=[feature.pk], actor=curator)
    assert state(campaign, pk) == ("hidden", None)
    assert not CurationEvent.objects.filter(action="revert").exists()


def test_a_revert_is_refused_twice(campaign, curator):
    pk = post_make(campaign, 1).pk
    hide = act(campaign, curator, pk, "hide").event
    events_revert(campaign=campaign, event_ids=[hide.pk], actor=curator)
    with pytest.raises(RevertRefused, match="reverted it after this"):
        events_revert(campaign=campaign, event_ids=[hide.pk], actor=curator)


def test_a_revert_is_refused_when_a_rule_changed_the_post_since(campaign, curator):
    pk = post_make(campaign, 1, text="spam").pk
    approve = act(campaign, curator, pk, "approve").event
    events_revert(campaign=campaign, event_ids=[approve.pk], actor=curator)  # new again
    assert state(campaign, pk) == ("new", None)
    revert = CurationEvent.objects.get(action="revert")
    rules_save(campaign=campaign, data={"mode": "open", "blocked_words": "spam"}, actor=curator)
    assert state(campaign, pk) == ("hidden", None)  # a rule hid it: no event of the post's
    with pytest.raises(RevertRefused, match="has changed since"):
        events_revert(campaign=campaign, event_ids=[revert.pk], actor=curator)


def test_a_pin_moved_by_other_pins_is_still_revertible(campaign, curator):
    a, b = (post_make(campaign, n).pk for n in (1, 2))
    feature = act(campaign, curator, a, "pin", position=1).event
    act(campaign, curator, b, "pin", position=1)  # a moves to 2: no event of a's
    events_revert(campaign=campaign, event_ids=[feature.pk], actor=curator)
    assert (state(campaign, a), state(campaign, b)) == (("new", None), ("featured", 1))


def test_several_events_are_undone_all_or_nothing(campaign, curator):
    a, b = (post_make(campaign, n).pk for n in (1, 2))
    hide_a = act(campaign, curator, a, "hide").event
    hide_b = act(campaign, curator, b, "hide").event
    act(campaign, curator, b, "unhide")  # b's hide is superseded
    with pytest.raises(RevertRefused):
        events_revert(campaign=campaign, event_ids=[hide_a.pk, hide_b.pk], actor=curator)
    assert state(campaign, a) == ("hidden", None)


def test_the_undo_is_the_actors_own_and_only_for_a_few_seconds(campaign, curator, admin_user):
    pk = post_make(campaign, 1).pk
    hide = act(campaign, curator, pk, "hide").event
    with pytest.raises(RevertRefused, match="Only your own"):
        events_revert(campaign=campaign, event_ids=[hide.pk], actor=admin_user, own_undo=True)
    old = hide.at - timedelta(seconds=UNDO_SECONDS + UNDO_GRACE_SECONDS + 1)
    CurationEvent.objects.filter(pk=hide.pk).update(at=old)
    with pytest.raises(RevertRefused, match="Too late to undo"):
        events_revert(campaign=campaign, event_ids=[hide.pk], actor=curator, own_undo=True)
    events_revert(campaign=campaign, event_ids=[hide.pk], actor=admin_user)  # the audit log
    assert state(campaign, pk) == ("new", None)


def test_a_story_revert_restores_its_status_and_pin(campaign, curator):
    story = story_make(campaign)
    story_curate(campaign=campaign, story_id=story.pk, action="pin", actor=curator, position=1)
    hide = story_curate(campaign=campaign, story_id=story.pk, action="hide", actor=curator).event
    events_revert(campaign=campaign, event_ids=[hide.pk], actor=curator, own_undo=True)
    story.refresh_from_db()
    assert (story.status, story.pinned, story.unhide_status) == ("approved", 1, "")


def test_events_of_another_campaign_are_not_reverted(campaign, curator):
    other = CampaignFactory(tags=["Elsewhere"])
    pk = post_make(campaign, 1).pk
    hide = act(campaign, curator, pk, "hide").event
    with pytest.raises(RevertRefused, match="not in this campaign's audit log"):
        events_revert(campaign=other, event_ids=[hide.pk], actor=curator)

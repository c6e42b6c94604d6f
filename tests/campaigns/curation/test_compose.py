"""Curation actions compose: approve adds approval only, hide remembers and unhide restores."""

from __future__ import annotations

import pytest

from campaigns.curation.moderation import rules_save
from campaigns.curation.services import post_curate, story_curate
from campaigns.models import CurationEvent, PostCuration, Story
from tests.support.curation import post_make
from tests.support.stories import story_make

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


def state(campaign, pk):
    row = PostCuration.objects.filter(campaign=campaign, post_id=pk).first()
    return (row.status, row.pinned) if row else ("new", None)


def pins(campaign) -> list[int]:
    rows = PostCuration.objects.filter(campaign=campaign, pinned__isnull=False).order_by("pinned")
    return list(rows.values_list("post_id", flat=True))


@pytest.fixture
def three_pinned(campaign, curator):
    ids = [post_make(campaign, n).pk for n in (1, 2, 3)]
    for position, pk in enumerate(ids, start=1):
        post_curate(campaign=campaign, post_id=pk, action="pin", actor=curator, position=position)
    return ids


def test_approve_keeps_a_featured_post_featured_and_pinned_and_writes_nothing(
    campaign, curator, three_pinned
):
    _a, b, _c = three_pinned
    events = CurationEvent.objects.count()
    done = post_curate(campaign=campaign, post_id=b, action="approve", actor=curator)
    assert done.event is None and done.after == done.before
    assert state(campaign, b) == ("featured", 2)
    assert CurationEvent.objects.count() == events


def test_hide_then_unhide_puts_a_pinned_post_back_at_its_pin(campaign, curator, three_pinned):
    a, b, c = three_pinned
    done = post_curate(campaign=campaign, post_id=b, action="hide", actor=curator)
    assert pins(campaign) == [a, c]  # the wall closes the gap
    assert done.after == {
        "status": "hidden",
        "pinned": None,
        "rule": "",
        "unhide_restores": {"status": "featured", "pinned": 2},
    }
    post_curate(campaign=campaign, post_id=b, action="hide", actor=curator)  # again: no change
    post_curate(campaign=campaign, post_id=b, action="unhide", actor=curator)
    assert state(campaign, b) == ("featured", 2)
    assert pins(campaign) == [a, b, c]
    row = PostCuration.objects.get(campaign=campaign, post_id=b)
    assert (row.unhide_status, row.unhide_pinned) == ("", None)


def test_approve_of_a_hidden_post_restores_it_as_unhide_does(campaign, curator, three_pinned):
    *_, c = three_pinned
    post_curate(campaign=campaign, post_id=c, action="hide", actor=curator)
    post_curate(campaign=campaign, post_id=c, action="approve", actor=curator)
    assert state(campaign, c) == ("featured", 3)


def test_unpin_while_hidden_means_unhide_brings_it_back_featured_but_unpinned(
    campaign, curator, three_pinned
):
    a, b, c = three_pinned
    post_curate(campaign=campaign, post_id=a, action="hide", actor=curator)
    post_curate(campaign=campaign, post_id=a, action="unpin", actor=curator)
    post_curate(campaign=campaign, post_id=a, action="unhide", actor=curator)
    assert state(campaign, a) == ("featured", None)
    assert pins(campaign) == [b, c]


def test_a_post_a_rule_hid_comes_back_approved_when_a_curator_unhides_it(campaign, curator):
    pk = post_make(campaign, 1, text="spam here").pk
    rules_save(
        campaign=campaign,
        data={"mode": "open", "blocked_words": "spam", "blocked_authors": ""},
        actor=curator,
    )
    assert state(campaign, pk) == ("hidden", None)
    post_curate(campaign=campaign, post_id=pk, action="hide", actor=curator)  # by hand now
    post_curate(campaign=campaign, post_id=pk, action="unhide", actor=curator)
    assert state(campaign, pk) == ("approved", None)
    assert PostCuration.objects.get(campaign=campaign, post_id=pk).rule == ""


def test_a_pinned_story_hidden_and_unhidden_is_approved_at_its_pin_again(campaign, curator):
    stories = [story_make(campaign, name=f"S{n}") for n in (1, 2)]
    for position, story in enumerate(stories, start=1):
        story_curate(
            campaign=campaign, story_id=story.pk, action="pin", actor=curator, position=position
        )
    first = stories[0].pk
    story_curate(campaign=campaign, story_id=first, action="hide", actor=curator)
    story_curate(campaign=campaign, story_id=first, action="unhide", actor=curator)
    assert list(Story.objects.order_by("pinned").values_list("pk", "status", "pinned")) == [
        (first, "approved", 1),
        (stories[1].pk, "approved", 2),
    ]
    # A story hidden straight from the review pile goes back to it; approve approves it.
    new = story_make(campaign, name="N")
    story_curate(campaign=campaign, story_id=new.pk, action="hide", actor=curator)
    story_curate(campaign=campaign, story_id=new.pk, action="unhide", actor=curator)
    new.refresh_from_db()
    assert new.status == "new"
    story_curate(campaign=campaign, story_id=new.pk, action="hide", actor=curator)
    story_curate(campaign=campaign, story_id=new.pk, action="approve", actor=curator)
    new.refresh_from_db()
    assert new.status == "approved"

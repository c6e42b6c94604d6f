"""Curation services: what a curator does to a campaign's posts and stories, each audited.

Design:
- One entry point per kind, post_curate and story_curate, each ONE transaction: lock the
  campaign row (FOR NO KEY UPDATE: a per-campaign mutex for pin positions that never blocks
  ingestion's inserts), make sure the curation row exists (INSERT ... ON CONFLICT DO NOTHING),
  lock it (select_for_update), apply the action, renumber the pins, write a CurationEvent with
  the state before and after, count up the campaign's curation_version (part of every cached
  answer's key, so the change shows even if the cache is down and misses the next step) and
  bump the campaign's hashtag generations on commit so cached top posts and the wall refresh.
- Which posts are the campaign's: campaign_posts (campaigns.posts), carrying one of its
  hashtags and created inside its polling window.
- States of a post: new (no row) -> approved / featured / hidden. Pinned implies featured:
  pinning features, and approve / unfeature / hide unpin. Unhide means "a curator looked and
  it may be shown": hidden -> approved, which also keeps a rule from hiding it again.
  An action that changes nothing (unfeature of a post that is not featured) writes no event.
- Pins are 1..n without gaps: pinning at k shifts the pins at k and below down by one (a
  position past the end goes to the end); unpinning closes the gap.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignHashtag,
    CurationAction,
    CurationEvent,
    PostCuration,
    Story,
)
from campaigns.posts import campaign_posts
from hashtags.generation import generation_bump

Action = CurationAction
POST_ACTIONS = tuple(Action)
STORY_ACTIONS = (Action.APPROVE, Action.HIDE, Action.UNHIDE, Action.PIN, Action.UNPIN)
MAX_POSITION = 1000

Status = PostCuration.Status


def position_check(position: Any) -> int:
    """A pin position as an int in 1..MAX_POSITION, or ValueError saying what is wrong."""
    if isinstance(position, bool) or not isinstance(position, int):
        raise ValueError("A pin needs a position: a whole number from 1.")
    if not 1 <= position <= MAX_POSITION:
        raise ValueError(f"The pin position must be between 1 and {MAX_POSITION}.")
    return position


def _input_check(
    action: str, allowed: tuple[str, ...], kind: str, target_id: Any, position: Any
) -> int | None:
    """The checked pin position (None unless pinning); ValueError for an unknown action, a bad
    position or an id that is not a whole number."""
    if action not in allowed:
        hint = " (stories are approved, not featured)" if action in POST_ACTIONS else ""
        raise ValueError(
            f"Unknown action {action!r} for a {kind}{hint}; use one of: {', '.join(allowed)}."
        )
    if isinstance(target_id, bool) or not isinstance(target_id, int):
        raise ValueError(f"The {kind} id must be a whole number.")
    return position_check(position) if action == Action.PIN else position


def campaign_hashtag_ids(campaign: Campaign) -> list[int]:
    return list(
        CampaignHashtag.objects.filter(campaign=campaign)
        .order_by("hashtag_id")
        .values_list("hashtag_id", flat=True)
    )


def campaign_lock(campaign: Campaign) -> None:
    """Lock the campaign row until the transaction ends, and read its current curation_version."""
    locked = Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk)
    campaign.curation_version = locked.values_list("curation_version", flat=True).get()


def campaign_bump_on_commit(campaign: Campaign) -> None:
    """Curation changed what the campaign shows: a new curation_version now, in the caller's
    transaction (the database keeps it when the cache cannot), and new generations on commit.
    The caller holds campaign_lock, which read the current version."""
    campaign.curation_version += 1
    Campaign.objects.filter(pk=campaign.pk).update(curation_version=campaign.curation_version)
    tag_ids = campaign_hashtag_ids(campaign)
    transaction.on_commit(lambda: generation_bump(hashtag_ids=tag_ids), robust=True)


def _actor_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


def event_record(
    *,
    campaign: Campaign,
    actor: Any,
    action: str,
    target_type: str,
    target_id: Any,
    before: dict,
    after: dict,
) -> CurationEvent:
    return CurationEvent.objects.create(
        campaign=campaign,
        actor=actor if _actor_name(actor) else None,
        actor_name=_actor_name(actor) or "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
    )


def _pins_place(rows: list, target: Any, position: int | None) -> list:
    """Renumber `rows` (the pinned ones, target excluded) 1..n with `target` put at
    `position` (None: left out); returns the rows whose position changed."""
    ordered = [row for row in rows if row.pk != target.pk]
    if position is not None:
        ordered.insert(min(position, len(ordered) + 1) - 1, target)
    target.pinned = None
    changed = []
    for number, row in enumerate(ordered, start=1):
        if row.pinned != number or row is target:
            row.pinned = number
            if row is not target:
                changed.append(row)
    return changed


# --- Posts -----------------------------------------------------------------------------------


def _post_state(row: PostCuration) -> dict:
    return {"status": row.status, "pinned": row.pinned, "rule": row.rule}


def _post_apply(row: PostCuration, action: str, position: int | None) -> int | bool | None:
    """Set row's status for the action; returns the wanted pin (None: unpinned) or False
    when the pin is to stay as it is."""
    if action == Action.PIN:
        if row.status != Status.FEATURED:
            row.status = Status.FEATURED
        row.rule = ""
        return position
    if action == Action.UNPIN:
        return None
    if action == Action.APPROVE:
        row.status, row.rule = Status.APPROVED, ""
        return None
    if action == Action.FEATURE:
        row.status, row.rule = Status.FEATURED, ""
        return False
    if action == Action.UNFEATURE:
        if row.status == Status.FEATURED:
            row.status = Status.APPROVED
            return None
        return False
    if action == Action.HIDE:
        row.status, row.rule = Status.HIDDEN, ""
        return None
    # unhide
    if row.status == Status.HIDDEN:
        row.status, row.rule = Status.APPROVED, ""
    return False


def post_curate(
    *, campaign: Campaign, post_id: int, action: str, actor: Any, position: int | None = None
) -> PostCuration:
    """Apply one curator action to one of the campaign's posts; ValueError for bad input."""
    position = _input_check(action, POST_ACTIONS, "post", post_id, position)
    if not campaign_posts(campaign=campaign).filter(pk=post_id).exists():
        raise ValueError(f"Post {post_id} is not one of this campaign's posts.")
    with transaction.atomic():
        campaign_lock(campaign)
        PostCuration.objects.bulk_create(
            [PostCuration(campaign=campaign, post_id=post_id)], ignore_conflicts=True
        )
        row = PostCuration.objects.select_for_update().get(campaign=campaign, post_id=post_id)
        before = _post_state(row)
        wanted = _post_apply(row, action, position)
        changed: list[PostCuration] = []
        if wanted is not False and (wanted is not None or row.pinned is not None):
            pinned = list(
                PostCuration.objects.select_for_update()
                .filter(campaign=campaign, pinned__isnull=False)
                .order_by("pinned", "updated_at", "id")
            )
            changed = _pins_place(pinned, row, wanted)
        after = _post_state(row)
        if after == before:
            return row
        row.updated_at, row.updated_by = timezone.now(), actor if _actor_name(actor) else None
        row.save()
        if changed:
            PostCuration.objects.bulk_update(changed, ["pinned"])
        event_record(
            campaign=campaign,
            actor=actor,
            action=action,
            target_type="post",
            target_id=post_id,
            before=before,
            after=after,
        )
        campaign_bump_on_commit(campaign)
    return row


# --- Stories ---------------------------------------------------------------------------------


def _story_state(story: Story) -> dict:
    return {"status": story.status, "pinned": story.pinned}


def _story_apply(story: Story, action: str, position: int | None) -> int | bool | None:
    if action == Action.PIN:
        story.status = Story.Status.APPROVED
        return position
    if action == Action.UNPIN:
        return None
    if action == Action.APPROVE:
        story.status = Story.Status.APPROVED
        return False
    if action == Action.HIDE:
        story.status = Story.Status.HIDDEN
        return None
    # unhide (or reopen): back to the review pile, off the wall
    if story.status != Story.Status.NEW:
        story.status = Story.Status.NEW
        return None
    return False


def story_curate(
    *, campaign: Campaign, story_id: int, action: str, actor: Any, position: int | None = None
) -> Story:
    """Approve, hide, unhide, pin or unpin one of the campaign's stories, audited."""
    position = _input_check(action, STORY_ACTIONS, "story", story_id, position)
    with transaction.atomic():
        campaign_lock(campaign)
        story = Story.objects.select_for_update().filter(campaign=campaign, pk=story_id).first()
        if story is None:
            raise ValueError(f"Story {story_id} is not one of this campaign's stories.")
        before = _story_state(story)
        wanted = _story_apply(story, action, position)
        changed: list[Story] = []
        if wanted is not False and (wanted is not None or story.pinned is not None):
            pinned = list(
                Story.objects.select_for_update()
                .filter(campaign=campaign, pinned__isnull=False)
                .order_by("pinned", "id")
            )
            changed = _pins_place(pinned, story, wanted)
        after = _story_state(story)
        if after == before:
            return story
        if story.status != before["status"]:
            reviewed = story.status != Story.Status.NEW
            story.reviewed_at = timezone.now() if reviewed else None
            story.reviewed_by = actor if reviewed and _actor_name(actor) else None
        story.save(update_fields=["status", "pinned", "reviewed_at", "reviewed_by"])
        if changed:
            Story.objects.bulk_update(changed, ["pinned"])
        event_record(
            campaign=campaign,
            actor=actor,
            action=action,
            target_type="story",
            target_id=story_id,
            before=before,
            after=after,
        )
        campaign_bump_on_commit(campaign)
    return story


def story_review(*, story: Story, status: str, by: Any) -> Story:
    """Set a story's status (approved, hidden, or new to reopen it) through story_curate, as
    the admin's status field and the old review links ask: audited like every queue action."""
    actions: dict[str, Action] = {
        Story.Status.APPROVED: Action.APPROVE,
        Story.Status.HIDDEN: Action.HIDE,
    }
    if status not in Story.Status.values:
        raise ValueError(f"Unknown story status {status!r}.")
    return story_curate(
        campaign=story.campaign,
        story_id=story.pk,
        action=actions.get(status, Action.UNHIDE),
        actor=by,
    )

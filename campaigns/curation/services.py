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
  pinning features; unfeature and hide unpin. Actions compose: approve only ever adds
  approval (a featured post pinned at 2 stays so; a hidden one is unhidden), and hide
  remembers what it hid (unhide_status, unhide_pinned) so unhide, or approve, puts it back
  as it was, pin included. Unhide means "a curator looked and it may be shown": a post hidden
  while new comes back approved, which also keeps a rule from hiding it again.
- Stories follow the same rules with approved in place of featured; a story hidden while new
  goes back to the review pile on unhide (approve approves it), and reopen (the admin's
  status field) sends any story back to the review pile.
- Each call answers a Curated: the target, its state before and after, and the event written
  (None when the action changed nothing, e.g. unfeature of a post that is not featured: no
  event, nothing to undo). The revert of an event (undo.py) restores a state through the same
  save, so its pins move the same way.
- Pins (1..n without gaps) and what hiding remembers: states.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.curation.states import (
    KEEP,
    hide_forget,
    hide_remember,
    pins_move,
    position_check,
    restores,
    restores_set,
    state_pin,
)
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
POST_ACTIONS = (
    Action.APPROVE,
    Action.FEATURE,
    Action.UNFEATURE,
    Action.HIDE,
    Action.UNHIDE,
    Action.PIN,
    Action.UNPIN,
)
STORY_ACTIONS = (
    Action.APPROVE,
    Action.HIDE,
    Action.UNHIDE,
    Action.PIN,
    Action.UNPIN,
    Action.REOPEN,
)

Status = PostCuration.Status


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
    reverts: CurationEvent | None = None,
) -> CurationEvent:
    return CurationEvent.objects.create(
        reverts=reverts,
        campaign=campaign,
        actor=actor if _actor_name(actor) else None,
        actor_name=_actor_name(actor) or "system",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
    )


@dataclass
class Curated:
    """What one action did: its target (PostCuration row or Story), the state before and after,
    and the event written (None: nothing changed)."""

    target: Any
    before: dict
    after: dict
    event: CurationEvent | None


def _recorded(
    campaign: Campaign,
    done: Curated,
    moved: list,
    kind: str,
    target_id: int,
    action: str,
    actor: Any,
    reverts: CurationEvent | None,
) -> Curated:
    """The saved target's other pins moved, its event written, the campaign bumped."""
    if moved:
        type(done.target).objects.bulk_update(moved, ["pinned"])
    done.event = event_record(
        campaign=campaign,
        actor=actor,
        action=action,
        target_type=kind,
        target_id=target_id,
        before=done.before,
        after=done.after,
        reverts=reverts,
    )
    campaign_bump_on_commit(campaign)
    return done


# --- Posts -----------------------------------------------------------------------------------

POST_PIN_ORDER = ("pinned", "updated_at", "id")


def _post_state(row: PostCuration) -> dict:
    return {"status": row.status, "pinned": row.pinned, "rule": row.rule, **restores(row)}


def _post_apply(row: PostCuration, action: str, position: int | None) -> int | bool | None:
    """Set row's state for the action; returns the wanted pin (None: unpinned) or KEEP."""
    hidden = row.status == Status.HIDDEN
    if action == Action.PIN:
        row.status, row.rule = Status.FEATURED, ""
        hide_forget(row)
        return position
    if action == Action.UNPIN:
        if hidden:  # it stays hidden, and unhide will not pin it again
            row.unhide_pinned = None
            return KEEP
        return None
    if action == Action.FEATURE:
        row.status, row.rule = Status.FEATURED, ""
        hide_forget(row)
        return KEEP
    if action == Action.UNFEATURE:
        if row.status == Status.FEATURED:
            row.status = Status.APPROVED
            return None
        return KEEP
    if action == Action.HIDE:
        hide_remember(row)
        if row.unhide_status == Status.NEW:  # unhide approves it: nothing to remember
            hide_forget(row)
        row.status, row.rule = Status.HIDDEN, ""
        return None
    # approve and unhide: a hidden post comes back as it was (approved at least)
    if hidden:
        shown = (Status.APPROVED, Status.FEATURED)
        status = row.unhide_status if row.unhide_status in shown else Status.APPROVED
        pin = row.unhide_pinned if status == Status.FEATURED else None
        row.status, row.rule = status, ""
        hide_forget(row)
        return pin
    if action == Action.APPROVE and row.status == Status.NEW:
        row.status, row.rule = Status.APPROVED, ""
    return KEEP


def _post_row(campaign: Campaign, post_id: int) -> PostCuration:
    """The post's curation row, made if missing, locked. The caller holds campaign_lock."""
    PostCuration.objects.bulk_create(
        [PostCuration(campaign=campaign, post_id=post_id)], ignore_conflicts=True
    )
    return PostCuration.objects.select_for_update().get(campaign=campaign, post_id=post_id)


def _post_save(
    campaign: Campaign,
    row: PostCuration,
    before: dict,
    wanted: int | bool | None,
    *,
    action: str,
    actor: Any,
    reverts: CurationEvent | None = None,
) -> Curated:
    others = PostCuration.objects.filter(campaign=campaign)
    changed = pins_move(row, others, wanted, POST_PIN_ORDER)
    after = _post_state(row)
    if after == before:
        return Curated(row, before, after, None)
    row.updated_at, row.updated_by = timezone.now(), actor if _actor_name(actor) else None
    row.save()
    done = Curated(row, before, after, None)
    return _recorded(campaign, done, changed, "post", row.post_id, action, actor, reverts)


def post_curate(
    *, campaign: Campaign, post_id: int, action: str, actor: Any, position: int | None = None
) -> Curated:
    """Apply one curator action to one of the campaign's posts; ValueError for bad input."""
    position = _input_check(action, POST_ACTIONS, "post", post_id, position)
    if not campaign_posts(campaign=campaign).filter(pk=post_id).exists():
        raise ValueError(f"Post {post_id} is not one of this campaign's posts.")
    with transaction.atomic():
        campaign_lock(campaign)
        row = _post_row(campaign, post_id)
        before = _post_state(row)
        wanted = _post_apply(row, action, position)
        return _post_save(campaign, row, before, wanted, action=action, actor=actor)


def post_state(*, campaign: Campaign, post_id: int) -> dict:
    """The post's curation state as events record it (a post without a row is new)."""
    row = PostCuration.objects.filter(campaign=campaign, post_id=post_id).first()
    return _post_state(row or PostCuration(campaign=campaign, post_id=post_id))


def post_restore(
    *, campaign: Campaign, post_id: int, state: dict, actor: Any, reverts: CurationEvent
) -> Curated:
    """Put the post in a recorded state (an event's before), as a revert of `reverts`. The
    caller holds campaign_lock and has checked that nothing came after."""
    row = _post_row(campaign, post_id)
    before = _post_state(row)
    status = state.get("status")
    row.status = status if status in Status.values else Status.NEW
    rule = state.get("rule")
    row.rule = rule if isinstance(rule, str) and row.status == Status.HIDDEN else ""
    restores_set(row, state, [Status.APPROVED, Status.FEATURED, Status.NEW])
    wanted = state_pin(state) if row.status == Status.FEATURED else None
    return _post_save(
        campaign, row, before, wanted, action=Action.REVERT, actor=actor, reverts=reverts
    )


# --- Stories ---------------------------------------------------------------------------------

STORY_PIN_ORDER = ("pinned", "id")
StoryStatus = Story.Status


def _story_state(story: Story) -> dict:
    return {"status": story.status, "pinned": story.pinned, **restores(story)}


def _story_apply(story: Story, action: str, position: int | None) -> int | bool | None:
    hidden = story.status == StoryStatus.HIDDEN
    if action == Action.PIN:
        story.status = StoryStatus.APPROVED
        hide_forget(story)
        return position
    if action == Action.UNPIN:
        if hidden:
            story.unhide_pinned = None
            return KEEP
        return None
    if action == Action.HIDE:
        hide_remember(story)
        story.status = StoryStatus.HIDDEN
        return None
    if action == Action.REOPEN:
        if story.status == StoryStatus.NEW:
            return KEEP
        story.status = StoryStatus.NEW
        hide_forget(story)
        return None
    # approve and unhide: a hidden story comes back as it was (approve: approved at least)
    if hidden:
        status = story.unhide_status or StoryStatus.NEW
        if action == Action.APPROVE:
            status = StoryStatus.APPROVED
        pin = story.unhide_pinned if status == StoryStatus.APPROVED else None
        story.status = status
        hide_forget(story)
        return pin
    if action == Action.APPROVE and story.status == StoryStatus.NEW:
        story.status = StoryStatus.APPROVED
    return KEEP


def _story_row(campaign: Campaign, story_id: int) -> Story:
    story = Story.objects.select_for_update().filter(campaign=campaign, pk=story_id).first()
    if story is None:
        raise ValueError(f"Story {story_id} is not one of this campaign's stories.")
    return story


def _story_save(
    campaign: Campaign,
    story: Story,
    before: dict,
    wanted: int | bool | None,
    *,
    action: str,
    actor: Any,
    reverts: CurationEvent | None = None,
) -> Curated:
    others = Story.objects.filter(campaign=campaign)
    changed = pins_move(story, others, wanted, STORY_PIN_ORDER)
    after = _story_state(story)
    if after == before:
        return Curated(story, before, after, None)
    if story.status != before["status"]:
        reviewed = story.status != StoryStatus.NEW
        story.reviewed_at = timezone.now() if reviewed else None
        story.reviewed_by = actor if reviewed and _actor_name(actor) else None
    story.save(
        update_fields=[
            "status",
            "pinned",
            "unhide_status",
            "unhide_pinned",
            "reviewed_at",
            "reviewed_by",
        ]
    )
    done = Curated(story, before, after, None)
    return _recorded(campaign, done, changed, "story", story.pk, action, actor, reverts)


def story_curate(
    *, campaign: Campaign, story_id: int, action: str, actor: Any, position: int | None = None
) -> Curated:
    """Approve, hide, unhide, pin, unpin or reopen one of the campaign's stories, audited."""
    position = _input_check(action, STORY_ACTIONS, "story", story_id, position)
    with transaction.atomic():
        campaign_lock(campaign)
        story = _story_row(campaign, story_id)
        before = _story_state(story)
        wanted = _story_apply(story, action, position)
        return _story_save(campaign, story, before, wanted, action=action, actor=actor)


def story_state(*, campaign: Campaign, story_id: int) -> dict | None:
    story = Story.objects.filter(campaign=campaign, pk=story_id).first()
    return _story_state(story) if story else None


def story_restore(
    *, campaign: Campaign, story_id: int, state: dict, actor: Any, reverts: CurationEvent
) -> Curated:
    """Put the story in a recorded state, as a revert of `reverts` (see post_restore)."""
    story = _story_row(campaign, story_id)
    before = _story_state(story)
    status = state.get("status")
    story.status = status if status in StoryStatus.values else StoryStatus.NEW
    restores_set(story, state, list(StoryStatus.values))
    wanted = state_pin(state) if story.status == StoryStatus.APPROVED else None
    return _story_save(
        campaign, story, before, wanted, action=Action.REVERT, actor=actor, reverts=reverts
    )


def story_review(*, story: Story, status: str, by: Any) -> Story:
    """Set a story's status (approved, hidden, or new to reopen it) through story_curate, as
    the admin's status field and the old review links ask: audited like every queue action."""
    actions: dict[str, Action] = {
        StoryStatus.APPROVED: Action.APPROVE,
        StoryStatus.HIDDEN: Action.HIDE,
        StoryStatus.NEW: Action.REOPEN,
    }
    if status not in actions:
        raise ValueError(f"Unknown story status {status!r}.")
    done = story_curate(
        campaign=story.campaign, story_id=story.pk, action=actions[status], actor=by
    )
    return done.target

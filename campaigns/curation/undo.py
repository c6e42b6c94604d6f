"""Undo and revert: put what an audited action changed back the way the action found it.

Design:
- A revert is allowed only while its event is the last word on its target: no later event
  names the same post or story, and the target is still as the event left it (status, rule,
  pinned or not, what unhide restores; a pin number that other pins moved is the same pin).
  Otherwise it says what came after and changes nothing: a later decision is never silently
  overwritten. Revert that later event first, or act on the item in the queue.
- A revert is itself an event (action "revert", `reverts` naming the event it reverts), under
  the same campaign lock and through the same save as every action, so pins move the same way
  and it can be reverted in turn (a redo).
- The curator's undo is a revert of their own events, offered for UNDO_SECONDS in the queue;
  the server takes UNDO_GRACE_SECONDS more so a click at the last second still lands over a
  slow network. Admins revert any event from the audit log. Several events (a bulk action) are
  undone all or nothing, newest first, so pins unwind in the order they were made.
- A rules change is reverted on the rules page: its earlier rules are previewed like any edit
  and saved only when confirmed (moderation.rules_save with `reverts`); revert_check says
  whether that is still allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.curation.services import (
    Curated,
    campaign_lock,
    post_restore,
    post_state,
    story_restore,
    story_state,
)
from campaigns.curation.states import state_describe, state_pin
from campaigns.models import Campaign, CurationEvent

UNDO_SECONDS = 10
UNDO_GRACE_SECONDS = 20
REVERTIBLE = ("post", "story", "rules")


class RevertRefused(ValueError):
    """The revert would overwrite a later change (or the event cannot be reverted); says why."""


def _when(event: CurationEvent, campaign: Campaign) -> str:
    return f"{event.at.astimezone(campaign.tz):%a %b %d, %H:%M:%S}"


def _later(event: CurationEvent) -> CurationEvent | None:
    return (
        CurationEvent.objects.filter(
            campaign_id=event.campaign_id,
            target_type=event.target_type,
            target_id=event.target_id,
            pk__gt=event.pk,
        )
        .order_by("-pk")
        .first()
    )


def _same(current: dict, recorded: dict) -> bool:
    """Is the target still in the recorded state? Pin numbers are compared as pinned or not."""

    def shape(state: dict) -> tuple:
        held = state.get("unhide_restores") or {}
        return (
            state.get("status") or "new",
            state.get("rule") or "",
            state_pin(state) is not None,
            held.get("status", "") if isinstance(held, dict) else "",
            held.get("pinned") if isinstance(held, dict) else None,
        )

    return shape(current) == shape(recorded)


def revert_check(*, campaign: Campaign, event: CurationEvent) -> None:
    """RevertRefused unless `event` may be reverted now (the caller holds the campaign lock, or
    only asks, as the audit log does before a rules revert's preview)."""
    if event.campaign_id != campaign.pk or event.target_type not in REVERTIBLE:
        raise RevertRefused("That entry of the audit log cannot be reverted.")
    later = _later(event)
    if later is not None:
        what = "reverted it" if later.reverts_id == event.pk else f"did “{later.action}”"
        raise RevertRefused(
            f"Not reverted: {later.actor_name} {what} after this, at {_when(later, campaign)}. "
            "Reverting now would overwrite that; revert the later entry first, or act on it "
            "directly. Nothing was changed."
        )
    if event.target_type == "rules":
        return
    current = _current(campaign, event)
    if current is None:
        raise RevertRefused(f"Not reverted: the {event.target_type} is no longer stored.")
    if not _same(current, event.after):
        raise RevertRefused(
            f"Not reverted: the {event.target_type} has changed since (it is now "
            f"{state_describe(current)}, by a rule or another change). Nothing was changed."
        )


def _current(campaign: Campaign, event: CurationEvent) -> dict | None:
    target = int(event.target_id)
    if event.target_type == "post":
        return post_state(campaign=campaign, post_id=target)
    return story_state(campaign=campaign, story_id=target)


def _revert_one(campaign: Campaign, event: CurationEvent, actor: Any) -> Curated:
    revert_check(campaign=campaign, event=event)
    if event.target_type == "rules":
        raise RevertRefused("A rules change is reverted on the rules page, after a preview.")
    restore = post_restore if event.target_type == "post" else story_restore
    key = "post_id" if event.target_type == "post" else "story_id"
    return restore(
        campaign=campaign,
        state=event.before,
        actor=actor,
        reverts=event,
        **{key: int(event.target_id)},
    )


def events_revert(
    *, campaign: Campaign, event_ids: Iterable[int], actor: Any, own_undo: bool = False
) -> list[tuple[CurationEvent, Curated]]:
    """Revert these events of the campaign, newest first, all or nothing; RevertRefused says
    why not. `own_undo`: only the actor's own events, within the undo window (the queue)."""
    ids = sorted(set(event_ids), reverse=True)
    if not ids:
        raise RevertRefused("Nothing to undo.")
    with transaction.atomic():
        campaign_lock(campaign)
        events = {e.pk: e for e in CurationEvent.objects.filter(campaign=campaign, pk__in=ids)}
        missing = [pk for pk in ids if pk not in events]
        if missing:
            raise RevertRefused(f"Entry {missing[0]} is not in this campaign's audit log.")
        if own_undo:
            _undo_check(list(events.values()), actor)
        return [(events[pk], _revert_one(campaign, events[pk], actor)) for pk in ids]


def _undo_check(events: list[CurationEvent], actor: Any) -> None:
    oldest = timezone.now() - timedelta(seconds=UNDO_SECONDS + UNDO_GRACE_SECONDS)
    for event in events:
        if event.actor_id is None or event.actor_id != getattr(actor, "pk", None):
            raise RevertRefused("Only your own actions can be undone here.")
        if event.at < oldest:
            raise RevertRefused(
                "Too late to undo: an admin can still revert it from the audit log."
            )

"""A curation target's state (a post's curation row or a story): its pin among the others, what
hiding remembers, the state as events record it, and the same in words.

Design:
- Pins are 1..n without gaps: pinning at k shifts the pins at k and below down by one (a
  position past the end goes to the end); unpinning closes the gap.
- Hiding remembers the status and pin it hid (unhide_status, unhide_pinned) unless the target
  was hidden already; the recorded state carries them as "unhide_restores" so a revert puts
  them back too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

MAX_POSITION = 1000
KEEP = False  # what an apply step answers when the pin is to stay as it is


def position_check(position: Any) -> int:
    """A pin position as an int in 1..MAX_POSITION, or ValueError saying what is wrong."""
    if isinstance(position, bool) or not isinstance(position, int):
        raise ValueError("A pin needs a position: a whole number from 1.")
    if not 1 <= position <= MAX_POSITION:
        raise ValueError(f"The pin position must be between 1 and {MAX_POSITION}.")
    return position


def pins_place(rows: list, target: Any, position: int | None) -> list:
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


def pins_move(target: Any, others: QuerySet, wanted: int | bool | None, order: tuple) -> list:
    """Put target at the wanted pin (None: unpinned; KEEP: as it is), locking and renumbering
    the campaign's pinned rows; returns the other rows whose position changed."""
    if wanted is KEEP or (wanted is None and target.pinned is None):
        return []
    pinned = list(others.select_for_update().filter(pinned__isnull=False).order_by(*order))
    return pins_place(pinned, target, wanted)


def hide_remember(target: Any) -> None:
    """Before hiding: what unhide is to put back (nothing new when it is hidden already)."""
    if target.status != "hidden":
        target.unhide_status, target.unhide_pinned = target.status, target.pinned


def hide_forget(target: Any) -> None:
    target.unhide_status, target.unhide_pinned = "", None


def restores(target: Any) -> dict:
    """The "unhide_restores" part of a recorded state: present only when unhide has one."""
    if not target.unhide_status:
        return {}
    return {"unhide_restores": {"status": target.unhide_status, "pinned": target.unhide_pinned}}


def restores_set(target: Any, state: dict, statuses: list[str]) -> None:
    held = state.get("unhide_restores") or {}
    status = held.get("status") if isinstance(held, dict) else ""
    pinned = held.get("pinned") if isinstance(held, dict) else None
    target.unhide_status = status if status in statuses else ""
    target.unhide_pinned = pinned if isinstance(pinned, int) and target.unhide_status else None


def state_pin(state: dict) -> int | None:
    pinned = state.get("pinned")
    return pinned if isinstance(pinned, int) and not isinstance(pinned, bool) else None


def state_describe(state: dict) -> str:
    """The state in words: "featured, pinned at 2", "hidden (unhide restores: featured, pin 2)"."""
    status = str(state.get("status") or "new")
    words = status
    pin = state_pin(state)
    if pin is not None:
        words += f", pinned at {pin}"
    if state.get("rule"):
        words += f" by rule {state['rule']}"
    held = state.get("unhide_restores")
    if isinstance(held, dict) and held.get("status"):
        back = str(held["status"])
        if isinstance(held.get("pinned"), int):
            back += f", pin {held['pinned']}"
        words += f" (unhide restores: {back})"
    return words


def change_describe(label: str, before: dict, after: dict) -> str:
    """What one action did to one item, for the curator's status line."""
    if before == after:
        return f"{label}: nothing changed, it is {state_describe(after)}."
    return f"{label}: {state_describe(before)} → {state_describe(after)}."

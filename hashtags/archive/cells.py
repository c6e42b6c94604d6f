"""The CSV cell guard every CSV we write shares, so a spreadsheet shows a cell, never runs it.

A text starting with = + - @, a tab or a carriage return is a formula to a spreadsheet; the guard
puts an apostrophe before it. A text that already starts with an apostrophe gets one too, so
every guarded cell starts with one and `cell_unguard` gives back exactly the text it was given.
(static/js/dashboard-export.js guards the dashboard's browser CSV the same way.)
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED_STARTS = (*FORMULA_STARTS, "'")


def cell_guard(value: Any) -> str:
    """The value as a CSV cell no spreadsheet runs (None is an empty cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_GUARDED_STARTS) else text


def cell_unguard(cell: str) -> str:
    """The text `cell_guard` was given: its apostrophe removed, other cells as they are."""
    if cell.startswith("'") and cell[1:].startswith(_GUARDED_STARTS):
        return cell[1:]
    return cell

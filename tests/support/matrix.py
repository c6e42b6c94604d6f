"""Permission matrices written as text tables: a row per page, a column per kind of visitor."""

from __future__ import annotations

# Column name in a matrix -> the conftest fixture that logs in as that visitor.
USER_FIXTURES = {
    "organizer": "organizer",
    "curator": "curator",
    "admin": "admin_user",
    "outsider": "outsider",
}


def matrix_parse(text: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(visitor columns, {page: {visitor: expected}}) from a whitespace-separated table."""
    rows = [line.split() for line in text.strip().splitlines()]
    who = rows[0][1:]
    return who, {row[0]: dict(zip(who, row[1:], strict=True)) for row in rows[1:]}

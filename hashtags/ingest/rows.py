"""The one description of a stored author row, post row and mention row, so a new column is
one edit.

Each column says its name (the model field's and the normalized data's: AuthorData, PostData,
Mention),
its SQL type and, for text, its length; how a value is stored follows from those (_STORED).
The page path (INSERT from arrays), the COPY path (CSV and its temporary tables)
and the archive reader and writer are all built from these lists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    sql: str  # text, bigint, bool, timestamptz or jsonb (what hashtags.ingest.bulk sends)
    cut: int | None = None  # text: the longest value stored (the model field's max_length)
    key: bool = False  # part of the row's unique key ((platform, external_id)): byte by byte
    # None (the source did not know it) keeps the stored value; a new row gets 0.
    unknown_keeps: bool = False


# How a value is stored, by SQL type, as an expression on the data's attribute `v`: counts are
# whole and never negative, flags are booleans, jsonb travels as its text on both write paths.
# COPY reads flags as t/f and times as ISO text.
_STORED = {
    "text": "{v}",
    "bigint": "max(0, int({v}))",
    "bool": "bool({v})",
    "timestamptz": "{v}",
    "jsonb": "_json(list({v}))",
}
_CSV = {
    "bool": '("t" if {v} else "f")',
    "timestamptz": "(None if {v} is None else {v}.isoformat())",
}


def _expression(column: Column, *, csv: bool) -> str:
    v = f"d.{column.name}"
    if csv and column.sql in _CSV:
        return _CSV[column.sql].format(v=v)
    stored = _STORED[column.sql].format(v=v if column.cut is None else f"{v}[:{column.cut}]")
    if column.unknown_keeps:
        stored = f"(None if {v} is None else {stored})"
    return stored


def values_of(columns: Sequence[Column], *, csv: bool = False) -> Callable[[Any], tuple]:
    """A function giving the stored values of these columns for one AuthorData or PostData
    (csv: as COPY reads them). Compiled once into one expression: it runs for every post on
    both write paths, where a call per column would cost several times the formatting."""
    body = ", ".join(_expression(c, csv=csv) for c in columns)
    return eval(f"lambda d: ({body},)", {"_json": json.dumps})  # noqa: S307 - our own names


# The author columns ingestion writes from AuthorData (updated_at comes from the write itself).
AUTHOR = (
    Column("platform", "text", key=True),
    Column("external_id", "text", key=True),
    Column("handle", "text", 255),
    Column("name", "text", 255),
    Column("avatar_url", "text", 1000),
    Column("url", "text", 1000),
    Column("followers", "bigint", unknown_keeps=True),
    Column("verified", "bool"),
)
# The post columns ingestion writes from PostData. The rest of a post row comes from the write:
# author_id (resolved from post.author), source_id, first_seen_at, metrics_updated_at and
# tagset_id (resolved from post.hashtags).
POST = (
    Column("platform", "text", key=True),
    Column("external_id", "text", key=True),
    Column("created_at", "timestamptz"),
    Column("text", "text"),
    Column("url", "text", 1000),
    Column("lang", "text", 16),
    Column("links", "jsonb"),
    Column("likes", "bigint"),
    Column("reposts", "bigint"),
    Column("replies", "bigint"),
    Column("quotes", "bigint"),
    Column("is_repost", "bool"),
    Column("repost_of", "text", 255),
    Column("reply_to", "text", 255),
    Column("quote_of", "text", 255),
    Column("conversation_id", "text", 255),
)
# The mention columns ingestion writes from each Mention of a new post's PostData.mentions
# (hashtags.models.PostMention). The rest comes from the write: post_id, and the post's platform.
MENTION = (
    Column("role", "text", 8),
    Column("handle", "text", 255, key=True),
    Column("uid", "text", 255, key=True),
)
AUTHOR_DATA = tuple(c for c in AUTHOR if not c.key)  # what an author upsert may change
POST_DATA = tuple(c for c in POST if not c.key)
METRICS = ("likes", "reposts", "replies", "quotes")  # the only values a stored post updates


def names(columns: Sequence[Column]) -> list[str]:
    return [c.name for c in columns]


author_values = values_of(AUTHOR)
post_values = values_of(POST)
mention_values = values_of(MENTION)
# A post's metrics as they would be stored: (likes, reposts, replies, quotes).
given_metrics: Callable[[Any], tuple[int, int, int, int]] = values_of(
    [c for name in METRICS for c in POST if c.name == name]
)

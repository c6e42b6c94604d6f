"""The one description of a stored author row and post row, so a new column is one edit.

Each column says its name (the model field's and the normalized data's: AuthorData, PostData),
its SQL type, and how the stored value is taken from the normalized data (cut and clamped to
the column). The page path (INSERT from arrays), the COPY path (CSV and its temporary tables)
and the archive reader and writer are all built from these lists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any


def count(value: Any) -> int:
    """A count as stored: a whole number, never negative."""
    return max(0, int(value))


def _cut(length: int) -> Callable[[str], str]:
    return lambda value: value[:length]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    name: str
    sql: str  # text, bigint, bool, timestamptz or jsonb (what hashtags.ingest.bulk sends)
    # The stored value from the data's attribute of the same name: cut, clamped, or as it is.
    convert: Callable[[Any], Any] = _same
    key: bool = False  # part of the (platform, external_id) key: compared byte by byte
    # None (the source did not know it) keeps the stored value; a new row gets 0.
    unknown_keeps: bool = False
    value: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        get, convert = attrgetter(self.name), self.convert
        if self.unknown_keeps:
            keep = convert
            convert = lambda value: None if value is None else keep(value)  # noqa: E731
        object.__setattr__(self, "value", lambda data: convert(get(data)))


def _links(links: Sequence[str]) -> str:
    return json.dumps(list(links))  # jsonb travels as its text on both write paths


# The author columns ingestion writes from AuthorData (updated_at comes from the write itself).
AUTHOR = (
    Column("platform", "text", key=True),
    Column("external_id", "text", key=True),
    Column("handle", "text", _cut(255)),
    Column("name", "text", _cut(255)),
    Column("avatar_url", "text", _cut(1000)),
    Column("url", "text", _cut(1000)),
    Column("followers", "bigint", count, unknown_keeps=True),
    Column("verified", "bool", bool),
)
# The post columns ingestion writes from PostData. The rest of a post row comes from the write:
# author_id (resolved from post.author), source_id, first_seen_at, metrics_updated_at and
# tagset_id (resolved from post.hashtags).
POST = (
    Column("platform", "text", key=True),
    Column("external_id", "text", key=True),
    Column("created_at", "timestamptz"),
    Column("text", "text"),
    Column("url", "text", _cut(1000)),
    Column("lang", "text", _cut(16)),
    Column("links", "jsonb", _links),
    Column("likes", "bigint", count),
    Column("reposts", "bigint", count),
    Column("replies", "bigint", count),
    Column("quotes", "bigint", count),
    Column("is_repost", "bool", bool),
    Column("repost_of", "text", _cut(255)),
    Column("reply_to", "text", _cut(255)),
    Column("conversation_id", "text", _cut(255)),
)
AUTHOR_DATA = tuple(c for c in AUTHOR if not c.key)  # what an author upsert may change
POST_DATA = tuple(c for c in POST if not c.key)
METRICS = ("likes", "reposts", "replies", "quotes")  # the only values a stored post updates


def names(columns: Sequence[Column]) -> list[str]:
    return [c.name for c in columns]


def values_of(columns: Sequence[Column]) -> Callable[[Any], tuple]:
    """A function giving the stored values of these columns for one AuthorData or PostData."""
    getters = tuple(c.value for c in columns)
    return lambda data: tuple([get(data) for get in getters])


def given_metrics(post: Any) -> tuple[int, int, int, int]:
    """A post's metrics as they would be stored: likes, reposts, replies, quotes."""
    return (count(post.likes), count(post.reposts), count(post.replies), count(post.quotes))


author_values = values_of(AUTHOR)
post_values = values_of(POST)

"""Writes stored posts as archives (jsonl or csv) in the records hashtags.archive.reading reads.

The round trip is the design: an export imported into an empty database gives the same posts,
authors, links, mentions and rollups. Rows stream to a text stream one at a time, so memory
stays flat; their mentions are read a chunk of posts at a time. The fields are
hashtags.archive.records'. CSV cells are guarded against spreadsheet formulas
(hashtags.archive.cells; the reader removes the guard) and rows end in CRLF, so that a carriage
return inside a text is quoted rather than read as the row's end.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from ..ingest.rows import MENTION, POST, Column, names
from ..models import PostMention
from ..sources.base import Mention
from .cells import cell_guard
from .records import (
    AUTHOR_FIELDS,
    CSV_COLUMNS,
    MENTIONS_SEPARATOR,
    RECORD_FIELDS,
    is_list,
    mention_token,
)

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMATS_OUT = ("jsonl", "csv")
MENTIONS_CHUNK = 1000  # posts whose mentions are read in one query
_MENTION = names(MENTION)
_POST_COLUMNS = {c.name: c for c in POST}
_FLAGS = [c.name for c in POST if c.sql == "bool"]
_FLAGS += [f"author_{c.name}" for c in AUTHOR_FIELDS if c.sql == "bool"]


def _exported(column: Column, value: Any) -> Any:
    if column.sql == "timestamptz":
        return value.astimezone(UTC).isoformat()
    if is_list(column):
        return list(value or [])
    return value


def post_record(
    *, post: Any, hashtags: Sequence[str], mentions: Sequence[Mention] = ()
) -> dict[str, Any]:
    """A stored Post (with its author) as one jsonl record; `hashtags` are the names exported,
    `mentions` its mentions (hashtags.models.PostMention as sources.base.Mention)."""
    record: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name == "author":
            author = post.author
            record[name] = {c.name: getattr(author, c.name) for c in AUTHOR_FIELDS}
        elif name == "hashtags":
            record[name] = list(hashtags)
        elif name == "mentions":
            record[name] = [mention_token(m) for m in mentions]
        else:
            record[name] = _exported(_POST_COLUMNS[name], getattr(post, name))
    return record


def archive_write(
    *, rows: Iterable[tuple[Any, Sequence[str]]], fmt: str, out: SupportsWrite[str]
) -> int:
    """Write (post, hashtag names) pairs as jsonl or csv to a text stream; returns the count."""
    if fmt not in FORMATS_OUT:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS_OUT)}.")
    written = 0
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    for post, hashtags, mentions in _with_mentions(rows):
        record = post_record(post=post, hashtags=hashtags, mentions=mentions)
        if writer is None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow(_csv_row(record))
        written += 1
    return written


def _with_mentions(
    rows: Iterable[tuple[Any, Sequence[str]]],
) -> Iterator[tuple[Any, Sequence[str], list[Mention]]]:
    """Each stored post with its mentions (by role, handle, uid); one query a chunk."""
    chunk: list[tuple[Any, Sequence[str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= MENTIONS_CHUNK:
            yield from _mentions_joined(chunk)
            chunk = []
    yield from _mentions_joined(chunk)


def _mentions_joined(
    chunk: list[tuple[Any, Sequence[str]]],
) -> Iterator[tuple[Any, Sequence[str], list[Mention]]]:
    if not chunk:
        return
    found: dict[int, list[Mention]] = defaultdict(list)
    stored = PostMention.objects.filter(post_id__in=[post.pk for post, _ in chunk])
    for post_id, *values in stored.order_by("post_id", *_MENTION).values_list("post_id", *_MENTION):
        found[post_id].append(Mention(**dict(zip(_MENTION, values, strict=True))))
    for post, hashtags in chunk:
        yield post, hashtags, found.get(post.pk, [])


def _csv_row(record: dict[str, Any]) -> list[Any]:
    flat = {f"author_{k}": v for k, v in record["author"].items()} | record
    flat["mentions"] = MENTIONS_SEPARATOR.join(record["mentions"])
    for name in CSV_COLUMNS:
        if isinstance(flat[name], list):
            flat[name] = " ".join(flat[name])
    for name in _FLAGS:
        flat[name] = "true" if flat[name] else "false"
    return [cell_guard(flat[column]) for column in CSV_COLUMNS]

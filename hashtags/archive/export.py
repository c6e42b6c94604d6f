"""Writes stored posts as archives (jsonl or csv) in the records hashtags.archive.reading reads.

The round trip is the design: an export imported into an empty database gives the same posts,
authors, links and rollups. Rows stream to a text stream one at a time, so memory stays flat.
The fields are hashtags.archive.records'. CSV cells are guarded against spreadsheet formulas
(hashtags.archive.cells; the reader removes the guard) and rows end in CRLF, so that a carriage
return inside a text is quoted rather than read as the row's end.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from ..ingest.rows import POST, Column
from .cells import cell_guard
from .records import AUTHOR_FIELDS, CSV_COLUMNS, RECORD_FIELDS, is_list

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMATS_OUT = ("jsonl", "csv")
_POST_COLUMNS = {c.name: c for c in POST}
_FLAGS = [c.name for c in POST if c.sql == "bool"]
_FLAGS += [f"author_{c.name}" for c in AUTHOR_FIELDS if c.sql == "bool"]


def _exported(column: Column, value: Any) -> Any:
    if column.sql == "timestamptz":
        return value.astimezone(UTC).isoformat()
    if is_list(column):
        return list(value or [])
    return value


def post_record(*, post: Any, hashtags: Sequence[str]) -> dict[str, Any]:
    """A stored Post (with its author) as one jsonl record; `hashtags` are the names exported."""
    record: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        if name == "author":
            author = post.author
            record[name] = {c.name: getattr(author, c.name) for c in AUTHOR_FIELDS}
        elif name == "hashtags":
            record[name] = list(hashtags)
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
    for post, hashtags in rows:
        record = post_record(post=post, hashtags=hashtags)
        if writer is None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            writer.writerow(_csv_row(record))
        written += 1
    return written


def _csv_row(record: dict[str, Any]) -> list[Any]:
    flat = {f"author_{k}": v for k, v in record["author"].items()} | record
    for name in CSV_COLUMNS:
        if isinstance(flat[name], list):
            flat[name] = " ".join(flat[name])
    for name in _FLAGS:
        flat[name] = "true" if flat[name] else "false"
    return [cell_guard(flat[column]) for column in CSV_COLUMNS]

"""The archive record (jsonl object, csv row): the fields both the reader and the writer use,
taken from the ingestion row spec (hashtags.ingest.rows), so a new column is archived too.

A record is the post's columns in the spec's order with two additions: the author (after
created_at; in csv its fields as author_<name> columns) and the hashtags (their normalized
names, before links). In csv a list (hashtags, links) is space separated and a flag is
"true" or "false".
"""

from __future__ import annotations

from ..ingest.rows import AUTHOR, POST, POST_DATA, Column

AUTHOR_FIELDS = tuple(c for c in AUTHOR if c.name != "platform")  # the post's platform is its
POST_FIELDS = POST_DATA  # besides platform and external_id, which every record starts with


def _layout() -> tuple[str, ...]:
    fields: list[str] = []
    for column in POST:
        if column.name == "links":
            fields.append("hashtags")
        fields.append(column.name)
        if column.name == "created_at":
            fields.append("author")
    return tuple(fields)


RECORD_FIELDS = _layout()
CSV_COLUMNS = [
    column
    for field in RECORD_FIELDS
    for column in ([f"author_{c.name}" for c in AUTHOR_FIELDS] if field == "author" else [field])
]


def is_list(column: Column) -> bool:
    """Whether the column holds a list (in csv: space-separated)."""
    return column.sql == "jsonb"

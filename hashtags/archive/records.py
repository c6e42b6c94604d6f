"""The archive record (jsonl object, csv row): the fields both the reader and the writer use,
taken from the ingestion row spec (hashtags.ingest.rows), so a new column is archived too.

A record is the post's columns in the spec's order with three additions: the author (after
created_at; in csv its fields as author_<name> columns), the hashtags (their normalized
names, before links) and, last, the mentions (whom the post is addressed to, each a token
"role:handle:uid", see mention_token). In csv a list (hashtags, links) is space separated, the
mentions are separated by ";", and a flag is "true" or "false".
"""

from __future__ import annotations

from ..ingest.rows import AUTHOR, POST, POST_DATA, Column
from ..models import MentionRole
from ..sources.base import Mention
from ..sources.mentions import mention_of

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
    fields.append("mentions")
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


MENTIONS_SEPARATOR = ";"  # between a csv cell's mentions; no token holds one (mention_of)


def mention_token(mention: Mention) -> str:
    """A mention as an archive writes it: "role:handle:uid" ("mention::did:plc:..." for a
    Bluesky DID alone, "reply:bob@example.social" with no uid). Handles hold no ":"."""
    token = f"{mention.role}:{mention.handle}"
    return f"{token}:{mention.uid}" if mention.uid else token


def mention_read(platform: str, token: str) -> Mention:
    """The mention a token names on a post of `platform`, as mention_of stores it; ValueError
    when it names none or holds a part mention_of would drop."""
    role, _, rest = token.partition(":")
    handle, _, uid = rest.partition(":")
    known = role in MentionRole.values
    mention = mention_of(platform, role, handle=handle, uid=uid) if known else None
    if mention is None or bool(handle.strip()) > bool(mention.handle):
        raise ValueError(f"not a mention: {token[:80]!r}")
    if bool(uid.strip()) > bool(mention.uid):  # a part given but not usable
        raise ValueError(f"not a mention: {token[:80]!r}")
    return mention

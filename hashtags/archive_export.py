"""Writes stored posts as archives (jsonl or csv) in the records hashtags.archive_posts reads.

The round trip is the design: an export imported into an empty database gives the same posts,
authors, links and rollups. Rows stream to a text stream one at a time, so memory stays flat.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import IO, Any

FORMATS_OUT = ("jsonl", "csv")
CSV_COLUMNS = [
    "platform",
    "external_id",
    "created_at",
    "author_external_id",
    "author_handle",
    "author_name",
    "author_avatar_url",
    "author_url",
    "author_followers",
    "author_verified",
    "text",
    "url",
    "lang",
    "hashtags",  # space-separated normalized names
    "links",  # space-separated URLs
    "likes",
    "reposts",
    "replies",
    "quotes",
    "is_repost",
    "repost_of",
    "reply_to",
    "conversation_id",
]


def post_record(*, post: Any, hashtags: Sequence[str]) -> dict[str, Any]:
    """A stored Post (with its author) as one jsonl record; `hashtags` are the names exported."""
    author = post.author
    return {
        "platform": post.platform,
        "external_id": post.external_id,
        "created_at": post.created_at.astimezone(UTC).isoformat(),
        "author": {
            "external_id": author.external_id,
            "handle": author.handle,
            "name": author.name,
            "avatar_url": author.avatar_url,
            "url": author.url,
            "followers": author.followers,
            "verified": author.verified,
        },
        "text": post.text,
        "url": post.url,
        "lang": post.lang,
        "hashtags": list(hashtags),
        "links": list(post.links or []),
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
        "quotes": post.quotes,
        "is_repost": post.is_repost,
        "repost_of": post.repost_of,
        "reply_to": post.reply_to,
        "conversation_id": post.conversation_id,
    }


def archive_write(*, rows: Iterable[tuple[Any, Sequence[str]]], fmt: str, out: IO[str]) -> int:
    """Write (post, hashtag names) pairs as jsonl or csv to a text stream; returns the count."""
    if fmt not in FORMATS_OUT:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS_OUT)}.")
    written = 0
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
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
    flat["hashtags"] = " ".join(record["hashtags"])
    flat["links"] = " ".join(record["links"])
    flat["author_verified"] = "true" if flat["author_verified"] else "false"
    flat["is_repost"] = "true" if record["is_repost"] else "false"
    return [flat[column] for column in CSV_COLUMNS]

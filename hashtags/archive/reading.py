"""Reads archive records (twarc2 pages, our jsonl and csv) into `PostData`, a line at a time.

A line that is not what its format promises comes out as None with its line number, never as an
exception, so it costs only itself. Each post is checked against what the database would refuse,
so one that passes cannot fail the batch it is stored in. Fields are read by name, the ones
hashtags.archive.records lists (csv: by header, as hashtags.archive.export writes them).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError

from ..ingest.rows import Column
from ..models import Platform
from ..normalize import hashtag_normalize
from ..sources import x_posts as x_source
from ..sources.base import AuthorData, PostData
from .records import AUTHOR_FIELDS, POST_FIELDS, is_list

FORMATS_IN = ("twarc2", "jsonl", "csv")
_BIGINT_MAX = 2**63 - 1
_BOOLS = {"true": True, "t": True, "1": True, "yes": True, "false": False, "f": False, "0": False}
_BOOLS |= {"no": False, "": False}


class MalformedRecord(ValueError):
    """A line that cannot become whole posts."""


def archive_records(*, stream: IO[bytes], fmt: str) -> Iterator[tuple[int, list[PostData] | None]]:
    """(line number, posts) per record of a binary stream; posts is None for a malformed line."""
    if fmt == "csv":
        yield from _csv_records(stream)
        return
    parse = _twarc2_posts if fmt == "twarc2" else _jsonl_post
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue  # blank lines (a trailing newline, a hand-edited file) are not records
        try:
            posts = parse(json.loads(raw))  # bytes: invalid UTF-8 is a ValueError too
            yield number, [_checked(p) for p in posts]
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
            yield number, None


def _twarc2_posts(page: Any) -> list[PostData]:
    """One X API v2 response page (as twarc2 writes it, maybe with __twarc metadata)."""
    if not isinstance(page, dict) or not ("data" in page or "meta" in page):
        raise MalformedRecord("not an X API response page")
    data = page.get("data") or []
    tweets = [data] if isinstance(data, dict) else data  # a lookup response holds one tweet
    includes = page.get("includes") or {}
    users = {u["id"]: u for u in includes.get("users") or []}
    originals = {t["id"]: t for t in includes.get("tweets") or []}
    posts = []
    for tweet in tweets:
        if not str(tweet.get("id", "")).isdigit():
            raise MalformedRecord("a tweet without an id")
        posts.append(x_source._post(tweet, users=users, originals=originals))
    return posts


def _jsonl_post(record: Any) -> list[PostData]:
    if not isinstance(record, dict) or not isinstance(record.get("author"), dict):
        raise MalformedRecord("not a post record")
    author = record["author"]
    return [
        _post_from(
            record,
            author={c.name: author.get(c.name) for c in AUTHOR_FIELDS},
            split=lambda value: value or [],
        )
    ]


def _csv_records(stream: IO[bytes]) -> Iterator[tuple[int, list[PostData] | None]]:
    # surrogateescape keeps a bad byte from failing a whole 8 KB chunk; _checked refuses its row.
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.DictReader(text, strict=True)
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error:  # e.g. an unterminated quote: the rest of the file is one bad field
            yield reader.line_num, None
            continue
        try:
            if None in row or None in row.values():
                raise MalformedRecord("wrong number of columns")
            author = {c.name: row.get(f"author_{c.name}") for c in AUTHOR_FIELDS}
            post = _post_from(row, author=author, split=lambda value: (value or "").split())
            yield reader.line_num, [_checked(post)]
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
            yield reader.line_num, None


def _post_from(
    record: dict[str, Any],
    *,
    author: dict[str, Any],
    split: Callable[[Any], Sequence[str]],
) -> PostData:
    """split: a list field's items (jsonl holds a list, csv a space-separated text)."""
    platform = record["platform"]
    external_id = _text(record["external_id"])
    values = {c.name: _field(c, record.get(c.name), split) for c in POST_FIELDS}
    hashtags = split(record.get("hashtags"))
    return PostData(
        platform=platform,
        external_id=external_id,
        author=AuthorData(
            platform=platform,
            **{c.name: _field(c, author.get(c.name), split) for c in AUTHOR_FIELDS},
        ),
        hashtags=tuple(dict.fromkeys(hashtag_normalize(tag) for tag in hashtags)),
        **values,
    )


def _field(column: Column, value: Any, split: Callable[[Any], Sequence[str]]) -> Any:
    if is_list(column):
        return tuple(_text(item) for item in split(value))
    return _READ[column.sql](value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRecord("expected text")
    return value


def _count(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise MalformedRecord("expected a whole number")
    number = int(value)
    if not 0 <= number <= _BIGINT_MAX:
        raise MalformedRecord("count out of range")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOLS:
        return _BOOLS[value.strip().lower()]
    raise MalformedRecord("expected true or false")


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise MalformedRecord("created_at has no time zone")
    return moment


_READ: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "bigint": _count,
    "bool": _bool,
    "timestamptz": _moment,
}


def _checked(post: PostData) -> PostData:
    """Refuse what the database would refuse, so one post cannot fail the batch it rides in."""
    if post.platform not in Platform.values:
        raise MalformedRecord(f"unknown platform {post.platform!r}")
    if not post.external_id or len(post.external_id) > 255:
        raise MalformedRecord("bad external id")
    if not post.author.external_id or len(post.author.external_id) > 255:
        raise MalformedRecord("bad author id")
    for value in _of_type(post, "text"):
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise MalformedRecord("NUL character")
        value.encode("utf-8")  # a lone surrogate (an undecodable byte) raises here
    for number in _of_type(post, "bigint"):
        if not 0 <= int(number) <= _BIGINT_MAX:
            raise MalformedRecord("count out of range")
    if post.created_at.tzinfo is None:
        raise MalformedRecord("created_at has no time zone")
    return post


def _of_type(post: PostData, sql: str) -> Iterator[Any]:
    """The post's and its author's values of this SQL type (text: list items included); the
    keys are checked on their own."""
    for columns, data in ((POST_FIELDS, post), (AUTHOR_FIELDS, post.author)):
        for c in columns:
            if c.key:
                continue
            if c.sql == sql:
                yield getattr(data, c.name)
            elif sql == "text" and is_list(c):
                yield from getattr(data, c.name)

"""Reads archive records (twarc2 pages, our jsonl and csv) into `PostData`, a line at a time.

A line that is not what its format promises comes out as None with its line number, never as an
exception, so it costs only itself: too long, too deep, a number or date no column holds (see
hashtags.archive.bounded). Each post is checked against what the database would refuse, so one
that passes cannot fail the batch it is stored in. Fields are read by name, the ones
hashtags.archive.records lists (csv: by header, as hashtags.archive.export writes them, its
guarded cells read back by hashtags.archive.cells; a UTF-8 byte-order mark is allowed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from ..models import Platform
from ..normalize import hashtag_normalize
from ..sources import x_posts as x_source
from ..sources.base import AuthorData, PostData
from ..sources.mentions import mentions_unique
from .bounded import RecordTooLong, TextLines, json_bounded, lines_bounded
from .cells import cell_unguard
from .records import AUTHOR_FIELDS, MENTIONS_SEPARATOR, POST_FIELDS, is_list, mention_read

FORMATS_IN = ("twarc2", "jsonl", "csv")
_BIGINT_MAX = 2**63 - 1
_BOOLS = {"true": True, "t": True, "1": True, "yes": True, "false": False, "f": False, "0": False}
_BOOLS |= {"no": False, "": False}
# What reading one record may raise on hostile input: each means "this line is malformed".
# (OverflowError: a date past year 9999 or a snowflake id too big for a time; RecursionError is
# kept out by json_bounded, and listed in case a nested value slips through elsewhere.)
_MALFORMED = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    ValidationError,
    OverflowError,
    RecursionError,
)


class MalformedRecord(ValueError):
    """A line that cannot become whole posts."""


def archive_records(
    *, stream: IO[bytes], fmt: str, limit: int | None = None
) -> Iterator[tuple[int, list[PostData] | None]]:
    """(line number, posts) per record of a binary stream; posts is None for a malformed line.

    limit: the longest record read (default ARCHIVE_RECORD_MAX_BYTES; csv: characters)."""
    limit = settings.ARCHIVE_RECORD_MAX_BYTES if limit is None else limit
    if fmt == "csv":
        yield from _csv_records(stream, limit=limit)
        return
    parse = _twarc2_posts if fmt == "twarc2" else _jsonl_post
    for number, raw in lines_bounded(stream, limit=limit):
        if raw is None:
            yield number, None
            continue
        if not raw.strip():
            continue  # blank lines (a trailing newline, a hand-edited file) are not records
        try:
            posts = parse(json_bounded(raw))  # bytes: invalid UTF-8 is a ValueError too
            yield number, [_checked(p) for p in posts]
        except _MALFORMED:
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
        tweet_id = tweet.get("id")
        if not (isinstance(tweet_id, str) and tweet_id.isascii() and tweet_id.isdigit()):
            raise MalformedRecord("a tweet without an id")
        posts.append(x_source._post(tweet, users=users, originals=originals))
    return posts


def _jsonl_post(record: Any) -> list[PostData]:
    if not isinstance(record, dict) or not isinstance(record.get("author"), dict):
        raise MalformedRecord("not a post record")
    author, mentions = record["author"], record.get("mentions") or []
    if not isinstance(mentions, list):
        raise MalformedRecord("mentions is not a list")
    return [
        _post_from(
            record,
            author={c.name: author.get(c.name) for c in AUTHOR_FIELDS},
            split=lambda value: value or [],
            mentions=mentions,
        )
    ]


def _csv_records(stream: IO[bytes], *, limit: int) -> Iterator[tuple[int, list[PostData] | None]]:
    # surrogateescape keeps a bad byte from failing a whole 8 KB chunk; _checked refuses its row.
    # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte-order mark before the header.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = TextLines(text, limit=limit)
    reader = csv.DictReader(lines, strict=True)
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (csv.Error, RecordTooLong):  # e.g. an unterminated quote: the rest of the file
            lines.record_done()  # is one bad field
            yield lines.number, None
            continue
        lines.record_done()
        try:
            if None in row or None in row.values():
                raise MalformedRecord("wrong number of columns")
            row = {name: cell_unguard(cell) for name, cell in row.items()}
            author = {c.name: row.get(f"author_{c.name}") for c in AUTHOR_FIELDS}
            mentions = (row.get("mentions") or "").split(MENTIONS_SEPARATOR)
            post = _post_from(
                row,
                author=author,
                split=lambda value: (value or "").split(),
                mentions=[token for token in mentions if token],
            )
            yield lines.number, [_checked(post)]
        except _MALFORMED:
            yield lines.number, None


def _post_from(
    record: dict[str, Any],
    *,
    author: dict[str, Any],
    split: Callable[[Any], Sequence[str]],
    mentions: Sequence[Any],
) -> PostData:
    """split: a list field's items (jsonl holds a list, csv a space-separated text); mentions:
    the record's mention tokens (jsonl: its list, csv: its cell split)."""
    platform = record["platform"]
    external_id = _text(record["external_id"])
    values = {name: read(record.get(name)) for name, read in _POST_READ}
    for name in _POST_LISTS:
        values[name] = tuple(_text(item) for item in split(record.get(name)))
    people = {name: read(author.get(name)) for name, read in _AUTHOR_READ}
    hashtags = split(record.get("hashtags"))
    return PostData(
        platform=platform,
        external_id=external_id,
        author=AuthorData(platform=platform, **people),
        hashtags=tuple(dict.fromkeys(hashtag_normalize(tag) for tag in hashtags)),
        mentions=mentions_unique(mention_read(platform, _text(token)) for token in mentions),
        **values,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRecord("expected text")
    return value


def _count(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not _fits(value):
        raise MalformedRecord("expected a whole number a bigint column holds, not negative")
    return value


def _fits(number: Any) -> bool:
    """A count a bigint column holds: a whole number (not a flag, not a float), not negative."""
    return type(number) is int and 0 <= number <= _BIGINT_MAX


def _bool(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _BOOLS:
        return _BOOLS[value.strip().lower()]
    raise MalformedRecord("expected true or false")


def _moment(value: Any) -> datetime:
    return _moment_checked(datetime.fromisoformat(value))


def _moment_checked(moment: Any) -> datetime:
    """An aware time that is still one in UTC (years 1 to 9999), as it is stored and read."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise MalformedRecord("created_at has no time zone")
    moment.astimezone(UTC)  # OverflowError past the year range: the caller's malformed line
    return moment


_READ: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "bigint": _count,
    "bool": _bool,
    "timestamptz": _moment,
}
# By name, once: these run for every post of an archive.
_POST_READ = [(c.name, _READ[c.sql]) for c in POST_FIELDS if not is_list(c)]
_POST_LISTS = [c.name for c in POST_FIELDS if is_list(c)]
_AUTHOR_READ = [(c.name, _READ[c.sql]) for c in AUTHOR_FIELDS]
# What _checked looks at besides the keys: every text (list items too) and every count.
_POST_TEXTS = [c.name for c in POST_FIELDS if c.sql == "text"]
_AUTHOR_TEXTS = [c.name for c in AUTHOR_FIELDS if c.sql == "text" and not c.key]
_POST_COUNTS = [c.name for c in POST_FIELDS if c.sql == "bigint"]
_AUTHOR_COUNTS = [c.name for c in AUTHOR_FIELDS if c.sql == "bigint"]


def _checked(post: PostData) -> PostData:
    """Refuse what the database would refuse, so one post cannot fail the batch it rides in."""
    if post.platform not in Platform.values:
        raise MalformedRecord(f"unknown platform {post.platform!r}")
    if not post.external_id or len(post.external_id) > 255:
        raise MalformedRecord("bad external id")
    if not post.author.external_id or len(post.author.external_id) > 255:
        raise MalformedRecord("bad author id")
    author = post.author
    strings = [getattr(post, name) for name in _POST_TEXTS]
    for name in _POST_LISTS:
        strings += getattr(post, name)
    strings += [getattr(author, name) for name in _AUTHOR_TEXTS]
    for value in strings:
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise MalformedRecord("NUL character")
        value.encode("utf-8")  # a lone surrogate (an undecodable byte) raises here
    numbers = [getattr(post, name) for name in _POST_COUNTS]
    numbers += [getattr(author, name) for name in _AUTHOR_COUNTS]
    for number in numbers:
        if not _fits(number):  # twarc2's metrics arrive as the JSON had them: 1.5, 1e300, -1
            raise MalformedRecord("count out of range")
    _moment_checked(post.created_at)
    return post

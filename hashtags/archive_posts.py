"""Reads archive records (twarc2 pages, our jsonl and csv) into `PostData`, a line at a time.

A line that is not what its format promises comes out as None with its line number, never as an
exception, so it costs only itself. Each post is checked against what the database would refuse,
so one that passes cannot fail the batch it is stored in. csv columns are read by their header
names, the ones hashtags.archive_export writes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError

from .models import Platform
from .normalize import hashtag_normalize
from .sources import x_posts as x_source
from .sources.base import AuthorData, PostData

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
            author={k: author.get(k) for k in _AUTHOR_FIELDS},
            hashtags=record.get("hashtags") or [],
            links=record.get("links") or [],
        )
    ]


_AUTHOR_FIELDS = ("external_id", "handle", "name", "avatar_url", "url", "followers", "verified")


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
            author = {k: row.get(f"author_{k}") for k in _AUTHOR_FIELDS}
            post = _post_from(
                row,
                author=author,
                hashtags=(row.get("hashtags") or "").split(),
                links=(row.get("links") or "").split(),
            )
            yield reader.line_num, [_checked(post)]
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
            yield reader.line_num, None


def _post_from(
    record: dict[str, Any], *, author: dict[str, Any], hashtags: Sequence[str], links: Sequence[str]
) -> PostData:
    platform = record["platform"]
    created_at = datetime.fromisoformat(record["created_at"])
    if created_at.tzinfo is None:
        raise MalformedRecord("created_at has no time zone")
    return PostData(
        platform=platform,
        external_id=_text(record["external_id"]),
        author=AuthorData(
            platform=platform,
            external_id=_text(author["external_id"]),
            handle=_text(author.get("handle")),
            name=_text(author.get("name")),
            avatar_url=_text(author.get("avatar_url")),
            url=_text(author.get("url")),
            followers=_count(author.get("followers")),
            verified=_bool(author.get("verified")),
        ),
        text=_text(record.get("text")),
        url=_text(record.get("url")),
        created_at=created_at,
        hashtags=tuple(dict.fromkeys(hashtag_normalize(tag) for tag in hashtags)),
        links=tuple(_text(link) for link in links),
        lang=_text(record.get("lang")),
        likes=_count(record.get("likes")),
        reposts=_count(record.get("reposts")),
        replies=_count(record.get("replies")),
        quotes=_count(record.get("quotes")),
        is_repost=_bool(record.get("is_repost")),
        repost_of=_text(record.get("repost_of")),
        reply_to=_text(record.get("reply_to")),
        conversation_id=_text(record.get("conversation_id")),
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


def _checked(post: PostData) -> PostData:
    """Refuse what the database would refuse, so one post cannot fail the batch it rides in."""
    if post.platform not in Platform.values:
        raise MalformedRecord(f"unknown platform {post.platform!r}")
    if not post.external_id or len(post.external_id) > 255:
        raise MalformedRecord("bad external id")
    if not post.author.external_id or len(post.author.external_id) > 255:
        raise MalformedRecord("bad author id")
    strings = [post.text, post.url, post.lang, post.repost_of, post.reply_to, *post.links]
    strings += [post.conversation_id, post.author.handle, post.author.name, post.author.url]
    strings.append(post.author.avatar_url)
    for value in strings:
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise MalformedRecord("NUL character")
        value.encode("utf-8")  # a lone surrogate (an undecodable byte) raises here
    for number in (post.likes, post.reposts, post.replies, post.quotes, post.author.followers):
        if not 0 <= int(number) <= _BIGINT_MAX:
            raise MalformedRecord("count out of range")
    if post.created_at.tzinfo is None:
        raise MalformedRecord("created_at has no time zone")
    return post

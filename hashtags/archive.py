"""Archives in and out (twarc2 pages, our jsonl and csv), streamed a line at a time.

Reading never aborts: a line that is not what its format promises is skipped and counted with
its line number, and a post is either stored whole (through the same storage service as polling,
in archive-sized batches) or not at all. Writing turns stored posts back into the records the
readers accept, so an export imported into an empty database gives the same posts, authors,
links and rollups.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection

from .ingest import Prepared, UpsertResult, batch_prepare, posts_upsert, prefetched
from .models import Platform
from .normalize import hashtag_normalize
from .sources import x_posts as x_source
from .sources.base import AuthorData, PostData

FORMATS_IN = ("twarc2", "jsonl", "csv")
FORMATS_OUT = ("jsonl", "csv")
BATCH_SIZE = 5000  # posts per transaction on the archive path
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
SKIPPED_SHOWN = 10  # line numbers kept for the report; the count is always exact
_BIGINT_MAX = 2**63 - 1
_BOOLS = {"true": True, "t": True, "1": True, "yes": True, "false": False, "f": False, "0": False}
_BOOLS |= {"no": False, "": False}


class MalformedRecord(ValueError):
    """A line that cannot become whole posts."""


Store = Callable[..., UpsertResult]


@dataclass
class ImportResult:
    read: int = 0  # well-formed posts read (repeats included): new + duplicates
    new: int = 0
    duplicates: int = 0  # already stored, or repeated within the archive
    skipped: int = 0  # malformed lines (for twarc2 a line is a whole response page)
    skipped_at: list[str] = field(default_factory=list)  # the first few, as "file:line"
    unlinked: int = 0  # posts carrying none of the tracked hashtags (stored, not linked)

    def skip(self, where: str) -> None:
        self.skipped += 1
        if len(self.skipped_at) < SKIPPED_SHOWN:
            self.skipped_at.append(where)


# --- reading -----------------------------------------------------------------------------------


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


# --- importing ---------------------------------------------------------------------------------


def archive_import(
    *,
    paths: Sequence[Path],
    fmt: str,
    tracked: set[str] | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    store: Store = posts_upsert,
) -> ImportResult:
    """Stream the archives into the database through `store`, one transaction per batch.

    tracked: the hashtag names posts may be linked to (None: every Hashtag row, as polling).
    progress: called with the number of bytes read since its last call.
    """
    if fmt not in FORMATS_IN:
        raise ValueError(f"Unknown archive format {fmt!r}; use one of {', '.join(FORMATS_IN)}.")
    result = ImportResult()
    # Reading, parsing and formatting run one batch ahead in a thread of their own, while this
    # one waits for the database; results are applied here, in file order.
    chunks = _chunks(paths, fmt=fmt, tracked=tracked, size=batch_size, vendor=connection.vendor)
    for chunk in prefetched(chunks):
        for where in chunk.skipped:
            result.skip(where)
        _flush(chunk.batch, chunk.origins, store=store, result=result, prepared=chunk.prepared)
        if progress is not None and chunk.read_bytes:
            progress(chunk.read_bytes)
    return result


@dataclass
class _Chunk:
    skipped: list[str] = field(default_factory=list)  # malformed lines before this batch
    batch: list[PostData] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    prepared: Prepared | None = None
    read_bytes: int = 0


def _chunks(
    paths: Sequence[Path], *, fmt: str, tracked: set[str] | None, size: int, vendor: str
) -> Iterator[_Chunk]:
    """The archives as batches ready to store; never touches the database (see prefetched)."""
    chunk = _Chunk()
    sent: dict = {}  # authors formatted for earlier batches: see stage_prepare
    for path in paths:
        with open(path, "rb") as raw:
            counted = _CountingReader(raw)
            stream = io.BufferedReader(counted, buffer_size=1 << 20)
            for number, posts in archive_records(stream=stream, fmt=fmt):
                if posts is None:
                    chunk.skipped.append(f"{path.name}:{number}")
                    continue
                for post in posts:
                    chunk.batch.append(_tracked_only(post, tracked))
                    chunk.origins.append(f"{path.name}:{number}")
                if len(chunk.batch) >= size:
                    chunk.prepared = batch_prepare(
                        posts=chunk.batch, vendor=vendor, authors_sent=sent
                    )
                    chunk.read_bytes = counted.take()
                    yield chunk
                    chunk = _Chunk()
            chunk.read_bytes += counted.take()
    if chunk.batch:
        chunk.prepared = batch_prepare(posts=chunk.batch, vendor=vendor, authors_sent=sent)
    yield chunk


def _tracked_only(post: PostData, tracked: set[str] | None) -> PostData:
    if tracked is None or all(tag in tracked for tag in post.hashtags):
        return post
    return replace(post, hashtags=tuple(tag for tag in post.hashtags if tag in tracked))


def _flush(
    batch: list[PostData],
    origins: list[str],
    *,
    store: Store,
    result: ImportResult,
    prepared: Prepared | None = None,
) -> None:
    if not batch:
        return
    try:
        stored = store(posts=batch if prepared is None else prepared)
    except (DataError, IntegrityError):
        if len(batch) == 1:  # the database refused this one post: skip it, keep going
            if origins[0] not in result.skipped_at:
                result.skip(origins[0])
            return
        half = len(batch) // 2  # find the refused post(s) by halving; the rest is stored
        _flush(batch[:half], origins[:half], store=store, result=result)
        _flush(batch[half:], origins[half:], store=store, result=result)
        return
    result.read += len(batch)
    result.new += stored.new
    result.duplicates += len(batch) - stored.new
    result.unlinked += sum(1 for post in batch if not post.hashtags)


class _CountingReader(io.RawIOBase):
    """A binary file that remembers how many bytes were read, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._count += len(data)
        return len(data)

    def take(self) -> int:
        count, self._count = self._count, 0
        return count


# --- writing -----------------------------------------------------------------------------------


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

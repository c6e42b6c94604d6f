"""posts_upsert: store one page of normalized posts in ONE transaction, exactly once.

Authors are upserted; posts are inserted if new and only their metrics updated if not; links to
every tracked hashtag the post carries are inserted if missing; the minute rollups grow only by
the links this call created, so storing the same page twice, or two workers storing
overlapping pages at once, gives the same rows and counts as storing it once. The source's
cursor is saved in the same transaction as the page it came from. Rows are written in a
stable order (by external id) so concurrent workers take row locks in the same order. A row
whose stored values are already the ones given is not written again.

Polling pages go through INSERT ... ON CONFLICT from arrays; archive-sized batches on
PostgreSQL go through COPY and set-based SQL (hashtags.bulk), and can be prepared in another
thread while the previous batch is stored (`prefetched`).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from .bulk import Staged, author_values, insert_rows, post_values, stage_prepare, staged_store
from .generation import generation_bump
from .models import Author, Hashtag, PollState, Post, PostHashtag, Source, VolumeRollup
from .sources.base import AuthorData, PostData

STAGED_MIN = 1000  # posts per batch from which PostgreSQL takes the COPY path
_SWITCH_INTERVAL = 0.0005  # seconds; see prefetched
_AUTHOR_COLUMNS = [
    ("platform", "text"),
    ("external_id", "text"),
    ("handle", "text"),
    ("name", "text"),
    ("avatar_url", "text"),
    ("url", "text"),
    ("followers", "bigint"),
    ("verified", "bool"),
    ("updated_at", "timestamptz"),
]
_POST_COLUMNS = [
    ("platform", "text"),
    ("external_id", "text"),
    ("author_id", "bigint"),
    ("text", "text"),
    ("url", "text"),
    ("created_at", "timestamptz"),
    ("lang", "text"),
    ("links", "jsonb"),
    ("likes", "bigint"),
    ("reposts", "bigint"),
    ("replies", "bigint"),
    ("quotes", "bigint"),
    ("is_repost", "bool"),
    ("repost_of", "text"),
    ("reply_to", "text"),
    ("conversation_id", "text"),
    ("source_id", "bigint"),
    ("first_seen_at", "timestamptz"),
    ("metrics_updated_at", "timestamptz"),
]
_METRICS = ("likes", "reposts", "replies", "quotes")
_AUTHOR_DATA = ("handle", "name", "avatar_url", "url", "followers", "verified")
_ROLLUP_SUMS = ("posts", "reposts", "likes", "replies", "shares", "quotes")
T = TypeVar("T")


@dataclass
class UpsertResult:
    read: int = 0  # posts handed in (after dropping repeats within the batch)
    new: int = 0  # posts stored for the first time
    duplicates: int = 0  # posts already stored (their metrics were refreshed)
    new_links: dict[int, int] = field(default_factory=dict)  # hashtag id -> links created

    def add(self, other: UpsertResult) -> None:
        self.read += other.read
        self.new += other.new
        self.duplicates += other.duplicates
        for key, value in other.new_links.items():
            self.new_links[key] = self.new_links.get(key, 0) + value


@dataclass(frozen=True)
class Prepared:
    """A batch made ready for posts_upsert without the database: repeats dropped, sorted, and
    for the COPY path already formatted."""

    posts: list[PostData]
    staged: Staged | None


def batch_prepare(
    *, posts: Sequence[PostData], vendor: str = "postgresql", staged_min: int | None = None
) -> Prepared:
    """The pure-Python half of posts_upsert, safe to run in another thread. staged_min: the
    batch size from which PostgreSQL takes the COPY path (default STAGED_MIN)."""
    batch = _dedupe(posts)
    copy = vendor == "postgresql" and len(batch) >= (staged_min or STAGED_MIN)
    # The staged SQL finds authors by the post's platform; anything else takes the page path.
    if copy and all(p.author.platform == p.platform for p in batch):
        return Prepared(posts=batch, staged=stage_prepare(batch=batch))
    return Prepared(posts=batch, staged=None)


def posts_upsert(
    *,
    posts: Sequence[PostData] | Prepared,
    source: Source | None = None,
    cursor: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """Store a page of posts (and the cursor it came with) in one transaction."""
    now = now or timezone.now()
    if not isinstance(posts, Prepared):
        posts = batch_prepare(posts=posts, vendor=connection.vendor)
    batch = posts.posts
    result = UpsertResult(read=len(batch))
    with transaction.atomic():
        tag_ids: dict[str, int] | None = None  # the tracked hashtags this batch carries
        if posts.staged is not None and connection.vendor == "postgresql":
            source_id = source.pk if source is not None else None
            result.new, result.new_links = staged_store(
                staged=posts.staged, source_id=source_id, now=now
            )
            result.duplicates = len(batch) - result.new
        elif batch:
            tag_ids = _store(batch, source=source, now=now, result=result)
        if source is not None and cursor is not None:
            PollState.objects.update_or_create(source=source, defaults={"cursor": cursor})
        touched = set(result.new_links)
        if result.duplicates or result.new:
            if tag_ids is None:
                tag_ids = _tag_ids(set(posts.staged.tags if posts.staged else ()))
            touched.update(tag_ids.values())
        if touched:
            transaction.on_commit(lambda: generation_bump(hashtag_ids=touched), robust=True)
    return result


def prefetched(items: Iterable[T], *, ahead: int = 1) -> Iterator[T]:
    """Iterate `items` in a background thread, up to `ahead` items before the caller.

    For the archive path: parsing and formatting the next batch (pure Python) overlaps the
    database storing the current one. The producer must not touch the database.
    """
    box: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def put(entry: tuple) -> bool:
        while not stop.is_set():  # the consumer may have left: never block for good
            try:
                box.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            put((done, exc))

    thread = threading.Thread(target=produce, name="ingest-prefetch", daemon=True)
    # Each time the database answers, this thread needs the GIL back from the producer; by
    # default it would wait up to 5 ms for it, a dozen times a batch.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL))
    thread.start()
    try:
        while True:
            item, error = box.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)


def _dedupe(posts: Sequence[PostData]) -> list[PostData]:
    latest: dict[tuple[str, str], PostData] = {}
    for post in posts:
        latest[(post.platform, post.external_id)] = post  # the later copy has fresher metrics
    return sorted(latest.values(), key=lambda p: (p.platform, p.external_id))


def _tag_ids(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    return dict(Hashtag.objects.filter(name__in=names).values_list("name", "id"))


def _store(
    batch: list[PostData], *, source: Source | None, now: datetime, result: UpsertResult
) -> dict[str, int]:
    """The page path; returns the tracked hashtags (name -> id) the batch carries."""
    author_ids = _authors_upsert([p.author for p in batch], now=now)
    source_id = source.pk if source is not None else None
    rows = [
        _post_row(p, author_ids[(p.platform, p.author.external_id)], source_id, now) for p in batch
    ]
    columns = [c for c, _ in _POST_COLUMNS]
    types = [t for _, t in _POST_COLUMNS]
    table = Post._meta.db_table
    inserted = insert_rows(
        table=table,
        columns=columns,
        types=types,
        rows=rows,
        conflict="ON CONFLICT (platform, external_id) DO NOTHING",
        returning=("id", "platform", "external_id"),
    )
    post_ids = {(platform, ext): pk for pk, platform, ext in inserted}
    result.new = len(post_ids)
    existing = [row for row in rows if (row[0], row[1]) not in post_ids]
    result.duplicates = len(existing)
    if existing:
        sets = ", ".join(f"{m} = excluded.{m}" for m in (*_METRICS, "metrics_updated_at"))
        updated = insert_rows(
            table=table,
            columns=columns,
            types=types,
            rows=existing,
            conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {sets} "
            f"WHERE {_changed(table, _METRICS)}",
            returning=("id", "platform", "external_id"),
        )
        post_ids.update({(platform, ext): pk for pk, platform, ext in updated})
        post_ids.update(_ids(Post, [(r[0], r[1]) for r in existing], known=post_ids))
    return _links_and_rollups(batch, post_ids, result)


def _changed(table: str, columns: Sequence[str]) -> str:
    """The ON CONFLICT condition that skips rows already holding these values."""
    stored = ", ".join(f"{table}.{c}" for c in columns)
    given = ", ".join(f"excluded.{c}" for c in columns)
    return f"({stored}) IS DISTINCT FROM ({given})"


def _ids(
    model: type[Author] | type[Post], keys: list[tuple[str, str]], *, known: dict
) -> dict[tuple[str, str], int]:
    """Ids of stored rows by (platform, external_id): those an upsert left as they were."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for platform, ext in keys:
        if (platform, ext) not in known:
            wanted[platform].append(ext)
    found = {}
    for platform, exts in wanted.items():
        rows = model.objects.filter(platform=platform, external_id__in=exts)
        found.update({(platform, ext): pk for ext, pk in rows.values_list("external_id", "pk")})
    return found


def _authors_upsert(authors: list[AuthorData], *, now: datetime) -> dict[tuple[str, str], int]:
    unique = {(a.platform, a.external_id): a for a in authors}
    rows = [(*author_values(a), now) for _, a in sorted(unique.items())]
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*_AUTHOR_DATA, "updated_at"))
    table = Author._meta.db_table
    returned = insert_rows(
        table=table,
        columns=[c for c, _ in _AUTHOR_COLUMNS],
        types=[t for _, t in _AUTHOR_COLUMNS],
        rows=rows,
        conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {updates} "
        f"WHERE {_changed(table, _AUTHOR_DATA)}",
        returning=("id", "platform", "external_id"),
    )
    ids = {(platform, ext): pk for pk, platform, ext in returned}
    ids.update(_ids(Author, sorted(unique), known=ids))
    return ids


def _post_row(post: PostData, author_id: int, source_id: int | None, now: datetime) -> tuple:
    text, url, created_at, lang, links, *rest = post_values(post)
    return (
        post.platform,
        post.external_id,
        author_id,
        text,
        url,
        created_at,
        lang,
        json.dumps(links),
        *rest,
        source_id,
        now,
        now,
    )


def _links_and_rollups(
    batch: list[PostData], post_ids: dict[tuple[str, str], int], result: UpsertResult
) -> dict[str, int]:
    tag_ids = _tag_ids({tag for post in batch for tag in post.hashtags})
    if not tag_ids:
        return tag_ids
    by_id: dict[int, PostData] = {}
    rows = []
    for post in batch:
        pk = post_ids[(post.platform, post.external_id)]
        by_id[pk] = post
        for tag in sorted(set(post.hashtags)):
            if tag in tag_ids:
                rows.append((pk, tag_ids[tag], post.platform, post.created_at))
    created = insert_rows(
        table=PostHashtag._meta.db_table,
        columns=("post_id", "hashtag_id", "platform", "created_at"),
        types=("bigint", "bigint", "text", "timestamptz"),
        rows=rows,
        conflict="ON CONFLICT (post_id, hashtag_id) DO NOTHING",
        returning=("post_id", "hashtag_id"),
    )
    if not created:
        return tag_ids
    sums: dict[tuple[int, str, datetime], list[int]] = defaultdict(lambda: [0] * 6)
    for post_id, hashtag_id in created:
        post = by_id[post_id]
        minute = post.created_at.astimezone(UTC).replace(second=0, microsecond=0)
        acc = sums[(hashtag_id, post.platform, minute)]
        acc[0] += 0 if post.is_repost else 1
        acc[1] += 1 if post.is_repost else 0
        if not post.is_repost:  # a plain repost's metrics are its original's
            likes, reposts, replies, quotes = post_values(post)[5:9]  # clamped, as stored
            acc[2] += likes
            acc[3] += replies
            acc[4] += reposts
            acc[5] += quotes
        result.new_links[hashtag_id] = result.new_links.get(hashtag_id, 0) + 1
    table = VolumeRollup._meta.db_table
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _ROLLUP_SUMS)
    insert_rows(
        table=table,
        columns=("hashtag_id", "platform", "minute", *_ROLLUP_SUMS),
        types=(
            "bigint",
            "text",
            "timestamptz",
            "int",
            "int",
            "bigint",
            "bigint",
            "bigint",
            "bigint",
        ),
        rows=[(*key, *values) for key, values in sorted(sums.items())],
        conflict=f"ON CONFLICT (hashtag_id, platform, minute) DO UPDATE SET {increments}",
    )
    return tag_ids

"""posts_upsert: store one page of normalized posts in ONE transaction, exactly once.

Authors are upserted; posts are inserted if new and only their metrics updated if not; links to
every tracked hashtag the post carries are inserted if missing; the minute rollups grow only by
the links this call created, so storing the same page twice, or two workers storing
overlapping pages at once, gives the same rows and counts as storing it once. The source's
cursor is saved in the same transaction as the page it came from. Rows are written in a
stable order (by external id) so concurrent workers take row locks in the same order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .bulk import insert_rows
from .generation import generation_bump
from .models import Author, Hashtag, PollState, Post, PostHashtag, Source, VolumeRollup
from .sources.base import AuthorData, PostData

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
_METRICS = ("likes", "reposts", "replies", "quotes", "metrics_updated_at")
_ROLLUP_SUMS = ("posts", "reposts", "likes", "replies", "shares", "quotes")


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


def posts_upsert(
    *,
    posts: Sequence[PostData],
    source: Source | None = None,
    cursor: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """Store a page of posts (and the cursor it came with) in one transaction."""
    now = now or timezone.now()
    batch = _dedupe(posts)
    result = UpsertResult(read=len(batch))
    with transaction.atomic():
        if batch:
            _store(batch, source=source, now=now, result=result)
        if source is not None and cursor is not None:
            PollState.objects.update_or_create(source=source, defaults={"cursor": cursor})
        touched = set(result.new_links)
        if result.duplicates or result.new:
            touched.update(_tracked_ids(batch))
        if touched:
            transaction.on_commit(lambda: generation_bump(hashtag_ids=touched), robust=True)
    return result


def _dedupe(posts: Sequence[PostData]) -> list[PostData]:
    latest: dict[tuple[str, str], PostData] = {}
    for post in posts:
        latest[(post.platform, post.external_id)] = post  # the later copy has fresher metrics
    return sorted(latest.values(), key=lambda p: (p.platform, p.external_id))


def _tracked_ids(batch: Sequence[PostData]) -> set[int]:
    names = {tag for post in batch for tag in post.hashtags}
    return set(_tag_ids(names).values())


def _tag_ids(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    return dict(Hashtag.objects.filter(name__in=names).values_list("name", "id"))


def _store(
    batch: list[PostData], *, source: Source | None, now: datetime, result: UpsertResult
) -> None:
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
        sets = ", ".join(f"{m} = excluded.{m}" for m in _METRICS)
        updated = insert_rows(
            table=table,
            columns=columns,
            types=types,
            rows=existing,
            conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {sets}",
            returning=("id", "platform", "external_id"),
        )
        post_ids.update({(platform, ext): pk for pk, platform, ext in updated})
    _links_and_rollups(batch, post_ids, result)


def _authors_upsert(authors: list[AuthorData], *, now: datetime) -> dict[tuple[str, str], int]:
    unique = {(a.platform, a.external_id): a for a in authors}
    rows = [
        (
            a.platform,
            a.external_id,
            a.handle[:255],
            a.name[:255],
            a.avatar_url[:1000],
            a.url[:1000],
            max(0, int(a.followers or 0)),
            bool(a.verified),
            now,
        )
        for _, a in sorted(unique.items())
    ]
    updates = ", ".join(
        f"{c} = excluded.{c}" for c, _ in _AUTHOR_COLUMNS if c not in ("platform", "external_id")
    )
    returned = insert_rows(
        table=Author._meta.db_table,
        columns=[c for c, _ in _AUTHOR_COLUMNS],
        types=[t for _, t in _AUTHOR_COLUMNS],
        rows=rows,
        conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {updates}",
        returning=("id", "platform", "external_id"),
    )
    return {(platform, ext): pk for pk, platform, ext in returned}


def _post_row(post: PostData, author_id: int, source_id: int | None, now: datetime) -> tuple:
    return (
        post.platform,
        post.external_id,
        author_id,
        post.text,
        post.url[:1000],
        post.created_at,
        post.lang[:16],
        json.dumps(list(post.links)),
        max(0, int(post.likes)),
        max(0, int(post.reposts)),
        max(0, int(post.replies)),
        max(0, int(post.quotes)),
        bool(post.is_repost),
        post.repost_of[:255],
        post.reply_to[:255],
        post.conversation_id[:255],
        source_id,
        now,
        now,
    )


def _links_and_rollups(
    batch: list[PostData], post_ids: dict[tuple[str, str], int], result: UpsertResult
) -> None:
    tag_ids = _tag_ids({tag for post in batch for tag in post.hashtags})
    if not tag_ids:
        return
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
        return
    sums: dict[tuple[int, str, datetime], list[int]] = defaultdict(lambda: [0] * 6)
    for post_id, hashtag_id in created:
        post = by_id[post_id]
        minute = post.created_at.astimezone(UTC).replace(second=0, microsecond=0)
        acc = sums[(hashtag_id, post.platform, minute)]
        acc[0] += 0 if post.is_repost else 1
        acc[1] += 1 if post.is_repost else 0
        if not post.is_repost:  # a plain repost's metrics are its original's
            acc[2] += post.likes
            acc[3] += post.replies
            acc[4] += post.reposts
            acc[5] += post.quotes
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

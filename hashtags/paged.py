"""The page path of posts_upsert: a polling page (or any batch off the COPY path) stored with
INSERT ... ON CONFLICT from arrays (hashtags.bulk.insert_rows), in the caller's transaction.

Authors are upserted (rows already holding the same values are left alone; an unknown follower
count keeps the stored one), new posts inserted with their tag set (ON CONFLICT DO NOTHING, so a
post a concurrent writer stored meanwhile is handled as stored), and the stored ones brought up
to date through hashtags.changes. Each new post's rollup contribution goes into `deltas`, which
the caller applies.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .bulk import author_values, insert_rows, post_values
from .changes import PostKey, given_metrics, needs_update, posts_state, stored_update, union_key
from .models import Author, Post, TagSet
from .rollups import Deltas, contribution, minute_of, tagsets_ensure
from .sources.base import AuthorData, PostData

if TYPE_CHECKING:
    from .ingest import UpsertResult

AUTHOR_COLUMNS = [
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
POST_COLUMNS = [
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
    ("tagset_id", "bigint"),
]
_AUTHOR_DATA = ("handle", "name", "avatar_url", "url", "followers", "verified")


def _given(batch: list[PostData], tag_ids: dict[str, int]) -> dict[PostKey, frozenset[int]]:
    """The tracked hashtags (ids) each post of the batch carries."""
    return {
        (p.platform, p.external_id): frozenset(tag_ids[t] for t in p.hashtags if t in tag_ids)
        for p in batch
    }


def page_store(
    batch: list[PostData],
    *,
    tag_ids: dict[str, int],
    source_id: int | None,
    now: datetime,
    deltas: Deltas,
    result: UpsertResult,
) -> list[int]:
    """The page path; returns the ids of the posts it stored for the first time."""
    given = _given(batch, tag_ids)
    seen = posts_state(list(given))
    fresh = [p for p in batch if (p.platform, p.external_id) not in seen]
    keys = {TagSet.key_for(given[(p.platform, p.external_id)]) for p in fresh}
    for p in batch:
        key = (p.platform, p.external_id)
        if key in seen and needs_update(seen[key], p, given[key]):
            keys.add(union_key(seen[key], given[key]))
    tagset_ids = tagsets_ensure(keys)
    author_ids = _authors_upsert([p.author for p in batch], now=now)
    rows = [
        _post_row(
            p,
            author_ids[(p.platform, p.author.external_id)],
            source_id,
            now,
            tagset_ids.get(TagSet.key_for(given[(p.platform, p.external_id)])),
        )
        for p in fresh
    ]
    inserted = insert_rows(
        table=Post._meta.db_table,
        columns=[c for c, _ in POST_COLUMNS],
        types=[t for _, t in POST_COLUMNS],
        rows=rows,
        conflict="ON CONFLICT (platform, external_id) DO NOTHING",
        returning=("id", "platform", "external_id"),
    )
    new_ids = {(platform, ext): pk for pk, platform, ext in inserted}
    for p, row in zip(fresh, rows, strict=True):
        key = (p.platform, p.external_id)
        if key not in new_ids:
            continue  # stored by a concurrent writer meanwhile: handled as stored below
        result.linked(given[key])
        if row[-1] is not None:
            vector = contribution(p.is_repost, *given_metrics(p))
            deltas.add((row[-1], p.platform, minute_of(p.created_at)), vector)
    result.new = len(new_ids)
    result.duplicates = len(batch) - result.new
    stored = [p for p in batch if (p.platform, p.external_id) not in new_ids]
    outcome = stored_update(
        posts=stored, given=given, seen=seen, tagset_ids=tagset_ids, deltas=deltas, now=now
    )
    result.linked(outcome.grown)
    return sorted(new_ids.values())


def _changed(table: str, columns: Sequence[str]) -> str:
    """The ON CONFLICT condition that skips rows already holding these values."""
    stored = ", ".join(f"{table}.{c}" for c in columns)
    given = ", ".join(f"excluded.{c}" for c in columns)
    return f"({stored}) IS DISTINCT FROM ({given})"


def _ids(
    model: type[Author], keys: list[tuple[str, str]], *, known: dict
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


def _followers_stored(keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, ext in keys:
        by_platform[platform].append(ext)
    for platform, exts in by_platform.items():
        rows = Author.objects.filter(platform=platform, external_id__in=exts)
        for ext, followers in rows.values_list("external_id", "followers"):
            found[(platform, ext)] = followers
    return found


def _authors_upsert(authors: list[AuthorData], *, now: datetime) -> dict[tuple[str, str], int]:
    unique = {(a.platform, a.external_id): a for a in authors}
    rows = [(*author_values(a), now) for _, a in sorted(unique.items())]
    if any(row[6] is None for row in rows):  # unknown follower counts keep the stored ones
        stored = _followers_stored([key for key, a in unique.items() if a.followers is None])
        rows = [
            (*row[:6], stored.get(row[:2], 0), *row[7:]) if row[6] is None else row for row in rows
        ]
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*_AUTHOR_DATA, "updated_at"))
    table = Author._meta.db_table
    returned = insert_rows(
        table=table,
        columns=[c for c, _ in AUTHOR_COLUMNS],
        types=[t for _, t in AUTHOR_COLUMNS],
        rows=rows,
        conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {updates} "
        f"WHERE {_changed(table, _AUTHOR_DATA)}",
        returning=("id", "platform", "external_id"),
    )
    ids = {(platform, ext): pk for pk, platform, ext in returned}
    ids.update(_ids(Author, sorted(unique), known=ids))
    return ids


def _post_row(
    post: PostData, author_id: int, source_id: int | None, now: datetime, tagset_id: int | None
) -> tuple:
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
        tagset_id,
    )

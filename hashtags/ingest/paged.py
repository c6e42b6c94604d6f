"""The page path of posts_upsert: a polling page (or any batch off the COPY path) stored with
INSERT ... ON CONFLICT from arrays (hashtags.ingest.bulk), in the caller's transaction.

Authors are upserted (rows already holding the same values are left alone; an unknown follower
count keeps the stored one), new posts inserted with their tag set (ON CONFLICT DO NOTHING, so a
post a concurrent writer stored meanwhile is handled as stored), and the stored ones brought up
to date through hashtags.ingest.stored. A new post's mentions are inserted with it (a stored
post keeps the ones it was stored with). Each new post's rollup contribution goes into `deltas`,
which the caller applies. The columns are the row spec's (hashtags.ingest.rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from ..models import Author, Post, PostMention
from ..sources.base import AuthorData, PostData
from ..tagsets import tagset_key
from .bulk import insert_rows
from .results import UpsertResult
from .rollups import Deltas, contribution, minute_of, tagsets_ensure
from .rows import (
    AUTHOR,
    AUTHOR_DATA,
    MENTION,
    POST,
    author_values,
    given_metrics,
    mention_values,
    names,
    post_values,
)
from .stored import PostKey, needs_update, posts_state, stored_update, union_key

# What a page path row adds to the spec's columns: resolved by the write, not the data.
_AUTHOR_ROW = (*names(AUTHOR), "updated_at")
_AUTHOR_TYPES = (*(c.sql for c in AUTHOR), "timestamptz")
_POST_EXTRA = (
    ("author_id", "bigint"),
    ("source_id", "bigint"),
    ("first_seen_at", "timestamptz"),
    ("metrics_updated_at", "timestamptz"),
    ("tagset_id", "bigint"),
)
_POST_ROW = (*names(POST), *(c for c, _ in _POST_EXTRA))
_POST_TYPES = (*(c.sql for c in POST), *(t for _, t in _POST_EXTRA))
_MENTION_ROW = ("post_id", "platform", *names(MENTION))
_MENTION_TYPES = ("bigint", "text", *(c.sql for c in MENTION))
_KEEPS = [c.name for c in AUTHOR if c.unknown_keeps]  # None: the stored value stays
_KEEPS_AT = [_AUTHOR_ROW.index(name) for name in _KEEPS]


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
    keys = {tagset_key(given[(p.platform, p.external_id)]) for p in fresh}
    for p in batch:
        key = (p.platform, p.external_id)
        if key in seen and needs_update(seen[key], p, given[key]):
            keys.add(union_key(seen[key], given[key]))
    tagset_ids = tagsets_ensure(keys)
    author_ids = _authors_upsert([p.author for p in batch], now=now)
    tagsets = [tagset_ids.get(tagset_key(given[(p.platform, p.external_id)])) for p in fresh]
    rows = [
        (*post_values(p), author_ids[(p.platform, p.author.external_id)], source_id, now, now, t)
        for p, t in zip(fresh, tagsets, strict=True)
    ]
    inserted = insert_rows(
        table=Post._meta.db_table,
        columns=_POST_ROW,
        types=_POST_TYPES,
        rows=rows,
        conflict="ON CONFLICT (platform, external_id) DO NOTHING",
        returning=("id", "platform", "external_id"),
    )
    new_ids = {(platform, ext): pk for pk, platform, ext in inserted}
    _mentions_insert(fresh, new_ids)
    for p, tagset_id in zip(fresh, tagsets, strict=True):
        key = (p.platform, p.external_id)
        if key not in new_ids:
            continue  # stored by a concurrent writer meanwhile: handled as stored below
        result.linked(given[key])
        if tagset_id is not None:
            vector = contribution(p.is_repost, *given_metrics(p))
            deltas.add((tagset_id, p.platform, minute_of(p.created_at)), vector)
    result.new = len(new_ids)
    result.duplicates = len(batch) - result.new
    stored = [p for p in batch if (p.platform, p.external_id) not in new_ids]
    outcome = stored_update(
        posts=stored, given=given, seen=seen, tagset_ids=tagset_ids, deltas=deltas, now=now
    )
    result.linked(outcome.grown)
    return sorted(new_ids.values())


def _mentions_insert(fresh: list[PostData], new_ids: dict[PostKey, int]) -> None:
    """The mentions of the posts this page stored first (a conflict is a row already there)."""
    rows = [
        (new_ids[key], p.platform, *mention_values(m))
        for p in fresh
        if p.mentions and (key := (p.platform, p.external_id)) in new_ids
        for m in p.mentions
    ]
    insert_rows(
        table=PostMention._meta.db_table,
        columns=_MENTION_ROW,
        types=_MENTION_TYPES,
        rows=rows,
        conflict="ON CONFLICT DO NOTHING",
    )


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


def _kept_stored(keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    """The stored values of the columns an unknown value leaves alone, by author key."""
    found: dict[tuple[str, str], tuple] = {}
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, ext in keys:
        by_platform[platform].append(ext)
    for platform, exts in by_platform.items():
        rows = Author.objects.filter(platform=platform, external_id__in=exts)
        for ext, *values in rows.values_list("external_id", *_KEEPS):
            found[(platform, ext)] = tuple(values)
    return found


def _authors_upsert(authors: list[AuthorData], *, now: datetime) -> dict[tuple[str, str], int]:
    unique = {(a.platform, a.external_id): a for a in authors}
    keyed = sorted(unique.items())
    rows = [[*author_values(a), now] for _, a in keyed]
    unknown = [
        (key, row)
        for (key, _), row in zip(keyed, rows, strict=True)
        if any(row[i] is None for i in _KEEPS_AT)
    ]
    if unknown:  # unknown values (a follower count) keep the stored ones; a new author gets 0
        stored = _kept_stored([key for key, _ in unknown])
        for key, row in unknown:
            kept = stored.get(key, (0,) * len(_KEEPS_AT))
            for i, value in zip(_KEEPS_AT, kept, strict=True):
                if row[i] is None:
                    row[i] = value
    data = names(AUTHOR_DATA)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*data, "updated_at"))
    table = Author._meta.db_table
    returned = insert_rows(
        table=table,
        columns=_AUTHOR_ROW,
        types=_AUTHOR_TYPES,
        rows=rows,
        conflict=f"ON CONFLICT (platform, external_id) DO UPDATE SET {updates} "
        f"WHERE {_changed(table, data)}",
        returning=("id", "platform", "external_id"),
    )
    ids = {(platform, ext): pk for pk, platform, ext in returned}
    ids.update(_ids(Author, sorted(unique), known=ids))
    return ids

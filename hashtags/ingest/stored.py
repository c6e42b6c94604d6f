"""Posts already stored: fresh metrics and grown tag sets, applied exactly once under row locks.

Both write paths hand the posts of a batch that were stored before to `stored_update`. It reads
their state without locks first (`posts_state`), so posts that bring nothing new are never
locked or rewritten; the rest are locked (FOR UPDATE, in key order, the order every writer
uses) and read again, and the difference between the locked state and the new one is what the
rollups get: new - old metrics on the same rows, or the whole contribution moved from the old
tag set's rows to the grown set's. Only the metrics, metrics_updated_at and the tag set of a
stored post ever change; its platform, creation time and repost flag are the stored ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from ..models import Post
from ..sources.base import PostData
from ..tagsets import tagset_hashtag_ids, tagset_key
from .rollups import Deltas, TagSetsMissing, Vector, contribution, minute_of, tagsets_known
from .rows import given_metrics

PostKey = tuple[str, str]  # (platform, external_id)
_STATE: tuple[str, ...] = ("pk", "platform", "external_id", "tagset_id", "tagset__key")
_STATE += ("likes", "reposts", "replies", "quotes", "is_repost", "created_at")


@dataclass(frozen=True)
class State:
    """A stored post as the rollups see it."""

    id: int
    tagset_id: int | None
    tags: frozenset[int]
    metrics: tuple[int, int, int, int]  # likes, reposts, replies, quotes
    is_repost: bool
    platform: str
    created_at: datetime

    def vector(self, metrics: tuple[int, int, int, int] | None = None) -> Vector:
        return contribution(self.is_repost, *(metrics or self.metrics))


def posts_state(keys: Sequence[PostKey], *, lock: bool = False) -> dict[PostKey, State]:
    """The stored state of these posts; lock: FOR UPDATE, in key order (PostgreSQL)."""
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, ext in sorted(set(keys)):
        by_platform[platform].append(ext)
    out: dict[PostKey, State] = {}
    for platform, exts in sorted(by_platform.items()):
        for start in range(0, len(exts), 5000):
            part = exts[start : start + 5000]
            rows = Post.objects.filter(platform=platform, external_id__in=part)
            if lock and connection.vendor == "postgresql":
                rows = rows.select_for_update(of=("self",)).order_by("external_id")
            for pk, plat, ext, tagset_id, key, *rest in rows.values_list(*_STATE):
                out[(plat, ext)] = state_of(pk, plat, tagset_id, key, *rest)
    return out


def state_of(
    pk: int,
    platform: str,
    tagset_id: int | None,
    key: str | None,
    likes: int,
    reposts: int,
    replies: int,
    quotes: int,
    is_repost: bool,
    created_at: datetime,
) -> State:
    """A State from a stored row's values (in posts_state's order; the staged SQL's too)."""
    return State(
        id=pk,
        tagset_id=tagset_id,
        tags=tagset_hashtag_ids(key or ""),
        metrics=(likes, reposts, replies, quotes),
        is_repost=is_repost,
        platform=platform,
        created_at=created_at,
    )


def needs_update(state: State, post: PostData, given: frozenset[int]) -> bool:
    return bool(given - state.tags) or state.metrics != given_metrics(post)


def union_key(state: State, given: frozenset[int]) -> str:
    return tagset_key(state.tags | given)


@dataclass
class StoredOutcome:
    grown: list[int]  # a hashtag id for each stored post that now carries it and did not
    updated: int = 0  # posts rewritten


def stored_update(
    *,
    posts: Sequence[PostData],
    given: dict[PostKey, frozenset[int]],
    seen: dict[PostKey, State],
    tagset_ids: dict[str, int],
    deltas: Deltas,
    now: datetime,
    same: set[PostKey] | frozenset[PostKey] = frozenset(),
) -> StoredOutcome:
    """Bring stored posts up to date. seen: their unlocked state where it was read; same: those
    known to need nothing (posts in neither were stored concurrently meanwhile); tagset_ids:
    key -> id known so far (grows)."""
    outcome = StoredOutcome(grown=[])
    wanted = []
    for p in posts:
        key = (p.platform, p.external_id)
        if key in same:
            continue
        if key not in seen or needs_update(seen[key], p, given[key]):
            wanted.append(key)
    if not wanted:
        return outcome
    locked = posts_state(wanted, lock=True)
    by_key = {(p.platform, p.external_id): p for p in posts}
    plans = []
    for key, state in sorted(locked.items()):
        post = by_key[key]
        tags = state.tags | given[key]
        metrics = given_metrics(post)
        if tags == state.tags and metrics == state.metrics:
            continue  # another writer got there first
        plans.append((state, tags, metrics))
    missing = {tagset_key(t) for _, t, _ in plans if t} - set(tagset_ids)
    if missing:  # rare: a tag set nobody carried before, or grown concurrently in between
        tagset_ids.update(tagsets_known(missing))
        if missing - set(tagset_ids):
            raise TagSetsMissing(missing - set(tagset_ids))
    rows = []
    for state, tags, metrics in plans:
        tagset_id = tagset_ids.get(tagset_key(tags)) if tags else None
        if state.tagset_id is not None:
            deltas.add(_bucket(state, state.tagset_id), state.vector(), -1)
        if tagset_id is not None:
            deltas.add(_bucket(state, tagset_id), state.vector(metrics))
        outcome.grown += sorted(tags - state.tags)
        rows.append((state.id, *metrics, tagset_id, metrics != state.metrics))
    _posts_update(rows, now=now)
    outcome.updated = len(rows)
    return outcome


def _bucket(state: State, tagset_id: int) -> tuple[int, str, datetime]:
    return (tagset_id, state.platform, minute_of(state.created_at))


def _posts_update(rows: list[tuple], *, now: datetime) -> None:
    """rows: (id, likes, reposts, replies, quotes, tagset_id, metrics changed)."""
    if not rows:
        return
    table = Post._meta.db_table
    if connection.vendor == "postgresql":
        arrays = [list(col) for col in zip(*rows, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} p SET likes = u.likes, reposts = u.reposts, replies = u.replies,
                    quotes = u.quotes, tagset_id = u.tagset_id,
                    metrics_updated_at = CASE WHEN u.moved THEN %s ELSE p.metrics_updated_at END
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[],
                    %s::bigint[], %s::bigint[], %s::boolean[])
                    AS u(id, likes, reposts, replies, quotes, tagset_id, moved)
                WHERE p.id = u.id
                """,  # noqa: S608 - the table name is ours
                [now, *arrays],
            )
        return
    for pk, likes, reposts, replies, quotes, tagset_id, moved in rows:
        values = {"likes": likes, "reposts": reposts, "replies": replies, "quotes": quotes}
        values["tagset_id"] = tagset_id
        if moved:
            values["metrics_updated_at"] = now
        Post.objects.filter(pk=pk).update(**values)

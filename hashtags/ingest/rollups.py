"""The write side of the tag-set rollups: what one post adds, tag sets on demand, and upserts.

A post counts once, in the minute and hour rows of its tag set (the tracked hashtags it
carries), platform and creation time (UTC): posts += 1 for an original post, reposts += 1 for
a plain repost, and an original's current likes, replies, shares (its reposts) and quotes; a
plain repost's metrics are its original's, so they are not added again. Ingestion keeps the rows
equal to that sum by adding differences: a new post adds its contribution, a metrics change
adds new - old, a grown tag set moves the contribution from the old set's rows to the new's.
`rollups_rebuild` recomputes both tables from the posts (the repair tool).

Row locks are taken in one order everywhere (tag sets by key; minute rows, then hour rows, by
(tag set, platform, bucket)), so concurrent writers cannot deadlock on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Model

from ..models import Post, TagSet, TagSetRollup, TagSetRollupHour
from .bulk import insert_rows, insert_sql

SUMS = ("posts", "reposts", "likes", "replies", "shares", "quotes")
_TYPES = ("bigint", "text", "timestamptz", "int", "int", "bigint", "bigint", "bigint", "bigint")
Vector = tuple[int, int, int, int, int, int]
Key = tuple[int, str, datetime]  # (tag set id, platform, minute)
_POST = ("is_repost", "likes", "reposts", "replies", "quotes")  # contribution's arguments


def contribution(is_repost: bool, likes: int, reposts: int, replies: int, quotes: int) -> Vector:
    """What one post adds to its rows: (posts, reposts, likes, replies, shares, quotes)."""
    if is_repost:
        return (0, 1, 0, 0, 0, 0)
    return (1, 0, likes, replies, reposts, quotes)


def minute_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


class Deltas:
    """Changes to the rollups, summed per (tag set, platform, minute) before any write."""

    def __init__(self) -> None:
        self.sums: dict[Key, list[int]] = defaultdict(lambda: [0] * 6)

    def add(self, key: Key, vector: Iterable[int], sign: int = 1) -> None:
        acc = self.sums[key]
        for i, value in enumerate(vector):
            acc[i] += sign * value

    def apply(self) -> None:
        """Add the summed changes to the minute rows, then to the hour rows."""
        minutes = {k: v for k, v in self.sums.items() if any(v)}
        if not minutes:
            return
        hours: dict[Key, list[int]] = defaultdict(lambda: [0] * 6)
        for (tagset_id, platform, minute), values in minutes.items():
            acc = hours[(tagset_id, platform, minute.replace(minute=0))]
            for i, value in enumerate(values):
                acc[i] += value
        _upsert(
            (TagSetRollup, "minute", minutes),
            (TagSetRollupHour, "hour", {k: v for k, v in hours.items() if any(v)}),
        )


def _upsert(*parts: tuple[type[Model], str, dict[Key, list[int]]]) -> None:
    """Add to the rows of each (model, bucket column, sums), in this order and key order; on
    PostgreSQL in one round trip."""
    statements = []
    for model, bucket, sums in parts:
        if not sums:
            continue
        table = model._meta.db_table
        increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
        conflict = f"ON CONFLICT (tagset_id, platform, {bucket}) DO UPDATE SET {increments}"
        rows = [(*key, *values) for key, values in sorted(sums.items())]
        columns = ("tagset_id", "platform", bucket, *SUMS)
        if connection.vendor != "postgresql":
            insert_rows(table=table, columns=columns, types=_TYPES, rows=rows, conflict=conflict)
            continue
        statements.append(insert_sql(table, columns, _TYPES, rows, conflict))
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(
                ";".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
            )


class TagSetsMissing(Exception):
    """A stored post grew into a tag set that does not exist yet. Tag sets are only made
    before a writer takes any row lock (so two writers never wait on each other's new tag set
    while holding posts); posts_upsert makes these and runs the batch again."""

    def __init__(self, keys: set[str]) -> None:
        super().__init__(f"tag sets to make first: {sorted(keys)}")
        self.keys = keys


def tagsets_known(keys: Iterable[str]) -> dict[str, int]:
    """Ids of the tag sets with these keys that exist (no writes, no waits)."""
    return dict(TagSet.objects.filter(key__in=sorted(set(keys))).values_list("key", "pk"))


def tagsets_ensure(keys: Iterable[str]) -> dict[str, int]:
    """Ids of the tag sets with these keys, creating the missing ones ("" is no set)."""
    wanted = sorted({k for k in keys if k})
    if not wanted:
        return {}
    found = dict(TagSet.objects.filter(key__in=wanted).values_list("key", "pk"))
    missing = [k for k in wanted if k not in found]
    if missing:
        created = insert_rows(
            table=TagSet._meta.db_table,
            columns=("key",),
            types=("text",),
            rows=[(k,) for k in missing],
            conflict="ON CONFLICT (key) DO NOTHING",
            returning=("key", "id"),
        )
        found.update(dict(created))
        if len(found) < len(wanted):  # created by a concurrent writer meanwhile
            later = TagSet.objects.filter(key__in=[k for k in wanted if k not in found])
            found.update(dict(later.values_list("key", "pk")))
    return found


def rollups_rebuild() -> dict[str, int]:
    """Recompute both rollup tables from the posts and their tag sets, in one transaction.

    Returns counts: posts (those carrying a tracked hashtag), tagsets (in use), minute_rows,
    hour_rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # keep concurrent ingestion out meanwhile
                cursor.execute(
                    f"LOCK TABLE {Post._meta.db_table}, {TagSetRollup._meta.db_table}, "
                    f"{TagSetRollupHour._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
                )
        deltas = Deltas()
        posts = Post.objects.filter(tagset__isnull=False).values_list(
            "tagset_id", "platform", "created_at", *_POST
        )
        counted, tagsets = 0, set()
        for tagset_id, platform, created_at, is_repost, *metrics in posts.iterator(5000):
            bucket = (tagset_id, platform, minute_of(created_at))
            deltas.add(bucket, contribution(is_repost, *metrics))
            counted += 1
            tagsets.add(tagset_id)
        TagSetRollup.objects.all().delete()
        TagSetRollupHour.objects.all().delete()
        deltas.apply()
        return {
            "posts": counted,
            "tagsets": len(tagsets),
            "minute_rows": TagSetRollup.objects.count(),
            "hour_rows": TagSetRollupHour.objects.count(),
        }

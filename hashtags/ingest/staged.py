"""The archive path on PostgreSQL: COPY a prepared batch into temporary tables, store it in a
few set-based statements (hashtags.ingest.staged_sql).

stage_prepare runs without the database (in the import's prefetch thread): it formats authors,
posts and their mentions as CSV, groups the posts by the set of tag names they carry, and sums
the rollup contribution of every post per (group, platform, minute) as if all were new, as CSV
too. staged_store makes the groups' tag sets, COPYs them, upserts authors and inserts the new
posts with their tag set and mentions (one round trip), reads the state of the posts that were
not new, brings those up to date through hashtags.ingest.stored like a page's, and adds to the
rollups the pre-summed batch less the posts that were not new plus the stored posts' changes
(one round trip). Locks come in the page path's order (tag sets, authors, new posts by key, stored
posts by key, rollup rows by key), so both paths run side by side without deadlocks; a tag set
that only a stored post's growth needs is made before any lock is taken, by a restart
(hashtags.ingest.rollups.TagSetsMissing).
"""

from __future__ import annotations

import csv
import io
import weakref
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from ..sources.base import AuthorData, PostData
from ..tagsets import tagset_key
from . import staged_sql as sql
from .results import Prepared, Staged, UpsertResult
from .rollups import Deltas, contribution, minute_of, tagsets_ensure
from .rows import MENTION, POST_DATA, Column, given_metrics, values_of
from .stored import PostKey, State, state_of, stored_update

AUTHORS_REMEMBERED = 200_000  # authors_sent entries kept by one import (about 30 MB at most)


class AuthorsMissing(Exception):
    """A post's author was left out of the batch as sent before, but is not stored."""


_post_csv = values_of(POST_DATA, csv=True)
_author_csv = values_of(sql.AUTHOR_STAGED, csv=True)
_mention_csv = values_of(MENTION, csv=True)


def _authors_new(
    authors: dict[tuple[str, str], AuthorData], sent: dict[Any, int] | None
) -> Iterator[tuple]:
    for key, author in authors.items():
        row = _author_csv(author)
        if sent is not None:
            digest = hash(row)
            if sent.get(key) == digest:
                continue
            if len(sent) >= AUTHORS_REMEMBERED:
                sent.clear()
            sent[key] = digest
        yield row


def stage_prepare(
    *, batch: Sequence[PostData], authors_sent: dict[Any, int] | None = None
) -> Staged:
    """Format a deduplicated batch for staged_store; pure Python, safe in any thread.

    authors_sent: one import's record of the authors it formatted before (key -> hash of the
    values); an author sent unchanged is not sent again. If one never reached the database
    (its batch failed), staged_store notices and the batch is prepared again in full."""
    authors: dict[tuple[str, str], AuthorData] = {}
    groups: dict[tuple[str, ...], int] = {}
    group_of: list[int] = []
    sums: dict[tuple[int, str, datetime], list[int]] = defaultdict(lambda: [0] * 6)
    posts, mentions = io.StringIO(), io.StringIO()
    row = csv.writer(posts).writerow
    mention_row = csv.writer(mentions).writerow
    for n, p in enumerate(batch):
        a = p.author
        authors[(a.platform, a.external_id)] = a  # the last post's copy wins, as on the page path
        names = tuple(sorted(set(p.hashtags)))
        g = groups.setdefault(names, len(groups))
        group_of.append(g)
        if p.created_at is not None:  # (a NULL is refused by the insert, failing the batch)
            acc = sums[(g, p.platform, minute_of(p.created_at))]
            for i, value in enumerate(contribution(bool(p.is_repost), *given_metrics(p))):
                acc[i] += value
        row((n, g, p.platform, p.external_id, a.external_id, *_post_csv(p)))  # sql.POST_STAGED
        for m in dict.fromkeys(p.mentions) if p.mentions else ():  # each once: the unique key
            mention_row((n, *_mention_csv(m)))  # sql.MENTION_STAGED
    people = io.StringIO()
    csv.writer(people).writerows(_authors_new(authors, authors_sent))
    counts = [0] * len(groups)
    for g in group_of:
        counts[g] += 1
    rolled = io.StringIO()
    csv.writer(rolled).writerows(
        (g, platform, minute.isoformat(), *values) for (g, platform, minute), values in sums.items()
    )
    return Staged(
        authors=people.getvalue(),
        posts=posts.getvalue(),
        tags=frozenset(name for names in groups for name in names),
        count=len(batch),
        groups=tuple(groups),
        group_of=tuple(group_of),
        group_counts=tuple(counts),
        sums=rolled.getvalue(),
        mentions=mentions.getvalue(),
    )


_sequence: str | None = None  # the posts' id sequence, looked up once
_created: weakref.WeakSet = weakref.WeakSet()  # connections whose temporary tables committed


def staged_store(
    *,
    prepared: Prepared,
    tag_ids: dict[str, int],
    source_id: int | None,
    now: datetime,
    deltas: Deltas,
    result: UpsertResult,
    want_ids: bool = False,
    safe: bool = False,
) -> list[int]:
    """Store a prepared batch; the new posts' ids if want_ids. PostgreSQL only; call inside
    the caller's transaction. Fills result (new, duplicates, new_links); the rollups are
    written here (deltas stays empty). safe: insert with ON CONFLICT (see sql.NEW_FAST)."""
    staged, batch = prepared.staged, prepared.posts
    assert staged is not None  # prepared for PostgreSQL, as the caller checked
    group_tags = [frozenset(tag_ids[t] for t in names if t in tag_ids) for names in staged.groups]
    tagset_ids = tagsets_ensure(tagset_key(tags) for tags in group_tags)
    group_sets = [tagset_ids.get(tagset_key(tags)) for tags in group_tags]
    params: dict[str, Any] = {
        "groups": list(range(len(group_tags))),
        "group_sets": group_sets,
        "now": now,
        "source": source_id,
    }
    with connection.cursor() as cursor:
        _stage(cursor, staged)
        mentions = sql.MENTIONS if staged.mentions else ""
        cursor.execute(
            sql.AUTHORS + (sql.NEW if safe else sql.NEW_FAST) + mentions + sql.OLD, params
        )
        old_rows = cursor.fetchall()
        if any(lost for *_, lost in old_rows):  # an author left out as sent was not stored
            raise AuthorsMissing
        new_ids = []
        if want_ids and len(old_rows) < staged.count:
            cursor.execute(sql.NEW_IDS)
            new_ids = [pk for (pk,) in cursor.fetchall()]
    result.new = staged.count - len(old_rows)
    result.duplicates = len(old_rows)
    _tags_counted(staged, group_tags, [n for n, *_ in old_rows], result)
    seen: dict[PostKey, State] = {}  # stored posts whose values differ from the batch's
    same: set[PostKey] = set()  # stored posts the batch brings nothing new for
    given: dict[PostKey, frozenset[int]] = {}
    for n, pk, *row, _lost in old_rows:
        post = batch[n]
        key = (post.platform, post.external_id)
        given[key] = group_tags[staged.group_of[n]]
        if pk is None:
            same.add(key)
        else:
            seen[key] = state_of(pk, *row)
    outcome = stored_update(
        posts=[batch[n] for n, *_ in old_rows],  # (in key order, as n)
        given=given,
        seen=seen,
        same=same,
        tagset_ids=tagset_ids,
        deltas=deltas,
        now=now,
    )
    result.linked(outcome.grown)
    rows = [(*key, *values) for key, values in sorted(deltas.sums.items()) if any(values)]
    deltas.sums.clear()
    columns = ("set", "platform", "minute", "posts", "reposts", "likes", "replies", "shares")
    arrays = zip(*rows, strict=True) if rows else [[]] * 9
    params.update({f"d_{c}": list(a) for c, a in zip((*columns, "quotes"), arrays, strict=True)})
    with connection.cursor() as cursor:
        cursor.execute(sql.ROLLUPS, params)
    return new_ids


def _tags_counted(
    staged: Staged, group_tags: list[frozenset[int]], old: list[int], result: UpsertResult
) -> None:
    """The new posts carrying each hashtag: every staged post's tags less the old posts'."""
    counts: dict[int, int] = defaultdict(int)
    for g, count in enumerate(staged.group_counts):
        for hashtag_id in group_tags[g]:
            counts[hashtag_id] += count
    for n in old:
        for hashtag_id in group_tags[staged.group_of[n]]:
            counts[hashtag_id] -= 1
    for hashtag_id, count in counts.items():
        if count:
            result.new_links[hashtag_id] = result.new_links.get(hashtag_id, 0) + count


def _stage(cursor: Any, staged: Staged) -> None:
    """COPY the batch into this connection's temporary tables (made on first use)."""
    global _sequence
    raw = connection.connection
    prologue = [sql.NO_JIT]
    if raw not in _created:
        if _sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence('hashtags_post', 'id')")
            _sequence = cursor.fetchone()[0]
        prologue.append(sql.STAGE_TABLES.format(sequence=_sequence))
        transaction.on_commit(lambda: _created.add(raw))  # a rollback drops them again
    if connection.savepoint_ids:  # an outer transaction: an earlier batch may be staged
        prologue.append(sql.STAGE_CLEAR)
    cursor.execute("".join(prologue))
    _copy(cursor, "_ingest_author", sql.AUTHOR_STAGED, staged.authors)
    _copy(cursor, "_ingest_post", sql.POST_STAGED, staged.posts)
    _copy(cursor, "_ingest_sum", sql.SUM_STAGED, staged.sums)
    if staged.mentions:
        _copy(cursor, "_ingest_mention", sql.MENTION_STAGED, staged.mentions)


def _copy(cursor: Any, table: str, columns: Sequence[Column], data: str) -> None:
    # CSV reads an unquoted empty field as NULL; the text columns hold '' instead, as the models.
    texts = ", ".join(c.name for c in columns if c.sql == "text")
    listed = ", ".join(c.name for c in columns)
    copy = f"COPY {table} ({listed}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({texts}))"
    cursor.cursor.copy_expert(copy, io.StringIO(data), size=1 << 20)

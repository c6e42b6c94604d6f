"""Set-based writes for ingestion: INSERT ... ON CONFLICT for pages, COPY staging for archives.

insert_rows: on PostgreSQL a whole batch is one statement whatever its size: the columns travel
as arrays and `unnest` turns them back into rows (no 65,535-parameter limit, one round trip).
SQLite gets the same statement as chunked VALUES lists. Both return the rows it touched.

stage_prepare / staged_store: archive-sized batches on PostgreSQL. The batch is formatted as
CSV without touching the database (so it can be built while the previous batch is stored), COPYed
into session-local temporary tables and stored by four set-based statements. Each statement
takes its row locks in the page path's order (authors, new posts, changed posts, links,
rollups; by key in code-point order), so both paths can run side by side without deadlocks.
"""

from __future__ import annotations

import csv
import io
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from .sources.base import AuthorData, PostData

# PostgreSQL array types for the unnest form, by the short names callers use.
_PG_ARRAY = {
    "text": "text[]",
    "bigint": "bigint[]",
    "int": "integer[]",
    "bool": "boolean[]",
    "timestamptz": "timestamptz[]",
    "jsonb": "text[]",  # sent as text, cast per row below
}
_SQLITE_CHUNK_VARIABLES = 30000


def insert_rows(
    *,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: str,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """INSERT rows into table with `conflict` ("ON CONFLICT ..."); returns RETURNING rows."""
    if not rows:
        return []
    cols = ", ".join(columns)
    ret = f" RETURNING {', '.join(returning)}" if returning else ""
    out: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(col) for col in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{_PG_ARRAY[t]}" for t in types)
            names = ", ".join(f"u{i}" for i in range(len(columns)))
            select = ", ".join(
                f"u{i}::jsonb" if t == "jsonb" else f"u{i}" for i, t in enumerate(types)
            )
            sql = (
                f"INSERT INTO {table} ({cols}) SELECT {select} FROM unnest({unnest}) "
                f"AS u({names}) {conflict}{ret}"
            )
            cursor.execute(sql, arrays)
            if returning:
                out.extend(cursor.fetchall())
        else:
            per_row = len(columns)
            chunk = max(1, _SQLITE_CHUNK_VARIABLES // per_row)
            one = "(" + ", ".join(["%s"] * per_row) + ")"
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                values = ", ".join([one] * len(part))
                params = [value for row in part for value in row]
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) VALUES {values} {conflict}{ret}",
                    params,
                )
                if returning:
                    out.extend(cursor.fetchall())
    return out


# --- the staged (COPY) path ----------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """One batch as COPY input: authors and posts in CSV, and the tag names it carries."""

    authors: str
    posts: str
    tags: frozenset[str]
    count: int


def author_values(a: AuthorData) -> tuple:
    """An author's stored values, cut and clamped to the columns: the same on both write paths.
    (platform, external_id, handle, name, avatar_url, url, followers, verified)"""
    return (
        a.platform,
        a.external_id,
        a.handle[:255],
        a.name[:255],
        a.avatar_url[:1000],
        a.url[:1000],
        max(0, int(a.followers or 0)),
        bool(a.verified),
    )


def post_values(p: PostData) -> tuple:
    """A post's stored values after its key and author, cut and clamped to the columns: the
    same on both write paths. (text, url, created_at, lang, links, likes, reposts, replies,
    quotes, is_repost, repost_of, reply_to, conversation_id)"""
    return (
        p.text,
        p.url[:1000],
        p.created_at,
        p.lang[:16],
        list(p.links),
        max(0, int(p.likes)),
        max(0, int(p.reposts)),
        max(0, int(p.replies)),
        max(0, int(p.quotes)),
        bool(p.is_repost),
        p.repost_of[:255],
        p.reply_to[:255],
        p.conversation_id[:255],
    )


def stage_prepare(*, batch: Sequence[PostData]) -> Staged:
    """Format a deduplicated batch for staged_store; pure Python, safe in any thread."""
    authors: dict[tuple[str, str], Any] = {}
    tags: set[str] = set()
    posts = io.StringIO()
    row = csv.writer(posts).writerow
    for n, p in enumerate(batch):
        a = p.author
        authors[(a.platform, a.external_id)] = a  # the last post's copy wins, as on the page path
        names = sorted(set(p.hashtags))
        tags.update(names)
        text, url, created_at, lang, links, *counts, is_repost, repost_of, reply_to, conv = (
            post_values(p)
        )
        row(
            (
                n,
                p.platform,
                p.external_id,
                a.external_id,
                text,
                url,
                None if created_at is None else created_at.isoformat(),  # NULL: refused
                lang,
                json.dumps(links),
                *counts,
                "t" if is_repost else "f",
                repost_of,
                reply_to,
                conv,
                "{" + ",".join(map(_array_item, names)) + "}",
            )
        )
    people = io.StringIO()
    csv.writer(people).writerows(
        (*values[:-1], "t" if values[-1] else "f")
        for values in map(author_values, authors.values())
    )
    return Staged(
        authors=people.getvalue(), posts=posts.getvalue(), tags=frozenset(tags), count=len(batch)
    )


def _array_item(name: str) -> str:
    # Quoted, so that a tag named "null" is not NULL and punctuation cannot end the literal.
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Each staged post draws its id from the posts' own sequence as it is COPYed, so every later
# join is on an integer; a post already stored keeps its id and the drawn one is left unused.
_STAGE_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS _ingest_author (
    platform text COLLATE "C", external_id text COLLATE "C", handle text, name text,
    avatar_url text, url text, followers bigint, verified boolean) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_post (
    n int, platform text COLLATE "C", external_id text COLLATE "C",
    author_external_id text COLLATE "C", text text, url text, created_at timestamptz,
    lang text, links jsonb, likes bigint, reposts bigint, replies bigint, quotes bigint,
    is_repost boolean, repost_of text, reply_to text, conversation_id text, hashtags text[],
    staged_id bigint DEFAULT nextval('{sequence}'::regclass)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_id (staged_id bigint, post_id bigint, new boolean)
    ON COMMIT DELETE ROWS;
"""
# Rows are left over only when an outer transaction spans several batches (tests, nested
# atomic blocks): ON COMMIT DELETE ROWS empties the tables at every commit.
_STAGE_CLEAR = "DELETE FROM _ingest_author; DELETE FROM _ingest_post; DELETE FROM _ingest_id;"
# The temporary tables have no statistics, so the planner's row estimates are guesses;
# compiling the statements (JIT) for those guesses costs more than running them.
_NO_JIT = "SET LOCAL jit = off;"
_AUTHOR_COLUMNS = "platform, external_id, handle, name, avatar_url, url, followers, verified"
_AUTHOR_TEXT = "platform, external_id, handle, name, avatar_url, url"
_POST_COLUMNS = (
    "n, platform, external_id, author_external_id, text, url, created_at, lang, links, likes, "
    "reposts, replies, quotes, is_repost, repost_of, reply_to, conversation_id, hashtags"
)
_POST_TEXT = (
    "platform, external_id, author_external_id, text, url, lang, repost_of, reply_to, "
    "conversation_id"
)
_AUTHOR_DATA = "handle, name, avatar_url, url, followers, verified"

# Authors whose stored row already says the same are left alone: no lock, no new row version.
_AUTHORS_SQL = f"""
INSERT INTO hashtags_author AS t (platform, external_id, {_AUTHOR_DATA}, updated_at)
SELECT s.platform, s.external_id, s.handle, s.name, s.avatar_url, s.url, s.followers,
    s.verified, %(now)s
FROM _ingest_author s
WHERE NOT EXISTS (
    SELECT FROM hashtags_author a
    WHERE a.platform = s.platform AND a.external_id = s.external_id
        AND (a.handle, a.name, a.avatar_url, a.url, a.followers, a.verified)
            IS NOT DISTINCT FROM (s.handle, s.name, s.avatar_url, s.url, s.followers, s.verified))
ORDER BY s.platform, s.external_id
ON CONFLICT (platform, external_id) DO UPDATE SET handle = excluded.handle,
    name = excluded.name, avatar_url = excluded.avatar_url, url = excluded.url,
    followers = excluded.followers, verified = excluded.verified, updated_at = excluded.updated_at
WHERE (t.handle, t.name, t.avatar_url, t.url, t.followers, t.verified) IS DISTINCT FROM
    (excluded.handle, excluded.name, excluded.avatar_url, excluded.url, excluded.followers,
    excluded.verified)
"""
# New posts, in key order (n); whatever is already stored, or is being stored by a concurrent
# batch (this statement waits for it), is left to the next one, whose fresh snapshot sees it.
_NEW_SQL = """
WITH ins AS (
    INSERT INTO hashtags_post (id, platform, external_id, author_id, text, url, created_at,
        lang, links, likes, reposts, replies, quotes, is_repost, repost_of, reply_to,
        conversation_id, source_id, first_seen_at, metrics_updated_at)
    SELECT s.staged_id, s.platform, s.external_id, a.id, s.text, s.url, s.created_at, s.lang,
        s.links, s.likes, s.reposts, s.replies, s.quotes, s.is_repost, s.repost_of,
        s.reply_to, s.conversation_id, %(source)s, %(now)s, %(now)s
    FROM _ingest_post s
    JOIN hashtags_author a ON a.platform = s.platform AND a.external_id = s.author_external_id
    ORDER BY s.n
    ON CONFLICT (platform, external_id) DO NOTHING
    RETURNING id
)
INSERT INTO _ingest_id SELECT id, id, true FROM ins
"""
# Posts stored before: their ids, and fresh metrics written only where they differ.
_OLD_SQL = """
WITH old AS MATERIALIZED (
    SELECT s.staged_id, p.id, p.author_id, s.n, (p.likes, p.reposts, p.replies, p.quotes)
        IS DISTINCT FROM (s.likes, s.reposts, s.replies, s.quotes) AS changed
    FROM _ingest_post s
    -- One index probe per post: LIMIT keeps the planner from hashing the whole posts table.
    CROSS JOIN LATERAL (
        SELECT id, author_id, likes, reposts, replies, quotes FROM hashtags_post p
        WHERE p.platform = s.platform AND p.external_id = s.external_id LIMIT 1) p
    WHERE NOT EXISTS (SELECT FROM _ingest_id i WHERE i.staged_id = s.staged_id)
), ids AS (
    INSERT INTO _ingest_id SELECT staged_id, id, false FROM old
)
INSERT INTO hashtags_post AS t (id, platform, external_id, author_id, text, url, created_at,
    lang, links, likes, reposts, replies, quotes, is_repost, repost_of, reply_to,
    conversation_id, source_id, first_seen_at, metrics_updated_at)
SELECT o.id, s.platform, s.external_id, o.author_id, s.text, s.url, s.created_at, s.lang,
    s.links, s.likes, s.reposts, s.replies, s.quotes, s.is_repost, s.repost_of, s.reply_to,
    s.conversation_id, %(source)s, %(now)s, %(now)s
FROM old o JOIN _ingest_post s ON s.staged_id = o.staged_id
WHERE o.changed
ORDER BY o.n
ON CONFLICT (platform, external_id) DO UPDATE SET likes = excluded.likes,
    reposts = excluded.reposts, replies = excluded.replies, quotes = excluded.quotes,
    metrics_updated_at = excluded.metrics_updated_at
WHERE (t.likes, t.reposts, t.replies, t.quotes)
    IS DISTINCT FROM (excluded.likes, excluded.reposts, excluded.replies, excluded.quotes)
"""
# Links to tracked hashtags (a new post's cannot exist yet: a plain INSERT), and the rollups of
# exactly the links created here. Returns (hashtag id, links created) and the new posts' count.
_LINKS_SQL = """
WITH l AS MATERIALIZED (
    SELECT i.post_id, h.id AS hashtag_id, i.new, s.n, t.name, s.platform, s.created_at,
        s.is_repost, s.likes, s.replies, s.reposts, s.quotes
    FROM _ingest_post s
    JOIN _ingest_id i ON i.staged_id = s.staged_id
    CROSS JOIN LATERAL unnest(s.hashtags) AS t(name)
    JOIN hashtags_hashtag h ON h.name = t.name
), fresh AS (
    INSERT INTO hashtags_posthashtag (post_id, hashtag_id, platform, created_at)
    SELECT post_id, hashtag_id, platform, created_at FROM l WHERE new
), late AS (
    INSERT INTO hashtags_posthashtag (post_id, hashtag_id, platform, created_at)
    SELECT post_id, hashtag_id, platform, created_at FROM l WHERE NOT new
    ORDER BY n, name COLLATE "C"
    ON CONFLICT (post_id, hashtag_id) DO NOTHING
    RETURNING post_id, hashtag_id
), made AS (
    SELECT * FROM l WHERE new
    UNION ALL
    SELECT l.* FROM late JOIN l ON l.post_id = late.post_id AND l.hashtag_id = late.hashtag_id
), sums AS (
    SELECT hashtag_id, platform,
        date_trunc('minute', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS minute,
        count(*) FILTER (WHERE NOT is_repost)::int AS posts,
        count(*) FILTER (WHERE is_repost)::int AS reposts,
        coalesce(sum(likes) FILTER (WHERE NOT is_repost), 0)::bigint AS likes,
        coalesce(sum(replies) FILTER (WHERE NOT is_repost), 0)::bigint AS replies,
        coalesce(sum(reposts) FILTER (WHERE NOT is_repost), 0)::bigint AS shares,
        coalesce(sum(quotes) FILTER (WHERE NOT is_repost), 0)::bigint AS quotes
    FROM made GROUP BY 1, 2, 3
), rolled AS (
    INSERT INTO hashtags_volumerollup AS r
        (hashtag_id, platform, minute, posts, reposts, likes, replies, shares, quotes)
    SELECT * FROM sums ORDER BY hashtag_id, platform COLLATE "C", minute
    ON CONFLICT (hashtag_id, platform, minute) DO UPDATE SET posts = r.posts + excluded.posts,
        reposts = r.reposts + excluded.reposts, likes = r.likes + excluded.likes,
        replies = r.replies + excluded.replies, shares = r.shares + excluded.shares,
        quotes = r.quotes + excluded.quotes
)
SELECT hashtag_id, count(*) FROM made GROUP BY hashtag_id
"""


_sequence: str | None = None  # the posts' id sequence, looked up once
_created: weakref.WeakSet = weakref.WeakSet()  # connections whose temporary tables committed


def staged_store(
    *, staged: Staged, source_id: int | None, now: datetime
) -> tuple[int, dict[int, int]]:
    """Store a prepared batch; (posts inserted, links created per hashtag id). PostgreSQL only;
    call inside the caller's transaction."""
    global _sequence
    params = {"now": now, "source": source_id}
    with connection.cursor() as cursor:
        raw = connection.connection
        prologue = [_NO_JIT]
        if raw not in _created:
            if _sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence('hashtags_post', 'id')")
                _sequence = cursor.fetchone()[0]
            prologue.append(_STAGE_TABLES.format(sequence=_sequence))
            transaction.on_commit(lambda: _created.add(raw))  # a rollback drops them again
        if connection.savepoint_ids:  # an outer transaction: an earlier batch may be staged
            prologue.append(_STAGE_CLEAR)
        cursor.execute("".join(prologue))
        _copy(cursor, f"_ingest_author ({_AUTHOR_COLUMNS})", _AUTHOR_TEXT, staged.authors)
        _copy(cursor, f"_ingest_post ({_POST_COLUMNS})", _POST_TEXT, staged.posts)
        cursor.execute(_AUTHORS_SQL + ";" + _NEW_SQL, params)  # rowcount: the new posts'
        new = cursor.rowcount
        if new < staged.count:
            cursor.execute(_OLD_SQL, params)
        cursor.execute(_LINKS_SQL, params)
        links = dict(cursor.fetchall())
    return new, links


def _copy(cursor: Any, target: str, text_columns: str, data: str) -> None:
    # CSV reads an unquoted empty field as NULL; the text columns hold '' instead, as the models.
    sql = f"COPY {target} FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text_columns}))"
    cursor.cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)

"""The SQL of the archive path (hashtags.ingest.staged), in the order it runs for one batch.

The staged tables and the statements that move their rows are written from the row spec
(hashtags.ingest.rows); the rollup statements name the counts they add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .rows import AUTHOR, AUTHOR_DATA, MENTION, POST, POST_DATA, Column, names

# What the COPY path stages besides the spec's columns: each post's place in the batch (n) and
# its group of tag names (g), its author by external id; the summed rollups per group.
AUTHOR_STAGED = AUTHOR
POST_STAGED = (
    Column("n", "int"),
    Column("g", "int"),
    *(c for c in POST if c.key),  # (the order COPY's CSV rows follow: see stage_prepare)
    Column("author_external_id", "text", key=True),
    *POST_DATA,
)
MENTION_STAGED = (Column("n", "int"), *MENTION)  # a mention of the batch's n-th post
SUM_STAGED = (
    Column("g", "int"),
    Column("platform", "text"),
    Column("minute", "timestamptz"),
    *(Column(name, "int") for name in ("posts", "reposts")),
    *(Column(name, "bigint") for name in ("likes", "replies", "shares", "quotes")),
)
_DDL = {"bool": "boolean"}  # the short names hashtags.ingest.bulk uses, where SQL differs


def _table(columns: Sequence[Column]) -> str:
    """A staged table's column definitions; keys compare byte by byte, as in the models."""
    return ", ".join(
        f"{c.name} {_DDL.get(c.sql, c.sql)}" + (' COLLATE "C"' if c.key else "") for c in columns
    )


def _listed(columns: Iterable[Column], prefix: str = "") -> str:
    return ", ".join(prefix + c.name for c in columns)


# Each staged post draws its id from the posts' own sequence as it is COPYed, so every later
# join is on an integer; a post already stored keeps its id and the drawn one is left unused.
# _ingest_sum: the batch's rollups as stage_prepare summed them, per (group, platform, minute);
# _ingest_old: the staged posts that were not new; _ingest_delta: what the rollups get.
STAGE_TABLES = f"""
CREATE TEMP TABLE IF NOT EXISTS _ingest_author ({_table(AUTHOR_STAGED)}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_post ({_table(POST_STAGED)},
    staged_id bigint DEFAULT nextval('{{sequence}}'::regclass)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_sum ({_table(SUM_STAGED)}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_mention ({_table(MENTION_STAGED)}) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_old (
    n int, g int, platform text COLLATE "C", external_id text COLLATE "C",
    created_at timestamptz, is_repost boolean, likes bigint, reposts bigint, replies bigint,
    quotes bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_delta (
    tagset_id bigint, platform text, minute timestamptz, posts int, reposts int, likes bigint,
    replies bigint, shares bigint, quotes bigint) ON COMMIT DELETE ROWS;
"""
# Rows are left over only when an outer transaction spans several batches (tests, nested
# atomic blocks): ON COMMIT DELETE ROWS empties the tables at every commit.
STAGE_CLEAR = (
    "DELETE FROM _ingest_author; DELETE FROM _ingest_post; DELETE FROM _ingest_sum; "
    "DELETE FROM _ingest_mention; DELETE FROM _ingest_old; DELETE FROM _ingest_delta;"
)
# The temporary tables have no statistics, so the planner's row estimates are guesses;
# compiling the statements (JIT) for those guesses costs more than running them.
NO_JIT = "SET LOCAL jit = off;"
# Authors whose stored row already says the same are left alone: no lock, no new row version.
# A NULL follower count (the source did not know it) keeps the stored one (0 for a new author).
_KEEPS = {c.name for c in AUTHOR if c.unknown_keeps}


def _stored(c: Column, *, new: bool) -> str:
    """The value an author upsert stores from s: an unknown one keeps a's (0 for a new author)."""
    if c.name not in _KEEPS:
        return f"s.{c.name}"
    return f"coalesce(s.{c.name}, a.{c.name}, 0)" if new else f"coalesce(s.{c.name}, a.{c.name})"


_KEY_S = _listed((c for c in AUTHOR if c.key), "s.")
_STORED = ", ".join(_stored(c, new=True) for c in AUTHOR_DATA)
_COMPARED = ", ".join(_stored(c, new=False) for c in AUTHOR_DATA)
_SET = ", ".join(f"{c} = excluded.{c}" for c in (*names(AUTHOR_DATA), "updated_at"))
AUTHORS = f"""
INSERT INTO hashtags_author AS t ({_listed(AUTHOR)}, updated_at)
SELECT {_KEY_S}, {_STORED}, %(now)s
FROM _ingest_author s
LEFT JOIN hashtags_author a ON a.platform = s.platform AND a.external_id = s.external_id
WHERE a.id IS NULL OR ({_listed(AUTHOR_DATA, "a.")}) IS DISTINCT FROM ({_COMPARED})
ORDER BY s.platform, s.external_id
ON CONFLICT (platform, external_id) DO UPDATE SET {_SET}
WHERE ({_listed(AUTHOR_DATA, "t.")}) IS DISTINCT FROM ({_listed(AUTHOR_DATA, "excluded.")});
"""
_POST_KEY = [c for c in POST if c.key]
# New posts, in key order (n), with their tag set (by group); whatever is already
# stored, or is being stored by a concurrent batch (this statement waits for it), is left out
# and noted in _ingest_old. NEW_FAST leaves out what is stored and inserts the rest plainly,
# which is cheaper than ON CONFLICT; a concurrent batch storing the same post makes it fail
# (unique violation), and the caller runs the batch again with NEW.
NEW = f"""
WITH ins AS (
    INSERT INTO hashtags_post (id, {_listed(_POST_KEY)}, author_id,
        {_listed(POST_DATA)}, source_id, first_seen_at, metrics_updated_at, tagset_id)
    SELECT s.staged_id, {_listed(_POST_KEY, "s.")}, a.id,
        {_listed(POST_DATA, "s.")}, %(source)s, %(now)s, %(now)s, m.tagset_id
    FROM _ingest_post s
    JOIN hashtags_author a ON a.platform = s.platform AND a.external_id = s.author_external_id
    JOIN unnest(%(groups)s::int[], %(group_sets)s::bigint[]) AS m(g, tagset_id) ON m.g = s.g
    ORDER BY s.n
    ON CONFLICT (platform, external_id) DO NOTHING
    RETURNING id
)
INSERT INTO _ingest_old
SELECT s.n, s.g, s.platform, s.external_id, s.created_at, s.is_repost, s.likes, s.reposts,
    s.replies, s.quotes
FROM _ingest_post s WHERE NOT EXISTS (SELECT FROM ins WHERE ins.id = s.staged_id);
"""
NEW_FAST = NEW.replace(
    "ORDER BY s.n\n    ON CONFLICT (platform, external_id) DO NOTHING\n",
    "WHERE NOT EXISTS (SELECT FROM hashtags_post p\n"
    "        WHERE p.platform = s.platform AND p.external_id = s.external_id)\n"
    "    ORDER BY s.n\n",
)
# The mentions of the posts just inserted, by the id each drew (a post that was not new keeps
# the ones it was stored with).
MENTIONS = f"""
INSERT INTO hashtags_postmention (post_id, platform, {_listed(MENTION)})
SELECT s.staged_id, s.platform, {_listed(MENTION, "m.")}
FROM _ingest_mention m
JOIN _ingest_post s ON s.n = m.n
WHERE NOT EXISTS (SELECT FROM _ingest_old o WHERE o.n = m.n);
"""
# The staged posts that were not new, and the stored state (as hashtags.ingest.stored reads it, no
# lock) of those whose metrics or tag set differ from what the batch brings.
OLD = """
SELECT s.n, c.id, s.platform, c.tagset_id, t.key, c.likes, c.reposts, c.replies, c.quotes,
    c.is_repost, c.created_at, p.id IS NULL AS lost
FROM _ingest_old s
JOIN unnest(%(groups)s::int[], %(group_sets)s::bigint[]) AS m(g, tagset_id) ON m.g = s.g
-- One index probe per post: LIMIT keeps the planner from hashing the whole posts table.
-- A post neither inserted nor stored (lost) had no author row: see stage_prepare.
LEFT JOIN LATERAL (
    SELECT id, tagset_id, likes, reposts, replies, quotes, is_repost, created_at
    FROM hashtags_post p
    WHERE p.platform = s.platform AND p.external_id = s.external_id LIMIT 1) p ON true
LEFT JOIN LATERAL (
    SELECT p.* WHERE p.tagset_id IS DISTINCT FROM m.tagset_id
        OR (p.likes, p.reposts, p.replies, p.quotes)
            IS DISTINCT FROM (s.likes, s.reposts, s.replies, s.quotes)) c ON true
LEFT JOIN hashtags_tagset t ON t.id = c.tagset_id
"""
# What the rollups get: the pre-summed batch, less the posts that were not new, plus the
# changes of stored posts (arrays); then the minute rows and the hour rows, in key order.
ROLLUPS = """
INSERT INTO _ingest_delta
SELECT tagset_id, platform, minute, sum(posts), sum(reposts), sum(likes), sum(replies),
    sum(shares), sum(quotes)
FROM (
    SELECT m.tagset_id, u.platform, u.minute, u.posts, u.reposts, u.likes, u.replies,
        u.shares, u.quotes
    FROM _ingest_sum u
    JOIN unnest(%(groups)s::int[], %(group_sets)s::bigint[]) AS m(g, tagset_id) ON m.g = u.g
    WHERE m.tagset_id IS NOT NULL
    UNION ALL
    SELECT m.tagset_id, s.platform,
        date_trunc('minute', s.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        -(NOT s.is_repost)::int, -(s.is_repost)::int,
        CASE WHEN s.is_repost THEN 0 ELSE -s.likes END,
        CASE WHEN s.is_repost THEN 0 ELSE -s.replies END,
        CASE WHEN s.is_repost THEN 0 ELSE -s.reposts END,
        CASE WHEN s.is_repost THEN 0 ELSE -s.quotes END
    FROM _ingest_old s
    JOIN unnest(%(groups)s::int[], %(group_sets)s::bigint[]) AS m(g, tagset_id) ON m.g = s.g
    WHERE m.tagset_id IS NOT NULL
    UNION ALL
    SELECT * FROM unnest(%(d_set)s::bigint[], %(d_platform)s::text[],
        %(d_minute)s::timestamptz[], %(d_posts)s::int[], %(d_reposts)s::int[],
        %(d_likes)s::bigint[], %(d_replies)s::bigint[], %(d_shares)s::bigint[],
        %(d_quotes)s::bigint[])
) d
GROUP BY 1, 2, 3
HAVING (sum(posts), sum(reposts), sum(likes), sum(replies), sum(shares), sum(quotes))
    <> (0, 0, 0, 0, 0, 0);
INSERT INTO hashtags_tagsetrollup AS r
    (tagset_id, platform, minute, posts, reposts, likes, replies, shares, quotes)
SELECT * FROM _ingest_delta ORDER BY tagset_id, platform COLLATE "C", minute
ON CONFLICT (tagset_id, platform, minute) DO UPDATE SET posts = r.posts + excluded.posts,
    reposts = r.reposts + excluded.reposts, likes = r.likes + excluded.likes,
    replies = r.replies + excluded.replies, shares = r.shares + excluded.shares,
    quotes = r.quotes + excluded.quotes;
INSERT INTO hashtags_tagsetrolluphour AS r
    (tagset_id, platform, hour, posts, reposts, likes, replies, shares, quotes)
SELECT tagset_id, platform, date_trunc('hour', minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    sum(posts), sum(reposts), sum(likes), sum(replies), sum(shares), sum(quotes)
FROM _ingest_delta GROUP BY 1, 2, 3
HAVING (sum(posts), sum(reposts), sum(likes), sum(replies), sum(shares), sum(quotes))
    <> (0, 0, 0, 0, 0, 0)
ORDER BY 1, platform COLLATE "C", 3
ON CONFLICT (tagset_id, platform, hour) DO UPDATE SET posts = r.posts + excluded.posts,
    reposts = r.reposts + excluded.reposts, likes = r.likes + excluded.likes,
    replies = r.replies + excluded.replies, shares = r.shares + excluded.shares,
    quotes = r.quotes + excluded.quotes;
"""
NEW_IDS = """
SELECT s.staged_id FROM _ingest_post s
WHERE NOT EXISTS (SELECT FROM _ingest_old o WHERE o.n = s.n)
"""

"""The SQL of the archive path (hashtags.staged), in the order it runs for one batch."""

# Each staged post draws its id from the posts' own sequence as it is COPYed, so every later
# join is on an integer; a post already stored keeps its id and the drawn one is left unused.
# _ingest_sum: the batch's rollups as stage_prepare summed them, per (group, platform, minute);
# _ingest_old: the staged posts that were not new; _ingest_delta: what the rollups get.
STAGE_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS _ingest_author (
    platform text COLLATE "C", external_id text COLLATE "C", handle text, name text,
    avatar_url text, url text, followers bigint, verified boolean) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_post (
    n int, g int, platform text COLLATE "C", external_id text COLLATE "C",
    author_external_id text COLLATE "C", text text, url text, created_at timestamptz,
    lang text, links jsonb, likes bigint, reposts bigint, replies bigint, quotes bigint,
    is_repost boolean, repost_of text, reply_to text, conversation_id text,
    staged_id bigint DEFAULT nextval('{sequence}'::regclass)
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _ingest_sum (
    g int, platform text, minute timestamptz, posts int, reposts int, likes bigint,
    replies bigint, shares bigint, quotes bigint) ON COMMIT DELETE ROWS;
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
    "DELETE FROM _ingest_old; DELETE FROM _ingest_delta;"
)
# The temporary tables have no statistics, so the planner's row estimates are guesses;
# compiling the statements (JIT) for those guesses costs more than running them.
NO_JIT = "SET LOCAL jit = off;"
AUTHOR_COLUMNS = "platform, external_id, handle, name, avatar_url, url, followers, verified"
AUTHOR_TEXT = "platform, external_id, handle, name, avatar_url, url"
POST_COLUMNS = (
    "n, g, platform, external_id, author_external_id, text, url, created_at, lang, links, "
    "likes, reposts, replies, quotes, is_repost, repost_of, reply_to, conversation_id"
)
POST_TEXT = (
    "platform, external_id, author_external_id, text, url, lang, repost_of, reply_to, "
    "conversation_id"
)
SUM_COLUMNS = "g, platform, minute, posts, reposts, likes, replies, shares, quotes"

# Authors whose stored row already says the same are left alone: no lock, no new row version.
# A NULL follower count (the source did not know it) keeps the stored one (0 for a new author).
AUTHORS = """
INSERT INTO hashtags_author AS t (platform, external_id, handle, name, avatar_url, url,
    followers, verified, updated_at)
SELECT s.platform, s.external_id, s.handle, s.name, s.avatar_url, s.url,
    coalesce(s.followers, a.followers, 0), s.verified, %(now)s
FROM _ingest_author s
LEFT JOIN hashtags_author a ON a.platform = s.platform AND a.external_id = s.external_id
WHERE a.id IS NULL
    OR (a.handle, a.name, a.avatar_url, a.url, a.followers, a.verified) IS DISTINCT FROM
        (s.handle, s.name, s.avatar_url, s.url, coalesce(s.followers, a.followers), s.verified)
ORDER BY s.platform, s.external_id
ON CONFLICT (platform, external_id) DO UPDATE SET handle = excluded.handle,
    name = excluded.name, avatar_url = excluded.avatar_url, url = excluded.url,
    followers = excluded.followers, verified = excluded.verified, updated_at = excluded.updated_at
WHERE (t.handle, t.name, t.avatar_url, t.url, t.followers, t.verified) IS DISTINCT FROM
    (excluded.handle, excluded.name, excluded.avatar_url, excluded.url, excluded.followers,
    excluded.verified);
"""
# New posts, in key order (n), with their tag set (by group); whatever is already
# stored, or is being stored by a concurrent batch (this statement waits for it), is left out
# and noted in _ingest_old. NEW_FAST leaves out what is stored and inserts the rest plainly,
# which is cheaper than ON CONFLICT; a concurrent batch storing the same post makes it fail
# (unique violation), and the caller runs the batch again with NEW.
NEW = """
WITH ins AS (
    INSERT INTO hashtags_post (id, platform, external_id, author_id, text, url, created_at,
        lang, links, likes, reposts, replies, quotes, is_repost, repost_of, reply_to,
        conversation_id, source_id, first_seen_at, metrics_updated_at, tagset_id)
    SELECT s.staged_id, s.platform, s.external_id, a.id, s.text, s.url, s.created_at, s.lang,
        s.links, s.likes, s.reposts, s.replies, s.quotes, s.is_repost, s.repost_of,
        s.reply_to, s.conversation_id, %(source)s, %(now)s, %(now)s, m.tagset_id
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
# The staged posts that were not new, and the stored state (as hashtags.changes reads it, no
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

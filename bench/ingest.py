"""How fast posts reach PostgreSQL: polling pages and archive batches against raw COPY.

    DJANGO_SETTINGS_MODULE=nhitweek.settings.test python bench/ingest.py [--posts N]

Works in its own scratch database (nhitweek_bench_<pid>) on the server of TEST_DATABASE_URL
(default localhost), migrated here and dropped at the end. N synthetic posts with three
hashtags, a fifth of them stored beforehand (untimed), go through the real storage service in
pages of 100 (polling) and in archive-sized batches (import); the same rows are COPYed into a
bare table of the posts' shape. Then a generated jsonl file of --peak-posts posts is imported
by `manage.py import_posts` in a child process, whose peak RSS is reported. Last line:
BENCH ingest posts=N archive_vs_copy=R pages_vs_copy=R peak_mb=M
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.test")

TAGS = ("nhitweek", "hitworks", "ihearthit")
T0 = datetime(2026, 9, 14, 12, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--existing", type=float, default=0.2, help="share stored beforehand")
    parser.add_argument("--page", type=int, default=100, help="posts per polling page")
    parser.add_argument("--batch", type=int, default=5000, help="posts per archive batch")
    parser.add_argument("--peak-posts", type=int, default=1_000_000, help="0 skips the run")
    parser.add_argument("--staged", action="store_true", help="also time the staged prototype")
    parser.add_argument("--child-import", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()

    import django
    from django.conf import settings

    db = settings.DATABASES["default"]
    # Test runs flush their Redis databases (10-15) at any moment; keep the bench off them.
    settings.CACHES["default"]["LOCATION"] = settings.REDIS_URL.rsplit("/", 1)[0] + "/9"
    settings.CACHES["default"]["KEY_PREFIX"] = "nhitweek-bench"
    if args.child_import:  # the measured import, in a process of its own
        db["NAME"] = args.database
        django.setup()
        from django.core.management import call_command

        if args.staged:  # what import_posts would do once the staged path is wired in
            from hashtags.archive import archive_import

            archive_import.__kwdefaults__["store"] = posts_upsert_staged
        call_command("import_posts", args.child_import, format="jsonl", batch_size=args.batch)
        print(f"peak_kb={_own_peak_kb()}", file=sys.stderr)
        return
    scratch = f"nhitweek_bench_{os.getpid()}"
    _admin_sql(db, f'CREATE DATABASE "{scratch}"')
    db["NAME"] = scratch
    try:
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _run(args, db)
    finally:
        from django.db import connections

        connections.close_all()
        _admin_sql(db, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def _admin_sql(db: dict, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def synthetic_posts(n: int) -> list:
    """n posts by n/20 authors over a week, each with 1-3 of the tags, a tenth of them reposts."""
    from hashtags.sources.base import AuthorData, PostData

    authors = [
        AuthorData(
            platform="x",
            external_id=str(10_000 + a),
            handle=f"member{a}",
            name=f"Member {a}",
            url=f"https://x.com/member{a}",
            followers=a % 5000,
        )
        for a in range(max(1, n // 20))
    ]
    posts = []
    for i in range(n):
        tags = TAGS[: 1 + i % 3] if i % 7 else TAGS[i % 3 :]
        repost = i % 10 == 9
        posts.append(
            PostData(
                platform="x",
                external_id=str(2_000_000_000_000 + i),
                author=authors[(i * 7919) % len(authors)],
                text=" ".join(f"#{t}" for t in tags) + f" interoperability saves lives, post {i}",
                url=f"https://x.com/i/web/status/{2_000_000_000_000 + i}",
                created_at=T0 + timedelta(seconds=3 * i),
                hashtags=tags,
                links=(f"https://example.org/a/{i % 100}",) if i % 4 == 0 else (),
                lang="en",
                likes=i % 50,
                reposts=i % 11,
                replies=i % 5,
                quotes=i % 3,
                is_repost=repost,
                repost_of=str(2_000_000_000_000 + i - 1) if repost else "",
            )
        )
    return posts


def _reset(existing: Sequence) -> None:
    """Empty the post tables, then store the already-present share (untimed)."""
    from django.db import connection

    from hashtags.ingest import posts_upsert

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE hashtags_volumerollup, hashtags_posthashtag, hashtags_post, "
            "hashtags_author RESTART IDENTITY CASCADE"
        )
    for start in range(0, len(existing), 5000):
        posts_upsert(posts=existing[start : start + 5000])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def _timed(store: Callable, posts: Sequence, size: int) -> tuple[float, int]:
    started = time.perf_counter()
    new = 0
    for start in range(0, len(posts), size):
        new += store(posts=posts[start : start + size]).new
    return time.perf_counter() - started, new


def _copy_timed(posts: Sequence, size: int) -> float:
    """Format and COPY the same rows into a bare table of the posts' columns, batch by batch."""
    from django.db import connection, transaction

    from hashtags.ingest import _POST_COLUMNS

    columns = [c for c, _ in _POST_COLUMNS]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy")
        cur.execute("CREATE TABLE bench_copy (LIKE hashtags_post INCLUDING IDENTITY)")
        cur.execute("SELECT platform, external_id, id FROM hashtags_author")
        author_ids = {(p, e): pk for p, e, pk in cur.fetchall()}
    now = datetime.now(UTC).isoformat()
    texts = [c for c, t in _POST_COLUMNS if t == "text"]  # unquoted empty text is '', not NULL
    sql = (
        f"COPY bench_copy ({', '.join(columns)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)}))"
    )
    started = time.perf_counter()
    for start in range(0, len(posts), size):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for p in posts[start : start + size]:
            writer.writerow(
                (
                    p.platform,
                    p.external_id,
                    author_ids[(p.platform, p.author.external_id)],
                    p.text,
                    p.url,
                    p.created_at.isoformat(),
                    p.lang,
                    json.dumps(list(p.links)),
                    p.likes,
                    p.reposts,
                    p.replies,
                    p.quotes,
                    "t" if p.is_repost else "f",
                    p.repost_of,
                    p.reply_to,
                    p.conversation_id,
                    "",
                    now,
                    now,
                )
            )
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cur:
            cur.cursor.copy_expert(sql, buffer)
    return time.perf_counter() - started


def _peak(args: argparse.Namespace, db: dict) -> tuple[float, float, str]:
    """Import a generated jsonl file of --peak-posts posts in a child; its peak RSS in MB."""
    from hashtags.archive import post_record

    _reset([])
    chunk = 100_000
    with tempfile.TemporaryDirectory(prefix="nhitweek-bench-") as folder:
        path = Path(folder) / "posts.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for offset in range(0, args.peak_posts, chunk):
                for post in synthetic_posts(min(chunk, args.peak_posts - offset)):
                    post = _shifted(post, offset)
                    out.write(json.dumps(post_record(post=post, hashtags=post.hashtags)) + "\n")
        command = [sys.executable, __file__, "--child-import", str(path)]
        command += ["--database", db["NAME"], "--batch", str(args.batch)]
        command += ["--staged"] if args.staged else []
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"import_posts failed:\n{done.stderr[-2000:]}")
    reported = [line for line in done.stderr.splitlines() if line.startswith("peak_kb=")]
    peak_mb = int(reported[-1].removeprefix("peak_kb=")) / 1024
    last = done.stdout.strip().splitlines()[-1]
    return peak_mb, seconds, last


def _own_peak_kb() -> int:
    """This process's peak RSS in KB. Linux carries ru_maxrss across exec, so a child forked
    from the (large) bench would report the bench's size; VmHWM starts afresh at exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS


def _shifted(post, offset: int):
    """The same synthetic post with ids moved by offset, so chunks of the 1M file never repeat."""
    from dataclasses import replace

    if not offset:
        return post
    ext = str(int(post.external_id) + offset)
    return replace(post, external_id=ext, created_at=post.created_at + timedelta(seconds=offset))


def _run(args: argparse.Namespace, db: dict) -> None:
    from hashtags.ingest import posts_upsert
    from hashtags.services import hashtag_get_or_create

    for tag in ("NHITweek", "HITworks", "IHeartHIT"):
        hashtag_get_or_create(tag=tag)
    posts = synthetic_posts(args.posts)
    step = max(1, round(1 / args.existing)) if args.existing else 0
    existing = posts[::step] if step else []
    n = len(posts)
    print(f"posts={n} already stored={len(existing)} page={args.page} batch={args.batch}")

    rates: dict[str, float] = {}
    runs: list[tuple[str, Callable, int]] = [
        ("pages", posts_upsert, args.page),
        ("archive", posts_upsert, args.batch),
    ]
    if args.staged:
        runs.append(("staged", posts_upsert_staged, args.batch))
    for name, store, size in runs:
        _reset(existing)
        seconds, new = _timed(store, posts, size)
        rates[name] = n / seconds
        print(f"{name:8} {n / seconds:10.0f} posts/s  ({seconds:.1f}s, new={new})")
    copy_seconds = _copy_timed(posts, args.batch)
    rates["copy"] = n / copy_seconds
    print(f"{'copy':8} {rates['copy']:10.0f} posts/s  ({copy_seconds:.1f}s, bare table)")
    for name in rates:
        if name != "copy":
            print(f"{name}_vs_copy={rates[name] / rates['copy']:.3f}")

    peak_mb = 0.0
    if args.peak_posts:
        peak_mb, seconds, last = _peak(args, db)
        print(
            f"import_posts of {args.peak_posts} jsonl posts: {seconds:.1f}s, peak {peak_mb:.0f} MB"
        )
        print(f"  {last}")
    print(
        f"BENCH ingest posts={n} archive_vs_copy={rates['archive'] / rates['copy']:.3f} "
        f"pages_vs_copy={rates['pages'] / rates['copy']:.3f} peak_mb={peak_mb:.0f}"
    )


# --- Prototype: the archive path through COPY and set-based SQL ------------------------------
# Same contract as hashtags.ingest.posts_upsert (same rows, rollups, counts, cursor, generation
# bumps, lock order, one transaction per call); meant to move into hashtags/ingest.py as the
# path for large batches on PostgreSQL. See the report for the wiring.

_STAGE_SQL = """
CREATE TEMP TABLE IF NOT EXISTS _stage_author (
    platform text, external_id text, handle text, name text, avatar_url text, url text,
    followers bigint, verified boolean) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _stage_post (
    platform text, external_id text, author_external_id text, text text, url text,
    created_at timestamptz, lang text, links jsonb, likes bigint, reposts bigint,
    replies bigint, quotes bigint, is_repost boolean, repost_of text, reply_to text,
    conversation_id text, hashtags text[]) ON COMMIT DELETE ROWS;
TRUNCATE _stage_author, _stage_post;
"""
_STAGE_AUTHOR_TEXT = "platform, external_id, handle, name, avatar_url, url"
_STAGE_POST_TEXT = (
    "platform, external_id, author_external_id, text, url, lang, repost_of, reply_to, "
    "conversation_id"
)
_AUTHORS_SQL = """
INSERT INTO hashtags_author
    (platform, external_id, handle, name, avatar_url, url, followers, verified, updated_at)
SELECT platform, external_id, handle, name, avatar_url, url, followers, verified, %(now)s
FROM _stage_author ORDER BY platform, external_id
ON CONFLICT (platform, external_id) DO UPDATE SET handle = excluded.handle,
    name = excluded.name, avatar_url = excluded.avatar_url, url = excluded.url,
    followers = excluded.followers, verified = excluded.verified,
    updated_at = excluded.updated_at
"""
# One statement: posts (new ones inserted, known ones' metrics refreshed; xmax = 0 tells
# which), their links to tracked hashtags, and the rollups of the links it created.
_POSTS_SQL = """
WITH up AS (
    INSERT INTO hashtags_post (platform, external_id, author_id, text, url, created_at, lang,
        links, likes, reposts, replies, quotes, is_repost, repost_of, reply_to,
        conversation_id, source_id, first_seen_at, metrics_updated_at)
    SELECT s.platform, s.external_id, a.id, s.text, s.url, s.created_at, s.lang, s.links,
        s.likes, s.reposts, s.replies, s.quotes, s.is_repost, s.repost_of, s.reply_to,
        s.conversation_id, %(source)s, %(now)s, %(now)s
    FROM _stage_post s
    JOIN hashtags_author a ON a.platform = s.platform AND a.external_id = s.author_external_id
    ORDER BY s.platform, s.external_id
    ON CONFLICT (platform, external_id) DO UPDATE SET likes = excluded.likes,
        reposts = excluded.reposts, replies = excluded.replies, quotes = excluded.quotes,
        metrics_updated_at = excluded.metrics_updated_at
    RETURNING id, platform, external_id, (xmax = 0) AS inserted
), links AS (
    INSERT INTO hashtags_posthashtag (post_id, hashtag_id, platform, created_at)
    SELECT up.id, h.id, s.platform, s.created_at
    FROM up
    JOIN _stage_post s ON s.platform = up.platform AND s.external_id = up.external_id
    CROSS JOIN LATERAL unnest(s.hashtags) AS t(name)
    JOIN hashtags_hashtag h ON h.name = t.name
    ORDER BY s.platform, s.external_id, t.name
    ON CONFLICT (post_id, hashtag_id) DO NOTHING
    RETURNING post_id, hashtag_id
), sums AS (
    SELECT l.hashtag_id, s.platform,
        date_trunc('minute', s.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS minute,
        count(*) FILTER (WHERE NOT s.is_repost)::int AS posts,
        count(*) FILTER (WHERE s.is_repost)::int AS reposts,
        coalesce(sum(s.likes) FILTER (WHERE NOT s.is_repost), 0)::bigint AS likes,
        coalesce(sum(s.replies) FILTER (WHERE NOT s.is_repost), 0)::bigint AS replies,
        coalesce(sum(s.reposts) FILTER (WHERE NOT s.is_repost), 0)::bigint AS shares,
        coalesce(sum(s.quotes) FILTER (WHERE NOT s.is_repost), 0)::bigint AS quotes
    FROM links l
    JOIN up ON up.id = l.post_id
    JOIN _stage_post s ON s.platform = up.platform AND s.external_id = up.external_id
    GROUP BY 1, 2, 3
), rolled AS (
    INSERT INTO hashtags_volumerollup
        (hashtag_id, platform, minute, posts, reposts, likes, replies, shares, quotes)
    SELECT * FROM sums ORDER BY hashtag_id, platform, minute
    ON CONFLICT (hashtag_id, platform, minute) DO UPDATE SET
        posts = hashtags_volumerollup.posts + excluded.posts,
        reposts = hashtags_volumerollup.reposts + excluded.reposts,
        likes = hashtags_volumerollup.likes + excluded.likes,
        replies = hashtags_volumerollup.replies + excluded.replies,
        shares = hashtags_volumerollup.shares + excluded.shares,
        quotes = hashtags_volumerollup.quotes + excluded.quotes
)
SELECT NULL, count(*) FILTER (WHERE inserted) FROM up
UNION ALL
SELECT hashtag_id, count(*) FROM links GROUP BY hashtag_id
"""


def posts_upsert_staged(*, posts, source=None, cursor=None, now=None):
    """posts_upsert through COPY into temporary tables and three set-based statements."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hashtags.generation import generation_bump
    from hashtags.ingest import UpsertResult, _dedupe, _tracked_ids
    from hashtags.models import PollState

    now = now or timezone.now()
    batch = _dedupe(posts)
    result = UpsertResult(read=len(batch))
    with transaction.atomic():
        if batch:
            with connection.cursor() as cur:
                cur.execute(_STAGE_SQL)
                _copy(cur, "_stage_author", _STAGE_AUTHOR_TEXT, _author_rows(batch))
                _copy(cur, "_stage_post", _STAGE_POST_TEXT, _post_rows(batch))
                cur.execute(_AUTHORS_SQL, {"now": now})
                cur.execute(_POSTS_SQL, {"now": now, "source": source.pk if source else None})
                for hashtag_id, count in cur.fetchall():
                    if hashtag_id is None:
                        result.new = count
                    else:
                        result.new_links[hashtag_id] = count
            result.duplicates = len(batch) - result.new
        if source is not None and cursor is not None:
            PollState.objects.update_or_create(source=source, defaults={"cursor": cursor})
        touched = set(result.new_links)
        if result.duplicates or result.new:
            touched.update(_tracked_ids(batch))
        if touched:
            transaction.on_commit(lambda: generation_bump(hashtag_ids=touched))
    return result


def _copy(cur, table: str, text_columns: str, rows) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    # Unquoted empty fields would be NULL in CSV; text columns hold '' instead, as the models.
    sql = f"COPY {table} FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text_columns}))"
    cur.cursor.copy_expert(sql, buffer)


def _author_rows(batch):
    authors = {(p.author.platform, p.author.external_id): p.author for p in batch}
    for _, a in sorted(authors.items()):
        yield (
            a.platform,
            a.external_id,
            a.handle[:255],
            a.name[:255],
            a.avatar_url[:1000],
            a.url[:1000],
            max(0, int(a.followers or 0)),
            "t" if a.verified else "f",
        )


def _post_rows(batch):
    for p in batch:
        # Tags are [\w]+ (hashtag_normalize), so quoting each is all an array literal needs.
        tags = ",".join(f'"{tag}"' for tag in sorted(set(p.hashtags)))
        yield (
            p.platform,
            p.external_id,
            p.author.external_id,
            p.text,
            p.url[:1000],
            p.created_at.isoformat(),
            p.lang[:16],
            json.dumps(list(p.links)) if p.links else "[]",
            max(0, int(p.likes)),
            max(0, int(p.reposts)),
            max(0, int(p.replies)),
            max(0, int(p.quotes)),
            "t" if p.is_repost else "f",
            p.repost_of[:255],
            p.reply_to[:255],
            p.conversation_id[:255],
            "{" + tags + "}",
        )


if __name__ == "__main__":
    main()

"""Loads the synthetic campaign of bench/dashboard.py; a helper, so `make bench` does not run it.

Loading never goes through the ORM: the generated rows are COPYed into a staging table, then
set-based SQL fills authors, posts and the tag-set rollups (minute and hour rows summed from the
loaded posts), with the secondary indexes dropped during the load and rebuilt after. The
generators are seeded, so every load of N posts gives the same posts; bench_meta records N and
VERSION, so a database already holding them is reused.
"""

from __future__ import annotations

import io
import random
import time
from datetime import UTC, datetime, timedelta

VERSION = 2  # bump when the generated data changes, so an old load is not reused
START = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)  # 09:00 in New York
SPAN = 7 * 86400
TAGS = ("NHITweek", "HITworks", "IHeartHIT")
# Tag sets as indexes into TAGS, with how often posts carry each.
TAG_SETS = [
    ((0,), 40),
    ((1,), 20),
    ((2,), 15),
    ((0, 1), 10),
    ((0, 2), 8),
    ((1, 2), 4),
    ((0, 1, 2), 3),
]


def database_ensure(db: dict, name: str, *, drop: bool) -> None:
    """Create the database if missing; with drop, drop it first."""
    from bench._admin import admin_connect

    conn = admin_connect(db)
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def campaign_ensure():
    """The 2026 edition (public, New York) and its 2025 one, created once."""
    from campaigns.models import Campaign, Series
    from campaigns.services import campaign_hashtags_set

    series, _ = Series.objects.get_or_create(slug="nhit-week", defaults={"name": "NHIT Week"})
    for year, start in ((2025, datetime(2025, 10, 6, 13, tzinfo=UTC)), (2026, START)):
        campaign, created = Campaign.objects.get_or_create(
            slug=f"bench-{year}",
            defaults={
                "name": f"NHIT Week {year}",
                "start": start,
                "end": start + timedelta(seconds=SPAN),
                "timezone": "America/New_York",
                "public": True,
                "series": series,
                "edition": str(year),
            },
        )
        if created:
            campaign_hashtags_set(campaign=campaign, hashtags=list(TAGS))
    return campaign


def _sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else None


def loaded() -> tuple[int, int] | None:
    _sql("CREATE TABLE IF NOT EXISTS bench_meta (posts bigint, version int)")
    rows = _sql("SELECT posts, version FROM bench_meta")
    return tuple(rows[0]) if rows else None


def load(campaign, n: int) -> None:
    from hashtags.models import Hashtag, TagSet
    from hashtags.tagsets import tagset_key

    began = time.perf_counter()
    ids = [Hashtag.objects.get(name=t.casefold()).pk for t in TAGS]
    tagsets = []
    for members, weight in TAG_SETS:
        key = tagset_key(ids[i] for i in members)
        tagset, _ = TagSet.objects.get_or_create(key=key)
        tagsets.append((tagset.pk, [ids[i] for i in members], weight))
    authors = max(1, n // 20)
    step = _step(f"authors ({authors:,})", began)
    _copy_authors(authors)
    step = _step("staged posts (COPY)", step)
    _copy_stage(n, authors, tagsets)
    dropped = _drop_secondary(["hashtags_post"])
    step = _step("posts (SQL from the stage)", step)
    _fill_posts()
    step = _step("indexes rebuilt", step)
    _sql("SET maintenance_work_mem = '1GB'")
    for statement in dropped:
        _sql(statement)
    step = _step("rollups (SQL from the posts)", step)
    _fill_rollups()
    step = _step("vacuum analyze", step)
    _sql("DROP TABLE bench_stage")
    for table in ("hashtags_post", "hashtags_author"):
        _sql(f"VACUUM ANALYZE {table}")
    _sql("ANALYZE")
    _sql("INSERT INTO bench_meta VALUES (%s, %s)", [n, VERSION])
    _step("loaded", step)
    print(f"load total {time.perf_counter() - began:.0f}s")


def _step(label: str, since: float) -> float:
    now = time.perf_counter()
    print(f"  {now - since:7.1f}s  then {label}", flush=True)
    return now


def _copy(table: str, columns: str, chunks) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for chunk in chunks:
            cur.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(chunk))


def _copy_authors(count: int) -> None:
    rng = random.Random(1)
    now = datetime.now(UTC).isoformat()

    def chunks():
        for first in range(1, count + 1, 200_000):
            yield "".join(
                f"{a}\t{'x' if a % 2 else 'bluesky'}\tu{a}\tmember{a}\tMember {a}\t\t"
                f"https://example.org/@member{a}\t{int(rng.paretovariate(1.2) * 50)}\tf\t{now}\n"
                for a in range(first, min(first + 200_000, count + 1))
            )

    columns = "id, platform, external_id, handle, name, avatar_url, url, followers, verified, "
    _copy("hashtags_author", columns + "updated_at", chunks())
    _sql("SELECT setval(pg_get_serial_sequence('hashtags_author', 'id'), %s)", [count])


def _copy_stage(n: int, authors: int, tagsets: list) -> None:
    """Posts as compact rows: id, author, second of the week, metrics, repost flag, tag set."""
    _sql(
        "CREATE UNLOGGED TABLE IF NOT EXISTS bench_stage (id bigint, author_id bigint, "
        "sec int, likes int, reposts int, replies int, quotes int, is_repost bool, "
        "tagset_id bigint)"
    )
    _sql("TRUNCATE bench_stage")
    rng = random.Random(2)
    rnd, bits = rng.random, rng.getrandbits
    choices = [pk for pk, _, weight in tagsets for _ in range(weight)]

    def chunks():
        for first in range(1, n + 1, 500_000):
            rows = []
            for i in range(first, min(first + 500_000, n + 1)):
                repost = rnd() < 0.1
                likes = 0 if repost else int(rnd() ** 4 * 400)
                # Stored about when posted (ids follow time, as polling stores them), give
                # or take a minute.
                second = min(SPAN - 1, max(0, i * SPAN // n + bits(7) - 64))
                rows.append(
                    f"{i}\t{1 + bits(32) % authors}\t{second}\t{likes}\t{likes >> 3}\t"
                    f"{likes >> 4}\t{likes >> 5}\t{'t' if repost else 'f'}\t"
                    f"{choices[bits(16) % len(choices)]}\n"
                )
            yield "".join(rows)

    _copy(
        "bench_stage",
        "id, author_id, sec, likes, reposts, replies, quotes, is_repost, tagset_id",
        chunks(),
    )


def _drop_secondary(tables: list[str]) -> list[str]:
    """Drop unique constraints and indexes other than primary keys; return how to rebuild."""
    rebuild = []
    for table in tables:
        for name, definition in _sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        ):
            _sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in _sql(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
            "AND NOT x.indisprimary",
            [table],
        ):
            _sql(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    return rebuild


def _fill_posts() -> None:
    start = START.isoformat()
    _sql(
        """
        INSERT INTO hashtags_post (id, platform, external_id, author_id, text, url, created_at,
            lang, links, likes, reposts, replies, quotes, is_repost, repost_of, reply_to,
            quote_of, conversation_id, source_id, first_seen_at, metrics_updated_at, tagset_id)
        SELECT s.id, CASE WHEN mod(s.author_id, 2) = 1 THEN 'x' ELSE 'bluesky' END, 'p' || s.id,
            s.author_id, 'Health IT saves lives #NHITweek, bench post ' || s.id,
            'https://example.org/p/' || s.id, %s::timestamptz + make_interval(secs => s.sec),
            'en', '[]'::jsonb, s.likes, s.reposts, s.replies, s.quotes, s.is_repost,
            CASE WHEN s.is_repost THEN 'p1' ELSE '' END, '', '', '', NULL,
            %s::timestamptz + make_interval(secs => s.sec),
            %s::timestamptz + make_interval(secs => s.sec), s.tagset_id
        FROM bench_stage s
        """,
        [start, start, start],
    )
    _sql(
        "SELECT setval(pg_get_serial_sequence('hashtags_post', 'id'), "
        "(SELECT max(id) FROM hashtags_post))"
    )


def _fill_rollups() -> None:
    """Each post once in its tag set's minute row; hour rows summed from the minute rows."""
    _sql(
        """
        INSERT INTO hashtags_tagsetrollup (tagset_id, platform, minute, posts, reposts, likes,
            replies, shares, quotes)
        SELECT tagset_id, platform, date_trunc('minute', created_at),
            count(*) FILTER (WHERE NOT is_repost), count(*) FILTER (WHERE is_repost),
            coalesce(sum(likes) FILTER (WHERE NOT is_repost), 0),
            coalesce(sum(replies) FILTER (WHERE NOT is_repost), 0),
            coalesce(sum(reposts) FILTER (WHERE NOT is_repost), 0),
            coalesce(sum(quotes) FILTER (WHERE NOT is_repost), 0)
        FROM hashtags_post GROUP BY 1, 2, 3
        """
    )
    _sql(
        """
        INSERT INTO hashtags_tagsetrolluphour (tagset_id, platform, hour, posts, reposts, likes,
            replies, shares, quotes)
        SELECT tagset_id, platform, date_trunc('hour', minute), sum(posts), sum(reposts),
            sum(likes), sum(replies), sum(shares), sum(quotes)
        FROM hashtags_tagsetrollup GROUP BY 1, 2, 3
        """
    )
    _sql("VACUUM ANALYZE hashtags_tagsetrollup")
    _sql("VACUUM ANALYZE hashtags_tagsetrolluphour")

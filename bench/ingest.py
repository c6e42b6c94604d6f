"""How fast posts reach PostgreSQL: polling pages and archive batches against raw COPY.

    DJANGO_SETTINGS_MODULE=nhitweek.settings.test python bench/ingest.py [--posts N]

Works in its own scratch database (nhitweek_bench_<pid>) on the server of TEST_DATABASE_URL
(default localhost), migrated here and dropped at the end. N synthetic posts with three
hashtags (and about 0.6 mention rows each: mentions, reply and repost authors), a fifth of
them stored beforehand (untimed), go through the real storage service in pages of 100
(polling) and in archive-sized batches as import_posts stores them (each batch formatted in a
thread while the previous one is stored; --serial also times them one after the other); the
same rows are COPYed into bare tables of the posts' and the mentions' shape. Then a generated
jsonl file of --peak-posts posts is imported by `manage.py import_posts` in a child process,
which reports its own peak RSS (VmHWM; peak_mb). Last line:
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
    parser.add_argument("--serial", action="store_true", help="also time batches without overlap")
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

        call_command("import_posts", args.child_import, format="jsonl", batch_size=args.batch)
        print(f"peak_kb={_own_peak_kb()}", file=sys.stderr)
        return
    scratch = f"nhitweek_bench_{os.getpid()}"
    from bench._admin import scratch_database

    with scratch_database(db, scratch):
        _run(args, db)


def synthetic_posts(n: int) -> list:
    """n posts by n/20 authors over a week, each with 1-3 of the tags, a tenth of them reposts;
    a third mention an author, a fifth reply to one, every repost names the reposted one."""
    from hashtags.sources.base import AuthorData, Mention, PostData

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
        other = authors[(i * 104729) % len(authors)]
        named = {"handle": other.handle, "uid": other.external_id}
        mentions = [Mention("mention", **named)] if i % 3 == 0 else []
        mentions += [Mention("reply", **named)] if i % 5 == 0 else []
        mentions += [Mention("repost", **named)] if repost else []
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
                mentions=tuple(mentions),
            )
        )
    return posts


def _reset(existing: Sequence) -> None:
    """Empty the post tables, then store the already-present share (untimed)."""
    from django.db import connection

    from hashtags.ingest import posts_upsert

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE hashtags_tagsetrollup, hashtags_tagsetrolluphour, hashtags_tagset, "
            "hashtags_postmention, hashtags_post, hashtags_author RESTART IDENTITY CASCADE"
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


def _archive_timed(store: Callable, posts: Sequence, size: int) -> tuple[float, int]:
    """As archive_import stores: each batch prepared in a thread while the previous is stored."""
    from hashtags.ingest import batch_prepare, prefetched

    started = time.perf_counter()
    batches = (posts[start : start + size] for start in range(0, len(posts), size))
    new = 0
    sent: dict = {}  # as archive_import: authors sent unchanged are not sent again
    prepared_batches = (batch_prepare(posts=batch, authors_sent=sent) for batch in batches)
    for prepared in prefetched(prepared_batches):
        new += store(posts=prepared).new
    return time.perf_counter() - started, new


def _copy_timed(posts: Sequence, size: int) -> float:
    """Format and COPY the same rows into bare tables of the posts' and the mentions' columns,
    batch by batch."""
    from django.db import connection, transaction

    from hashtags.ingest.rows import MENTION, POST

    extra = ["author_id", "source_id", "first_seen_at", "metrics_updated_at", "tagset_id"]
    columns = [c.name for c in POST] + extra
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy, bench_copy_mention")
        cur.execute("CREATE TABLE bench_copy (LIKE hashtags_post INCLUDING IDENTITY)")
        cur.execute(
            "CREATE TABLE bench_copy_mention (LIKE hashtags_postmention INCLUDING IDENTITY)"
        )
        cur.execute("SELECT platform, external_id, id FROM hashtags_author")
        author_ids = {(p, e): pk for p, e, pk in cur.fetchall()}
    now = datetime.now(UTC).isoformat()
    texts = [c.name for c in POST if c.sql == "text"]  # unquoted empty text is '', not NULL
    sql = (
        f"COPY bench_copy ({', '.join(columns)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)}))"
    )
    mention_columns = ["post_id", "platform", *(c.name for c in MENTION)]
    mention_sql = (
        f"COPY bench_copy_mention ({', '.join(mention_columns)}) FROM STDIN "
        "WITH (FORMAT csv, FORCE_NOT_NULL (handle, uid))"
    )
    started = time.perf_counter()
    for start in range(0, len(posts), size):
        buffer, mentions = io.StringIO(), io.StringIO()
        writer, mention_writer = csv.writer(buffer), csv.writer(mentions)
        for n, p in enumerate(posts[start : start + size], start=start):
            for m in p.mentions:
                mention_writer.writerow((n, p.platform, m.role, m.handle, m.uid))
            writer.writerow(
                (
                    p.platform,
                    p.external_id,
                    p.created_at.isoformat(),
                    p.text,
                    p.url,
                    p.lang,
                    json.dumps(list(p.links)),
                    p.likes,
                    p.reposts,
                    p.replies,
                    p.quotes,
                    "t" if p.is_repost else "f",
                    p.repost_of,
                    p.reply_to,
                    p.quote_of,
                    p.conversation_id,
                    author_ids[(p.platform, p.author.external_id)],
                    "",
                    now,
                    now,
                    1,  # tagset_id
                )
            )
        buffer.seek(0)
        mentions.seek(0)
        with transaction.atomic(), connection.cursor() as cur:
            cur.cursor.copy_expert(sql, buffer)
            cur.cursor.copy_expert(mention_sql, mentions)
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
                    record = post_record(post=post, hashtags=post.hashtags, mentions=post.mentions)
                    out.write(json.dumps(record) + "\n")
        command = [sys.executable, __file__, "--child-import", str(path)]
        command += ["--database", db["NAME"], "--batch", str(args.batch)]
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
        ("pages", _timed, args.page),
        ("archive", _archive_timed, args.batch),
    ]
    if args.serial:
        runs.append(("serial", _timed, args.batch))
    for name, timed, size in runs:
        _reset(existing)
        seconds, new = timed(posts_upsert, posts, size)
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


if __name__ == "__main__":
    main()

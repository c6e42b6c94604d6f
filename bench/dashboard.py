"""How fast the dashboard's JSON endpoints answer at ten million posts, against naive queries.

    DJANGO_SETTINGS_MODULE=nhitweek.settings.test python bench/dashboard.py [--posts N]

Loads N synthetic posts (default 10,000,000) over a 7-day campaign with 3 hashtags and 2
platforms into its own database (--database, default bench_dashboard, on the server of
TEST_DATABASE_URL), kept between runs: a second run with the same N reuses it (--reload forces
a fresh load). Loading is COPY and set-based SQL, never the ORM (bench/_dashboard_load.py).
Then each endpoint is requested through Django's test client for five windows
(the whole campaign, one day, one hour, eight and three minutes), cold (cache cleared before each
request) and warm, and the naive queries (the posts table grouped by date_trunc for the
volume; aggregated with count(DISTINCT author) for the summary) are timed for the same
answers, which are checked equal. Windows too big for live unique-author counts are served
from their snapshot, computed once beforehand as the beat task would (column "first").
Last line:
BENCH dashboard posts=N p95_ms=X speedup_vs_naive=R   (p95 of every cold request)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.test")

ENDPOINTS = ("volume", "summary", "top-posts", "contributors", "heatmap", "yoy", "coverage")
WINDOWS = {
    "campaign": {"range": "campaign"},
    "day": {"range": "custom", "start": "2026-10-07T09:00", "end": "2026-10-08T09:00"},
    "hour": {"range": "custom", "start": "2026-10-09T14:00", "end": "2026-10-09T15:00"},
    # About 8,000 posts: over DASHBOARD_EXACT_AUTHORS_MAX (3,000), so authors come from the
    # window's snapshot, computed on the first request.
    "8min": {"range": "custom", "start": "2026-10-09T14:00", "end": "2026-10-09T14:08"},
    # 2,950 posts and 2,964 the 3 minutes before: just under it, so authors and contributors
    # are counted live, about the slowest a live answer gets.
    "3min": {"range": "custom", "start": "2026-10-09T14:00", "end": "2026-10-09T14:03"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000_000)
    parser.add_argument("--database", default="bench_dashboard")
    parser.add_argument("--reload", action="store_true", help="load even if already loaded")
    parser.add_argument("--samples", type=int, default=20, help="requests per measure")
    parser.add_argument("--naive-runs", type=int, default=3)
    args = parser.parse_args()

    import django
    from django.conf import settings

    from bench._dashboard_load import VERSION, campaign_ensure, database_ensure, load, loaded

    db = settings.DATABASES["default"]
    # Test runs flush their Redis databases at any moment; keep the bench on its own.
    redis_db = os.environ.get("BENCH_REDIS_DB", "8")
    settings.CACHES["default"]["LOCATION"] = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{redis_db}"
    settings.CACHES["default"]["KEY_PREFIX"] = "nhitweek-bench-dashboard"
    database_ensure(db, args.database, drop=False)
    db["NAME"] = args.database
    db["CONN_MAX_AGE"] = 60  # as in production: no new connection per request
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    if args.reload or loaded() != (args.posts, VERSION):
        # A fresh database: a load cut short (indexes dropped) is never reused.
        connections.close_all()
        database_ensure(db, args.database, drop=True)
        call_command("migrate", verbosity=0)
        campaign = campaign_ensure()
        loaded()
        load(campaign, args.posts)
    else:
        campaign = campaign_ensure()
        print(f"reusing {args.database}: {args.posts:,} posts already loaded")
    _measure(campaign, args)


# --- Measuring ---------------------------------------------------------------------------------


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _request(client, url: str, params: dict) -> float:
    began = time.perf_counter()
    response = client.get(url, params)
    took = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code} {response.content[:300]}")
    return took


def _counter(into: list[int]):
    def wrapper(run, *args):
        into.append(1)
        return run(*args)

    return wrapper


def _measure(campaign, args) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from campaigns.dashboard.snapshots import exact_max

    client = Client()
    print(f"live unique authors up to {exact_max():,} posts per window; snapshots above")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    cold_all: list[float] = []
    cold: dict[tuple[str, str], list[float]] = {}
    header = f"{'endpoint':13} {'window':8} {'first':>9} {'cold p50':>9} {'p95':>7}"
    print(header + f" {'warm p50':>9} {'p95':>7} {'queries':>8}   (ms)")
    for window, params in WINDOWS.items():
        for name in ENDPOINTS:
            url = f"/c/{campaign.slug}/api/{name}"
            cache.clear()
            first = _request(client, url, params)  # may compute a snapshot, as beat would
            cache.clear()
            queries: list[int] = []
            with connection.execute_wrapper(_counter(queries)):
                _request(client, url, params)
            samples = []
            for _ in range(args.samples):
                cache.clear()
                samples.append(_request(client, url, params))
            warm = [_request(client, url, params) for _ in range(args.samples)]
            cold[(name, window)] = samples
            cold_all.extend(samples)
            print(
                f"{name:13} {window:8} {first:9.1f} {statistics.median(samples):9.1f} "
                f"{_pct(samples, 0.95):7.1f} {statistics.median(warm):9.1f} "
                f"{_pct(warm, 0.95):7.1f} {len(queries):8d}",
                flush=True,
            )
    speedups = _naive(campaign, client, cold, args.naive_runs)
    p95 = _pct(cold_all, 0.95)
    worst = max(cold, key=lambda k: _pct(cold[k], 0.95))
    print(
        f"p95 of every cold request {p95:.1f} ms; worst endpoint {worst}: "
        f"{_pct(cold[worst], 0.95):.1f} ms"
    )
    for name in ("volume", "summary"):
        for window in WINDOWS:
            got = _pct(cold[(name, window)], 0.95)
            print(
                f"target {name} p95 cold < 20 ms, {window:8}: {got:5.1f} ms "
                f"{'ok' if got < 20 else 'MISSED'}"
            )
    speedup = min(speedups.values())
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"target >= 50x faster than naive: {speedup:.0f}x {'ok' if speedup >= 50 else 'MISSED'}")
    print(f"BENCH dashboard posts={args.posts} p95_ms={p95:.1f} speedup_vs_naive={speedup:.0f}")


# Naive: straight from the posts, each post's hashtags read off its tag set's key.
_NAIVE_VOLUME = """
    SELECT h.id, date_trunc('hour', p.created_at AT TIME ZONE %(tz)s) AS bucket, count(*)
    FROM hashtags_post p JOIN hashtags_tagset t ON t.id = p.tagset_id
    CROSS JOIN unnest(string_to_array(t.key, ',')::bigint[]) AS h(id)
    WHERE h.id = ANY(%(ids)s) AND p.created_at >= %(start)s AND p.created_at < %(end)s
      AND NOT p.is_repost
    GROUP BY 1, 2
"""
_NAIVE_SUMMARY = """
    WITH w AS (
        SELECT p.* FROM hashtags_post p
        WHERE p.created_at >= %(start)s AND p.created_at < %(end)s AND EXISTS (
            SELECT 1 FROM hashtags_tagset t
            WHERE t.id = p.tagset_id
                AND string_to_array(t.key, ',')::bigint[] && %(ids)s::bigint[])
    )
    SELECT count(*) FILTER (WHERE NOT is_repost), count(*) FILTER (WHERE is_repost),
        coalesce(sum(likes) FILTER (WHERE NOT is_repost), 0),
        count(DISTINCT author_id),
        (SELECT coalesce(sum(a.followers), 0) FROM hashtags_author a
         WHERE a.id IN (SELECT author_id FROM w))
    FROM w
"""


def _naive(campaign, client, cold, runs: int) -> dict[str, float]:
    """Time the naive queries for the whole campaign and check they give the same answers."""
    from django.db import connection

    ids = list(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
    params = {"tz": campaign.timezone, "ids": ids, "start": campaign.start, "end": campaign.end}
    previous = {
        **params,
        "start": campaign.start - (campaign.end - campaign.start),
        "end": campaign.start,
    }
    timings: dict[str, list[float]] = {"volume": [], "summary": []}
    for _ in range(runs):
        with connection.cursor() as cur:
            began = time.perf_counter()
            cur.execute(_NAIVE_VOLUME, params)
            volume_rows = cur.fetchall()
            timings["volume"].append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            cur.execute(_NAIVE_SUMMARY, params)
            summary_row = cur.fetchone()
            cur.execute(_NAIVE_SUMMARY, previous)
            previous_row = cur.fetchone()
            timings["summary"].append((time.perf_counter() - began) * 1000)
    volume = client.get(f"/c/{campaign.slug}/api/volume", {"range": "campaign"}).json()
    summary = client.get(f"/c/{campaign.slug}/api/summary", {"range": "campaign"}).json()
    by_tag = {link.hashtag_id: link.hashtag.display for link in campaign.campaign_hashtags.all()}
    naive_lines = {by_tag[h]: 0 for h in ids}
    for hashtag_id, _, count in volume_rows:
        naive_lines[by_tag[hashtag_id]] += count
    lines = {line["hashtag"]: sum(line["posts"]) for line in volume["series"]}
    metrics = summary["metrics"]
    ours = (
        metrics["posts"]["value"],
        metrics["reposts"]["value"],
        metrics["likes"]["value"],
        metrics["unique_authors"]["value"],
        metrics["potential_reach"]["value"],
    )
    same = lines == naive_lines and ours == tuple(summary_row[:5])
    same = same and metrics["unique_authors"]["previous"] == previous_row[3]
    print(f"naive answers equal the endpoints': {'yes' if same else 'NO'}")
    if not same:
        print(f"  volume {lines} vs {naive_lines}; summary {ours} vs {summary_row[:5]}")
    speedups = {}
    for name, samples in timings.items():
        ours_ms = statistics.median(cold[(name, "campaign")])
        naive_ms = statistics.median(samples)
        speedups[name] = naive_ms / ours_ms
        print(
            f"naive {name:8} p50 {naive_ms:9.1f} ms vs cold {ours_ms:6.1f} ms: "
            f"{speedups[name]:.0f}x"
        )
    return speedups


if __name__ == "__main__":
    main()

"""How fast a big chat's pages answer, and what reading it whole costs after a change.

    DJANGO_SETTINGS_MODULE=nhitweek.settings.test python bench/chats.py [--posts N]

Works in its own scratch database (nhitweek_bench_chats_<pid>) on the server of
TEST_DATABASE_URL, migrated here and dropped at the end. A chat of N posts (default 20,000) is
stored through hashtags.ingest.posts_upsert (untimed): two hosts (X and Mastodon) asking Q1..Q5
(Q6 only planned), answers with markers, replies to questions and to answers (chains of
replies among the chat's posts), replies whose parents are stored posts without the chat tag
(chains up to --chain-depth levels), reposts, posts in the tail, authors spread over --authors
participants, a share of whom posted in the previous edition's chat (also stored). Then:

- build: the chat read whole and stored (campaigns.chats.reading.reading_store: the posts, the
  reply walk, the assignment, the numbers, an entry per post), as the first request after a
  change or beat's refresh_chats does it; its steps are timed apart;
- the pages through Django's test client with the reading current, alternating, --runs times:
  the transcript's first page, a later page of one question, the analytics page and the live
  page's JSON, each with its SQL queries and size; and the campaign page, the same stack's
  cost of a page with nothing of the chat on it. Then the transcript and the analytics with
  their bodies built on every request (*_built: what the first request after a change pays;
  later ones find the body in the cache under the reading's signature).

Last line: BENCH chats posts=N transcript_ms=X analytics_ms=Y live_ms=Z ... build_ms=B (p50s)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhitweek.settings.test")

CHAT_START = datetime(2026, 10, 6, 18, 0, tzinfo=UTC)  # 14:00 in New York
PREVIOUS_START = datetime(2025, 10, 7, 18, 0, tzinfo=UTC)
TAG = "nhitchat"
MASTO = "https://mastodon.social"
QUESTION_MINUTES = (5, 15, 25, 35, 45)  # Q1..Q5 by the hosts; Q6 is planned at 55 only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="the chat's posts")
    parser.add_argument("--authors", type=int, default=4000, help="participants")
    parser.add_argument("--returning", type=float, default=0.15, help="share of earlier chat")
    parser.add_argument("--chain-depth", type=int, default=8, help="untagged ancestors, at most")
    parser.add_argument("--runs", type=int, default=9, help="cold runs per measure")
    parser.add_argument("--profile", default="", help="print where one request of this page goes")
    args = parser.parse_args()

    from django.conf import settings

    db = settings.DATABASES["default"]
    # Test runs flush their Redis databases (10-15) at any moment; keep the bench off them.
    settings.CACHES["default"]["LOCATION"] = settings.REDIS_URL.rsplit("/", 1)[0] + "/9"
    settings.CACHES["default"]["KEY_PREFIX"] = "nhitweek-bench-chats"
    scratch = f"nhitweek_bench_chats_{os.getpid()}"
    from bench._admin import scratch_database

    with scratch_database(db, scratch):
        _run(args)


# --- The chat ----------------------------------------------------------------------------------


class Posts:
    """Builds PostData of the three platforms with ids that never collide."""

    def __init__(self) -> None:
        self.n = 0
        self.all: list = []

    def add(self, author, at: datetime, text: str, *, tags=(TAG,), reply_to=None, repost_of=None):
        from hashtags.sources.base import PostData

        self.n += 1
        n, platform = self.n, author.platform
        if platform == "mastodon":
            local = str(100_000 + n)
            ext = f"{MASTO}/users/{author.name}/statuses/{local}"
            url = f"{MASTO}/@{author.name}/{local}"
        elif platform == "bluesky":
            ext = f"at://{author.external_id}/app.bsky.feed.post/3k{n:07d}"
            url = f"https://bsky.app/profile/{author.handle}/post/3k{n:07d}"
        else:
            ext, url = (
                str(1_800_000_000_000_000_000 + n),
                f"https://x.com/{author.handle}/status/{n}",
            )
        parent = ""
        if reply_to is not None:  # Mastodon names the parent by its server-local id
            parent = (
                reply_to.url.rsplit("/", 1)[-1] if platform == "mastodon" else reply_to.external_id
            )
        data = PostData(
            platform=platform,
            external_id=ext,
            author=author,
            text=f"{text} #NHITchat" if repost_of is None else "",
            url=url,
            created_at=at,
            hashtags=tags,
            likes=n % 23,
            reposts=n % 7,
            replies=n % 5,
            quotes=n % 3,
            is_repost=repost_of is not None,
            repost_of=repost_of.external_id if repost_of is not None else "",
            reply_to=parent,
        )
        self.all.append(data)
        return data


def _authors(count: int) -> list:
    from hashtags.sources.base import AuthorData

    out = []
    for a in range(count):
        kind = a % 10
        if kind < 6:
            out.append(
                AuthorData("x", f"x-member{a}", f"member{a}", f"Member {a}", followers=a % 3000)
            )
        elif kind < 8:
            acct = f"user{a}@mastodon.social"
            out.append(
                AuthorData(
                    "mastodon", acct, acct, f"user{a}", url=f"{MASTO}/@user{a}", followers=a % 800
                )
            )
        else:
            handle = f"member{a}.bsky.social"
            out.append(AuthorData("bluesky", f"did:plc:m{a}", handle, followers=a % 1200))
    return out


def _store(posts: list) -> None:
    from hashtags.ingest import posts_upsert

    for start in range(0, len(posts), 2000):
        posts_upsert(posts=posts[start : start + 2000])


def chats_store(args: argparse.Namespace):
    """The 2025 and 2026 editions' chats; returns the 2026 chat and counts of what was stored."""
    from campaigns.chats.services import PlannedQuestion, chat_upsert
    from campaigns.models import Campaign, Series
    from hashtags.sources.base import AuthorData

    rng = random.Random(20261006)
    series = Series.objects.create(slug="nhit-week", name="NHIT Week")
    editions = {}
    for year, start in ((2025, PREVIOUS_START), (2026, CHAT_START)):
        editions[year] = Campaign.objects.create(
            slug=f"nhit-{year}",
            name=f"NHIT Week {year}",
            start=start - timedelta(days=1),
            end=start + timedelta(days=4),
            timezone="America/New_York",
            public=True,
            series=series,
            edition=str(year),
        )
    hosts = [("x", "@HostX"), ("mastodon", "Host@Mastodon.Social")]
    chat_upsert(
        campaign=editions[2025],
        slug="tuesday",
        title="NHIT chat 2025",
        hashtag="#NHITchat",
        start=PREVIOUS_START,
        end=PREVIOUS_START + timedelta(hours=1),
        hosts=hosts[:1],
    )
    plan = [
        PlannedQuestion(i + 1, CHAT_START + timedelta(minutes=m), f"Planned question {i + 1}")
        for i, m in enumerate((*QUESTION_MINUTES, 55))
    ]
    chat, _ = chat_upsert(
        campaign=editions[2026],
        slug="tuesday",
        title="NHIT chat: data for all",
        hashtag="#NHITchat",
        start=CHAT_START,
        end=CHAT_START + timedelta(hours=1),
        hosts=hosts,
        questions=plan,
    )
    people = _authors(args.authors)
    host_x = AuthorData("x", "x-hostx", "HostX", "Host X", followers=5000)
    host_m = AuthorData(
        "mastodon", "host@mastodon.social", "host@mastodon.social", "host", followers=800
    )

    # The previous edition: a question and answers by a share of this year's participants.
    before = Posts()
    q = before.add(host_x, PREVIOUS_START + timedelta(minutes=5), "Q1: last year's question")
    veterans = people[: int(len(people) * args.returning)]
    for i, author in enumerate(veterans):
        at = PREVIOUS_START + timedelta(minutes=6 + 50 * i / max(1, len(veterans)))
        before.add(author, at, f"A1 I was here in 2025 ({i})", reply_to=q if i % 3 == 0 else None)
    _store(before.all)

    # This year's chat: the hosts' posts first, then everybody over the hour and the tail.
    now = Posts()
    now.n = 1_000_000  # never the previous edition's ids
    now.add(host_x, CHAT_START + timedelta(minutes=1), "Welcome! Introduce yourselves")
    questions = []
    for i, minute in enumerate(QUESTION_MINUTES):
        host = host_x if i % 2 == 0 else host_m
        marker = ("Q{n}:", "@HostX Q{n}.", "Question {n}", "q {n}", "Q{n}")[i].format(n=i + 1)
        at = CHAT_START + timedelta(minutes=minute)
        questions.append(now.add(host, at, f"{marker} What about part {i + 1}?"))
    now.add(host_x, CHAT_START + timedelta(minutes=61), "Thanks everyone, recap tomorrow!")
    untagged = Posts()
    untagged.n = 5_000_000
    chat_posts: list = list(now.all)
    span = (60 + chat.tail_minutes) * 60  # seconds from the start to the tail's end
    while len(chat_posts) < args.posts:
        i = len(chat_posts)
        author = people[(i * 7919) % len(people)]
        at = CHAT_START + timedelta(seconds=span * (i + rng.random()) / (args.posts + 1))
        active = sum(1 for m in QUESTION_MINUTES if at >= CHAT_START + timedelta(minutes=m))
        roll = rng.random()
        earlier = chat_posts[rng.randrange(len(chat_posts))]
        if roll < 0.10:  # a repost of an earlier post of the chat
            if earlier.is_repost:
                continue
            chat_posts.append(now.add(author, at, "", repost_of=earlier))
        elif roll < 0.45 and active:  # an answer with its marker (sometimes an older question)
            n = active if rng.random() < 0.8 else rng.randint(1, active)
            style = ("A{n}", "a{n}:", "A {n})", "@HostX A{n}.")[i % 4].format(n=n)
            chat_posts.append(now.add(author, at, f"{style} answer number {i}"))
        elif roll < 0.55 and active:  # a reply to a question
            parent = questions[rng.randrange(active)]
            chat_posts.append(
                now.add(author, at, f"replying to the question ({i})", reply_to=parent)
            )
        elif roll < 0.75:  # a reply to an earlier post of the chat: chains among chat posts
            if earlier.is_repost:
                continue
            chat_posts.append(now.add(author, at, f"so true ({i})", reply_to=earlier))
        elif roll < 0.80:  # a reply below stored posts without the chat tag, up to a question
            parent = questions[rng.randrange(max(1, active))]
            for level in range(rng.randint(1, args.chain_depth)):
                who = people[rng.randrange(len(people))]
                parent = untagged.add(
                    who,
                    at - timedelta(seconds=1),
                    f"off-tag {level}",
                    tags=("nhitweek",),
                    reply_to=parent,
                )
            chat_posts.append(now.add(author, at, f"deep in the thread ({i})", reply_to=parent))
        else:  # a plain post: its section is the active question by time
            chat_posts.append(now.add(author, at, f"thinking out loud, post {i}"))
    _store(untagged.all)
    _store(chat_posts)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    stored = {
        "posts": len(chat_posts),
        "reposts": sum(1 for p in chat_posts if p.is_repost),
        "replies": sum(1 for p in chat_posts if p.reply_to),
        "untagged": len(untagged.all),
        "previous": len(before.all),
    }
    return chat, stored


# --- Measuring ---------------------------------------------------------------------------------


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _chat(pk: int):
    """The chat as a request reads it: nothing of an earlier run kept."""
    from campaigns.models import Chat

    return Chat.objects.select_related("campaign", "hashtag").get(pk=pk)


def _counted(run) -> tuple[float, int]:
    """(ms, SQL queries) of one call."""
    from django.db import connection

    queries: list[str] = []

    def counter(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        began = time.perf_counter()
        run()
        ms = (time.perf_counter() - began) * 1000
    return ms, len(queries)


def _build(pk: int) -> None:
    from campaigns.chats.reading import reading_store

    reading_store(chat=_chat(pk), signature="bench")


def _phases(pk: int) -> dict[str, float]:
    """One read of the whole chat taken apart: ms of each step, and the reply walk's queries."""
    from django.db import connection

    from campaigns.chats import selectors
    from campaigns.chats.numbers import chat_numbers

    chat = _chat(pk)
    out: dict[str, float] = {}
    began = time.perf_counter()
    rows = list(selectors.chat_posts(chat=chat))
    out["posts_query_ms"] = (time.perf_counter() - began) * 1000
    originals = [p for p in rows if not p.is_repost]
    walk: list[int] = []

    def counter(execute, sql, params, many, context):
        walk.append(len(sql))
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(counter):
        chains = selectors._parents(originals)
    out["reply_walk_ms"] = (time.perf_counter() - began) * 1000
    out["reply_walk_queries"] = len(walk)
    transcript = selectors.chat_transcript(chat=chat)  # for the steps below only
    began = time.perf_counter()
    transcript.sections.clear()
    selectors._assign(transcript, chains)
    out["assign_ms"] = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    chat_numbers(transcript=transcript)
    out["numbers_ms"] = (time.perf_counter() - began) * 1000
    return out


def _pages(chat, runs: int, profile: str = "") -> dict[str, tuple[list[float], int, int]]:
    """Each page and the live JSON fetched through the test client, `runs` times alternating,
    the stored reading current: name -> (ms samples, queries of one request, bytes)."""
    from django.test import Client
    from django.urls import reverse

    from campaigns.chats.reading import chat_reading

    chat_reading(chat=_chat(chat.pk))  # the reading every request below finds current
    client = Client()
    args = [chat.campaign.slug, chat.slug]
    urls = {
        "transcript": reverse("campaigns:chat_detail", args=args),
        "question": reverse("campaigns:chat_detail", args=args) + "?section=3&page=2",
        "analytics": reverse("campaigns:chat_analytics", args=args),
        "live_json": reverse("api:chat_live", args=args),
        # For scale: a page of the same stack with nothing of the chat on it.
        "campaign": reverse("campaigns:detail", args=[chat.campaign.slug]),
    }
    out: dict[str, tuple[list[float], int, int]] = {}
    if profile:
        import cProfile
        import pstats

        client.get(urls[profile])
        profiler = cProfile.Profile()
        profiler.runcall(client.get, urls[profile])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        from django.db import connection

        def timer(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                print(f"{(time.perf_counter() - began) * 1000:8.1f} ms  {sql[:300]}")
                if sql.startswith("SELECT") and (time.perf_counter() - began) > 0.005:
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN ANALYZE " + sql, params)
                        print("\n".join(r[0] for r in cur.fetchall()))

        with connection.execute_wrapper(timer):
            client.get(urls[profile])
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        _ms, queries = _counted(lambda u=url: client.get(u))
        out[name] = ([], queries, len(response.content))
    for _ in range(runs):
        for name, url in urls.items():
            began = time.perf_counter()
            client.get(url)
            out[name][0].append((time.perf_counter() - began) * 1000)
    # The first request after a change builds the page's body (then kept under the signature).
    from campaigns.chats import views

    kept = views.cached_by_signature
    views.cached_by_signature = lambda **kw: kw["compute"]()
    try:
        for name in ("transcript", "analytics"):
            _ms, queries = _counted(lambda u=urls[name]: client.get(u))
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                client.get(urls[name])
                samples.append((time.perf_counter() - began) * 1000)
            out[f"{name}_built"] = (samples, queries, out[name][2])
    finally:
        views.cached_by_signature = kept
    return out


def _run(args: argparse.Namespace) -> None:
    from campaigns.chats.reading import chat_reading

    began = time.perf_counter()
    chat, stored = chats_store(args)
    print(
        f"stored in {time.perf_counter() - began:.1f}s: "
        + ", ".join(f"{k}={v}" for k, v in stored.items())
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    builds = []
    for _ in range(max(3, args.runs // 3)):
        ms, build_queries = _counted(lambda: _build(chat.pk))
        builds.append(ms)
    numbers = chat_reading(chat=_chat(chat.pk)).numbers
    print(
        f"numbers: posts={numbers['posts']} reposts={numbers['reposts']} "
        f"participants={numbers['participants']} returning={numbers['returning']} "
        f"intro={numbers['intro']} wrap_up={numbers['wrap_up']} "
        + " ".join(f"Q{q['number']}={q['answers']}" for q in numbers["questions"])
    )
    if numbers["posts"] + numbers["reposts"] != stored["posts"]:
        raise SystemExit(f"the chat holds {numbers['posts']} + {numbers['reposts']} posts")
    print(
        f"read whole and stored (after a change; beat does it for chats being collected): "
        f"p50 {statistics.median(builds):.1f} ms, {build_queries} queries, {len(builds)} runs"
    )
    phases = _phases(chat.pk)
    print("  step by step: " + ", ".join(f"{k}={v:.1f}" for k, v in phases.items()))
    pages = _pages(chat, args.runs, args.profile)
    print(f"{'request':11} {'p50':>8} {'p95':>8} {'queries':>8} {'KB':>6}   (ms, {args.runs} runs)")
    for name, (samples, queries, size) in pages.items():
        print(
            f"{name:11} {statistics.median(samples):8.1f} {_pct(samples, 0.95):8.1f} "
            f"{queries:8d} {size / 1024:6.1f}"
        )
    p50 = {name: statistics.median(samples) for name, (samples, _, _) in pages.items()}
    p95 = {name: _pct(samples, 0.95) for name, (samples, _, _) in pages.items()}
    print(
        f"BENCH chats posts={stored['posts']} transcript_ms={p50['transcript']:.1f} "
        f"analytics_ms={p50['analytics']:.1f} live_ms={p50['live_json']:.1f} "
        f"transcript_p95_ms={p95['transcript']:.1f} analytics_p95_ms={p95['analytics']:.1f} "
        f"live_p95_ms={p95['live_json']:.1f} transcript_built_ms={p50['transcript_built']:.1f} "
        f"analytics_built_ms={p50['analytics_built']:.1f} build_ms={statistics.median(builds):.1f} "
        f"reply_walk_queries={phases['reply_walk_queries']:.0f} "
        f"reply_walk_ms={phases['reply_walk_ms']:.1f}"
    )


if __name__ == "__main__":
    main()

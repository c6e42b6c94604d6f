"""A real Celery worker killed between two pages of a poll loses nothing and doubles nothing.

The worker runs `celery worker` as a subprocess on the test database, with the paged fake client
of tests/support (six pages of 100 posts, a pause after page 2 on request). The test SIGKILLs it
in that pause, lets the claim's lease run out, and has a fresh worker finish the poll.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from hashtags.models import PollLog, PollState, Post, TagSetRollup
from hashtags.services import hashtag_get_or_create
from tests.support import paged_client
from tests.support.checks import links_count, links_per_name, rollups_exact
from tests.support.factories import SourceFactory
from tests.support.fake_clients import links_per_tag, page_posts

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 60
LEASE_SECONDS = 3
# A Redis database no test flushes (tests' cache.clear() empties 10-15), so a concurrent test
# run cannot drop our queue; the queue's name is unique to this test anyway.
BROKER_DB = 8


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def broker_url() -> str:
    return urlunsplit(urlsplit(settings.REDIS_URL)._replace(path=f"/{BROKER_DB}"))


def wait_until(check: Callable[[], bool], *, what: str, worker=None, log: Path | None = None):
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        died = worker is not None and worker.poll() is not None
        if died or time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            reason = "the worker exited" if died else f"{WAIT_SECONDS}s passed"
            pytest.fail(f"waiting for {what}: {reason}\n{tail}")
        time.sleep(0.1)


def worker_start(*, queue: str, name: str, log: Path, **env: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tests.support.worker_app",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        f"{name}-{queue}@%h",
    ]
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "nhitweek.settings.test",
        "TEST_DATABASE_URL": database_url(),
        "NHITWEEK_TEST_BROKER_URL": broker_url(),
        "NHITWEEK_TEST_CACHE_PREFIX": queue,
        "POLL_LEASE_SECONDS": str(LEASE_SECONDS),
        **env,
    }
    with log.open("ab") as out:
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we can kill all of it
        )
    try:
        wait_until(
            lambda: b" ready." in log.read_bytes(), what="worker ready", worker=worker, log=log
        )
    except BaseException:
        worker_stop(worker)
        raise
    return worker


def worker_stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        try:
            os.killpg(worker.pid, sig)
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=20)
        except ProcessLookupError:
            pass


def poll_send(*, queue: str, source_id: int, hashtag_ids: list[int]) -> None:
    sender = Celery("test-sender", broker=broker_url(), set_as_current=False)
    try:
        sender.send_task(
            "hashtags.poll",
            kwargs={"source_id": source_id, "hashtag_ids": hashtag_ids},
            queue=queue,
        )
    finally:
        sender.close()


def broker_cleanup(queue: str) -> None:
    """Drop our queue, the dead worker's unacknowledged message and the workers' cache keys."""
    client = redis.Redis.from_url(broker_url())
    try:
        for key in client.scan_iter(match=f"{queue}:*"):
            client.delete(key)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        for tag, payload in client.hgetall("unacked").items():
            if json.loads(payload)[-1] == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def stored_ids() -> set[str]:
    return set(Post.objects.values_list("external_id", flat=True))


def expected_posts(pages: range, names: list[str]):
    return [
        post
        for n in pages
        for post in page_posts(page=n, hashtags=names, per_page=paged_client.PER_PAGE)
    ]


def test_a_worker_killed_between_pages_loses_nothing_and_doubles_nothing(tmp_path):
    tags = [hashtag_get_or_create(tag=t) for t in ("NHITweek", "HITworks", "IHeartHIT")]
    names = [t.name for t in tags]
    source = SourceFactory(platform="demo")
    PollState.objects.create(source=source)
    queue = f"test-poll-{uuid.uuid4().hex[:12]}"
    task = {"queue": queue, "source_id": source.pk, "hashtag_ids": [t.pk for t in tags]}
    paused = tmp_path / "paused"
    logs = {name: tmp_path / f"{name}.log" for name in ("killed", "fresh")}
    everything = expected_posts(range(1, paged_client.PAGES + 1), names)
    first_two = expected_posts(range(1, 3), names)

    try:
        # 1. A worker stores pages 1 and 2, then is killed while fetching page 3.
        worker = worker_start(
            queue=queue,
            name="killed",
            log=logs["killed"],
            NHITWEEK_TEST_PAUSE_AFTER="2",
            NHITWEEK_TEST_PAUSE_FILE=str(paused),
        )
        try:
            poll_send(**task)
            what = "the pause after page 2"
            wait_until(paused.exists, what=what, worker=worker, log=logs["killed"])
            worker_stop(worker, signal.SIGKILL)
        finally:
            worker_stop(worker)
        assert worker.returncode == -signal.SIGKILL

        state = PollState.objects.get(source=source)
        assert stored_ids() == {p.external_id for p in first_two}
        assert state.cursor == {"page": 2}
        assert state.claimed_until is not None  # the dead worker's claim, until its lease ends
        assert links_count() == sum(links_per_tag(first_two).values())
        rollups_exact()
        assert not PollLog.objects.exists()

        # 2. Once the lease has run out, a fresh worker finishes the poll from the cursor.
        wait_until(
            lambda: PollState.objects.get(source=source).claimed_until < timezone.now(),
            what="the dead worker's lease to end",
        )
        worker = worker_start(queue=queue, name="fresh", log=logs["fresh"])
        try:
            poll_send(**task)
            wait_until(
                lambda: PollLog.objects.filter(source=source).exists(),
                what="the poll to finish",
                worker=worker,
                log=logs["fresh"],
            )
        finally:
            worker_stop(worker)
    finally:
        broker_cleanup(queue)
        for path in logs.values():  # pytest shows this output only when the test fails
            print(f"--- {path.name}", path.read_text() if path.exists() else "(none)", sep="\n")

    assert Post.objects.count() == len(everything) == 600
    assert stored_ids() == {p.external_id for p in everything}
    links = links_per_tag(everything)
    assert links_per_name() == links
    rollups_exact()
    rolled = TagSetRollup.objects.aggregate(n=Sum("posts") + Sum("reposts"))["n"]
    assert rolled == len(everything)
    state = PollState.objects.get(source=source)
    assert (state.cursor, state.claimed_until, state.failures) == ({"page": 6}, None, 0)
    later = links_per_tag(expected_posts(range(3, paged_client.PAGES + 1), names))
    logged = PollLog.objects.values_list("hashtag__name", "outcome", "posts_stored")
    assert sorted(logged) == sorted((name, "ok", later[name]) for name in names)

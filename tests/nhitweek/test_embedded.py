"""The embedded default (no environment: SQLite, filesystem broker) ingests like PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NHITWEEK_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_embedded_default_seeds_polls_the_demo_and_stores_each_post_once(tmp_path):
    for args in (("migrate", "--noinput"), ("seed_demo",)):
        done = _manage(tmp_path, *args)
        assert done.returncode == 0, done.stderr
    # seed_demo stored the editions' posts and polled the demo once (its cursor is saved).
    assert "posts for NHIT Week 2026" in done.stdout, done.stdout
    again = _manage(tmp_path, "poll", "--once", "--force")
    assert again.returncode == 0, again.stderr
    # The demo only adds the minutes completed since; nothing already stored is stored again.
    assert "Demo: ok" in again.stdout and "duplicates=0" in again.stdout, again.stdout
    count = _manage(
        tmp_path,
        "shell",
        "-c",
        "from hashtags.models import Post, TagSetRollup;"
        "from django.db.models import Sum;"
        "from django.db import connection;"
        "print(connection.vendor, Post.objects.count(),"
        " Post.objects.values('platform', 'external_id').distinct().count(),"
        " TagSetRollup.objects.aggregate(n=Sum('posts'))['n'] > 0)",
    )
    vendor, posts, distinct, has_rollups = count.stdout.split()[-4:]
    assert vendor == "sqlite"
    assert int(posts) > 0 and posts == distinct
    assert has_rollups == "True"
    assert (tmp_path / "var" / "nhitweek.sqlite3").exists()


def test_the_embedded_default_serves_the_curator_queue_and_exports(tmp_path):
    """The queue's PostgreSQL-only shortcuts (merged tag-set walks, the search time limit)
    have plain fallbacks on SQLite: every order and filter answers."""
    for args in (("migrate", "--noinput"), ("seed_demo",)):
        done = _manage(tmp_path, *args)
        assert done.returncode == 0, done.stderr
    script = (
        "from campaigns.models import Campaign;"
        "from campaigns.curation.queue import QueueFilter, queue_page;"
        "from campaigns.posts import campaign_posts_export;"
        "c = Campaign.objects.get(slug='nhit-week-2025');"
        "pages = [queue_page(campaign=c, filters=f)[0] for f in ("
        " QueueFilter(), QueueFilter(sort='engagement'), QueueFilter(q='health'),"
        " QueueFilter(platform='demo', min_engagement=1))];"
        "first, cursor = queue_page(campaign=c, filters=QueueFilter(), limit=5);"
        "second, _ = queue_page(campaign=c, filters=QueueFilter(), after=cursor, limit=5);"
        "print('sizes', *[len(p) for p in pages], len({i.key for i in first + second}),"
        " sum(1 for _ in campaign_posts_export(campaign=c)) > 0)"
    )
    done = _manage(tmp_path, "shell", "-c", script)
    assert done.returncode == 0, done.stderr
    sizes = done.stdout.split("sizes")[-1].split()
    assert [int(n) > 0 for n in sizes[:4]] == [True] * 4, done.stdout
    assert sizes[4:] == ["10", "True"], done.stdout

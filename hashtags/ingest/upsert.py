"""posts_upsert: store one page of normalized posts in ONE transaction, exactly once.

Authors are upserted; posts are inserted if new, with their tag set (the set of tracked
hashtags they carry: the one record of a post's hashtags), and if stored before only their
metrics change and their tag set grows (hashtags.ingest.stored); each post counts once in the
tag-set rollups (hashtags.ingest.rollups), which grow by exactly what changed: a new post's
contribution, the difference of changed metrics, a grown tag set's move. So storing the same
page twice, or two workers storing overlapping pages at once, gives the same rows and counts
as storing it once. The source's cursor is saved in the same transaction as the page it came
from, so is an archive import's coverage (hashtags.ingest.imported), and
hashtags.signals.posts_stored is sent in it.

Locks are taken in one order by every writer: tag sets (by key), authors, new posts, stored
posts (by key), then rollup rows. A tag set is only made before any row lock is taken: one
found missing later (a stored post grew into a set nobody carried before) rolls the attempt
back, is made on its own, and the batch runs again (hashtags.ingest.rollups.TagSetsMissing). A
deadlock can still come from elsewhere (an outer caller's own locks), so a call that owns its
transaction retries once after one.

Polling pages go through INSERT ... ON CONFLICT from arrays (hashtags.ingest.paged);
archive-sized batches on PostgreSQL go through COPY and set-based SQL (hashtags.ingest.staged),
and are prepared (formatted, rollups summed) in another thread while the previous batch is
stored (hashtags.ingest.prefetch).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from ..generation import generation_bump
from ..models import Hashtag, PollState, Source
from ..signals import posts_stored_send, posts_stored_wanted
from ..sources.base import PostData
from .imported import ArchiveRun, imported_spans_record
from .paged import page_store
from .results import Prepared, UpsertResult
from .rollups import Deltas, TagSetsMissing, tagsets_ensure
from .staged import AuthorsMissing, stage_prepare, staged_store

STAGED_MIN = 1000  # posts per batch from which PostgreSQL takes the COPY path
_DEADLOCK = "40P01"
_RESTARTS = 5  # tag sets made between attempts, the safe insert after a race, a deadlock


def batch_prepare(
    *,
    posts: Sequence[PostData],
    vendor: str = "postgresql",
    staged_min: int | None = None,
    authors_sent: dict[Any, int] | None = None,
) -> Prepared:
    """The pure-Python half of posts_upsert, safe to run in another thread. staged_min: the
    batch size from which PostgreSQL takes the COPY path (default STAGED_MIN); authors_sent:
    one import's record of the authors it sent (see hashtags.ingest.staged.stage_prepare)."""
    batch = _dedupe(posts)
    copy = vendor == "postgresql" and len(batch) >= (staged_min or STAGED_MIN)
    # The staged SQL finds authors by the post's platform; anything else takes the page path.
    if copy and all(p.author.platform == p.platform for p in batch):
        return Prepared(posts=batch, staged=stage_prepare(batch=batch, authors_sent=authors_sent))
    return Prepared(posts=batch, staged=None)


def posts_upsert(
    *,
    posts: Sequence[PostData] | Prepared,
    source: Source | None = None,
    cursor: dict[str, Any] | None = None,
    now: datetime | None = None,
    archive: ArchiveRun | None = None,
) -> UpsertResult:
    """Store a page of posts (and the cursor it came with, or the stretch of the archive it
    belongs to) in one transaction."""
    now = now or timezone.now()
    if not isinstance(posts, Prepared):
        posts = batch_prepare(posts=posts, vendor=connection.vendor)
    deadlocks = 0 if connection.in_atomic_block else 1  # a retry needs our own transaction
    safe = False
    for _ in range(_RESTARTS):
        try:
            return _upsert(posts, source=source, cursor=cursor, now=now, safe=safe, archive=archive)
        except TagSetsMissing as missing:  # rolled back: make them first, lock-free, then again
            with transaction.atomic():
                tagsets_ensure(missing.keys)
        except AuthorsMissing:  # rolled back: this time with every author of the batch
            posts = batch_prepare(posts=posts.posts, vendor=connection.vendor)
        except IntegrityError as exc:  # a concurrent batch stored one of these posts meanwhile
            if safe or _constraint(exc) != "post_unique":
                raise
            safe = True
        except OperationalError as exc:
            if not deadlocks or getattr(exc.__cause__, "pgcode", None) != _DEADLOCK:
                raise
            deadlocks -= 1
    raise RuntimeError(f"posts_upsert gave up after {_RESTARTS} restarts")


def _constraint(exc: Exception) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _upsert(
    prepared: Prepared,
    *,
    source: Source | None,
    cursor: dict[str, Any] | None,
    now: datetime,
    safe: bool,
    archive: ArchiveRun | None,
) -> UpsertResult:
    batch = prepared.posts
    result = UpsertResult(read=len(batch))
    source_id = source.pk if source is not None else None
    want_ids = posts_stored_wanted()
    with transaction.atomic():
        staged = prepared.staged if connection.vendor == "postgresql" else None
        names = staged.tags if staged is not None else {t for p in batch for t in p.hashtags}
        tag_ids = _tag_ids(set(names))
        deltas = Deltas()
        args: dict[str, Any] = {
            "tag_ids": tag_ids,
            "source_id": source_id,
            "now": now,
            "deltas": deltas,
        }
        new_ids: list[int] = []
        if staged is not None:
            new_ids = staged_store(
                prepared=prepared, result=result, want_ids=want_ids, safe=safe, **args
            )
        elif batch:
            new_ids = page_store(batch, result=result, **args)
        deltas.apply()
        if archive is not None:
            imported_spans_record(archive=archive, posts=batch, tag_ids=tag_ids)
        if source is not None and cursor is not None:
            PollState.objects.update_or_create(source=source, defaults={"cursor": cursor})
        if want_ids:
            posts_stored_send(post_ids=new_ids, hashtag_ids=list(tag_ids.values()))
        touched = set(result.new_links)
        if result.duplicates or result.new:
            touched.update(tag_ids.values())
        if touched:
            transaction.on_commit(lambda: generation_bump(hashtag_ids=touched), robust=True)
    return result


def _dedupe(posts: Sequence[PostData]) -> list[PostData]:
    latest: dict[tuple[str, str], PostData] = {}
    for post in posts:
        latest[(post.platform, post.external_id)] = post  # the later copy has fresher metrics
    return sorted(latest.values(), key=lambda p: (p.platform, p.external_id))


def _tag_ids(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    return dict(Hashtag.objects.filter(name__in=names).values_list("name", "id"))

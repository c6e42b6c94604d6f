"""Engagement counts go stale after ingestion: ask the platform again for a few stored posts.

Fresh metrics are stored through `posts_upsert`, which only updates the metrics of posts it
already has and adds exactly their difference (new - old) to the tag-set rollups, under the
posts' row locks; posts whose counts did not move are marked refreshed all the same
(metrics_updated_at), in the same transaction. Posts the platform no
longer shows (deleted, made private, out of reach) are left as they are and counted. Each batch
is its own transaction, so a rate limit halfway keeps what the earlier batches stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .ingest import posts_upsert
from .models import PollOutcome, Post, Source
from .sources import client_for
from .sources.base import PostData, SourceClient, SourceError

log = logging.getLogger(__name__)

DEFAULT_BATCH = 20  # for a client that does not say how many ids one request takes


@dataclass
class RefreshResult:
    source_id: int
    outcome: PollOutcome  # (never busy)
    asked: int = 0  # posts looked up on the platform
    refreshed: int = 0  # posts whose fresh metrics were stored
    missing: int = 0  # asked for, not returned (deleted, private, out of reach): left as they are
    skipped: int = 0  # refreshed recently enough already, or not posts of this source's platform
    message: str = ""
    retry_at: datetime | None = None


def _min_age() -> timedelta:
    return timedelta(minutes=settings.METRICS_REFRESH_MIN_AGE_MINUTES)


def metrics_refresh(
    *,
    source_id: int,
    post_ids: Sequence[int],
    min_age: timedelta | None = None,
    client_factory: Callable[[Source], SourceClient] = client_for,
    now: Callable[[], datetime] = timezone.now,
) -> RefreshResult:
    """Look these posts up through the source and store their fresh metrics, batch by batch.

    Posts refreshed less than `min_age` ago (METRICS_REFRESH_MIN_AGE_MINUTES) are skipped, so a
    task queued twice does not spend the platform's quota twice.
    """
    result = RefreshResult(source_id=source_id, outcome=PollOutcome.OK)
    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.enabled:
        result.outcome, result.message = PollOutcome.DISABLED, "source is disabled"
        return result
    wanted = set(post_ids)
    stale_before = now() - (_min_age() if min_age is None else min_age)
    external_ids = sorted(
        Post.objects.filter(
            pk__in=wanted, platform=source.platform, metrics_updated_at__lte=stale_before
        ).values_list("external_id", flat=True)
    )
    result.skipped = len(wanted) - len(external_ids)
    if not external_ids:
        return result
    try:
        client = client_factory(source)
        size = max(1, int(getattr(client, "lookup_batch", DEFAULT_BATCH)))
        for start in range(0, len(external_ids), size):
            batch = external_ids[start : start + size]
            asked = set(batch)
            fresh = [
                post
                for post in client.lookup(external_ids=batch)
                if post.platform == source.platform and post.external_id in asked
            ]
            stamp = now()
            with transaction.atomic():
                stored = posts_upsert(posts=fresh, source=source, now=stamp)
                _confirmed(source, fresh, stamp)
            result.asked += len(batch)
            result.refreshed += stored.read
            result.missing += len(batch) - stored.read
    except SourceError as exc:
        _failed(source, result, exc, now())
    return result


def _confirmed(source: Source, fresh: Sequence[PostData], stamp: datetime) -> None:
    """Ingestion leaves unchanged metrics (and metrics_updated_at) alone; a refresh that got the
    same counts still checked them, so it marks them checked, or the next round asks again."""
    if fresh:
        Post.objects.filter(
            platform=source.platform,
            external_id__in=sorted({p.external_id for p in fresh}),
            metrics_updated_at__lt=stamp,
        ).update(metrics_updated_at=stamp)


def _failed(source: Source, result: RefreshResult, exc: SourceError, finished: datetime) -> None:
    """The same rules as a failed poll: permanent disables the source, the rest waits."""
    result.message = exc.reason
    if exc.permanent:
        result.outcome = PollOutcome.DISABLED
        Source.objects.filter(pk=source.pk).update(
            enabled=False, last_error=exc.reason[:2000], last_error_at=finished
        )
    elif exc.rate_limited:
        # The posts stay stale, so the next scheduled refresh asks again; nothing to store.
        result.outcome, result.retry_at = PollOutcome.RATE_LIMITED, exc.retry_at
    else:
        result.outcome = PollOutcome.ERROR
    log.warning("metrics refresh of %s: %s (%s)", source, exc.reason, result.outcome)

"""The coverage ledger of archive imports: which stretch of each (platform, hashtag) an import
holds, written by posts_upsert in the transaction that stores the import's batch.

An import is one ArchiveRun; each batch widens the run's ImportedSpan rows (one per platform
and tracked hashtag) to its posts' first and last times, or to `covers` when the import's maker
knows the whole stretch it holds (the demo generates every minute of it). A batch rolled back
widens nothing. A run is written by one process at a time, so widening needs no lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import DateTimeField, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from ..models import ImportedSpan
from ..sources.base import PostData

LABEL_MAX = 300


@dataclass(frozen=True)
class ArchiveRun:
    """One import, as coverage names it: what it read (`label`) and, if known, the stretch it
    holds whole (`covers`, [start, end))."""

    label: str
    covers: tuple[datetime, datetime] | None = None
    run: uuid.UUID = field(default_factory=uuid.uuid4)
    imported_at: datetime = field(default_factory=timezone.now)


def _at(moment: datetime) -> Value:
    return Value(moment, output_field=DateTimeField())


def imported_spans_record(
    *, archive: ArchiveRun, posts: Sequence[PostData], tag_ids: Mapping[str, int]
) -> None:
    """Widen the run's spans to hold these posts (tracked hashtags only)."""
    spans: dict[tuple[str, int], tuple[datetime, datetime]] = {}
    for post in posts:
        for tag in post.hashtags:
            hashtag_id = tag_ids.get(tag)
            if hashtag_id is None:
                continue
            first, last = spans.get((post.platform, hashtag_id), (post.created_at,) * 2)
            spans[(post.platform, hashtag_id)] = (
                min(first, post.created_at),
                max(last, post.created_at),
            )
    for (platform, hashtag_id), (first, last) in sorted(spans.items()):
        if archive.covers:
            first, last = min(first, archive.covers[0]), max(last, archive.covers[1])
        widened = ImportedSpan.objects.filter(
            run=archive.run, platform=platform, hashtag_id=hashtag_id
        ).update(start=Least("start", _at(first)), end=Greatest("end", _at(last)))
        if not widened:
            ImportedSpan.objects.create(
                run=archive.run,
                label=archive.label[:LABEL_MAX],
                platform=platform,
                hashtag_id=hashtag_id,
                start=first,
                end=last,
                imported_at=archive.imported_at,
            )

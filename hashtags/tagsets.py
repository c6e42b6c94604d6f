"""Tag sets: the one module that knows their key ("3,7": hashtag ids ascending, comma separated),
and the reads every other module asks of them.

A tag set is the set of tracked hashtags a post carries, and the rollups count each post once
under its tag set. So a hashtag's line sums the rows of the
tag sets that hold it, and a campaign's total sums the rows of the tag sets that meet any of its
hashtags (each post once). There are few tag sets (n tags make at most 2**n - 1), so one small
query on the key answers either question.

Reading a window: hour rows cover whole UTC hours, minute rows every minute. `rollup_spans`
is the one answer to "which rows serve [start, end)": hour rows for the whole hours inside it,
minute rows for the two edges (minute rows only when asked, e.g. for buckets in a zone whose
offset is not a whole hour). Its ranges always have the same shape (two minute ranges, one hour
range, possibly empty), so a reader's statement does too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, StrIndex

from .models import TagSet

_SEPARATOR = ","


def tagset_key(hashtag_ids: Iterable[int]) -> str:
    """The key of the tag set of these hashtags ("" for none: a post carrying no tracked tag)."""
    return _SEPARATOR.join(str(i) for i in sorted(set(hashtag_ids)))


@lru_cache(maxsize=1024)  # there are few tag sets, and ingestion reads their keys per post
def tagset_hashtag_ids(key: str) -> frozenset[int]:
    """The hashtag ids a tag set key lists."""
    return frozenset(int(part) for part in key.split(_SEPARATOR) if part)


def tagsets_meeting(hashtag_ids: Iterable[int]) -> dict[int, list[int]]:
    """Tag set id -> the given hashtags it holds (ascending), for each tag set holding any."""
    wanted = {int(i) for i in hashtag_ids}
    if not wanted:
        return {}
    match = Q()
    for h in sorted(wanted):
        match |= (
            Q(key=str(h))
            | Q(key__startswith=f"{h}{_SEPARATOR}")
            | Q(key__endswith=f"{_SEPARATOR}{h}")
            | Q(key__contains=f"{_SEPARATOR}{h}{_SEPARATOR}")
        )
    out: dict[int, list[int]] = {}
    for pk, key in TagSet.objects.filter(match).values_list("pk", "key"):
        members = sorted(i for i in tagset_hashtag_ids(key) if i in wanted)
        if members:
            out[pk] = members
    return out


def tagsets_holding_any(
    rows: QuerySet, field: str = "hashtag_id"
) -> QuerySet[TagSet, dict[str, Any]]:
    """The ids of the tag sets holding any hashtag id in `field` of these rows, as a subquery
    (no query of its own): "3,7" holds 7 when ",3,7," contains ",7,"."""
    sep = Value(_SEPARATOR)
    holds = rows.alias(needle=Concat(sep, Cast(field, CharField()), sep)).alias(
        found=StrIndex(OuterRef("padded"), F("needle"))
    )
    return (
        TagSet.objects.annotate(padded=Concat(sep, "key", sep))
        .filter(Exists(holds.filter(found__gt=0)))
        .values("pk")
    )


def holds_sql(tagset: str, hashtag_id: str) -> str:
    """PostgreSQL condition: the tag set row aliased `tagset` holds the hashtag id that the SQL
    expression `hashtag_id` gives (both are our own SQL, never input)."""
    return (
        f"strpos('{_SEPARATOR}' || {tagset}.key || '{_SEPARATOR}', "
        f"'{_SEPARATOR}' || ({hashtag_id})::text || '{_SEPARATOR}') > 0"
    )


Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class RollupSpans:
    """The rollup rows that serve a window: minute rows in two ranges, hour rows in one."""

    minutes: tuple[Span, Span]
    hours: Span  # empty (start == end) when no hour row serves

    @property
    def has_hours(self) -> bool:
        return self.hours[0] < self.hours[1]


def rollup_spans(start: datetime, end: datetime, *, minutes_only: bool = False) -> RollupSpans:
    """Which rows serve [start, end): hour rows for its whole UTC hours, minute rows for the
    edges; with `minutes_only` (or no whole hour inside), minute rows for all of it."""
    span = None if minutes_only else hour_span(start, end)
    if span is None:
        return RollupSpans(minutes=((start, end), (end, end)), hours=(end, end))
    first, last = span
    return RollupSpans(minutes=((start, first), (last, end)), hours=span)


def hour_span(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The whole UTC hours inside [start, end) as [first, last); None if there is none.

    Hour rows serve [first, last); minute rows serve [start, first) and [last, end)."""
    first = _hour_ceil(start)
    last = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if first >= last:
        return None
    return first, last


def _hour_ceil(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)

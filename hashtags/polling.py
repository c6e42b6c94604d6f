"""Polling one source: claim it, fetch pages, store each with its cursor, log, reschedule.

Work is claimed with a conditional UPDATE (row count 1 or nothing), so one source is never
polled twice at once. Every way out sets `next_poll_at`: the interval after success, the
platform's reset time after a rate limit, a bounded exponential back-off after a transient
failure; a permanent failure disables the source with a reason. A crash mid-poll loses nothing:
each stored page committed its own cursor, and the claim expires by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from . import sources
from .ingest import UpsertResult, posts_upsert
from .models import Hashtag, PollLog, PollOutcome, PollState, Source
from .sources.base import SourceClient, SourceError

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    source_id: int
    outcome: PollOutcome
    pages: int = 0
    stored: UpsertResult = field(default_factory=UpsertResult)
    message: str = ""
    next_poll_at: datetime | None = None


def _lease() -> timedelta:
    return timedelta(seconds=settings.POLL_LEASE_SECONDS)


def _max_backoff() -> timedelta:
    return timedelta(seconds=settings.POLL_MAX_BACKOFF_SECONDS)


def poll_overdue_after(source: Source) -> timedelta:
    """How long after its last complete poll ended a healthy source's next poll has surely
    ended too: its interval, a tick of the scheduler and a poll's lease. Until then the time
    since is the live edge, still to come, not a gap."""
    return timedelta(
        seconds=source.poll_interval + settings.POLL_SCHEDULER_SECONDS + settings.POLL_LEASE_SECONDS
    )


def poll_state_for(*, source: Source, now: datetime | None = None) -> PollState:
    state, _ = PollState.objects.get_or_create(
        source=source, defaults={"next_poll_at": now or timezone.now()}
    )
    return state


def poll_reserve(*, source: Source, now: datetime | None = None) -> bool:
    """For the scheduler: take the due slot (push next_poll_at one interval on) or say no."""
    now = now or timezone.now()
    poll_state_for(source=source, now=now)
    taken = PollState.objects.filter(source=source, next_poll_at__lte=now).update(
        next_poll_at=now + timedelta(seconds=source.poll_interval)
    )
    return taken == 1


def poll_rate_limited(*, source: Source, now: datetime) -> bool:
    """Whether the source is waiting out a platform's rate limit (its last poll ended so)."""
    if not PollState.objects.filter(source=source, next_poll_at__gt=now).exists():
        return False
    last = (
        PollLog.objects.filter(source=source)
        .order_by("-finished_at", "-pk")
        .values_list("outcome", flat=True)
        .first()
    )
    return last == PollOutcome.RATE_LIMITED


def _claim(source: Source, now: datetime) -> datetime | None:
    """Take the source for one poll; returns the claim (to release only our own) or None."""
    poll_state_for(source=source, now=now)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + _lease()
    taken = PollState.objects.filter(Q(source=source) & free).update(claimed_until=until)
    return until if taken == 1 else None


def _release(claim: datetime) -> Case:
    """claimed_until after a poll: cleared if still ours, left alone if another took it over."""
    return Case(When(claimed_until=claim, then=Value(None)), default=F("claimed_until"))


def source_poll(
    *,
    source_id: int,
    hashtag_ids: Sequence[int],
    max_pages: int | None = None,
    client_factory: Callable[[Source], SourceClient] | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> PollResult:
    """Poll one source for these hashtags, storing page by page."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source.enabled:
        return PollResult(
            source_id=source_id, outcome=PollOutcome.DISABLED, message="source is disabled"
        )
    hashtags = list(Hashtag.objects.filter(pk__in=hashtag_ids).order_by("name"))
    started = now()
    if not hashtags:
        return PollResult(
            source_id=source_id, outcome=PollOutcome.OK, message="no hashtags to poll"
        )
    claim = _claim(source, started)
    if claim is None:
        return PollResult(
            source_id=source_id, outcome=PollOutcome.BUSY, message="another worker polls it"
        )
    result = PollResult(source_id=source_id, outcome=PollOutcome.OK)
    max_pages = max_pages or settings.POLL_MAX_PAGES
    state = PollState.objects.get(source=source)
    window_start = state.last_ok_at
    oldest: datetime | None = None
    warnings: list[str] = []
    notes = _Notes(hashtags)
    try:
        client = (client_factory or sources.client_for)(source)
        pages = client.fetch(hashtags=[h.name for h in hashtags], cursor=dict(state.cursor))
        for page in pages:
            result.stored.add(posts_upsert(posts=page.posts, source=source, cursor=page.cursor))
            result.pages += 1
            if page.oldest_at and (oldest is None or page.oldest_at < oldest):
                oldest = page.oldest_at
            warnings.extend(page.warnings)
            notes.add(page.warnings, tags=page.hashtags)
            result.message = "; ".join(warnings)[:2000]
            if result.pages >= max_pages:
                note = f"stopped after {max_pages} pages; continues next poll"
                result.message = "; ".join([*warnings, note])[:2000]
                notes.add([note])
                break
    except SourceError as exc:
        notes.failed(exc)
        _finish_failed(source, hashtags, result, exc, started, window_start, now(), claim, notes)
        return result
    except Exception as exc:
        # No poison pills: push this source back before the error reaches Celery.
        failure = SourceError(f"{type(exc).__name__}: {exc}"[:500])
        notes.failed(failure)
        _finish_failed(
            source, hashtags, result, failure, started, window_start, now(), claim, notes
        )
        raise
    finished = now()
    more = result.pages >= max_pages
    result.next_poll_at = finished if more else finished + timedelta(seconds=source.poll_interval)
    # A poll that stopped with pages still to fetch claims no coverage: the next complete poll
    # covers from the last complete one, so the coverage chart never overstates.
    state_changes = {"last_ok_at": finished} if not more else {}
    with transaction.atomic():
        PollState.objects.filter(source=source).update(
            next_poll_at=result.next_poll_at,
            claimed_until=_release(claim),
            failures=0,
            last_polled_at=finished,
            **state_changes,
        )
        if source.last_error:
            Source.objects.filter(pk=source.pk).update(last_error="", last_error_at=None)
        _log(
            source,
            hashtags,
            result,
            notes,
            PollOutcome.OK,
            started,
            finished,
            None if more else window_start or oldest or started,
            None if more else finished,
        )
    return result


def _finish_failed(
    source: Source,
    hashtags: list[Hashtag],
    result: PollResult,
    exc: SourceError,
    started: datetime,
    window_start: datetime | None,
    finished: datetime,
    claim: datetime,
    notes: _Notes,
) -> None:
    state = PollState.objects.get(source=source)
    failures = state.failures + 1
    if exc.permanent:
        result.outcome, outcome = PollOutcome.DISABLED, PollOutcome.ERROR  # logged as an error
        next_at = finished + timedelta(seconds=source.poll_interval)
    elif exc.rate_limited:
        result.outcome = outcome = PollOutcome.RATE_LIMITED
        wait_until = exc.retry_at if exc.retry_at and exc.retry_at > finished else None
        next_at = (wait_until or finished + timedelta(seconds=source.poll_interval)) + timedelta(
            seconds=1
        )
        failures = state.failures  # waiting out a limit is not a failure
    else:
        result.outcome = outcome = PollOutcome.ERROR
        backoff = timedelta(seconds=source.poll_interval * 2 ** min(failures, 10))
        next_at = finished + min(backoff, _max_backoff())
    result.message = exc.reason
    result.next_poll_at = next_at
    log.warning("poll of %s: %s (%s); next at %s", source, exc.reason, result.outcome, next_at)
    with transaction.atomic():
        PollState.objects.filter(source=source).update(
            next_poll_at=next_at,
            claimed_until=_release(claim),
            failures=failures,
            last_polled_at=finished,
        )
        changes = {"last_error": exc.reason[:2000], "last_error_at": finished}
        if exc.permanent:
            changes["enabled"] = False
        Source.objects.filter(pk=source.pk).update(**changes)
        _log(source, hashtags, result, notes, outcome, started, finished, window_start, finished)


class _Notes:
    """What each hashtag's log row says: the warnings of the pages its search gave, and the
    failure of its own search. A client names the tags of each page and error; what names none
    (or none of these) is every tag's."""

    def __init__(self, hashtags: list[Hashtag]) -> None:
        self.hashtags = hashtags
        self.lines: dict[int, list[str]] = {h.pk: [] for h in hashtags}

    def _named(self, tags: Sequence[str]) -> list[Hashtag]:
        named = [h for h in self.hashtags if h.name in tags]
        return named or self.hashtags

    def add(self, lines: Sequence[str], *, tags: Sequence[str] = ()) -> None:
        for hashtag in self._named(tags):
            self.lines[hashtag.pk].extend(lines)

    def failed(self, exc: SourceError) -> None:
        named = self._named(exc.hashtags)
        self.add([exc.reason], tags=[h.name for h in named])
        shown = ", ".join(f"#{h.display}" for h in named)
        others = [h.name for h in self.hashtags if h not in named]
        if others:
            self.add([f"Stopped by the error polling {shown}."], tags=others)

    def message(self, hashtag: Hashtag) -> str:
        return "; ".join(self.lines[hashtag.pk])[:2000]


def _log(
    source: Source,
    hashtags: list[Hashtag],
    result: PollResult,
    notes: _Notes,
    outcome: PollOutcome,
    started: datetime,
    finished: datetime,
    window_start: datetime | None,
    window_end: datetime | None,
) -> None:
    PollLog.objects.bulk_create(
        [
            PollLog(
                source=source,
                hashtag=hashtag,
                started_at=started,
                finished_at=finished,
                window_start=window_start,
                window_end=window_end,
                posts_stored=result.stored.new_links.get(hashtag.pk, 0),
                outcome=outcome,
                message=notes.message(hashtag),
            )
            for hashtag in hashtags
        ]
    )

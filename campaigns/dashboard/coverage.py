"""Coverage: which stretches of a range each source really collected, and why it missed the rest.

Collected is what a successful poll covered (the poll log: from the end of the source's previous
complete poll to its own end) or what an archive import of its platform holds (ImportedSpan,
from its first to its last post). The rest is a gap, labelled with why: rate limited, failing,
or not polled (workers down, the source switched off). Three stretches are never gaps:
- before the source existed: it was added (Source.created_at), or its first poll's backfill
  reached back, whichever is earlier;
- the live edge: since a healthy source's last complete poll ended, until its next one is
  overdue (hashtags.polling.poll_overdue_after);
- the future: a range ends at the next whole minute, after now.
Each source answers for itself, so one failing Mastodon server shades only its own band of the
chart, under its name (static/js/dashboard-charts.js); each platform says how much of the range
was collected, polled and imported. Shares are of the range up to the live edge; `null` when
none of it has happened yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from campaigns.dashboard.params import Window, window_header
from campaigns.models import Campaign
from hashtags.models import ImportedSpan, Platform, PollLog, Source
from hashtags.polling import poll_overdue_after

Span = tuple[datetime, datetime]
_REASON_ORDER: dict[str, int] = {PollLog.Outcome.RATE_LIMITED: 0, PollLog.Outcome.ERROR: 1}
MESSAGE_MAX = 300


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _gaps(covered: list[Span], start: datetime, end: datetime) -> list[Span]:
    gaps, cursor = [], start
    for s, e in covered:
        if e <= cursor:
            continue
        if s > cursor:
            gaps.append((cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(s, e) for s, e in gaps if e > s]


def _seconds(merged: list[Span], start: datetime, end: datetime) -> float:
    return sum(
        (min(e, end) - max(s, start)).total_seconds() for s, e in merged if e > start and s < end
    )


@dataclass
class _Shares:
    """How much of [start, until) was collected (polled or imported) and polled."""

    start: datetime
    until: datetime
    polled: list[Span]
    imported: list[Span]

    def answer(self) -> dict[str, float | None]:
        whole = (self.until - self.start).total_seconds()
        if whole <= 0:
            return {"covered_share": None, "polled_share": None, "imported_share": None}
        covered = _seconds(_merge(self.polled + self.imported), self.start, self.until) / whole
        polled = _seconds(_merge(self.polled), self.start, self.until) / whole
        return {
            "covered_share": round(covered, 4),
            "polled_share": round(polled, 4),
            "imported_share": round(covered - polled, 4),
        }


@dataclass
class _Log:
    covered: dict[int, list[Span]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[int, list[tuple[datetime, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _poll_log(hashtag_ids: list[int], window: Window) -> _Log:
    ok_overlapping = Q(
        outcome=PollLog.Outcome.OK, window_end__gt=window.start, window_start__lt=window.end
    )
    failed_inside = ~Q(outcome=PollLog.Outcome.OK) & Q(
        finished_at__gte=window.start, finished_at__lt=window.end
    )
    rows = (
        PollLog.objects.filter(Q(hashtag_id__in=hashtag_ids) & (ok_overlapping | failed_inside))
        .values_list("source_id", "outcome", "window_start", "window_end", "finished_at", "message")
        .order_by("finished_at")
        .distinct()
    )
    log = _Log()
    for source_id, outcome, w_start, w_end, finished, message in rows:
        if outcome == PollLog.Outcome.OK and w_start and w_end:
            log.covered[source_id].append((w_start, w_end))
        elif outcome != PollLog.Outcome.OK:
            log.failures[source_id].append((finished, outcome, message))
    return log


@dataclass
class _Import:
    labels: list[str]
    imported_at: datetime
    start: datetime
    end: datetime


def _imports(hashtag_ids: list[int], window: Window, edge: datetime) -> dict[str, list[_Import]]:
    """Per platform, the stretches archive imports hold inside [window.start, edge], oldest
    first; overlapping imports (the same archive imported twice) make one stretch."""
    rows = ImportedSpan.objects.filter(
        hashtag_id__in=hashtag_ids, start__lt=edge, end__gt=window.start
    )
    if window.platform:
        rows = rows.filter(platform=window.platform)
    answer: dict[str, list[_Import]] = defaultdict(list)
    spans = rows.values_list("platform", "start", "end", "label", "imported_at")
    for platform, start, end, label, imported_at in sorted(spans):
        merged = answer[platform]
        start, end = max(start, window.start), min(end, edge)
        if merged and start <= merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, end)
            last.imported_at = max(last.imported_at, imported_at)
            if label not in last.labels:
                last.labels.append(label)
        else:
            merged.append(_Import([label], imported_at, start, end))
    return answer


def _labelled(
    gaps: list[Span],
    failures: list[tuple[datetime, str, str]],
    edge: datetime,
    iso: Callable[[datetime], str],
) -> list[dict[str, str]]:
    """Each gap with the worst failure that ended inside it (a gap up to the edge: since)."""
    answer = []
    for gap_start, gap_end in gaps:
        inside = [f for f in failures if gap_start <= f[0] and (gap_end >= edge or f[0] <= gap_end)]
        if inside:
            worst = min(inside, key=lambda f: _REASON_ORDER.get(f[1], 9))
            reason, message = worst[1], inside[-1][2]
        else:
            reason, message = "not_polled", ""
        answer.append(
            {
                "start": iso(gap_start),
                "end": iso(gap_end),
                "reason": reason,
                "message": message[:MESSAGE_MAX],
            }
        )
    return answer


def campaign_coverage(*, campaign: Campaign, window: Window, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    edge = min(window.end, max(now, window.start))  # what is after now has not happened yet

    def iso(moment: datetime) -> str:
        return moment.astimezone(campaign.tz).isoformat()

    hashtag_ids = list(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
    log = _poll_log(hashtag_ids, window)
    imports = _imports(hashtag_ids, window, edge)
    sources = Source.objects.filter(
        pk__in=set(log.covered) | set(log.failures)
    ) | Source.objects.filter(enabled=True)
    if window.platform:
        sources = sources.filter(platform=window.platform)
    rows, shares = [], defaultdict(list)
    for source in sources.distinct().order_by("platform", "base_url"):
        polled = _merge(log.covered.get(source.pk, []))
        began = min([source.created_at, *(s for s, _ in polled[:1])])
        if began >= edge:
            continue  # added after this range (so far): it missed nothing of it
        begin = max(window.start, began)
        failures = log.failures.get(source.pk, [])
        last_end = max([began, *(e for _, e in polled)])
        # The live edge: the range reaches past its last complete poll, which was recent
        # enough (the next is not overdue) and nothing failed since.
        pending = (
            source.enabled
            and last_end < window.end
            and all(finished < last_end for finished, *_ in failures)
            and now - last_end <= poll_overdue_after(source)
        )
        until = min(edge, max(begin, last_end)) if pending else edge
        imported = [(i.start, i.end) for i in imports.get(source.platform, [])]
        share = _Shares(window.start, until, polled, imported)
        shares[source.platform].append(share)
        rows.append(
            {
                "source": str(source),
                "platform": source.platform,
                "platform_label": source.get_platform_display(),
                "enabled": source.enabled,
                "added": iso(source.created_at),
                **share.answer(),
                "pending_from": iso(last_end) if pending else None,
                "gaps": _labelled(
                    _gaps(_merge(polled + imported), begin, until), failures, edge, iso
                ),
            }
        )
    platforms = []
    for platform in sorted(set(shares) | set(imports)):
        polled = [span for share in shares[platform] for span in share.polled]
        until = max((share.until for share in shares[platform]), default=edge)
        imported = [(i.start, i.end) for i in imports.get(platform, [])]
        platforms.append(
            {
                "platform": platform,
                "platform_label": Platform(platform).label,
                **_Shares(window.start, until, polled, imported).answer(),
                "imports": [
                    {
                        "label": ", ".join(i.labels),
                        "imported_at": iso(i.imported_at),
                        "start": iso(i.start),
                        "end": iso(i.end),
                    }
                    for i in imports.get(platform, [])
                ],
            }
        )
    return {
        **window_header(campaign, window),
        "platform": window.platform,
        "as_of": iso(edge),
        "platforms": platforms,
        "sources": rows,
    }

"""Coverage: which stretches of a campaign each source really polled, from the poll log.

A successful poll covers the window from the end of the source's previous complete poll to its
own end. Whatever no successful poll covers is a gap, labelled with why: rate limited, failing,
or not polled at all (before a source was added, while workers were down). The dashboard shades
the gaps so nobody quotes a number without knowing it is partial.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from campaigns.dashboard.params import Window
from campaigns.models import Campaign
from hashtags.models import PollLog, Source

_REASON_ORDER: dict[str, int] = {PollLog.Outcome.RATE_LIMITED: 0, PollLog.Outcome.ERROR: 1}


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _gaps(covered, start, end) -> list[tuple[datetime, datetime]]:
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


def campaign_coverage(*, campaign: Campaign, window: Window) -> dict:
    hashtag_ids = list(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
    ok_overlapping = Q(
        outcome=PollLog.Outcome.OK, window_end__gt=window.start, window_start__lt=window.end
    )
    failed_inside = ~Q(outcome=PollLog.Outcome.OK) & Q(
        finished_at__gte=window.start, finished_at__lt=window.end
    )
    logs = (
        PollLog.objects.filter(Q(hashtag_id__in=hashtag_ids) & (ok_overlapping | failed_inside))
        .values_list("source_id", "outcome", "window_start", "window_end", "finished_at", "message")
        .order_by("finished_at")
        .distinct()
    )
    covered: dict[int, list[tuple[datetime, datetime]]] = {}
    failures: dict[int, list[tuple[datetime, str, str]]] = {}
    for source_id, outcome, w_start, w_end, finished, message in logs:
        if outcome == PollLog.Outcome.OK and w_start and w_end:
            covered.setdefault(source_id, []).append((w_start, w_end))
        elif outcome != PollLog.Outcome.OK:
            failures.setdefault(source_id, []).append((finished, outcome, message))
    sources = Source.objects.filter(pk__in=set(covered) | set(failures)) | Source.objects.filter(
        enabled=True
    )
    if window.platform:
        sources = sources.filter(platform=window.platform)
    answer = []
    for source in sources.distinct().order_by("platform", "base_url"):
        spans = _merge(covered.get(source.pk, []))
        gaps = []
        for gap_start, gap_end in _gaps(spans, window.start, window.end):
            inside = [f for f in failures.get(source.pk, []) if gap_start <= f[0] <= gap_end]
            if inside:
                worst = min(inside, key=lambda f: _REASON_ORDER.get(f[1], 9))
                reason, message = worst[1], inside[-1][2]
            else:
                reason, message = "not_polled", ""
            gaps.append(
                {
                    "start": gap_start.isoformat(),
                    "end": gap_end.isoformat(),
                    "reason": reason,
                    "message": message[:300],
                }
            )
        covered_seconds = sum(
            (min(e, window.end) - max(s, window.start)).total_seconds()
            for s, e in spans
            if e > window.start and s < window.end
        )
        answer.append(
            {
                "source": str(source),
                "platform": source.platform,
                "enabled": source.enabled,
                "covered_share": round(
                    covered_seconds / (window.end - window.start).total_seconds(), 4
                ),
                "gaps": gaps,
            }
        )
    return {
        "campaign": campaign.slug,
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "sources": answer,
    }

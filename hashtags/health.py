"""How each source is doing, as admins read it: one state from its poll state and its last poll.

The last poll is the one whose log rows finished when the poll state says it last polled (both
are written in one transaction). In order: disabled (off, by an admin or by a permanent error,
whose reason is the last error); never polled (no poll has ended); rate limited (the platform
refused the last poll for its rate); failing (the last poll failed, or polls have failed since
the last good one); ok.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When

from .models import PollLog, PollOutcome, Source


class SourceHealth(models.TextChoices):
    OK = "ok", "OK"
    FAILING = "failing", "Failing"
    RATE_LIMITED = "rate_limited", "Rate limited"
    DISABLED = "disabled", "Disabled"
    NEVER_POLLED = "never_polled", "Never polled"


def sources_with_health(queryset: models.QuerySet[Source]) -> models.QuerySet[Source]:
    """The sources with their poll state, `last_outcome` (of the last poll's log, or None) and
    `health` (a SourceHealth value), for listing, filtering and ordering."""
    last = PollLog.objects.filter(
        source=OuterRef("pk"), finished_at=OuterRef("poll_state__last_polled_at")
    ).order_by("-pk")
    return (
        queryset.select_related("poll_state")
        .annotate(last_outcome=Subquery(last.values("outcome")[:1]))
        .annotate(
            health=Case(
                When(enabled=False, then=Value(SourceHealth.DISABLED)),
                When(
                    Q(poll_state__isnull=True) | Q(poll_state__last_polled_at__isnull=True),
                    then=Value(SourceHealth.NEVER_POLLED),
                ),
                When(last_outcome=PollOutcome.RATE_LIMITED, then=Value(SourceHealth.RATE_LIMITED)),
                When(
                    Q(last_outcome=PollOutcome.ERROR) | Q(poll_state__failures__gt=0),
                    then=Value(SourceHealth.FAILING),
                ),
                default=Value(SourceHealth.OK),
                output_field=models.CharField(),
            )
        )
    )

"""Reads of the campaign list: the campaigns a visitor may see, grouped by status."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from campaigns.access import campaigns_visible_to
from campaigns.models import Campaign


def campaigns_by_status(*, user, now: datetime | None = None) -> dict[str, list[Campaign]]:
    """Live first (ending soonest), then upcoming (soonest), then past (most recent)."""
    now = now or timezone.now()
    groups: dict[str, list[Campaign]] = {"live": [], "upcoming": [], "ended": []}
    for campaign in campaigns_visible_to(user=user).order_by("start"):
        groups[campaign.status_at(now)].append(campaign)
    groups["live"].sort(key=lambda c: c.end)
    groups["ended"].reverse()
    return groups

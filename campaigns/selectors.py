"""Reads on campaigns: which ones a visitor may see, grouped by status."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Campaign, CampaignHashtag


def user_can_view_private(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.has_perm("campaigns.view_campaign")
    )


def campaigns_visible_to(*, user) -> QuerySet[Campaign]:
    """Public campaigns for everyone; every campaign for the roles."""
    campaigns = Campaign.objects.select_related("series").prefetch_related(
        Prefetch(
            "campaign_hashtags",
            queryset=CampaignHashtag.objects.select_related("hashtag").order_by("position", "id"),
        )
    )
    if not user_can_view_private(user):
        campaigns = campaigns.filter(public=True)
    return campaigns


def campaigns_by_status(*, user, now: datetime | None = None) -> dict[str, list[Campaign]]:
    """Live first (ending soonest), then upcoming (soonest), then past (most recent)."""
    now = now or timezone.now()
    groups: dict[str, list[Campaign]] = {"live": [], "upcoming": [], "ended": []}
    for campaign in campaigns_visible_to(user=user).order_by("start"):
        groups[campaign.status_at(now)].append(campaign)
    groups["live"].sort(key=lambda c: c.end)
    groups["ended"].reverse()
    return groups

"""Campaign pages: the list (live, upcoming, past) and one campaign's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.access import visible_campaign
from campaigns.home.selectors import campaigns_by_status


def campaign_list(request: HttpRequest) -> HttpResponse:
    groups = campaigns_by_status(user=request.user)
    return render(request, "campaigns/list.html", {"groups": groups})


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return render(request, "campaigns/detail.html", {"campaign": campaign})

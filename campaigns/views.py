"""Campaign pages: the list (live, upcoming, past) and one campaign's page."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Campaign
from .selectors import campaigns_by_status, campaigns_visible_to, user_can_view_private


def campaign_list(request: HttpRequest) -> HttpResponse:
    groups = campaigns_by_status(user=request.user)
    return render(request, "campaigns/list.html", {"groups": groups})


def visible_campaign(request: HttpRequest, slug: str) -> Campaign | HttpResponse:
    """The campaign if this visitor may see it; a login redirect for anonymous visitors of a
    private one; 403 for the logged-in without a role; 404 if there is no such campaign."""
    campaign = campaigns_visible_to(user=request.user).filter(slug=slug).first()
    if campaign is not None:
        return campaign
    if not Campaign.objects.filter(slug=slug).exists():
        raise Http404("No campaign by that name.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_view_private(request.user):
        raise PermissionDenied("This campaign is private to its team.")
    raise Http404("No campaign by that name.")  # pragma: no cover - the roles see every one


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return render(request, "campaigns/detail.html", {"campaign": campaign})

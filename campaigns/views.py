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


def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaigns_visible_to(user=request.user).filter(slug=slug).first()
    if campaign is None:
        if not Campaign.objects.filter(slug=slug).exists():
            raise Http404("No campaign by that name.")
        # It exists but is private: anonymous visitors log in, others are refused.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_can_view_private(request.user):
            raise PermissionDenied("This campaign is private to its team.")
    return render(request, "campaigns/detail.html", {"campaign": campaign})

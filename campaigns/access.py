"""Who may see what: the one access rule for campaign pages and their JSON.

Public campaigns are everyone's; a private one is its team's: campaigns.view_campaign for its
pages, campaigns.view_dashboard for its dashboard and the dashboard's JSON (every role holds
both, roles.py). A page answers a visitor who may not see it with a login redirect
(anonymous) or 403 (logged in, no role); JSON answers 401 or 403 with a JSON error.
A story submitter's e-mail is the organizers' and admins' only, wherever it shows (the CSV,
the admin): the story form promises so.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from campaigns.models import Campaign, CampaignHashtag
from campaigns.roles import ADMIN, ORGANIZER, user_roles

VIEW_CAMPAIGN = "campaigns.view_campaign"
VIEW_DASHBOARD = "campaigns.view_dashboard"
# What each JSON answer is called in its error, and the permission a private one needs.
JSON_PERMS = {"dashboard": VIEW_DASHBOARD, "wall": VIEW_CAMPAIGN, "chat": VIEW_CAMPAIGN}


def user_can_view_private(user: Any, perm: str = VIEW_CAMPAIGN) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(perm))


def user_reads_story_emails(user: Any) -> bool:
    return bool(user_roles(user) & {ORGANIZER, ADMIN})


def campaigns_visible_to(*, user: Any, perm: str = VIEW_CAMPAIGN) -> QuerySet[Campaign]:
    """Public campaigns for everyone; every campaign for the roles."""
    campaigns = Campaign.objects.select_related("series").prefetch_related(
        Prefetch(
            "campaign_hashtags",
            queryset=CampaignHashtag.objects.select_related("hashtag").order_by("position", "id"),
        )
    )
    if not user_can_view_private(user, perm):
        campaigns = campaigns.filter(public=True)
    return campaigns


def visible_campaign(
    request: HttpRequest, slug: str, perm: str = VIEW_CAMPAIGN
) -> Campaign | HttpResponse:
    """The campaign if this visitor may see it; a login redirect for anonymous visitors of a
    private one; 403 for the logged-in without a role; 404 if there is no such campaign."""
    campaign = campaigns_visible_to(user=request.user, perm=perm).filter(slug=slug).first()
    if campaign is not None:
        return campaign
    if not Campaign.objects.filter(slug=slug).exists():
        raise Http404("No campaign by that name.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_view_private(request.user, perm):
        raise PermissionDenied("This campaign is private to its team.")
    raise Http404("No campaign by that name.")  # pragma: no cover - the roles see every one


def json_denied(request: HttpRequest, campaign: Campaign, what: str) -> JsonResponse | None:
    """None if this visitor may read the campaign's `what` ("dashboard", "wall", "chat") as JSON;
    otherwise the JSON error: 401 for an anonymous visitor, 403 for the logged-in."""
    if campaign.public or user_can_view_private(request.user, JSON_PERMS[what]):
        return None
    status = 403 if request.user.is_authenticated else 401
    return JsonResponse({"error": f"This campaign's {what} is private."}, status=status)


def public_campaign(slug: str) -> Campaign:
    """The campaign if anyone may see it (what embeds on other sites show); 404 otherwise."""
    campaign = campaigns_visible_to(user=AnonymousUser()).filter(slug=slug).first()
    if campaign is None:
        raise Http404("No public campaign by that name: only public campaigns can be embedded.")
    return campaign

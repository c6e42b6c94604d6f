"""Who may see what: the one access rule for campaign pages and their JSON.

Public campaigns are everyone's; a private one is its team's (any role holds
campaigns.view_campaign). A page answers a visitor who may not see it with a login redirect
(anonymous) or 403 (logged in, no role); JSON answers 401 or 403 with a JSON error.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from campaigns.models import Campaign, CampaignHashtag


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


def json_denied(request: HttpRequest, campaign: Campaign, what: str) -> JsonResponse | None:
    """None if this visitor may read the campaign's `what` ("dashboard", "wall") as JSON;
    otherwise the JSON error: 401 for an anonymous visitor, 403 for the logged-in."""
    if campaign.public or user_can_view_private(request.user):
        return None
    status = 403 if request.user.is_authenticated else 401
    return JsonResponse({"error": f"This campaign's {what} is private."}, status=status)


def public_campaign(slug: str) -> Campaign:
    """The campaign if anyone may see it (what embeds on other sites show); 404 otherwise."""
    campaign = campaigns_visible_to(user=AnonymousUser()).filter(slug=slug).first()
    if campaign is None:
        raise Http404("No public campaign by that name: only public campaigns can be embedded.")
    return campaign

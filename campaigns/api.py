"""The dashboard's JSON endpoints: validate the query, answer from the cache or the rollups.

Public campaigns answer everyone; private ones need a role (403 for a logged-in outsider,
401 with a JSON error for an anonymous visitor). A bad parameter is a 400 with a message.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .dashboard_cache import cached_answer
from .dashboard_params import Window, window_parse
from .models import Campaign
from .selectors import user_can_view_private
from .selectors_coverage import campaign_coverage
from .selectors_volume import campaign_volume


def _endpoint(name: str, compute: Callable[[Campaign, Window], dict]):
    @require_GET
    def view(request: HttpRequest, slug: str) -> JsonResponse:
        campaign = get_object_or_404(Campaign, slug=slug)
        if not campaign.public and not user_can_view_private(request.user):
            status = 403 if request.user.is_authenticated else 401
            return JsonResponse({"error": "This campaign's dashboard is private."}, status=status)
        try:
            window = window_parse(params=request.GET, campaign=campaign)
        except ValueError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        hashtag_ids = sorted(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
        answer, hit = cached_answer(
            campaign=campaign,
            hashtag_ids=hashtag_ids,
            name=name,
            params=window.key(),
            compute=lambda: compute(campaign, window),
        )
        response = JsonResponse(answer)
        response["Cache-Control"] = "private, no-cache"
        response["X-Dashboard-Cache"] = "hit" if hit else "miss"
        return response

    view.__name__ = f"api_{name}"
    return view


volume = _endpoint("volume", lambda c, w: campaign_volume(campaign=c, window=w))
coverage = _endpoint("coverage", lambda c, w: campaign_coverage(campaign=c, window=w))

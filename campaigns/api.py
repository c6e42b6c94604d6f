"""The dashboard's JSON endpoints: validate the query, answer from the cache or the rollups.

Public campaigns answer everyone; private ones need a role (403 for a logged-in outsider,
401 with a JSON error for an anonymous visitor). A bad parameter is a 400 with a message.
An endpoint whose answer depends on more than the window (a list `limit`; top posts, which the
public of an "approve" campaign see fewer of) names those options, and they join the cache key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .dashboard_cache import cached_answer
from .dashboard_params import Window, window_parse
from .models import Campaign
from .selectors import user_can_view_private
from .selectors_coverage import campaign_coverage
from .selectors_heatmap import campaign_heatmap
from .selectors_summary import campaign_summary
from .selectors_top import campaign_contributors, campaign_top_posts
from .selectors_volume import campaign_volume
from .selectors_yoy import campaign_yoy

LIMIT_DEFAULT, LIMIT_MAX = 10, 50
Options = Callable[[HttpRequest], dict[str, Any]]


def limit_parse(request: HttpRequest) -> dict[str, Any]:
    raw = request.GET.get("limit", "") or str(LIMIT_DEFAULT)
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= LIMIT_MAX:
        raise ValueError(f"limit={raw!r} must be a whole number from 1 to {LIMIT_MAX}.")
    return {"limit": int(raw)}


def top_posts_options(request: HttpRequest) -> dict[str, Any]:
    return {**limit_parse(request), "public": not user_can_view_private(request.user)}


def _endpoint(name: str, compute: Callable[..., dict], options: Options | None = None):
    @require_GET
    def view(request: HttpRequest, slug: str) -> JsonResponse:
        campaign = get_object_or_404(Campaign, slug=slug)
        if not campaign.public and not user_can_view_private(request.user):
            status = 403 if request.user.is_authenticated else 401
            return JsonResponse({"error": "This campaign's dashboard is private."}, status=status)
        try:
            window = window_parse(params=request.GET, campaign=campaign)
            extra = options(request) if options else {}
        except ValueError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        hashtag_ids = sorted(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
        params = "|".join([window.key(), *(f"{k}={v}" for k, v in sorted(extra.items()))])
        answer, hit = cached_answer(
            campaign=campaign,
            hashtag_ids=hashtag_ids,
            name=name,
            params=params,
            compute=lambda: compute(campaign, window, **extra),
        )
        response = JsonResponse(answer)
        response["Cache-Control"] = "private, no-cache"
        response["X-Dashboard-Cache"] = "hit" if hit else "miss"
        return response

    view.__name__ = f"api_{name.replace('-', '_')}"
    return view


def _window_only(selector: Callable[..., dict]) -> Callable[[Campaign, Window], dict]:
    return lambda c, w: selector(campaign=c, window=w)


volume = _endpoint("volume", _window_only(campaign_volume))
coverage = _endpoint("coverage", _window_only(campaign_coverage))
summary = _endpoint("summary", _window_only(campaign_summary))
heatmap = _endpoint("heatmap", _window_only(campaign_heatmap))
yoy = _endpoint("yoy", _window_only(campaign_yoy))
top_posts = _endpoint(
    "top-posts",
    lambda c, w, **o: campaign_top_posts(campaign=c, window=w, **o),
    top_posts_options,
)
contributors = _endpoint(
    "contributors",
    lambda c, w, **o: campaign_contributors(campaign=c, window=w, **o),
    limit_parse,
)

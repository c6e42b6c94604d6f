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
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaigns.access import VIEW_DASHBOARD, json_denied, user_can_view_private
from campaigns.cache import cached_answer
from campaigns.dashboard.coverage import campaign_coverage
from campaigns.dashboard.heatmap import campaign_heatmap
from campaigns.dashboard.params import GRANULARITY, HASHTAG, PLATFORM, Window, window_parse
from campaigns.dashboard.summary import campaign_summary
from campaigns.dashboard.top import campaign_contributors, campaign_top_posts
from campaigns.dashboard.volume import campaign_volume
from campaigns.dashboard.yoy import campaign_yoy
from campaigns.models import Campaign

LIMIT_DEFAULT, LIMIT_MAX = 10, 50
Options = Callable[[HttpRequest], dict[str, Any]]


def limit_parse(request: HttpRequest) -> dict[str, Any]:
    raw = request.GET.get("limit", "") or str(LIMIT_DEFAULT)
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= LIMIT_MAX:
        raise ValueError(f"limit={raw!r} must be a whole number from 1 to {LIMIT_MAX}.")
    return {"limit": int(raw)}


def top_posts_options(request: HttpRequest) -> dict[str, Any]:
    return {
        **limit_parse(request),
        "public": not user_can_view_private(request.user, VIEW_DASHBOARD),
    }


def coverage_options(request: HttpRequest) -> dict[str, Any]:
    """Coverage also changes with the clock (the live edge, a poll overdue), not only with what
    is stored: its answer is kept for the minute it was computed in."""
    return {"now": timezone.now().replace(second=0, microsecond=0)}


def _endpoint(
    name: str,
    compute: Callable[..., dict],
    uses: frozenset[str],
    options: Options | None = None,
):
    @require_GET
    def view(request: HttpRequest, slug: str) -> JsonResponse:
        campaign = get_object_or_404(Campaign, slug=slug)
        denied = json_denied(request, campaign, "dashboard")
        if denied:
            return denied
        try:
            window = window_parse(params=request.GET, campaign=campaign, uses=uses)
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


SCOPE = frozenset({PLATFORM, HASHTAG})
volume = _endpoint("volume", _window_only(campaign_volume), SCOPE | {GRANULARITY})
coverage = _endpoint(
    "coverage",
    lambda c, w, **o: campaign_coverage(campaign=c, window=w, **o),
    frozenset({PLATFORM}),
    coverage_options,
)
summary = _endpoint("summary", _window_only(campaign_summary), SCOPE)
heatmap = _endpoint("heatmap", _window_only(campaign_heatmap), SCOPE)
yoy = _endpoint("yoy", _window_only(campaign_yoy), SCOPE)
top_posts = _endpoint(
    "top-posts",
    lambda c, w, **o: campaign_top_posts(campaign=c, window=w, **o),
    SCOPE,
    top_posts_options,
)
contributors = _endpoint(
    "contributors",
    lambda c, w, **o: campaign_contributors(campaign=c, window=w, **o),
    SCOPE,
    limit_parse,
)

"""The event wall: a full-screen page, its JSON, and two embeddable versions for partner sites.

Design:
- One answer (campaigns.wall.selectors.campaign_wall) serves all four: the pages paint it at once
  from a json_script block, then static/js/wall.js polls /c/<slug>/api/wall every few seconds and
  redraws without reloading. The answer is cached by the campaign's hashtag generations, which
  ingestion and every curation action bump, so a featured post shows on the next poll.
- Who may look: the wall page and its JSON follow the campaign rule (public: everyone; private:
  the roles; an anonymous visitor of a private wall is sent to log in, the JSON says 401/403).
  Embeds exist only for public campaigns (a 404 otherwise, whoever asks) and are the only
  pages any site may frame: X-Frame-Options is dropped and CSP frame-ancestors becomes *.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from campaigns.access import json_denied, public_campaign, visible_campaign
from campaigns.cache import cached_answer
from campaigns.models import Campaign
from campaigns.wall.selectors import campaign_wall

REFRESH_DEFAULT, ROTATE_DEFAULT = 5, 8
SECONDS_MIN, SECONDS_MAX = 1, 60
ANSWER_VERSION = "2"  # part of the cache key: bump when the answer's shape changes


def bounded_seconds(value: str | None, default: int) -> int:
    """?refresh= or ?rotate= as whole seconds in 1..60; the default for anything else."""
    try:
        seconds = int(value or "")
    except ValueError:
        return default
    return min(max(seconds, SECONDS_MIN), SECONDS_MAX)


def wall_answer(campaign: Campaign) -> dict[str, Any]:
    hashtag_ids = sorted(link.hashtag_id for link in campaign.campaign_hashtags.all())
    answer, _ = cached_answer(
        campaign=campaign,
        hashtag_ids=hashtag_ids,
        name="wall",
        params=ANSWER_VERSION,
        compute=lambda: campaign_wall(campaign=campaign),
    )
    # The clock moves on without a bump: the status is never taken from the cache.
    return {**answer, "status": campaign.status}


def _render(request: HttpRequest, campaign: Campaign, template: str, mode: str) -> HttpResponse:
    context = {
        "campaign": campaign,
        "answer": wall_answer(campaign),
        "mode": mode,
        "api_url": reverse("api:wall", args=[campaign.slug]),
        "refresh": bounded_seconds(request.GET.get("refresh"), REFRESH_DEFAULT),
        "rotate": bounded_seconds(request.GET.get("rotate"), ROTATE_DEFAULT),
    }
    return render(request, template, context)


def wall(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return _render(request, campaign, "wall/wall.html", "wall")


@require_GET
def api_wall(request: HttpRequest, slug: str) -> JsonResponse:
    campaign = get_object_or_404(Campaign.objects.prefetch_related("campaign_hashtags"), slug=slug)
    denied = json_denied(request, campaign, "wall")
    if denied:
        return denied
    response = JsonResponse(wall_answer(campaign))
    response["Cache-Control"] = "private, no-cache"
    return response


def embeddable(view):
    """Any site may frame this view (and no other): no X-Frame-Options, frame-ancestors *."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


@embeddable
@require_GET
def embed_wall(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, public_campaign(slug), "wall/embed_wall.html", "compact")


@embeddable
@require_GET
def embed_featured(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, public_campaign(slug), "wall/embed_featured.html", "list")


def embed_snippets(request: HttpRequest, campaign: Campaign) -> list[dict[str, str]]:
    """The <iframe> snippets an organizer pastes into a partner site (public campaigns only)."""
    if not campaign.public:
        return []
    snippets = []
    for name, label, height in (
        ("embed_wall", "Live wall", 600),
        ("embed_featured", "Featured posts and stories", 800),
    ):
        url = request.build_absolute_uri(reverse(f"campaigns:{name}", args=[campaign.slug]))
        title = escape(f"{campaign.name}: {label.lower()}")
        code = (
            f'<iframe src="{escape(url)}" title="{title}" width="100%" height="{height}" '
            f'loading="lazy" style="border:0"></iframe>'
        )
        snippets.append({"label": label, "url": url, "code": code})
    return snippets

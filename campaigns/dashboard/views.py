"""The campaign dashboard page: a server-rendered shell whose charts fill in from the JSON API.

The page itself holds no numbers: static/js/dashboard*.js fetches /c/<slug>/api/* (summary,
volume, coverage, top posts, contributors, heat map, year over year) every few seconds while the
tab is visible and draws them in the campaign's time zone. The view only checks who may look
(the same rule as the campaign page), turns the query string into the controls' initial state
(so a dashboard URL can be shared) and hands the JS its settings through data- attributes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from campaigns.access import VIEW_DASHBOARD, visible_campaign
from campaigns.dashboard.params import GRANULARITIES
from campaigns.ranges import range_choices
from hashtags.models import Platform, Post

REFRESH_DEFAULT = 10
REFRESH_MIN, REFRESH_MAX = 1, 60
RANGE_CHOICES = range_choices(custom=True)
METRICS = [
    ("posts", "Posts"),
    ("unique_authors", "Unique authors"),
    ("reposts", "Reposts"),
    ("likes", "Likes"),
    ("replies", "Replies"),
    ("potential_reach", "Potential reach"),
]
CONTRIBUTOR_LISTS = [("posts", "By posts"), ("engagement", "By engagement")]
HEAT_LEVELS = range(10)  # heat-0 (none) .. heat-9 (the busiest hour), see dashboard.css
GRANULARITY_CHOICES = [("auto", "Auto"), *[(g, g.capitalize()) for g in GRANULARITIES]]


def refresh_seconds(value: str | None) -> int:
    """The refresh interval asked for in ?refresh=, bounded to 1..60 s; 10 s otherwise."""
    try:
        seconds = int(value or "")
    except ValueError:
        return REFRESH_DEFAULT
    return min(max(seconds, REFRESH_MIN), REFRESH_MAX)


def _choice(params: QueryDict, name: str, allowed: set[str], default: str = "") -> str:
    value = params.get(name, "") or ""
    return value if value in allowed else default


def initial_filters(params: QueryDict, hashtag_names: set[str]) -> dict[str, str | bool]:
    """The controls' state from the query string; anything unknown falls back to its default
    (the page never fails on a bad link; the endpoints say what is wrong with a value)."""
    return {
        "range": _choice(params, "range", {c for c, _ in RANGE_CHOICES}, "campaign"),
        "granularity": _choice(params, "granularity", {c for c, _ in GRANULARITY_CHOICES}, "auto"),
        "platform": _choice(params, "platform", set(Platform.values)),
        "hashtag": _choice(params, "hashtag", hashtag_names),
        "start": (params.get("start") or "")[:32],
        "end": (params.get("end") or "")[:32],
        "stacked": params.get("stacked") == "1",
    }


def campaign_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug, VIEW_DASHBOARD)
    if isinstance(campaign, HttpResponse):
        return campaign
    links = list(campaign.campaign_hashtags.all())
    hashtag_names = {link.hashtag.name for link in links}
    # Every endpoint lives beside volume under /c/<slug>/api/.
    api_base = reverse("api:volume", args=[campaign.slug]).rsplit("/", 1)[0] + "/"
    context = {
        "campaign": campaign,
        "links": links,
        "api_base": api_base,
        "refresh": refresh_seconds(request.GET.get("refresh")),
        "filters": initial_filters(request.GET, hashtag_names),
        "range_choices": RANGE_CHOICES,
        "granularity_choices": GRANULARITY_CHOICES,
        "platform_choices": Platform.choices,
        "score_formula": Post.SCORE_FORMULA,
        "metrics": METRICS,
        "contributor_lists": CONTRIBUTOR_LISTS,
        "heat_levels": HEAT_LEVELS,
    }
    return render(request, "campaigns/dashboard.html", context)

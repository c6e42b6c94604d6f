"""The site's public contract, pinned before the code moves into packages: every URL's full
name and route, and the keys of every JSON answer (the dashboard endpoints, the wall, /health/).

A restructure must change none of this. A failure here means a URL was moved or renamed, or a
JSON answer gained or lost a key: if that is meant, it is a change of contract, not a refactor.

Key structures: a dict is its keys, each with its value's structure; a list is the union of its
items' structures; a scalar is a leaf (`...`); a dict whose keys are data (a map keyed by
platform, say) is `{"*": structure of its values}`; a null merges into whatever else shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.curation.services import story_curate
from hashtags.ingest import ArchiveRun, posts_upsert
from hashtags.models import PollLog, Post
from hashtags.services import heartbeat_record
from tests.support.dashboard_data import random_posts, store
from tests.support.endpoints import JSON_ENDPOINTS
from tests.support.factories import CampaignFactory, SeriesFactory, SourceFactory
from tests.support.wall_data import act, story

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

# --- URLs -----------------------------------------------------------------------------------------

ADMIN_PREFIX = "admin/"


def url_names_and_routes(resolver=None, prefix: str = "", namespace: str = ""):
    """(full name, full route) of every URL pattern, through includes; namespaces joined
    with ':'. The Django admin's own URLs (under admin/) are left out."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(ADMIN_PREFIX):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names_and_routes(pattern, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else "", route)


URLS = [
    ("api:chat_live", "c/<slug:slug>/api/chats/<slug:chat>/live"),
    ("api:contributors", "c/<slug:slug>/api/contributors"),
    ("api:coverage", "c/<slug:slug>/api/coverage"),
    ("api:heatmap", "c/<slug:slug>/api/heatmap"),
    ("api:summary", "c/<slug:slug>/api/summary"),
    ("api:top-posts", "c/<slug:slug>/api/top-posts"),
    ("api:volume", "c/<slug:slug>/api/volume"),
    ("api:wall", "c/<slug:slug>/api/wall"),
    ("api:yoy", "c/<slug:slug>/api/yoy"),
    ("campaigns:account_list_detail", "accounts/<slug:slug>/"),
    ("campaigns:account_list_edit", "accounts/<slug:slug>/edit/"),
    ("campaigns:account_list_import", "accounts/<slug:slug>/import/"),
    ("campaigns:account_list_new", "accounts/new/"),
    ("campaigns:account_lists", "accounts/"),
    ("campaigns:chat_analytics", "c/<slug:slug>/chats/<slug:chat>/analytics/"),
    ("campaigns:chat_detail", "c/<slug:slug>/chats/<slug:chat>/"),
    ("campaigns:chat_edit", "c/<slug:slug>/chats/<slug:chat>/edit/"),
    ("campaigns:chat_export", "c/<slug:slug>/chats/<slug:chat>/export.<str:kind>"),
    ("campaigns:chat_list", "c/<slug:slug>/chats/"),
    ("campaigns:chat_live", "c/<slug:slug>/chats/<slug:chat>/live/"),
    ("campaigns:chat_new", "c/<slug:slug>/chats/new/"),
    ("campaigns:curate_act", "c/<slug:slug>/curate/act/"),
    ("campaigns:curate_audit", "c/<slug:slug>/curate/audit/"),
    ("campaigns:curate_bulk", "c/<slug:slug>/curate/bulk/"),
    ("campaigns:curate_news", "c/<slug:slug>/curate/news/"),
    ("campaigns:curate_queue", "c/<slug:slug>/curate/"),
    ("campaigns:curate_revert", "c/<slug:slug>/curate/audit/<int:event_id>/revert/"),
    ("campaigns:curate_rules", "c/<slug:slug>/curate/rules/"),
    ("campaigns:curate_undo", "c/<slug:slug>/curate/undo/"),
    ("campaigns:dashboard", "c/<slug:slug>/dashboard/"),
    ("campaigns:detail", "c/<slug:slug>/"),
    ("campaigns:embed_featured", "c/<slug:slug>/embed/featured/"),
    ("campaigns:embed_wall", "c/<slug:slug>/embed/wall/"),
    ("campaigns:list", ""),
    ("campaigns:story_export", "c/<slug:slug>/stories.csv"),
    ("campaigns:story_list", "c/<slug:slug>/stories/"),
    ("campaigns:story_new", "c/<slug:slug>/stories/new/"),
    ("campaigns:story_review_list", "c/<slug:slug>/stories/review/"),
    ("campaigns:story_review_set", "c/<slug:slug>/stories/<int:pk>/review/"),
    ("campaigns:story_thanks", "c/<slug:slug>/stories/thanks/"),
    ("campaigns:wall", "c/<slug:slug>/wall/"),
    ("csp_report", "csp-report/"),
    ("health", "health/"),
    ("login", "login/"),
    ("logout", "logout/"),
]


def test_every_url_keeps_its_name_and_path():
    assert sorted(url_names_and_routes()) == URLS


def test_the_admin_stays_at_admin():
    assert reverse("admin:index") == "/admin/"


# --- Key structures -------------------------------------------------------------------------------

LEAF = ...
_NULL = object()  # a None: merges into the structure other items give that place
_EMPTY = object()  # no items seen in a list


def _union(a, b, where: str):
    if a is _NULL or a is _EMPTY:
        return b
    if b is _NULL or b is _EMPTY:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _union(a.get(k, _NULL), b.get(k, _NULL), f"{where}.{k}") for k in a | b}
    if isinstance(a, list) and isinstance(b, list):
        return [_union(a[0] if a else _EMPTY, b[0] if b else _EMPTY, f"{where}[]")]
    assert a is LEAF and b is LEAF, f"{where}: items of different kinds ({a!r} and {b!r})"
    return LEAF


def _shape(value, maps: frozenset[str], path: str):
    if isinstance(value, dict):
        if path in maps:
            inner = _EMPTY
            for item in value.values():
                inner = _union(inner, _shape(item, maps, f"{path}.*"), f"{path}.*")
            return {"*": inner}
        return {k: _shape(v, maps, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        inner = _EMPTY
        for item in value:
            inner = _union(inner, _shape(item, maps, f"{path}[]"), f"{path}[]")
        return [inner]
    return _NULL if value is None else LEAF


def _final(shape):
    if isinstance(shape, dict):
        return {k: _final(v) for k, v in sorted(shape.items())}
    if isinstance(shape, list):
        return [] if shape[0] is _EMPTY else [_final(shape[0])]
    return LEAF if shape is _NULL else shape


def key_structure(answer, maps: tuple[str, ...] = ()):
    """The answer's keys, recursively; `maps` names the dicts keyed by data ("series[].platforms"
    is the platforms dict of each item of the list under "series")."""
    return _final(_shape(answer, frozenset(maps), ""))


def _empty_lists(shape, path: str = "") -> list[str]:
    if isinstance(shape, dict):
        return [p for k, v in shape.items() for p in _empty_lists(v, f"{path}.{k}")]
    if isinstance(shape, list):
        return [path or "."] if not shape else _empty_lists(shape[0], f"{path}[]")
    return []


def test_the_key_structure_reads_records_maps_lists_and_nulls():
    answer = {
        "b": [{"x": 1, "m": {"one": [1], "two": []}}, {"y": None, "x": None}],
        "a": None,
        "c": [],
    }
    assert key_structure(answer, maps=("b[].m",)) == {
        "a": ...,
        "b": [{"m": {"*": [...]}, "x": ..., "y": ...}],
        "c": [],
    }
    assert key_structure({"p": None, "q": [None, {"k": 1}]}) == {"p": ..., "q": [{"k": ...}]}


# --- Data: two editions of a series, posts of both, coverage, curation ----------------------------

START_2025 = datetime(2025, 10, 6, 13, 0, tzinfo=UTC)
START_2026 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)
DAYS = 5


@pytest.fixture
def editions(db, curator):
    """NHIT Week 2025 and 2026 (public, one series), posts of both on two platforms, a source
    with a covered stretch and a rate-limited one, an imported day, and on 2026 a featured
    post, a pinned post, a story and a pinned story."""
    series = SeriesFactory()
    tags = ["NHITweek", "HITworks", "IHeartHIT"]
    previous, current = (
        CampaignFactory(
            slug=f"nhit-{year}",
            name=f"NHIT Week {year}",
            public=True,
            series=series,
            edition=str(year),
            start=start,
            end=start + timedelta(days=DAYS),
            tags=tags,
        )
        for year, start in ((2025, START_2025), (2026, START_2026))
    )
    store(random_posts(1, START_2025, DAYS * 86400, count=80))
    store(random_posts(2, START_2026, DAYS * 86400, count=80))
    # The 2026 campaign's first day also came from an archive.
    posts_upsert(
        posts=random_posts(3, START_2026, 86400, count=10), archive=ArchiveRun(label="day1.jsonl")
    )

    source = SourceFactory(platform="x")
    for hashtag in current.hashtags.all():
        for outcome, start, end in (
            (PollLog.Outcome.OK, START_2026, START_2026 + timedelta(days=2)),
            (PollLog.Outcome.RATE_LIMITED, None, None),
        ):
            finished = end or START_2026 + timedelta(days=3)
            PollLog.objects.create(
                source=source,
                hashtag=hashtag,
                started_at=finished,
                finished_at=finished,
                window_start=start,
                window_end=end,
                outcome=outcome,
                message="" if end else "429 Too Many Requests",
            )

    originals = list(
        Post.objects.filter(
            is_repost=False, created_at__gte=current.start, created_at__lt=current.end
        ).order_by("pk")[:3]
    )
    act(current, curator, originals[0].pk, "feature")
    act(current, curator, originals[1].pk, "feature")
    act(current, curator, originals[2].pk, "pin", position=1)
    story(current, "Dana", minutes=30, link="https://example.org/dana")
    pinned = story(current, "Pia", minutes=90)
    story_curate(campaign=current, story_id=pinned.pk, action="pin", actor=curator, position=1)
    return previous, current


def answer(client, path: str, **params) -> dict:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- The dashboard's endpoints --------------------------------------------------------------------

DASHBOARD = {
    "contributors": {
        "as_of": ...,
        "by_engagement": [
            {
                "engagement": ...,
                "followers": ...,
                "handle": ...,
                "name": ...,
                "platform": ...,
                "platform_label": ...,
                "posts": ...,
                "url": ...,
            }
        ],
        "by_posts": [
            {
                "engagement": ...,
                "followers": ...,
                "handle": ...,
                "name": ...,
                "platform": ...,
                "platform_label": ...,
                "posts": ...,
                "url": ...,
            }
        ],
        "source": ...,
    },
    "coverage": {
        "as_of": ...,
        "campaign": ...,
        "end": ...,
        "platform": ...,
        "platforms": [
            {
                "covered_share": ...,
                "imported_share": ...,
                "imports": [{"end": ..., "imported_at": ..., "label": ..., "start": ...}],
                "platform": ...,
                "platform_label": ...,
                "polled_share": ...,
            }
        ],
        "range": ...,
        "sources": [
            {
                "added": ...,
                "covered_share": ...,
                "enabled": ...,
                "gaps": [{"end": ..., "message": ..., "reason": ..., "start": ...}],
                "imported_share": ...,
                "pending_from": ...,
                "platform": ...,
                "platform_label": ...,
                "polled_share": ...,
                "source": ...,
            }
        ],
        "start": ...,
        "timezone": ...,
    },
    "heatmap": {
        "campaign": ...,
        "cells": [[...]],
        "counting": ...,
        "days": [...],
        "end": ...,
        "hours": [...],
        "range": ...,
        "start": ...,
        "timezone": ...,
        "total": ...,
    },
    "summary": {
        "authors_as_of": ...,
        "authors_source": ...,
        "campaign": ...,
        "end": ...,
        "exact_authors_max": ...,
        "metrics": {
            "likes": {"change_pct": ..., "previous": ..., "value": ...},
            "posts": {"change_pct": ..., "previous": ..., "value": ...},
            "potential_reach": {"change_pct": ..., "previous": ..., "value": ...},
            "quotes": {"change_pct": ..., "previous": ..., "value": ...},
            "replies": {"change_pct": ..., "previous": ..., "value": ...},
            "reposts": {"change_pct": ..., "previous": ..., "value": ...},
            "unique_authors": {"change_pct": ..., "previous": ..., "value": ...},
        },
        "notes": {"counting": ..., "reach": ...},
        "platforms": [
            {"engagement": ..., "label": ..., "platform": ..., "posts": ..., "reposts": ...}
        ],
        "previous": {"end": ..., "start": ...},
        "range": ...,
        "start": ...,
        "timezone": ...,
    },
    "top-posts": {
        "formula": ...,
        "posts": [
            {
                "author": {"followers": ..., "handle": ..., "name": ..., "url": ...},
                "created_at": ...,
                "featured": ...,
                "hashtags": [...],
                "id": ...,
                "likes": ...,
                "pinned": ...,
                "platform": ...,
                "platform_label": ...,
                "quotes": ...,
                "replies": ...,
                "reposts": ...,
                "score": ...,
                "text": ...,
                "url": ...,
            }
        ],
    },
    "volume": {
        "buckets": [...],
        "campaign": ...,
        "counting": ...,
        "end": ...,
        "granularity": ...,
        "range": ...,
        "series": [
            {
                "color": ...,
                "hashtag": ...,
                "platforms": {"*": [...]},
                "posts": [...],
                "reposts": [...],
            }
        ],
        "start": ...,
        "timezone": ...,
        "total": {"platforms": {"*": [...]}, "posts": [...], "reposts": [...]},
    },
    "yoy": {
        "available": ...,
        "change_pct": ...,
        "counting": ...,
        "current": {"campaign": ..., "name": ..., "start": ...},
        "current_total": ...,
        "current_values": [...],
        "labels": [...],
        "message": ...,
        "offsets": [...],
        "previous": {"campaign": ..., "name": ..., "start": ...},
        "previous_total": ...,
        "previous_values": [...],
        "unit": ...,
    },
}
# Dicts keyed by data rather than records: volume's per-platform lines.
DASHBOARD_MAPS = {"volume": ("series[].platforms", "total.platforms")}


@pytest.mark.parametrize("authors", ["live", "snapshot"])
@pytest.mark.parametrize(
    "endpoint",
    sorted(["volume", "coverage", "summary", "top-posts", "contributors", "heatmap", "yoy"]),
)
def test_each_dashboard_answer_keeps_its_keys(client, settings, editions, endpoint, authors):
    """Both ways of counting authors (live for small windows, the snapshot for big ones) give
    the same keys."""
    if authors == "snapshot":
        settings.DASHBOARD_EXACT_AUTHORS_MAX = 0
    _, current = editions
    data = answer(client, f"/c/{current.slug}/api/{endpoint}")
    source = {"contributors": "source", "summary": "authors_source"}.get(endpoint)
    if source:
        assert data[source] == authors
    shape = key_structure(data, DASHBOARD_MAPS.get(endpoint, ()))
    assert _empty_lists(shape) == [], "the data should fill every list"
    assert shape == DASHBOARD[endpoint]


# --- The wall -------------------------------------------------------------------------------------

WALL = {
    "campaign": ...,
    "computed_at": ...,
    "count": {"label": ..., "note": ..., "reposts": ..., "value": ...},
    "hashtags": [{"color": ..., "tag": ...}],
    "items": [
        {
            "author": {"handle": ..., "initials": ..., "name": ..., "url": ...},
            "created_at": ...,
            "hashtags": [{"color": ..., "tag": ...}],
            "id": ...,
            "initials": ...,
            "key": ...,
            "kind": ...,
            "name": ...,
            "pinned": ...,
            "platform": ...,
            "platform_label": ...,
            "role": ...,
            "text": ...,
            "url": ...,
            "when": ...,
        }
    ],
    "name": ...,
    "status": ...,
    "timezone": ...,
}

WALL_ITEM = {
    "post": [
        {
            "author": {"handle": ..., "initials": ..., "name": ..., "url": ...},
            "created_at": ...,
            "hashtags": [{"color": ..., "tag": ...}],
            "id": ...,
            "key": ...,
            "kind": ...,
            "pinned": ...,
            "platform": ...,
            "platform_label": ...,
            "text": ...,
            "url": ...,
            "when": ...,
        }
    ],
    "story": [
        {
            "created_at": ...,
            "hashtags": [],
            "id": ...,
            "initials": ...,
            "key": ...,
            "kind": ...,
            "name": ...,
            "pinned": ...,
            "role": ...,
            "text": ...,
            "url": ...,
            "when": ...,
        }
    ],
}


def test_the_wall_answer_keeps_its_keys(client, editions):
    _, current = editions
    data = answer(client, f"/c/{current.slug}/api/wall")
    shape = key_structure(data)
    assert _empty_lists(shape) == []
    assert shape == WALL


def test_each_kind_of_wall_item_keeps_its_keys(client, editions):
    _, current = editions
    items = answer(client, f"/c/{current.slug}/api/wall")["items"]
    shapes = {kind: key_structure([i for i in items if i["kind"] == kind]) for kind in WALL_ITEM}
    assert {item["kind"] for item in items} == set(WALL_ITEM)
    assert shapes == WALL_ITEM


# --- /health/ -------------------------------------------------------------------------------------

HEALTH = {
    "heartbeat": {
        "checks": {
            "broker": {"ms": ..., "ok": ..., "transport": ...},
            "cache": {"backend": ..., "ms": ..., "ok": ...},
            "database": {"ms": ..., "ok": ..., "vendor": ...},
            "worker": {
                "age_seconds": ...,
                "last_heartbeat": ...,
                "ms": ...,
                "ok": ...,
                "stale_after": ...,
                "worker": ...,
            },
        },
        "status": ...,
    },
    "none": {
        "checks": {
            "broker": {"ms": ..., "ok": ..., "transport": ...},
            "cache": {"backend": ..., "ms": ..., "ok": ...},
            "database": {"ms": ..., "ok": ..., "vendor": ...},
            "worker": {
                "age_seconds": ...,
                "last_heartbeat": ...,
                "ms": ...,
                "ok": ...,
                "stale_after": ...,
            },
        },
        "status": ...,
    },
}


@pytest.mark.parametrize("worker", ["heartbeat", "none"])
def test_the_health_answer_keeps_its_keys(client, worker):
    if worker == "heartbeat":
        heartbeat_record(name="worker@host-1")
    data = answer(client, "/health/")
    shape = key_structure(data)
    assert shape == HEALTH[worker]


# --- Errors ---------------------------------------------------------------------------------------

ERROR = {"error": ...}
JSON_PATHS = [f"/c/{{}}/api/{name}" for name in JSON_ENDPOINTS]


@pytest.mark.parametrize("path", JSON_PATHS[:-1])
# Every endpoint reads the range and the platform (each validates only what it reads).
@pytest.mark.parametrize("params", [{"range": "bogus"}, {"platform": "friendster"}])
def test_a_bad_parameter_is_a_400_with_an_error(client, editions, path, params):
    _, current = editions
    response = client.get(path.format(current.slug), params)
    assert response.status_code == 400
    assert key_structure(response.json()) == ERROR


@pytest.mark.parametrize("path", ["/c/{}/api/top-posts", "/c/{}/api/contributors"])
def test_a_bad_limit_is_a_400_with_an_error(client, editions, path):
    _, current = editions
    response = client.get(path.format(current.slug), {"limit": "0"})
    assert response.status_code == 400
    assert key_structure(response.json()) == ERROR


@pytest.mark.parametrize("path", JSON_PATHS)
@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("outsider", 403)])
def test_a_private_campaign_answers_401_or_403_with_an_error(client, request, path, who, status):
    campaign = CampaignFactory(slug="private-one", public=False)
    if who == "outsider":
        client.force_login(request.getfixturevalue("outsider"))
    response = client.get(path.format(campaign.slug))
    assert response.status_code == status
    assert key_structure(response.json()) == ERROR

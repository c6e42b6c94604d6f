"""/c/<slug>/api/top-posts and /contributors: ranked as a brute force over the posts ranks them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import posts as campaign_posts_module
from campaigns.models import ModerationRules, PostCuration
from hashtags.generation import generation_bump
from hashtags.models import Post
from tests.support.dashboard_data import (
    END,
    START,
    custom,
    random_posts,
    rich_post,
    store,
    window_posts,
)
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.both_databases

TOP = "/c/{}/api/top-posts"
CONTRIBUTORS = "/c/{}/api/contributors"


def top(client, campaign, **params):
    return client.get(TOP.format(campaign.slug), params)


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(
        slug="nhit", public=True, start=START, end=END, tags=["NHITweek", "HITworks", "IHeartHIT"]
    )


def brute_top(campaign, start, end, limit, platform="", hashtag="", hidden=()):
    posts = [
        p
        for p in window_posts(campaign, start, end, platform, hashtag)
        if not p.is_repost and p.pk not in hidden
    ]
    posts.sort(key=lambda p: (-(p.likes + 2 * p.reposts + 2 * p.quotes + 3 * p.replies), -p.pk))
    return [p.pk for p in posts[:limit]]


@pytest.mark.parametrize("small_window", [20_000, 0])  # 0: through the score index
@pytest.mark.parametrize(
    ("platform", "hashtag"), [("", ""), ("x", ""), ("", "ihearthit"), ("bluesky", "hitworks")]
)
def test_the_ranking_equals_a_brute_force_one(
    client, public_campaign, monkeypatch, small_window, platform, hashtag
):
    monkeypatch.setattr(campaign_posts_module, "SMALL_WINDOW", small_window)
    store(random_posts(3, START, 2 * 86400, count=200))
    start, end = START + timedelta(hours=5), START + timedelta(hours=40)
    params = custom(start, end, platform=platform, hashtag=hashtag, limit=15)
    data = top(client, public_campaign, **params).json()
    assert [p["id"] for p in data["posts"]] == brute_top(
        public_campaign, start, end, 15, platform, hashtag
    )
    assert data["formula"] == Post.SCORE_FORMULA
    for item in data["posts"]:
        stored = Post.objects.get(pk=item["id"])
        assert item["score"] == stored.score


def test_a_post_shows_its_details_and_campaign_hashtags_once(client, public_campaign):
    at = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    store([rich_post(1, at=at, tags=("ihearthit", "nhitweek"), likes=5, replies=1)])
    (item,) = top(client, public_campaign).json()["posts"]
    assert item["hashtags"] == ["NHITweek", "IHeartHIT"]  # in the campaign's order
    assert item["score"] == 5 + 3 * 1
    assert item["created_at"] == "2026-11-02T10:00:00-05:00"
    assert item["url"] == "https://example.org/p/1"
    assert item["author"]["handle"] == "user1"
    assert (item["featured"], item["pinned"]) == (False, None)


def test_links_that_are_not_web_addresses_are_dropped(client, public_campaign):
    store([rich_post(1, at=START + timedelta(hours=1))])
    Post.objects.update(url="javascript:alert(1)")  # as if stored before links were checked
    (item,) = top(client, public_campaign).json()["posts"]
    assert item["url"] == ""


def test_hidden_posts_never_appear_and_featured_ones_say_so(client, public_campaign, organizer):
    store([rich_post(i, at=START + timedelta(hours=i), likes=10 * i) for i in range(1, 6)])
    by_ext = dict(Post.objects.values_list("external_id", "pk"))
    PostCuration.objects.create(campaign=public_campaign, post_id=by_ext["p5"], status="hidden")
    PostCuration.objects.create(
        campaign=public_campaign, post_id=by_ext["p2"], status="featured", pinned=1
    )
    for who in (None, organizer):
        if who:
            client.force_login(who)
        posts = top(client, public_campaign).json()["posts"]
        assert [p["id"] for p in posts] == [by_ext[f"p{i}"] for i in (4, 3, 2, 1)]
        featured = {p["id"]: (p["featured"], p["pinned"]) for p in posts}
        assert featured[by_ext["p2"]] == (True, 1)
        assert featured[by_ext["p3"]] == (False, None)


def test_the_public_of_an_approve_campaign_see_only_approved_posts(
    client, public_campaign, curator
):
    store([rich_post(i, at=START + timedelta(hours=i), likes=i) for i in range(1, 5)])
    by_ext = dict(Post.objects.values_list("external_id", "pk"))
    ModerationRules.objects.create(campaign=public_campaign, mode="approve")
    PostCuration.objects.create(campaign=public_campaign, post_id=by_ext["p1"], status="approved")
    PostCuration.objects.create(campaign=public_campaign, post_id=by_ext["p3"], status="featured")
    PostCuration.objects.create(campaign=public_campaign, post_id=by_ext["p4"], status="hidden")
    public = [p["id"] for p in top(client, public_campaign).json()["posts"]]
    assert public == [by_ext["p3"], by_ext["p1"]]
    client.force_login(curator)
    team = [p["id"] for p in top(client, public_campaign).json()["posts"]]
    assert team == [by_ext["p3"], by_ext["p2"], by_ext["p1"]]


def test_curation_changes_reach_the_cached_answer(client, public_campaign):
    store([rich_post(i, at=START + timedelta(hours=i), likes=i) for i in range(1, 3)])
    first = top(client, public_campaign)
    assert top(client, public_campaign)["X-Dashboard-Cache"] == "hit"
    PostCuration.objects.create(
        campaign=public_campaign, post_id=first.json()["posts"][0]["id"], status="hidden"
    )
    generation_bump(hashtag_ids=public_campaign.hashtags.values_list("pk", flat=True))
    after = top(client, public_campaign)
    assert after["X-Dashboard-Cache"] == "miss"
    assert len(after.json()["posts"]) == 1


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-3", "1.5", "٣"])
def test_a_bad_limit_is_a_400(client, public_campaign, limit):
    for url in (TOP, CONTRIBUTORS):
        response = client.get(url.format(public_campaign.slug), {"limit": limit})
        assert response.status_code == 400
        assert "limit=" in response.json()["error"]


def test_a_private_campaign_needs_a_role(client, public_campaign, outsider, admin_user):
    public_campaign.public = False
    public_campaign.save()
    for url in (TOP, CONTRIBUTORS):
        client.logout()
        assert client.get(url.format(public_campaign.slug)).status_code == 401
        client.force_login(outsider)
        assert client.get(url.format(public_campaign.slug)).status_code == 403
        client.force_login(admin_user)
        assert client.get(url.format(public_campaign.slug)).status_code == 200


@pytest.mark.parametrize("small_window", [20_000, 0])
def test_the_query_count_does_not_grow_with_the_data(
    client, public_campaign, monkeypatch, small_window
):
    monkeypatch.setattr(campaign_posts_module, "SMALL_WINDOW", small_window)

    def cold_queries(url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url.format(public_campaign.slug)).status_code == 200
        return len(queries)

    store(random_posts(1, START, 86400, count=3))
    few = [cold_queries(TOP), cold_queries(CONTRIBUTORS)]
    store(random_posts(2, START, 86400, count=300))
    assert [cold_queries(TOP), cold_queries(CONTRIBUTORS)] == few


# --- Contributors ------------------------------------------------------------------------------


def brute_contributors(campaign, start, end) -> tuple[Counter, Counter]:
    posts, engagement = Counter(), Counter()
    for p in window_posts(campaign, start, end):
        posts[p.author.handle, p.platform] += 1
        if not p.is_repost:
            engagement[p.author.handle, p.platform] += p.likes + p.reposts + p.replies + p.quotes
        else:
            engagement[p.author.handle, p.platform] += 0
    return posts, engagement


@pytest.mark.parametrize("exact_max", [100_000, 0])  # 0: from the snapshot
def test_contributors_equal_a_brute_force_count(client, settings, public_campaign, exact_max):
    settings.DASHBOARD_EXACT_AUTHORS_MAX = exact_max
    store(random_posts(5, START, 2 * 86400, count=250))
    start, end = START + timedelta(hours=2), START + timedelta(hours=45)
    data = client.get(
        CONTRIBUTORS.format(public_campaign.slug), custom(start, end, limit=50)
    ).json()
    posts, engagement = brute_contributors(public_campaign, start, end)
    assert {(a["handle"], a["platform"]): a["posts"] for a in data["by_posts"]} == dict(posts)
    assert {(a["handle"], a["platform"]): a["engagement"] for a in data["by_engagement"]} == dict(
        engagement
    )
    counts = [a["posts"] for a in data["by_posts"]]
    assert counts == sorted(counts, reverse=True)
    assert (data["as_of"] is None) == bool(exact_max)
    limited = client.get(CONTRIBUTORS.format(public_campaign.slug), custom(start, end, limit=3))
    assert limited.json()["by_posts"] == data["by_posts"][:3]

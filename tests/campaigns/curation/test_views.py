"""The queue's pages against brute force: every tag set merged newest first, filters applied on
the way, engagement walked by score in small and big campaigns alike, each post exactly once."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from campaigns.curation import queue as selectors_queue
from campaigns.curation.queue import QueueFilter, SearchTooSlow, queue_page
from tests.support.curation import post_make

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

TAG_CHOICES = [("nhitweek",), ("hitworks",), ("ihearthit",), ("nhitweek", "ihearthit"), ()]


def some_posts(campaign, count: int = 70):
    rng = random.Random(5)
    posts = []
    for n in range(count):
        tags = rng.choice(TAG_CHOICES)
        at = campaign.start + timedelta(minutes=rng.randint(0, 600))  # some share an instant
        posts.append(
            post_make(
                campaign,
                n,
                tags=tags,
                at=at,
                text=f"post {n} " + ("interop win" if n % 3 == 0 else "quiet day"),
                platform=rng.choice(["x", "bluesky"]),
                likes=rng.randint(0, 9),
                is_repost=n % 7 == 0,
            )
        )
    return posts


def every_page(campaign, filters: QueueFilter) -> list:
    shown, after = [], ""
    while True:
        items, after = queue_page(campaign=campaign, filters=filters, after=after, limit=8)
        shown += [item.obj for item in items]
        if not after:
            return shown


@pytest.mark.parametrize(
    "filters",
    [
        QueueFilter(kind="posts"),
        QueueFilter(kind="posts", platform="x"),
        QueueFilter(kind="posts", q="interop"),
        QueueFilter(kind="posts", min_engagement=5),
    ],
    ids=["all", "platform", "search", "min"],
)
def test_newest_pages_merge_every_tag_set_and_show_each_matching_post_once(campaign, filters):
    posts = some_posts(campaign)
    wanted = [
        p
        for p in posts
        if p.tagset_id
        and (not filters.platform or p.platform == filters.platform)
        and (not filters.q or "interop" in p.text)
        and p.score >= filters.min_engagement
    ]
    wanted.sort(key=lambda p: (p.created_at, p.pk), reverse=True)
    assert [p.pk for p in every_page(campaign, filters)] == [p.pk for p in wanted]


@pytest.mark.parametrize("small", [True, False], ids=["small-campaign", "big-campaign"])
def test_the_engagement_order_lists_original_posts_by_score_in_any_campaign(
    campaign, monkeypatch, small
):
    posts = some_posts(campaign)
    monkeypatch.setattr("campaigns.posts.SMALL_WINDOW", 10**9 if small else 0)
    wanted = [p for p in posts if p.tagset_id and not p.is_repost]
    wanted.sort(key=lambda p: (p.score, p.pk), reverse=True)
    shown = every_page(campaign, QueueFilter(kind="posts", sort="engagement"))
    assert [p.pk for p in shown] == [p.pk for p in wanted]
    assert not any(p.is_repost for p in shown)


@pytest.mark.postgres_only("statement_timeout and pg_sleep")
def test_a_search_that_runs_too_long_stops_with_a_message_and_the_page_still_answers(
    as_curator, campaign, settings, monkeypatch
):
    from django.db.models import BooleanField, ExpressionWrapper
    from django.db.models.expressions import RawSQL

    some_posts(campaign, count=5)
    slow = ExpressionWrapper(RawSQL("pg_sleep(0.05) IS NOT NULL", []), output_field=BooleanField())
    real = selectors_queue._search
    monkeypatch.setattr(
        "campaigns.curation.queue._search", lambda qs, q, fields: real(qs, q, fields).filter(slow)
    )
    settings.QUEUE_SEARCH_TIMEOUT_MS = 20
    with pytest.raises(SearchTooSlow, match="Narrow it with a time range"):
        queue_page(campaign=campaign, filters=QueueFilter(kind="posts", q="interop"))
    response = as_curator.get(f"/c/{campaign.slug}/curate/", {"q": "interop"})
    assert response.status_code == 200
    assert "The search stopped after 0.02 s" in response.content.decode()
    assert response.context["items"] == []
    settings.QUEUE_SEARCH_TIMEOUT_MS = 5000  # a quick search is not stopped
    assert queue_page(campaign=campaign, filters=QueueFilter(kind="posts", q="interop"))[0]
    from django.db import connection

    with connection.cursor() as cursor:  # and the limit does not outlive the search
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"

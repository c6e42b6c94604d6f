"""The curator queue page: newest first, filters, full-text search, cursor paging, escaped posts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.curation.queue import QueueFilter, queue_page
from campaigns.models import Story
from hashtags.ingest import posts_upsert
from tests.support.curation import post_make
from tests.support.curation_http import act
from tests.support.ingest_data import post

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


def keys(response) -> list[str]:
    return [item.key for item in response.context["items"]]


def test_the_queue_lists_posts_and_stories_newest_first(as_curator, campaign):
    from datetime import timedelta

    early = post_make(campaign, 1, at=campaign.start + timedelta(hours=1))
    late = post_make(campaign, 2, at=campaign.start + timedelta(hours=3))
    story = Story.objects.create(
        campaign=campaign,
        name="S",
        role="other",
        email="s@example.org",
        text="my story",
        consent=True,
        created_at=campaign.start + timedelta(hours=2),
    )
    response = as_curator.get(f"/c/{campaign.slug}/curate/")
    assert keys(response) == [f"post:{late.pk}", f"story:{story.pk}", f"post:{early.pk}"]
    response = as_curator.get(f"/c/{campaign.slug}/curate/", {"kind": "stories"})
    assert keys(response) == [f"story:{story.pk}"]


def test_the_queue_filters_by_hashtag_platform_status_engagement_and_sorts(as_curator, campaign):
    a = post_make(campaign, 1, tags=("hitworks",), platform="mastodon", likes=50)
    b = post_make(campaign, 2, likes=5)
    c = post_make(campaign, 3, likes=20)
    url = f"/c/{campaign.slug}/curate/"
    hitworks = campaign.hashtags.get(name="hitworks").pk
    assert keys(as_curator.get(url, {"hashtag": hitworks})) == [f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"platform": "x"})) == [f"post:{c.pk}", f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"min_engagement": 10})) == [f"post:{c.pk}", f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"sort": "engagement"})) == [
        f"post:{a.pk}",
        f"post:{c.pk}",
        f"post:{b.pk}",
    ]
    act(as_curator, campaign, item=f"post:{b.pk}", action="feature")
    act(as_curator, campaign, item=f"post:{c.pk}", action="hide")
    assert keys(as_curator.get(url, {"status": "featured"})) == [f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"status": "hidden"})) == [f"post:{c.pk}"]
    assert keys(as_curator.get(url, {"status": "new", "kind": "posts"})) == [f"post:{a.pk}"]


@pytest.mark.postgres_only("full-text search (SearchVector); SQLite matches substrings")
def test_the_queue_searches_text_with_postgres_full_text_search(as_curator, campaign):
    a = post_make(campaign, 1, text="Interoperability saves lives #NHITweek")
    b = post_make(campaign, 2, text="Great panel on telehealth policy")
    post_make(campaign, 3, text="Coffee break")
    url = f"/c/{campaign.slug}/curate/"
    assert keys(as_curator.get(url, {"q": "interoperability"})) == [f"post:{a.pk}"]
    assert keys(as_curator.get(url, {"q": "telehealth -coffee"})) == [f"post:{b.pk}"]
    assert keys(as_curator.get(url, {"q": '"panel on telehealth"'})) == [f"post:{b.pk}"]
    assert set(keys(as_curator.get(url, {"q": "interoperability or telehealth"}))) == {
        f"post:{a.pk}",
        f"post:{b.pk}",
    }
    # Hostile search text is just text.
    response = as_curator.get(url, {"q": "'); DROP TABLE x; -- <script>"})
    assert response.status_code == 200 and keys(response) == []
    response = as_curator.get(url, {"q": "nul\x00byte"})
    assert response.status_code == 200 and "q" in response.context["form"].errors


def test_the_queue_pages_with_a_cursor_and_refuses_a_forged_one(as_curator, campaign, monkeypatch):
    import campaigns.curation.queue as sq

    monkeypatch.setattr(sq, "PAGE_SIZE", 2)
    monkeypatch.setattr(
        sq.queue_page, "__kwdefaults__", {**sq.queue_page.__kwdefaults__, "limit": 2}
    )
    posts = [post_make(campaign, n) for n in range(1, 6)]
    url = f"/c/{campaign.slug}/curate/"
    seen, params = [], {"kind": "posts"}
    for _ in range(5):
        response = as_curator.get(url, params)
        seen += keys(response)
        if not response.context["next_cursor"]:
            break
        params = {"kind": "posts", "after": response.context["next_cursor"]}
    assert seen == [f"post:{p.pk}" for p in reversed(posts)]
    response = as_curator.get(url, {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert "not valid any more" in response.content.decode()


def test_bad_filters_show_form_errors_and_never_500(as_curator, campaign):
    response = as_curator.get(
        f"/c/{campaign.slug}/curate/",
        {"status": "evil", "min_engagement": "-5", "hashtag": "x", "platform": "myspace"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"status", "min_engagement", "hashtag", "platform"}


def test_post_text_is_escaped_and_only_web_links_are_linked(as_curator, campaign):
    post_make(
        campaign,
        1,
        text='<img src=x onerror=alert(1)><script>alert("x")</script>',
        url="javascript:alert(1)",
    )
    html = as_curator.get(f"/c/{campaign.slug}/curate/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:alert" not in html


def test_post_links_carry_nofollow_noopener_ugc(as_curator, campaign):
    post_make(campaign, 1, url="https://example.org/post/1")
    html = as_curator.get(f"/c/{campaign.slug}/curate/").content.decode()
    assert 'href="https://example.org/post/1" rel="nofollow noopener ugc"' in html


def test_paging_through_posts_and_stories_at_the_same_instant_shows_each_once(
    as_curator, campaign, monkeypatch
):
    import campaigns.curation.queue as sq

    monkeypatch.setattr(
        sq.queue_page, "__kwdefaults__", {**sq.queue_page.__kwdefaults__, "limit": 1}
    )
    from datetime import timedelta

    at = campaign.start + timedelta(hours=2)
    posts = [post_make(campaign, n, at=at) for n in (1, 2)]
    stories = [
        Story.objects.create(
            campaign=campaign,
            name=f"S{n}",
            role="other",
            email="s@example.org",
            text="t",
            consent=True,
            created_at=at,
        )
        for n in (1, 2)
    ]
    url, params, seen = f"/c/{campaign.slug}/curate/", {}, []
    for _ in range(6):
        response = as_curator.get(url, params)
        seen += keys(response)
        if not response.context["next_cursor"]:
            break
        params = {"after": response.context["next_cursor"]}
    expected = [f"post:{p.pk}" for p in reversed(posts)] + [
        f"story:{s.pk}" for s in reversed(stories)
    ]
    assert seen == expected


def test_posts_stored_at_one_instant_are_all_paged_through(campaign):
    """Stored by ingestion (its own INSERT on SQLite): the next page still finds the posts at
    the instant of the last one shown."""
    posts_upsert(posts=[post(n, at=campaign.start + timedelta(hours=1)) for n in range(5)])
    seen, cursor = [], ""
    for _ in range(5):
        items, cursor = queue_page(
            campaign=campaign, filters=QueueFilter(kind="posts"), after=cursor, limit=2
        )
        seen += [item.key for item in items]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5

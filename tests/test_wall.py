"""The event wall, its JSON and its embeds: what shows in what order, to whom, framed by whom."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.curation import post_curate, story_curate
from campaigns.models import Story
from campaigns.views_wall import bounded_seconds
from campaigns.wall import initials, web_link
from hashtags.ingest import posts_upsert
from hashtags.models import Author, Post, TagSet, TagSetRollup, TagSetRollupHour

from .factories import CampaignFactory
from .support.matrix import USER_FIXTURES, matrix_parse
from .test_security import csp_directives

pytestmark = pytest.mark.django_db

XSS = '<img src=x onerror=alert(1)><script>alert("wall")</script>'
EMAIL = "private.person@example.org"


def store(campaign, *numbers, minutes=None) -> list[int]:
    """Store posts p<n> created n minutes after the campaign's start (newer for bigger n)."""
    from .ingest_data import post

    start = campaign.start + timedelta(hours=1)
    posts_upsert(
        posts=[
            post(n, tags=("nhitweek",), at=start + timedelta(minutes=minutes or n)) for n in numbers
        ]
    )
    ids = dict(
        Post.objects.filter(external_id__in=[f"p{n}" for n in numbers]).values_list(
            "external_id", "pk"
        )
    )
    return [ids[f"p{n}"] for n in numbers]


def act(campaign, user, pk, action, **kwargs):
    return post_curate(campaign=campaign, post_id=pk, action=action, actor=user, **kwargs)


def story(campaign, name="Dana", minutes=0, **kwargs) -> Story:
    values = {
        "role": Story.Role.CLINICIAN,
        "email": EMAIL,
        "text": f"Health IT helped {name}.",
        "consent": True,
        "status": Story.Status.APPROVED,
        "created_at": campaign.start + timedelta(hours=1, minutes=minutes),
    }
    values.update(kwargs)
    return Story.objects.create(campaign=campaign, name=name, **values)


def wall_json(client, campaign) -> dict:
    response = client.get(f"/c/{campaign.slug}/api/wall")
    assert response.status_code == 200, response.content
    return response.json()


def keys(answer) -> list[str]:
    return [item["key"] for item in answer["items"]]


@pytest.fixture
def public_campaign(campaign):
    campaign.public = True
    campaign.save(update_fields=["public"])
    return campaign


# --- What shows, in what order -------------------------------------------------------------------


def test_pinned_items_come_first_in_pin_order_then_featured_and_stories_newest_first(
    client, public_campaign, curator
):
    c = public_campaign
    a, b, d, e, f = store(c, 1, 2, 3, 4, 5)
    for pk in (a, b, d):
        act(c, curator, pk, "feature")
    act(c, curator, e, "pin", position=1)
    act(c, curator, f, "pin", position=1)  # f before e now
    old_story = story(c, "Olga", minutes=0)
    new_story = story(c, "Nina", minutes=150)  # newer than every post
    pinned_story = story(c, "Pia", minutes=-30)
    story_curate(campaign=c, story_id=pinned_story.pk, action="pin", actor=curator, position=1)

    assert keys(wall_json(client, c)) == [
        f"post-{f}",  # pin 1: the post before the story of the same rank
        f"story-{pinned_story.pk}",  # story pin 1
        f"post-{e}",  # pin 2
        f"story-{new_story.pk}",
        f"post-{d}",
        f"post-{b}",
        f"post-{a}",
        f"story-{old_story.pk}",
    ]


def test_hidden_unfeatured_new_posts_and_unapproved_stories_never_show(
    client, public_campaign, curator
):
    c = public_campaign
    shown, hidden, unfeatured, approved_only, untouched = store(c, 1, 2, 3, 4, 5)
    act(c, curator, shown, "feature")
    act(c, curator, hidden, "pin", position=1)
    act(c, curator, hidden, "hide")
    act(c, curator, unfeatured, "feature")
    act(c, curator, unfeatured, "unfeature")
    act(c, curator, approved_only, "approve")
    story(c, "New", status=Story.Status.NEW)
    story(c, "Hidden", status=Story.Status.HIDDEN)

    assert keys(wall_json(client, c)) == [f"post-{shown}"]
    for url in (f"/c/{c.slug}/wall/", f"/c/{c.slug}/embed/featured/"):
        html = client.get(url).content.decode()
        assert f'"post-{hidden}"' not in html and f'"post-{untouched}"' not in html


def test_the_wall_is_bounded(client, public_campaign, curator):
    c = public_campaign
    Story.objects.bulk_create(
        [
            Story(
                campaign=c,
                name=f"S{i}",
                role="other",
                email=EMAIL,
                text="x",
                consent=True,
                status=Story.Status.APPROVED,
                created_at=c.start,
            )
            for i in range(60)
        ]
    )
    assert len(wall_json(client, c)["items"]) == 50


def test_items_carry_what_the_screen_shows_in_the_campaign_zone(client, public_campaign, curator):
    c = public_campaign
    (pk,) = store(c, 1)
    Author.objects.update(name="Ada Lovelace", avatar_url="https://cdn.example/ada.png")
    act(c, curator, pk, "feature")
    s = story(c, "Ümit Öz", link="https://example.org/story", role=Story.Role.PATIENT)
    post_item, story_item = sorted(wall_json(client, c)["items"], key=lambda i: i["kind"])
    created = Post.objects.get(pk=pk).created_at.astimezone(c.tz)
    assert post_item["created_at"] == created.isoformat()
    assert post_item["author"] == {
        "name": "Ada Lovelace",
        "handle": "user1",
        "initials": "AL",
        "url": "",
    }
    assert post_item["platform_label"] == "X" and post_item["url"] == "https://example.org/p/1"
    assert story_item["name"] == "Ümit Öz" and story_item["initials"] == "ÜÖ"
    assert story_item["role"] == "Patient or caregiver"
    assert story_item["url"] == "https://example.org/story"
    assert "avatar" not in json.dumps(post_item)  # remote images are never loaded
    assert str(s.pk) == str(story_item["id"])


def test_the_answer_carries_the_hashtags_in_their_colours_and_the_live_count(
    client, public_campaign
):
    c = public_campaign
    links = list(c.campaign_hashtags.select_related("hashtag"))
    answer = wall_json(client, c)
    assert answer["hashtags"] == [{"tag": ln.hashtag.display, "color": ln.color} for ln in links]
    assert answer["count"]["value"] == 0 and answer["count"]["label"] == "posts"

    one, two = links[0].hashtag_id, links[1].hashtag_id
    both = TagSet.objects.create(key=TagSet.key_for([one, two]))
    alone = TagSet.objects.create(key=TagSet.key_for([two]))
    hour = c.start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    TagSetRollupHour.objects.create(tagset=both, platform="x", hour=hour, posts=7, reposts=3)
    # Minute rows cover every minute, hour rows the whole hours: the same posts, counted once.
    TagSetRollup.objects.create(tagset=alone, platform="bluesky", minute=hour, posts=5, reposts=1)
    TagSetRollupHour.objects.create(tagset=alone, platform="bluesky", hour=hour, posts=5, reposts=1)
    # Before the campaign opened: not counted.
    TagSetRollup.objects.create(
        tagset=alone, platform="x", minute=c.start - timedelta(hours=2), posts=100
    )
    from hashtags.generation import generation_bump

    generation_bump(hashtag_ids=[one])
    count = wall_json(client, c)["count"]
    assert (count["value"], count["reposts"]) == (12, 4)


# --- Safety: escaping, links, e-mail ----------------------------------------------------------


def test_an_xss_post_and_story_travel_as_text_and_no_email_appears_anywhere(
    client, public_campaign, curator, organizer
):
    c = public_campaign
    (pk,) = store(c, 1)
    Post.objects.filter(pk=pk).update(text=XSS)
    Author.objects.update(name=XSS)
    act(c, curator, pk, "feature")
    story(c, name=XSS, text=XSS)
    answer = wall_json(client, c)
    assert answer["items"][0]["text"] == XSS  # plain data; wall.js sets it as textContent
    client.force_login(organizer)
    for url in (
        f"/c/{c.slug}/wall/",
        f"/c/{c.slug}/embed/wall/",
        f"/c/{c.slug}/embed/featured/",
        f"/c/{c.slug}/api/wall",
        f"/c/{c.slug}/",
    ):
        response = client.get(url)
        body = response.content.decode()
        assert EMAIL not in body, url
        if response["Content-Type"].startswith("text/html"):
            assert "<img src=x" not in body and "<script>alert" not in body, url
        else:  # JSON, served as such and never sniffed as HTML
            assert response["X-Content-Type-Options"] == "nosniff"


def test_links_that_are_not_web_addresses_are_dropped(client, public_campaign, curator):
    c = public_campaign
    (pk,) = store(c, 1)
    Post.objects.filter(pk=pk).update(url="javascript:alert(1)")
    Author.objects.update(url="data:text/html,<b>x</b>")
    act(c, curator, pk, "feature")
    s = story(c)
    Story.objects.filter(pk=s.pk).update(link="JavaScript:alert(2)")
    items = wall_json(client, c)["items"]
    assert {item["url"] for item in items} == {""}
    assert items[0]["author"]["url"] == "" or items[1]["author"]["url"] == ""
    assert "javascript:" not in json.dumps(items).lower()


def test_web_link_and_initials():
    assert web_link("https://a.example/x") == "https://a.example/x"
    assert web_link("HTTP://a.example") == "HTTP://a.example"
    assert web_link("javascript:alert(1)") == web_link(" javascript:x") == ""
    assert web_link("http://[::1") == ""  # unparsable
    assert initials("ada lovelace byron") == "AL"
    assert initials("", "@user9") == "US"
    assert initials("🙂", "") == "?"


# --- Who may see what --------------------------------------------------------------------------

# 200: opens. 401/403: refused with JSON (API) or the 403 page. login: sent to /login/?next=.
# 404: embeds exist only for public campaigns, whoever asks.
EXPECTED = """
page                   organizer  curator  admin  outsider  anonymous
public-wall            200        200      200    200       200
public-api             200        200      200    200       200
public-embed-wall      200        200      200    200       200
public-embed-featured  200        200      200    200       200
private-wall           200        200      200    403       login
private-api            200        200      200    403       401
private-embed-wall     404        404      404    404       404
private-embed-featured 404        404      404    404       404
missing-wall           404        404      404    404       404
missing-api            404        404      404    404       404
"""
WHO, MATRIX = matrix_parse(EXPECTED)
PATHS = {
    "wall": "/c/{}/wall/",
    "api": "/c/{}/api/wall",
    "embed-wall": "/c/{}/embed/wall/",
    "embed-featured": "/c/{}/embed/featured/",
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_wall_access_matrix(client, request, page, who):
    kind, name = page.split("-", 1)
    if kind != "missing":
        CampaignFactory(slug=f"{kind}-one", public=kind == "public")
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    response = client.get(PATHS[name].format(f"{kind}-one"))
    expected = MATRIX[page][who]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/c/private-one/wall/")
        return
    assert response.status_code == int(expected), response.status_code
    if name == "api" and expected in {"401", "403"}:
        assert response.json() == {"error": "This campaign's wall is private."}


def test_the_api_answers_get_only(client, public_campaign):
    assert client.post(f"/c/{public_campaign.slug}/api/wall").status_code == 405


# --- Frames and policy ------------------------------------------------------------------------


def test_only_the_embeds_may_be_framed_by_any_site(client, public_campaign):
    c = public_campaign
    for url in (f"/c/{c.slug}/embed/wall/", f"/c/{c.slug}/embed/featured/"):
        response = client.get(url)
        assert "X-Frame-Options" not in response, url
        policy = csp_directives(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["*"], url
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    for url in (f"/c/{c.slug}/wall/", f"/c/{c.slug}/", f"/c/{c.slug}/api/wall", "/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        policy = csp_directives(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url


def test_the_pages_have_no_inline_script_or_style_but_the_tag_colours(client, public_campaign):
    import re

    for url in ("wall", "embed/wall", "embed/featured"):
        html = client.get(f"/c/{public_campaign.slug}/{url}/").content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
        assert re.findall(r'style="(?!--tag-color: #[0-9a-fA-F]{6}")', html) == []
        assert re.findall(r"<[^>]*\son[a-z]+\s*=", html) == []


# --- Page parameters and the campaign page -----------------------------------------------------


def test_refresh_and_rotation_are_bounded():
    assert bounded_seconds("5", 8) == 5
    assert bounded_seconds("0", 8) == 1 and bounded_seconds("-3", 8) == 1
    assert bounded_seconds("999", 8) == 60
    assert bounded_seconds("abc", 8) == 8 and bounded_seconds(None, 5) == 5


def test_the_wall_page_hands_its_settings_to_the_script(client, public_campaign):
    html = client.get(f"/c/{public_campaign.slug}/wall/?refresh=999&rotate=x").content.decode()
    assert 'data-refresh="60"' in html and 'data-rotate="8"' in html
    assert f'data-api="/c/{public_campaign.slug}/api/wall"' in html
    assert 'id="wall-data" type="application/json"' in html
    assert "#NHITweek" in html and 'style="--tag-color: #' in html


def test_organizers_get_embed_snippets_on_a_public_campaign_page(
    client, public_campaign, organizer
):
    url = public_campaign.get_absolute_url()
    anonymous = client.get(url).content.decode()
    assert f"/c/{public_campaign.slug}/wall/" in anonymous and "&lt;iframe" not in anonymous
    client.force_login(organizer)
    html = client.get(url).content.decode()
    assert (
        "&lt;iframe src=&quot;http://testserver/c/nhit-week-2026/embed/wall/&quot; "
        "title=&quot;NHIT Week 2026: live wall&quot;" in html
    )
    assert "/embed/featured/" in html


def test_a_private_campaign_page_says_embeds_need_a_public_campaign(client, campaign, organizer):
    client.force_login(organizer)
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "only for public campaigns" in html and "&lt;iframe" not in html


def test_a_campaign_name_with_quotes_cannot_break_the_snippet(client, organizer):
    c = CampaignFactory(slug="q", name='Say "hi" <b>', public=True)
    client.force_login(organizer)
    html = client.get(c.get_absolute_url()).content.decode()
    # Escaped twice: once in the snippet's HTML, once as the textarea's text.
    assert "title=&quot;Say &amp;quot;hi&amp;quot; &amp;lt;b&amp;gt;: live wall&quot;" in html


# --- Freshness and cost -----------------------------------------------------------------------


def test_a_curation_action_refreshes_the_cached_answer(
    client, public_campaign, curator, django_capture_on_commit_callbacks
):
    c = public_campaign
    a, b = store(c, 1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, a, "feature")
    assert keys(wall_json(client, c)) == [f"post-{a}"]
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, b, "feature")
    assert keys(wall_json(client, c)) == [f"post-{b}", f"post-{a}"]
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, b, "hide")
    assert keys(wall_json(client, c)) == [f"post-{a}"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["api/wall", "wall/", "embed/featured/"])
def test_the_query_count_does_not_grow_with_the_items(client, public_campaign, curator, path):
    c = public_campaign
    url = f"/c/{c.slug}/{path}"
    few = store(c, 1, 2)
    for pk in few:
        act(c, curator, pk, "feature")
    story(c)
    client.get(url)
    cached = _queries(client, url)
    from django.core.cache import cache

    cache.clear()
    with_few = _queries(client, url)
    for pk in store(c, *range(3, 23)):
        act(c, curator, pk, "feature")
    for i in range(10):
        story(c, f"S{i}")
    cache.clear()
    with_many = _queries(client, url)
    assert len(wall_json(client, c)["items"]) == 33
    assert with_many == with_few
    assert cached < with_few

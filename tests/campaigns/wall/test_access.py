"""Who sees what on the wall: hostile text stays text, only web links, no e-mail, access matrix."""

from __future__ import annotations

import json

import pytest

from campaigns.models import Story
from campaigns.wall.selectors import initials, web_link
from hashtags.models import Author, Post
from tests.support.factories import CampaignFactory
from tests.support.matrix import USER_FIXTURES, matrix_parse
from tests.support.wall_data import EMAIL, act, store, story, wall_json

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

XSS = '<img src=x onerror=alert(1)><script>alert("wall")</script>'


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

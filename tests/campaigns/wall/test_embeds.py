"""The wall and embed pages: who may frame them, no inline code, page settings, embed snippets."""

from __future__ import annotations

import pytest

from campaigns.wall.views import bounded_seconds
from tests.nhitweek.test_security import csp_directives
from tests.support.factories import CampaignFactory

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


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


def test_the_pages_have_no_inline_script_or_style(client, public_campaign):
    import re

    for url in ("wall", "embed/wall", "embed/featured"):
        html = client.get(f"/c/{public_campaign.slug}/{url}/").content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in s or 'type="application/json"' in s for s in scripts), scripts
        assert re.findall(r"\sstyle\s*=", html) == []
        assert re.search(r'data-tag-color="#[0-9a-fA-F]{6}"', html), url
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
    assert "#NHITweek" in html and 'data-tag-color="#' in html


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

"""/c/<slug>/dashboard/: who may open it, what the page hands its JS, and its security headers.

The numbers themselves come from the JSON endpoints (tests/campaigns/dashboard/); the page is a
shell that must carry the right settings and nothing a visitor could inject.
"""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict

from campaigns.dashboard.views import initial_filters, refresh_seconds
from hashtags.models import Post
from tests.support.factories import CampaignFactory
from tests.support.matrix import USER_FIXTURES, matrix_parse

pytestmark = pytest.mark.django_db

# 200: opens. 403: refused. login: redirected to /login/?next=. 404: no such campaign.
EXPECTED = """
page       organizer  curator  admin  outsider  anonymous
public     200        200      200    200       200
private    200        200      200    403       login
missing    404        404      404    404       404
"""
WHO, MATRIX = matrix_parse(EXPECTED)
URLS = {
    "public": "/c/public-one/dashboard/",
    "private": "/c/private-one/dashboard/",
    "missing": "/c/nobody/dashboard/",
}


@pytest.fixture
def campaigns(db):
    return {
        "public": CampaignFactory(slug="public-one", name="Public One", public=True),
        "private": CampaignFactory(slug="private-one", name="Private One", public=False),
    }


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_dashboard_access_matrix(client, request, campaigns, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    response = client.get(URLS[page])
    expected = MATRIX[page][who]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"] == "/login/?next=/c/private-one/dashboard/"
    else:
        assert response.status_code == int(expected)


def _root(html: str) -> str:
    match = re.search(r'<div id="dashboard"[^>]*>', html)
    assert match, "the page has no #dashboard root"
    return match.group(0)


def test_the_page_hands_its_settings_to_the_js_in_data_attributes(client, campaigns):
    campaign = campaigns["public"]
    campaign.timezone = "Asia/Kolkata"
    campaign.save(update_fields=["timezone"])
    response = client.get(URLS["public"])
    html = response.content.decode()
    root = _root(html)
    assert 'data-campaign="public-one"' in root
    assert 'data-timezone="Asia/Kolkata"' in root
    assert 'data-api="/c/public-one/api/"' in root
    assert 'data-refresh="10"' in root
    # Every panel the JS fills, with its data table and downloads.
    for hook in (
        'id="volume-chart"',
        'id="yoy-chart"',
        'id="platforms-chart"',
        "data-heatmap",
        "data-top-posts",
        "data-contributors-posts",
        "data-contributors-engagement",
        'data-metric="potential_reach"',
        'data-table="volume"',
        'data-csv="volume"',
        'data-png="volume"',
        'id="dash-error"',
    ):
        assert hook in html, hook
    # What the page says about counting, reach and the score, before any JS runs.
    assert Post.SCORE_FORMULA in html
    assert "counts once in every total" in html
    assert "sum of the followers of the unique authors" in html
    assert "swatch--rate-limited" in html


def test_the_scripts_are_our_own_static_files_loaded_with_defer(client, campaigns):
    html = client.get(URLS["public"]).content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts, "no scripts"
    for tag in scripts:
        assert re.fullmatch(r'<script src="/static/[\w./-]+\.js" defer>', tag), tag
    names = [re.search(r"/static/([\w./-]+)", tag).group(1) for tag in scripts]
    # Every page's helpers (base.html) first, then the charts' libraries, then the page's own.
    assert names[:5] == [
        "js/dom.js",
        "js/tag-colors.js",
        "vendor/chart.umd.min.js",
        "vendor/luxon.min.js",
        "vendor/chartjs-adapter-luxon.umd.min.js",
    ]
    assert names.count("js/dom.js") == 1
    assert names[-1] == "js/dashboard.js"
    # No inline style at all: the campaign colours travel as data-tag-color.
    assert re.findall(r"\sstyle\s*=", html) == []
    assert re.search(r'data-tag-color="#[0-9a-fA-F]{6}"', html)


def test_the_page_is_served_under_the_content_security_policy(client, campaigns):
    response = client.get(URLS["public"])
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 10), ("", 10), ("2", 2), ("0", 1), ("-5", 1), ("61", 60), ("abc", 10), ("1e3", 10)],
)
def test_the_refresh_interval_is_bounded_to_one_to_sixty_seconds(value, seconds):
    assert refresh_seconds(value) == seconds


def test_a_query_refresh_reaches_the_page(client, campaigns):
    root = _root(client.get(URLS["public"], {"refresh": "2"}).content.decode())
    assert 'data-refresh="2"' in root
    root = _root(client.get(URLS["public"], {"refresh": "900"}).content.decode())
    assert 'data-refresh="60"' in root


def test_the_controls_start_from_the_query_string_and_ignore_what_they_do_not_know():
    params = QueryDict(
        "range=custom&start=2026-10-05T09:00&end=2026-10-06T09:00&granularity=hour"
        "&platform=mastodon&hashtag=nhitweek&stacked=1"
    )
    assert initial_filters(params, {"nhitweek", "hitworks"}) == {
        "range": "custom",
        "granularity": "hour",
        "platform": "mastodon",
        "hashtag": "nhitweek",
        "start": "2026-10-05T09:00",
        "end": "2026-10-06T09:00",
        "stacked": True,
    }
    bad = QueryDict("range=forever&granularity=second&platform=myspace&hashtag=other")
    assert initial_filters(bad, {"nhitweek"}) == {
        "range": "campaign",
        "granularity": "auto",
        "platform": "",
        "hashtag": "",
        "start": "",
        "end": "",
        "stacked": False,
    }


def test_a_hostile_query_string_is_escaped_into_the_controls(client, campaigns):
    payload = '"><script>alert(1)</script>'
    response = client.get(URLS["public"], {"range": "custom", "start": payload, "end": payload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


def test_the_campaign_page_and_the_nav_link_to_the_dashboard(client, campaigns):
    html = client.get("/c/public-one/").content.decode()
    assert html.count('href="/c/public-one/dashboard/"') == 2  # campaign bar and main nav
    html = client.get(URLS["public"]).content.decode()
    assert 'href="/c/public-one/dashboard/" aria-current="page"' in html

"""The Content-Security-Policy in real Chromium: our pages and the admin run clean under it.

A page that breaks the policy shows it only in the browser console, so these tests collect every
console message and fail on any CSP report; injected inline script must stay dead.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.browser.conftest import login, select2_search
from tests.conftest import PASSWORD
from tests.support.colours import rgb

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def console(page):
    """Every console message the page logs (CSP reports arrive as errors)."""
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.failed_paths = []
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and page.failed_paths.append(urlsplit(response.url).path)
        ),
    )
    return messages


def _csp_reports(console: list[str]) -> list[str]:
    return [text for text in console if "Content Security Policy" in text]


def _assert_clean(page, console: list[str]) -> None:
    assert _csp_reports(console) == []
    # The admin's templates link no icon, so Chromium asks for /favicon.ico and logs its 404;
    # that is the one failed load tolerated here, and only as a failed load.
    assert set(page.failed_paths) <= {"/favicon.ico"}, page.failed_paths
    errors = [text for text in page.console_errors if not text.startswith("Failed to load")]
    assert errors == []


def _chip_colours(page, selector: str, side: str = "Top") -> list[tuple[str, str, str]]:
    """(text, --tag-color, computed border colour) of each chip the selector finds."""
    found = page.locator(selector).evaluate_all(
        f"""nodes => nodes.map(n => [
            n.textContent.trim(),
            getComputedStyle(n).getPropertyValue('--tag-color').trim(),
            getComputedStyle(n).border{side}Color,
        ])"""
    )
    return [tuple(chip) for chip in found]


def _campaign_colours(campaign) -> list[tuple[str, str, str]]:
    links = campaign.campaign_hashtags.select_related("hashtag").order_by("position", "id")
    return [(f"#{link.hashtag.display}", link.color, rgb(link.color)) for link in links]


def test_the_public_pages_break_no_policy_rule(live_server, page, console, public_campaign):
    for path in ("/", public_campaign.get_absolute_url(), "/login/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "style-src-attr" not in policy and "https:" not in policy
    _assert_clean(page, console)


def test_the_hashtag_colours_render_with_no_inline_style_allowed(
    live_server, page, console, public_campaign
):
    """The colours travel as data-tag-color and our script sets them: the policy allows no
    style attribute, and none is reported."""
    expected = _campaign_colours(public_campaign)
    assert len({colour for _, colour, _ in expected}) > 1  # the check tells colours apart
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("load")
    assert _chip_colours(page, ".campaign-card .hashtag") == expected
    page.goto(f"{live_server.url}{public_campaign.get_absolute_url()}")
    page.wait_for_load_state("load")
    bar = [(text, colour) for text, colour, _ in _chip_colours(page, ".campaign-bar .hashtag")]
    assert bar == [(text, colour) for text, colour, _ in expected]
    page.goto(f"{live_server.url}/c/{public_campaign.slug}/wall/")
    page.locator("#wall-spotlight .card").first.wait_for()
    assert _chip_colours(page, ".wall-tag", side="Bottom") == expected
    _assert_clean(page, console)


def test_an_organizer_logs_in_and_out_under_the_policy(
    live_server, page, console, organizer, public_campaign
):
    login(page, live_server, organizer.username, PASSWORD)
    page.goto(f"{live_server.url}{public_campaign.get_absolute_url()}")
    assert page.locator(".campaign-bar a", has_text="Edit campaign").count() == 1
    page.click("text=Log out")
    page.wait_for_load_state()
    assert page.locator(".site-user").inner_text().strip() == "Log in"
    _assert_clean(page, console)


def test_the_campaign_change_form_works_under_the_policy(
    live_server, page, console, admin_user, campaign, screenshot
):
    login(page, live_server, admin_user.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/")
    # The date widgets are drawn by admin JS: they exist only if that JS ran.
    page.locator("#id_start_0 ~ .datetimeshortcuts a", has_text="Today").first.wait_for()
    page.click("#calendarlink0")
    assert page.locator("#calendarbox0").is_visible()
    page.keyboard.press("Escape")
    # The inline's "add another" row (our script gives it a colour) and the time zone list
    # (the admin's select2).
    page.click(".add-row a")
    rows = page.locator("tr.form-row.dynamic-campaign_hashtags")
    assert rows.count() >= 3
    assert rows.last.locator("input[type=color]").input_value() not in {
        colour for _, colour, _ in _campaign_colours(campaign)
    }
    option = select2_search(page, "#id_timezone", "chicago", "America/Chicago")
    screenshot(page, "csp-admin-campaign-change")
    option.click()
    # prepopulated_fields: the slug follows the name as it is typed.
    page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")
    page.locator("#id_name").press_sequentially("Health IT Week")
    assert page.input_value("#id_slug") == "health-it-week"
    _assert_clean(page, console)


def test_a_view_only_curator_sees_the_campaign_changelist_under_the_policy(
    live_server, page, console, curator, campaign
):
    login(page, live_server, curator.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    assert page.locator("#result_list").is_visible()
    page.goto(f"{live_server.url}/admin/")
    _assert_clean(page, console)


def test_injected_inline_script_does_not_run(live_server, page, console, public_campaign):
    page.goto(f"{live_server.url}{public_campaign.get_absolute_url()}")
    # What a post that slipped past escaping would try: an inline handler and a script block.
    page.evaluate(
        """() => {
            document.body.insertAdjacentHTML(
                'beforeend', '<img id="bad-img" src="x" onerror="window.__pwned = 1">'
            );
            document.body.insertAdjacentHTML(
                'beforeend', '<button id="bad-button" onclick="window.__pwned = 2">x</button>'
            );
            const script = document.createElement('script');
            script.textContent = 'window.__pwned = 3';
            document.body.appendChild(script);
        }"""
    )
    page.click("#bad-button")
    page.wait_for_function("document.getElementById('bad-img').complete")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    reports = _csp_reports(console)
    assert any("script-src-attr" in text or "script-src" in text for text in reports), console
    assert any("inline" in text for text in reports), console


@pytest.mark.urls("tests.nhitweek.test_security")
def test_only_a_view_that_opts_in_can_be_framed_by_another_site(live_server, page, console):
    # localhost and 127.0.0.1 are different origins: the latter plays the partner's site.
    ours = live_server.url
    partner = ours.replace("localhost", "127.0.0.1")
    assert partner != ours
    query = urlencode([("src", f"{ours}/_test/embeddable/"), ("src", f"{ours}/")])
    page.goto(f"{partner}/_test/partner/?{query}")
    page.wait_for_load_state("load")
    embedded = page.frame_locator("#frame0").locator("#embedded")
    assert embedded.inner_text() == "Wall"
    refusals = [text for text in _csp_reports(console) if "frame-ancestors" in text]
    assert len(refusals) == 1 and f"{ours}/'" in refusals[0], console
    assert page.frame_locator("#frame1").locator(".site-header").count() == 0

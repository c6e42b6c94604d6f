"""The foundation's pages in real Chromium: the seeded campaign list, login, a campaign page."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from campaigns.demo.seed import demo_password
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_campaign_list_shows_the_seeded_campaign_with_its_hashtags(
    live_server, page, screenshot
):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto(f"{live_server.url}/")
    live = page.locator("#live-heading + .campaign-cards")
    assert "NHIT Week 2026" in live.inner_text()
    tags = live.locator(".hashtag").all_inner_texts()
    assert tags == ["#NHITweek", "#HITworks", "#IHeartHIT"]
    assert "NHIT Week 2025" in page.locator("#ended-heading + .campaign-cards").inner_text()
    screenshot(page, "campaign-list")
    assert page.console_errors == []


def test_an_organizer_logs_in_and_sees_the_campaign_page_with_an_edit_link(
    live_server, page, screenshot
):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, live_server, "organizer", demo_password("organizer"))
    assert "organizer" in page.locator(".site-user").inner_text()
    page.click("text=NHIT Week 2026")
    assert page.locator(".campaign-bar__name").inner_text().startswith("NHIT Week 2026")
    assert page.locator(".campaign-bar a", has_text="Edit campaign").count() == 1
    screenshot(page, "campaign-page")
    page.click("text=Log out")
    assert page.locator(".site-user").inner_text().strip() == "Log in"
    assert page.console_errors == []


def test_a_wrong_password_gets_a_clear_message(live_server, page):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    login(page, live_server, "organizer", "not-the-password")
    assert "do not match" in page.locator(".form-error").inner_text()


def test_the_campaign_list_is_readable_on_a_phone(live_server, chromium, screenshot):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot(phone, "campaign-list-phone")
    context.close()

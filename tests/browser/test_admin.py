"""The admin in real Chromium: a campaign's hashtag rows (a colour picker, a colour of their own,
the next position, the hashtag typed on the row) and the time zone searched in a list."""

from __future__ import annotations

import pytest

from campaigns.models import PALETTE
from hashtags.models import Hashtag
from tests.browser.conftest import login, select2_search
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = "#campaign_hashtags-group tr.form-row:not(.empty-form)"


def _rows(page) -> list[tuple[str, str, str, str]]:
    """(tag, position, colour, the colour input's type) of each row on the page."""
    return [
        tuple(row)
        for row in page.locator(ROWS).evaluate_all(
            """rows => rows.map(r => [
                r.querySelector('input[name$="-tag"]').value,
                r.querySelector('input[name$="-position"]').value,
                r.querySelector('input[name$="-color"]').value,
                r.querySelector('input[name$="-color"]').type,
            ])"""
        )
    ]


def _links(campaign) -> list[tuple[str, int, str]]:
    links = campaign.campaign_hashtags.select_related("hashtag").order_by("position")
    return [(link.hashtag.display, link.position, link.color) for link in links]


def test_new_hashtag_rows_get_their_own_colours_and_a_hashtag_is_typed_on_its_row(
    live_server, page, organizer, campaign, screenshot
):
    login(page, live_server, organizer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/")
    page.click("#campaign_hashtags-group .add-row a")
    page.click("#campaign_hashtags-group .add-row a")
    assert _rows(page) == [
        ("#NHITweek", "0", PALETTE[0], "color"),
        ("#HITworks", "1", PALETTE[1], "color"),
        ("#IHeartHIT", "2", PALETTE[2], "color"),
        ("", "3", PALETTE[3], "color"),  # the row the page came with
        ("", "4", PALETTE[4], "color"),  # the rows "Add another" made
        ("", "5", PALETTE[5], "color"),
    ]
    # A hashtag nobody has made yet, typed on the page's own row, its colour picked; another on
    # an added row with the colour it was given; the last added row left empty.
    page.fill("#id_campaign_hashtags-3-tag", "#HealthIT")
    page.locator("#id_campaign_hashtags-3-color").fill("#aa3377")
    page.fill("#id_campaign_hashtags-4-tag", "interop")
    screenshot(page, "admin-campaign-hashtags")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert _links(campaign) == [
        ("NHITweek", 0, PALETTE[0]),
        ("HITworks", 1, PALETTE[1]),
        ("IHeartHIT", 2, PALETTE[2]),
        ("HealthIT", 3, "#aa3377"),
        ("interop", 4, PALETTE[4]),
    ]
    assert set(Hashtag.objects.values_list("name", flat=True)) >= {"healthit", "interop"}
    # Back on the page: the next row starts past every colour in use.
    assert _rows(page)[-1] == ("", "5", PALETTE[3], "color")
    assert page.console_errors == []


def test_a_hashtag_already_on_the_campaign_is_refused_on_its_row(
    live_server, page, organizer, campaign
):
    login(page, live_server, organizer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/")
    page.fill("#id_campaign_hashtags-3-tag", "#hitWORKS")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    error = page.locator("#campaign_hashtags-3 .errorlist, #campaign_hashtags-group .errorlist")
    assert "#HITworks is already on this campaign" in error.first.inner_text()
    assert len(_links(campaign)) == 3
    assert page.console_errors == []


def test_the_time_zone_is_searched_in_the_list_and_saved(
    live_server, page, chromium, organizer, campaign, screenshot
):
    login(page, live_server, organizer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/")
    option = select2_search(page, "#id_timezone", "chicago", "America/Chicago")
    screenshot(page, "admin-campaign-timezone")
    option.click()
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.timezone == "America/Chicago"
    assert page.console_errors == []
    # On a phone the form, its hashtag rows and the zone list still fit the width.
    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    ).new_page()
    phone.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/change/")
    assert phone.locator("#id_timezone + .select2").is_visible()
    assert phone.locator("#id_campaign_hashtags-3-color").get_attribute("type") == "color"
    screenshot(phone, "admin-campaign-phone")
    phone.context.close()

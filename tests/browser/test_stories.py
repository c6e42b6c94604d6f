"""#IHeartHIT stories in real Chromium: send one, a curator approves it, the public reads it."""

from __future__ import annotations

import pytest

from campaigns.models import Story
from tests.browser.conftest import login
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture
def campaign(db, settings):
    settings.STORIES_MIN_FILL_SECONDS = 0  # the live server runs in this process
    return CampaignFactory(
        name="NHIT Week 2026",
        slug="nhit-week-2026",
        public=True,
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


def _send_story(page, live_server, *, name: str, text: str, link: str = "", shot=None) -> None:
    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/new/")
    page.fill("#id_name", name)
    page.check("label.story-role:has-text('Patient or caregiver') input")
    page.fill("#id_email", "private.person@example.org")
    page.fill("#id_text", text)
    if link:
        page.fill("#id_link", link)
    page.check("#id_consent")
    if shot:
        shot(page, "story-form")
    page.click("button:has-text('Send my story')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thank you for your story"


def test_a_story_is_sent_approved_by_a_curator_and_shown_on_the_stories_page(
    live_server, page, screenshot, campaign, curator, dialogs
):
    _send_story(
        page,
        live_server,
        name="Dana Reyes",
        text="My mother's records followed her to every specialist.\n\nNo more faxes.",
        link="https://example.org/dana",
        shot=screenshot,
    )
    _send_story(page, live_server, name="\u05d3\u05e0\u05d4 \u05db\u05d4\u05df", text=HOSTILE)
    assert Story.objects.filter(status=Story.Status.NEW).count() == 2

    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/")
    assert "No stories yet" in page.locator("main").inner_text()

    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/review/")
    # Stories are reviewed in the curator queue, which the review address opens on new stories.
    assert "/curate/?kind=stories&status=new" in page.url
    items = page.locator(".queue-item")
    assert items.count() == 2
    screenshot(page, "stories-review")
    for story in Story.objects.filter(status=Story.Status.NEW):
        item = page.locator(f"#item-story-{story.pk}")
        item.locator("button", has_text="Approve").click()
        page.locator(f"#item-story-{story.pk} .state--approved").wait_for()
    assert Story.objects.filter(status=Story.Status.APPROVED).count() == 2
    page.click("text=Log out")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/")
    page.wait_for_timeout(500)  # time for an injected handler to fire, were there one
    cards = page.locator(".story-card")
    assert cards.count() == 2
    texts = cards.locator(".story-card__text").all_inner_texts()
    assert HOSTILE in texts
    assert any("No more faxes." in text for text in texts)
    assert page.locator(".story-card img, .story-card script").count() == 0
    link = page.locator(".story-card__link a")
    assert link.get_attribute("href") == "https://example.org/dana"
    assert link.get_attribute("rel") == "nofollow noopener ugc"
    assert "private.person@example.org" not in page.content()
    screenshot(page, "stories-page")
    assert dialogs == []
    assert page.console_errors == []


def test_a_field_error_is_shown_next_to_the_field_and_the_text_is_kept(
    live_server, page, campaign, dialogs
):
    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/new/")
    page.fill("#id_name", "Dana")
    page.check("label.story-role:has-text('Clinician') input")
    page.fill("#id_email", "private.person@example.org")
    page.fill("#id_text", "Keep me.")
    page.fill("#id_link", "javascript:alert(3)")
    page.check("#id_consent")
    page.click("button:has-text('Send my story')")
    page.wait_for_load_state()
    assert "http:// or https://" in page.locator("#id_link_error").inner_text()
    assert page.locator("#id_text").input_value() == "Keep me."
    assert page.locator("#id_link").get_attribute("aria-invalid") == "true"
    assert not page.locator("#id_website").is_visible() or page.evaluate(
        "document.getElementById('id_website').getBoundingClientRect().right <= 0"
    )
    assert not Story.objects.exists()
    assert dialogs == []


def test_the_stories_page_is_readable_on_a_phone_even_with_a_very_long_word(
    live_server, chromium, screenshot, campaign
):
    Story.objects.create(
        campaign=campaign,
        name="W" * 100,
        role=Story.Role.OTHER,
        email="private.person@example.org",
        text="Interoperability" * 60,
        link="https://example.org/" + "a" * 400,
        consent=True,
        status=Story.Status.APPROVED,
    )
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone = context.new_page()
    for path in ("stories/", "stories/new/"):
        phone.goto(f"{live_server.url}/c/nhit-week-2026/{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone"
    screenshot(phone, "story-form-phone")
    context.close()


def test_a_story_sent_too_fast_is_not_thanked_and_comes_back_to_send_again(
    live_server, page, screenshot, campaign, settings, dialogs
):
    # A person who pastes a story and sends it at once, before the minimum fill time.
    settings.STORIES_MIN_FILL_SECONDS = 60
    story = "I pasted this from my notes.\n\nThe portal showed my results before the doctor called."
    page.goto(f"{live_server.url}/c/nhit-week-2026/stories/new/")
    page.fill("#id_name", "Dana Reyes")
    page.check("label.story-role:has-text('Patient or caregiver') input")
    page.fill("#id_email", "private.person@example.org")
    page.fill("#id_text", story)
    page.check("#id_consent")
    page.click("button:has-text('Send my story')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() != "Thank you for your story"
    assert "we have not taken your story yet" in page.locator(".form-error").inner_text()
    assert page.locator("#id_text").input_value() == story
    assert page.locator("#id_name").input_value() == "Dana Reyes"
    assert page.locator("#id_email").input_value() == "private.person@example.org"
    assert page.locator("#id_consent").is_checked()
    assert not Story.objects.exists()
    screenshot(page, "story-form-too-fast")
    # Sent again once the minimum has passed: stored once, and only now thanked.
    settings.STORIES_MIN_FILL_SECONDS = 0
    page.click("button:has-text('Send my story')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Thank you for your story"
    assert list(Story.objects.values_list("text", flat=True)) == [story]
    assert dialogs == [] and page.console_errors == []

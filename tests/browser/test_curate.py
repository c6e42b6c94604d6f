"""The curator queue in real Chromium: keyboard curation, and hostile post text shown as text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.curation.services import post_curate
from campaigns.models import PostCuration, Story
from tests.browser.conftest import login
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

XSS = '<img src=x onerror=alert(1)><script>alert("xss")</script> #NHITweek'
# Screenshots go to test-artifacts/; the README copies in docs/screenshots/ are refreshed by hand.
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

POSTS = [
    (
        "x",
        "drkim",
        "Interoperability is patient safety. Records that follow the patient "
        "save time and lives. #NHITweek #HITworks",
        120,
        30,
    ),
    (
        "mastodon",
        "healthit@mastodon.social",
        "Our hospital's HIE connected 14 rural clinics this year. Proud of the team! #NHITweek",
        48,
        12,
    ),
    (
        "bluesky",
        "nurse-jo.bsky.social",
        "Day 2 of #NHITweek: the telehealth panel was packed. Slides are up on our site.",
        33,
        4,
    ),
    ("x", "promo_deals", "Cheap followers!!! buy now #NHITweek #IHeartHIT", 0, 0),
    (
        "x",
        "policywonk",
        "Congress staffers heard from patients today about why data access matters. #HITworks",
        75,
        21,
    ),
]


@pytest.fixture
def queue(db, curator):
    campaign = CampaignFactory(
        name="NHIT Week 2026", slug="nhit-week-2026", tags=["NHITweek", "HITworks", "IHeartHIT"]
    )
    made = []
    for n, (platform, handle, text, likes, reposts) in enumerate(POSTS, start=1):
        made.append(
            post_make(
                campaign,
                n,
                tags=("nhitweek", "hitworks") if "HITworks" in text else ("nhitweek",),
                platform=platform,
                handle=handle,
                text=text,
                likes=likes,
                reposts=reposts,
                at=campaign.start + timedelta(hours=1, minutes=10 * n),
            )
        )
    hostile = post_make(
        campaign, 99, text=XSS, handle="attacker", at=campaign.start + timedelta(hours=3)
    )
    Story.objects.create(
        campaign=campaign,
        name="Dana Reyes",
        role="patient",
        email="dana@example.org",
        text="My mother's records followed her to every specialist. No more faxes.",
        consent=True,
        created_at=campaign.start + timedelta(hours=1, minutes=35),
    )
    post_curate(campaign=campaign, post_id=made[0].pk, action="pin", actor=curator, position=1)
    post_curate(campaign=campaign, post_id=made[4].pk, action="approve", actor=curator)
    post_curate(campaign=campaign, post_id=made[3].pk, action="hide", actor=curator)
    return campaign, made, hostile


def status_of(campaign, post) -> str:
    row = PostCuration.objects.filter(campaign=campaign, post=post).first()
    return row.status if row else "new"


def test_a_curator_features_and_hides_with_the_keyboard_and_hostile_text_stays_text(
    live_server, page, queue, dialogs, screenshot
):
    campaign, made, hostile = queue
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/")
    first = page.locator(".queue-item").first
    assert first.get_attribute("data-key") == f"post:{hostile.pk}"
    # The payload is on the page as text, and nothing it carries ran or exists as markup.
    assert XSS.split(" #")[0] in first.locator(".queue-item__text").inner_text()
    assert page.locator(".queue-item__text img, .queue-item__text script").count() == 0

    page.keyboard.press("j")
    assert "is-current" in first.get_attribute("class")
    page.keyboard.press("h")
    page.locator(f"#item-post-{hostile.pk} .state--hidden").wait_for()
    assert status_of(campaign, hostile) == "hidden"
    assert "hidden" in page.locator("#curate-status").inner_text()

    page.keyboard.press("j")  # the swapped row stayed current, so j moves on from it
    second = page.locator(".queue-item").nth(1)
    key = second.get_attribute("data-key")
    assert "is-current" in second.get_attribute("class")
    post = next(p for p in made if f"post:{p.pk}" == key)
    page.keyboard.press("f")
    page.locator(f"#item-post-{post.pk} .state--featured").wait_for()
    assert status_of(campaign, post) == "featured"
    assert page.url.endswith("/curate/")  # no reload, no navigation

    page.keyboard.press("?")
    assert page.locator("#curate-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#curate-help").is_visible()

    assert dialogs == []
    assert page.console_errors == []
    screenshot(page, "curate-queue")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS_DIR / "curate.png"))


def test_bulk_select_with_x_and_hide_from_the_bulk_bar(live_server, page, queue, dialogs):
    campaign, _made, _hostile = queue
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/?kind=posts&sort=engagement")
    for _ in range(2):
        page.keyboard.press("j")
        page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "2 selected"
    page.select_option("#bulk-form select[name=action]", "hide")
    page.click("#bulk-form button[type=submit]")
    page.locator("#curate-status", has_text="2 items hidden").wait_for()
    assert PostCuration.objects.filter(campaign=campaign, status="hidden").count() == 3
    assert dialogs == [] and page.console_errors == []

"""The curator queue in real Chromium: keyboard curation, and hostile post text shown as text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.curation.services import post_curate
from campaigns.models import CurationEvent, PostCuration, Story
from tests.browser.conftest import login
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory
from tests.support.stories import story_make

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


# --- Actions compose, and each can be undone ------------------------------------------------


def curation_of(campaign, post) -> tuple[str, int | None]:
    row = PostCuration.objects.filter(campaign=campaign, post=post).first()
    return (row.status, row.pinned) if row else ("new", None)


def wall_pins(page, live_server, campaign) -> list[tuple[int, int]]:
    """(pin, post id) of the wall's pinned posts, as the wall's own JSON gives them."""
    answer = page.request.get(f"{live_server.url}/c/{campaign.slug}/api/wall").json()
    return [(i["pinned"], i["id"]) for i in answer["items"] if i["kind"] == "post" and i["pinned"]]


@pytest.fixture
def pinned_at_2(queue, curator):
    """The queue with a second featured post pinned at 2 (drkim's is at 1)."""
    campaign, made, _hostile = queue
    post = made[2]  # nurse-jo's, on Bluesky
    post_curate(campaign=campaign, post_id=post.pk, action="pin", actor=curator, position=2)
    return campaign, made, post


def test_a_featured_post_pinned_at_2_stays_so_after_approve_and_after_hide_then_unhide(
    live_server, page, pinned_at_2, dialogs
):
    campaign, made, post = pinned_at_2
    first = made[0]
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/")
    row = page.locator(f"#item-post-{post.pk}")
    assert row.locator('button[data-action="approve"]').count() == 0  # featured is approved
    row.locator(".queue-item__text").click()
    page.keyboard.press("a")
    page.locator("#curate-status", has_text="Already featured").wait_for()
    assert curation_of(campaign, post) == ("featured", 2)

    # Approve in bulk, with a new post beside it: the new one is approved, ours stays.
    plain = made[1]
    row.locator(".queue-item__check").check()
    page.locator(f"#item-post-{plain.pk} .queue-item__check").check()
    page.select_option("#bulk-form select[name=action]", "approve")
    page.click("#bulk-form button[type=submit]")
    page.locator("#curate-status", has_text="1 item approved").wait_for()
    assert "1 unchanged" in page.locator("#curate-status").inner_text()
    assert curation_of(campaign, post) == ("featured", 2)
    assert curation_of(campaign, plain) == ("approved", None)

    # Hide it: the pins close up on the wall; unhide: it is featured at 2 again.
    row.locator(".queue-item__text").click()
    page.keyboard.press("h")
    row.locator(".state--hidden").wait_for()
    assert curation_of(campaign, post) == ("hidden", None)
    assert "featured, pinned at 2" in row.inner_text()  # it says what unhide brings back
    assert row.locator('button[data-action="approve"]').count() == 0  # hidden: Unhide only
    assert row.locator('button[data-action="unhide"]').count() == 1
    assert wall_pins(page, live_server, campaign) == [(1, first.pk)]
    page.keyboard.press("u")
    row.locator(".state--featured").wait_for()
    assert curation_of(campaign, post) == ("featured", 2)
    assert row.locator(".state--pinned").text_content() == "pin 2"
    status = page.locator("#curate-status").inner_text()
    assert "hidden (unhide restores: featured, pin 2) → featured, pinned at 2" in status
    assert wall_pins(page, live_server, campaign) == [(1, first.pk), (2, post.pk)]
    assert dialogs == [] and page.console_errors == []


def test_every_action_can_be_undone_for_a_few_seconds_by_button_or_z(
    live_server, page, pinned_at_2, dialogs, screenshot
):
    campaign, made, post = pinned_at_2
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/")
    undo = page.locator("#undo-form")
    assert undo.is_hidden()
    row = page.locator(f"#item-post-{post.pk}")
    row.locator(".queue-item__text").click()
    page.keyboard.press("h")
    row.locator(".state--hidden").wait_for()
    undo.wait_for(state="visible")
    screenshot(page, "curate-undo")
    page.keyboard.press("z")
    row.locator(".state--featured").wait_for()
    assert curation_of(campaign, post) == ("featured", 2)
    assert "Undone" in page.locator("#curate-status").inner_text()
    undo.wait_for(state="hidden")

    # The button does the same for a bulk action, all of it at once.
    new = [made[1], made[4]]
    for item in new:
        page.locator(f"#item-post-{item.pk} .queue-item__check").check()
    page.select_option("#bulk-form select[name=action]", "feature")
    page.click("#bulk-form button[type=submit]")
    page.locator("#curate-status", has_text="2 items featured").wait_for()
    before = [curation_of(campaign, item) for item in new]
    assert before == [("featured", None), ("featured", None)]
    page.click("#undo-form button")
    page.locator("#curate-status", has_text="Undone: 2 items").wait_for()
    assert [curation_of(campaign, item) for item in new] == [("new", None), ("approved", None)]
    assert page.locator(f"#item-post-{made[4].pk} .state--approved").count() == 1

    # After the few seconds the offer is gone; the audit log keeps every step.
    row.locator(".queue-item__text").click()
    page.keyboard.press("f")  # unfeature
    undo.wait_for(state="visible")
    undo.wait_for(state="hidden", timeout=15_000)
    page.keyboard.press("z")
    page.locator("#curate-status", has_text="Nothing to undo now").wait_for()
    assert curation_of(campaign, post) == ("approved", None)
    assert CurationEvent.objects.filter(campaign=campaign, action="revert").count() == 3
    assert dialogs == [] and page.console_errors == []


def test_the_queue_shows_posts_and_stories_that_arrive_and_keeps_its_counts_current(
    live_server, page, queue, dialogs, settings, screenshot
):
    settings.QUEUE_NEWS_SECONDS = 1
    campaign, made, _hostile = queue
    login(page, live_server, "carlos", "password")
    page.goto(f"{live_server.url}/c/{campaign.slug}/curate/")
    count = lambda key: page.locator(f'[data-count="{key}"]').inner_text()  # noqa: E731
    assert (count("featured"), count("approved"), count("hidden")) == ("1", "1", "1")
    assert (count("stories_approved"), count("new_stories")) == ("0", "1")

    # A story approved: the header counts it at once, without a reload.
    story = Story.objects.get(campaign=campaign)
    page.locator(f"#item-story-{story.pk} button[data-action=approve]").click()
    page.locator(f"#item-story-{story.pk} .state--approved").wait_for()
    assert (count("approved"), count("stories_approved"), count("new_stories")) == ("2", "1", "0")

    # Two posts and a story arrive while the queue is open: it says so, and shows them.
    fresh = [
        post_make(campaign, 200 + n, text=f"Just in {n} #NHITweek", handle=f"newcomer{n}")
        for n in range(2)
    ]
    story_make(campaign, name="Lee Park", text="Telehealth let me see a patient in a snowstorm.")
    news = page.locator("[data-news]")
    news.wait_for(state="visible", timeout=10_000)
    assert news.inner_text() == "2 new posts and 1 new story since you opened the queue: show them"
    # Someone else's action shows in the counts too.
    post_curate(campaign=campaign, post_id=made[1].pk, action="hide", actor=None)
    page.locator('[data-count="hidden"]', has_text="2").wait_for(timeout=10_000)
    screenshot(page, "curate-news")
    news.locator("a").click()
    page.wait_for_load_state()
    for post in fresh:
        assert page.locator(f"#item-post-{post.pk}").count() == 1
    assert page.locator(".queue-item", has_text="Lee Park").count() == 1
    assert page.locator("[data-news]").is_hidden()
    assert dialogs == [] and page.console_errors == []

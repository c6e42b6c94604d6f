"""The event wall in real Chromium at 1920x1080: live updates, hostile text, frames, fullscreen.

The wall polls /c/<slug>/api/wall every ?refresh= seconds (1 here); a curator acts in a second
browser context, as at an event where the queue runs on a laptop and the wall on the big screen.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from campaigns.curation.services import post_curate, story_curate
from campaigns.models import Story
from hashtags.models import Author, TagSet, TagSetRollupHour
from hashtags.tagsets import tagset_key
from tests.browser.conftest import login
from tests.support.colours import rgb
from tests.support.curation import post_make
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Screenshots go to test-artifacts/; the README copies in docs/screenshots/ are refreshed by hand.
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
XSS = '<img src=x onerror=alert(1)><script>alert("wall")</script> #NHITweek'
WAIT_MS = 8000  # a few refresh intervals of 1 s; the assertion is "no reload", not speed

# (platform, handle, name, text, the tracked hashtags it carries: its tag set)
POSTS = [
    (
        "x",
        "nhitweek_team",
        "NHIT Week Team",
        "Welcome to National Health IT Week! Tell us how health IT works for you "
        "with #NHITweek, and share your #IHeartHIT story.",
        ("ihearthit", "nhitweek"),
    ),
    (
        "mastodon",
        "healthit@mastodon.social",
        "Rosa Martínez",
        "Our HIE connected 14 rural clinics this year. Records now follow the patient. #HITworks",
        ("hitworks",),
    ),
    (
        "bluesky",
        "nurse-jo.bsky.social",
        "Jo Okafor, RN",
        "Day 2 of #NHITweek: the telehealth panel was packed. Slides are up on our site. #HITworks",
        ("nhitweek", "hitworks"),
    ),
    (
        "x",
        "drkim",
        "Dr. Min-jun Kim",
        "Interoperability is patient safety. #NHITweek",
        ("nhitweek",),
    ),
    (
        "x",
        "policywonk",
        "Sam Policy",
        "Congress staffers heard from patients today about why data access matters. #HITworks",
        ("hitworks",),
    ),
]


@pytest.fixture
def wall_page(chromium):
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.console_errors = []
    page.dialogs = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))

    def dialog(d):
        page.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    yield page
    context.close()


@pytest.fixture
def event(db, curator):
    """A live public campaign with posts (the first pinned), a story and a believable count."""
    campaign = CampaignFactory(
        name="NHIT Week 2026",
        slug="nhit-week-2026",
        public=True,
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )
    made = []
    for n, (platform, handle, name, text, tags) in enumerate(POSTS, start=1):
        post = post_make(
            campaign,
            n,
            tags=tags,
            platform=platform,
            handle=handle,
            text=text,
            at=campaign.start + timedelta(hours=1, minutes=10 * n),
        )
        Author.objects.filter(pk=post.author_id).update(name=name)
        made.append(post)
    post_curate(campaign=campaign, post_id=made[0].pk, action="pin", actor=curator, position=1)
    for post in made[1:4]:
        post_curate(campaign=campaign, post_id=post.pk, action="feature", actor=curator)
    story = Story.objects.create(
        campaign=campaign,
        name="Dana Reyes",
        role="patient",
        email="dana@example.org",
        text="My mother's records followed her to every specialist. No more faxes, "
        "no more repeating her history at every visit. That is why #IHeartHIT.",
        consent=True,
        created_at=campaign.start + timedelta(hours=1, minutes=35),
    )
    story_curate(campaign=campaign, story_id=story.pk, action="approve", actor=curator)
    ids = sorted(campaign.campaign_hashtags.values_list("hashtag_id", flat=True))
    tagset, _ = TagSet.objects.get_or_create(key=tagset_key(ids[:1]))
    hour = campaign.start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    TagSetRollupHour.objects.update_or_create(
        tagset=tagset, platform="mastodon", hour=hour, defaults={"posts": 12480, "reposts": 3310}
    )
    return campaign, made, story


def spotlight_key(page) -> str:
    return page.locator("#wall-spotlight .card").get_attribute("data-key")


def chips(card) -> list[tuple[str, str]]:
    """A card's hashtag chips: (text, border colour as the browser computes it)."""
    found = card.locator(".card__tag").evaluate_all(
        "nodes => nodes.map(n => [n.textContent, getComputedStyle(n).borderTopColor])"
    )
    return [tuple(pair) for pair in found]


def tag_colours(campaign) -> dict[str, str]:
    links = campaign.campaign_hashtags.select_related("hashtag")
    return {f"#{link.hashtag.display}": rgb(link.color) for link in links}


def on_screen(page, key: str):
    return page.locator(
        f'#wall-spotlight .card[data-key="{key}"], #wall-next .card[data-key="{key}"]'
    )


def test_a_post_featured_in_the_queue_appears_on_the_open_wall_without_a_reload(
    live_server, chromium, wall_page, event
):
    campaign, made, _story = event
    wall_page.goto(f"{live_server.url}/c/{campaign.slug}/wall/?refresh=1&rotate=30")
    # Pinned first: the pinned welcome post is in the spotlight; the count is formatted.
    assert spotlight_key(wall_page) == f"post-{made[0].pk}"
    assert wall_page.locator("#wall-count").inner_text() == "12,480"
    assert wall_page.locator(".wall-tag").all_inner_texts() == [
        "#NHITweek",
        "#HITworks",
        "#IHeartHIT",
    ]
    # Each post carries its campaign hashtags as chips in their colours, in the campaign's
    # order (the text names #NHITweek first anyway); a story carries none.
    colour = tag_colours(campaign)
    assert chips(wall_page.locator("#wall-spotlight .card")) == [
        ("#NHITweek", colour["#NHITweek"]),
        ("#IHeartHIT", colour["#IHeartHIT"]),
    ]
    on_deck = wall_page.locator(f'#wall-next .card[data-key="post-{made[2].pk}"]')
    assert chips(on_deck) == [
        ("#NHITweek", colour["#NHITweek"]),
        ("#HITworks", colour["#HITworks"]),
    ]
    wall_page.evaluate("window.__sameDocument = true")
    newcomer = made[4]
    assert on_screen(wall_page, f"post-{newcomer.pk}").count() == 0

    curator_context = chromium.new_context(viewport={"width": 1280, "height": 800})
    queue = curator_context.new_page()
    try:
        login(queue, live_server, "carlos", "password")
        queue.goto(f"{live_server.url}/c/{campaign.slug}/curate/")
        queue.locator(f"#item-post-{newcomer.pk} button[data-action=feature]").click()
        queue.locator(f"#item-post-{newcomer.pk} .state--featured").wait_for()
    finally:
        curator_context.close()

    # Up next, at the front of the line, on the same document (no reload).
    on_screen(wall_page, f"post-{newcomer.pk}").first.wait_for(timeout=WAIT_MS)
    assert wall_page.locator("#wall-next .card").first.get_attribute("data-key") == (
        f"post-{newcomer.pk}"
    )
    assert wall_page.evaluate("window.__sameDocument") is True
    assert "Updated" in wall_page.locator("#wall-updated").inner_text()

    # A curator takes the spotlight post down: it leaves the screen at the next poll.
    post_curate(campaign=campaign, post_id=made[0].pk, action="hide", actor=None)
    expect(wall_page.locator(f'.card[data-key="post-{made[0].pk}"]')).to_have_count(
        0, timeout=WAIT_MS
    )
    assert wall_page.console_errors == [] and wall_page.dialogs == []


def test_a_featured_xss_post_shows_as_text_and_runs_nothing(live_server, wall_page, curator):
    campaign = CampaignFactory(slug="xss", public=True, tags=["NHITweek"])
    hostile = post_make(campaign, 1, text=XSS, handle="attacker")
    Author.objects.filter(pk=hostile.author_id).update(name='<b onmouseover="alert(2)">Eve</b>')
    post_curate(campaign=campaign, post_id=hostile.pk, action="pin", actor=curator, position=1)
    wall_page.goto(f"{live_server.url}/c/{campaign.slug}/wall/?refresh=1")
    card = wall_page.locator("#wall-spotlight .card")
    assert card.locator(".card__text").inner_text() == XSS
    assert card.locator(".card__name").inner_text() == '<b onmouseover="alert(2)">Eve</b>'
    assert wall_page.locator(".card img, .card script, .card b").count() == 0
    # Several polls later, still text, still nothing ran.
    wall_page.wait_for_timeout(2500)
    assert wall_page.locator(".card img, .card script").count() == 0
    assert wall_page.dialogs == [] and wall_page.console_errors == []


def test_the_spotlight_rotates_and_a_failed_poll_keeps_the_items_and_says_so(
    live_server, wall_page, event
):
    campaign, _made, _story = event
    wall_page.goto(f"{live_server.url}/c/{campaign.slug}/wall/?refresh=1&rotate=1")
    first = spotlight_key(wall_page)
    expect(wall_page.locator("#wall-spotlight .card")).not_to_have_attribute(
        "data-key", first, timeout=WAIT_MS
    )
    # The network goes away: the notice shows, what is on screen stays.
    wall_page.route("**/api/wall", lambda route: route.abort())
    wall_page.locator("#wall-offline").wait_for(state="visible", timeout=WAIT_MS)
    assert wall_page.locator("#wall-spotlight .card").count() == 1
    assert wall_page.locator("#wall-next .card").count() == 4
    assert wall_page.locator("#wall-updated").inner_text().startswith("Last update")
    wall_page.unroute("**/api/wall")
    wall_page.locator("#wall-offline").wait_for(state="hidden", timeout=WAIT_MS * 2)
    errors = [e for e in wall_page.console_errors if "net::ERR_FAILED" not in e]
    assert errors == [] and wall_page.dialogs == []


def test_f_toggles_full_screen(live_server, wall_page, event):
    campaign, _made, _story = event
    wall_page.goto(f"{live_server.url}/c/{campaign.slug}/wall/")
    wall_page.keyboard.press("f")
    wall_page.wait_for_function("() => document.fullscreenElement !== null", timeout=WAIT_MS)
    wall_page.keyboard.press("f")
    wall_page.wait_for_function("() => document.fullscreenElement === null", timeout=WAIT_MS)
    wall_page.locator("#wall-fullscreen").click()
    wall_page.wait_for_function("() => document.fullscreenElement !== null", timeout=WAIT_MS)
    assert wall_page.console_errors == []


def test_the_updated_clock_reads_campaign_time_in_the_posts_24_hour_format(
    live_server, chromium, event
):
    campaign, _made, _story = event
    # A browser in Tokyo with a 12-hour locale; the campaign runs in New York.
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, locale="en-US", timezone_id="Asia/Tokyo"
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/c/{campaign.slug}/wall/?rotate=60&refresh=60")
        text = page.locator("#wall-updated").inner_text()
        now = datetime.now(ZoneInfo(campaign.timezone))
        when = page.locator("#wall-spotlight .card__meta").inner_text()
    finally:
        context.close()
    match = re.fullmatch(r"Updated (\d\d):(\d\d):(\d\d)", text)
    assert match, text
    shown = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    off = abs(shown - (now.hour * 3600 + now.minute * 60 + now.second))
    assert min(off, 86400 - off) < 60, (text, now)
    assert re.search(r", \d\d:\d\d$", when), when  # the posts' own format


def test_the_wall_screenshot_at_1920x1080(live_server, wall_page, event):
    campaign, _made, _story = event
    wall_page.goto(f"{live_server.url}/c/{campaign.slug}/wall/?rotate=60")
    wall_page.locator("#wall-next .card").nth(3).wait_for(state="attached")
    wall_page.wait_for_timeout(700)  # let the entrance animation finish for the picture
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    wall_page.screenshot(path=str(ARTIFACTS_DIR / "wall.png"))
    # Nothing spills off the screen: the page is exactly one screen.
    size = wall_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080]
    assert wall_page.console_errors == []


# --- Embeds on another site ---------------------------------------------------------------------

PARTNER_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0; background: #eef1f5; color: #1b1f24; }}
  header {{ background: #23395d; color: #fff; padding: 14px 32px; font-size: 20px; }}
  main {{ display: grid; grid-template-columns: 3fr 2fr; gap: 24px; padding: 24px 32px; }}
  h2 {{ font-size: 16px; margin: 0 0 8px; }}
  iframe {{ width: 100%; border: 0; border-radius: 8px; background: #fff; }}
</style></head>
<body><header>Partner Health Network · News</header>
<main>
  <section><h2>Live from #NHITweek</h2>
    <iframe id="wall-frame" src="{wall}" title="NHIT Week 2026: live wall" height="520"></iframe>
    <h2>Not embeddable (refused)</h2>
    <iframe id="page-frame" src="{page}" title="refused" height="60"></iframe>
  </section>
  <section><h2>Featured</h2>
    <iframe id="featured-frame" src="{featured}" title="NHIT Week 2026: featured" height="640">
    </iframe>
  </section>
</main></body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def partner_site(tmp_path):
    """A tiny static site on another port: another origin, as a partner's would be."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_embeds_render_inside_a_frame_on_another_site(
    live_server, chromium, partner_site, event
):
    campaign, made, story = event
    root, origin = partner_site
    base = f"{live_server.url}/c/{campaign.slug}"
    (root / "index.html").write_text(
        PARTNER_HTML.format(
            wall=f"{base}/embed/wall/?rotate=60",
            featured=f"{base}/embed/featured/",
            page=f"{base}/wall/",
        )
    )
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console.append(msg.text))
    try:
        page.goto(f"{origin}/index.html")
        assert origin.split(":")[-1] != live_server.url.split(":")[-1]
        wall = page.frame_locator("#wall-frame")
        wall.locator(f'#wall-spotlight .card[data-key="post-{made[0].pk}"]').wait_for()
        # Up next shows what fits the frame's column whole (test_wall_fit.py measures it).
        assert wall.locator("#wall-next .wall-next__item:not([hidden]) .card").count() >= 2
        featured = page.frame_locator("#featured-frame")
        featured.locator(".wall-list__item").nth(4).wait_for()
        assert featured.locator(".wall-list__item").count() == 5
        assert featured.locator(f'.card[data-key="story-{story.pk}"] .card__name').inner_text() == (
            "Dana Reyes"
        )
        colour = tag_colours(campaign)
        assert chips(featured.locator(f'.card[data-key="post-{made[1].pk}"]')) == [
            ("#HITworks", colour["#HITworks"])
        ]
        assert featured.locator(f'.card[data-key="story-{story.pk}"] .card__tag').count() == 0
        assert featured.locator(".card__tag").count() == 6  # 2 + 1 + 2 + 1 on four posts
        link = featured.locator(".card__link").first
        assert link.get_attribute("rel") == "nofollow noopener ugc"
        assert link.get_attribute("href").startswith("https://")
        # The full wall page is not embeddable: Chromium refuses it by frame-ancestors.
        page.wait_for_timeout(300)
        assert page.frame_locator("#page-frame").locator(".wall-app").count() == 0
        refusals = [text for text in console if "frame-ancestors" in text]
        # (Chromium names only the refused frame's origin: ours, the live server.)
        assert len(refusals) == 1 and live_server.url in refusals[0], console
        page.wait_for_timeout(700)
        page.screenshot(path=str(ARTIFACTS_DIR / "embed.png"))
    finally:
        context.close()

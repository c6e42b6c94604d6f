"""The campaign dashboard in real Chromium: charts drawn from seeded data without a console error,
a post stored while the page is open showing up within the refresh interval, the public/private
rule, and hostile post text shown as text."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.jobs.scheduling import polls_run_once
from campaigns.models import Campaign
from hashtags.ingest import posts_upsert
from hashtags.sources.base import AuthorData, PostData
from tests.browser.conftest import ARTIFACTS, login
from tests.conftest import PASSWORD
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "nhit-week-2026"
HOSTILE = '<img src=x onerror=alert(1)> <script>alert(2)</script> & "quotes"'


@pytest.fixture
def seeded(db) -> Campaign:
    """The demo campaign with a few hours of demo posts, polled the way `poll --once` does."""
    call_command("seed_demo", stdout=io.StringIO())
    for _source, _result in polls_run_once(campaign_slug=SLUG, force=True):
        pass
    return Campaign.objects.get(slug=SLUG)


def open_dashboard(page, live_server, slug: str = SLUG, query: str = "refresh=60"):
    response = page.goto(f"{live_server.url}/c/{slug}/dashboard/?{query}")
    assert response.status == 200
    page.wait_for_selector("#dashboard[data-loaded='true']")
    return response


def headline(page, metric: str) -> int:
    title = page.locator(f"[data-metric='{metric}'] .metric__value").get_attribute("title")
    return int(re.sub(r"\D", "", title or ""))


def chart_points(page, canvas_id: str) -> int:
    return page.evaluate(
        """id => Chart.getChart(id).data.datasets
               .flatMap(d => d.data).map(p => (typeof p === 'object' ? p.y : p))
               .reduce((a, b) => a + b, 0)""",
        canvas_id,
    )


def fresh_post(n: int, text: str, *, likes: int = 0, url: str = "", handle: str = "") -> PostData:
    author = AuthorData(
        platform="mastodon",
        external_id=f"live-{n}",
        handle=handle or f"live{n}@example.org",
        name=f"Live tester {n}",
        url="https://example.org/@live",
        followers=1234,
    )
    return PostData(
        platform="mastodon",
        external_id=f"live-post-{n}",
        author=author,
        text=text,
        url=url or f"https://example.org/@live/{n}",
        created_at=timezone.now() - timedelta(seconds=5),
        hashtags=("nhitweek",),
        likes=likes,
    )


def test_the_dashboard_draws_every_panel_from_the_seeded_campaign(
    live_server, page, seeded, screenshot
):
    open_dashboard(page, live_server, query="")  # the default refresh, as the README shows it
    assert page.locator("#dash-error").is_hidden()
    assert page.locator("#dash-updated").inner_text().startswith("Updated ")
    assert headline(page, "posts") > 0
    assert headline(page, "unique_authors") > 0
    # Volume: one line per hashtag in its campaign colour, in the campaign's zone.
    datasets = page.evaluate(
        "() => Chart.getChart('volume-chart').data.datasets.map(d => [d.label, d.borderColor])"
    )
    colours = {f"#{link.hashtag.display}": link.color for link in seeded.campaign_hashtags.all()}
    assert dict(datasets) == colours
    assert chart_points(page, "volume-chart") > 0
    assert page.evaluate("() => luxon.Settings.defaultZone.name") == "America/New_York"
    assert chart_points(page, "platforms-chart") > 0
    assert page.locator(".heatmap tbody tr").count() == 7
    assert page.locator(".heatmap td:not(.heat-0)").count() > 0
    assert page.locator("[data-top-posts] .post").count() == 10
    assert page.locator("[data-contributors-posts] tr").count() > 0
    # Year over year against the 2025 edition.
    assert "NHIT Week 2025" in page.locator("[data-yoy-change]").inner_text()
    assert page.evaluate("() => Chart.getChart('yoy-chart').data.datasets.length") == 2
    screenshot(page, "dashboard")
    # Every chart's data table opens with the same numbers.
    page.click("details[data-table='volume'] summary")
    # The table is drawn on the details' "toggle" event, which fires after the click returns.
    expect(page.locator("details[data-table='volume'] tbody tr").nth(1)).to_be_attached()
    # Stacked by platform: one stacked area per platform from the campaign total, so the
    # stack's height is the number of posts, each post once (not once per hashtag).
    page.check("input[name='stacked']")
    assert page.evaluate("() => Chart.getChart('volume-chart').options.scales.y.stacked")
    assert "stacked=1" in page.url
    stacks = page.evaluate(
        """() => Chart.getChart('volume-chart').data.datasets.map(
            d => [d.label, d.stack, d.data.map(p => p.y)])"""
    )
    assert stacks
    assert {label for label, *_ in stacks} <= {"X", "Mastodon", "Bluesky", "Demo"}
    assert {stack for _, stack, _ in stacks} == {"total"}
    answer = page.evaluate(
        "async (slug) => (await fetch(`/c/${slug}/api/volume${window.location.search}`)).json()",
        SLUG,
    )
    heights = [sum(values) for values in zip(*(ys for *_, ys in stacks), strict=True)]
    assert heights == answer["total"]["posts"]
    assert sum(heights) <= sum(sum(line["posts"]) for line in answer["series"])
    assert page.locator("[data-volume-mode]").inner_text().startswith("Stacked by platform")
    table = page.locator("details[data-table='volume'] thead")
    expect(table).to_contain_text("Posts on")
    expect(table).not_to_contain_text("#NHITweek")
    screenshot(page, "dashboard-stacked")
    assert page.console_errors == []


def test_each_series_downloads_as_csv_and_each_chart_as_png(live_server, page, seeded, tmp_path):
    open_dashboard(page, live_server)
    with page.expect_download() as download:
        page.click("button[data-csv='volume']")
    path = Path(tmp_path) / "volume.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith(f"{SLUG}-volume-")
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Bucket start (America/New_York)")
    assert "#NHITweek posts" in rows[0]
    assert text.splitlines()[0].startswith('"')  # every field quoted
    assert len(rows) > 2
    with page.expect_download() as download:
        page.click("button[data-png='volume']")
    png = Path(tmp_path) / "volume.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The CSV guard against formula injection, in the page's own code.
    cells = page.evaluate("() => ['=1+1', '+a', '-b', '@c', 'plain', -3].map(NhitDash.csvCell)")
    assert cells == ['"\'=1+1"', '"\'+a"', '"\'-b"', '"\'@c"', '"plain"', '"-3"']
    assert page.console_errors == []


def test_a_post_stored_while_the_page_is_open_appears_without_a_reload(live_server, page, seeded):
    open_dashboard(page, live_server, query="refresh=1")
    before = headline(page, "posts")
    page.evaluate("() => { window.__sameDocument = true; }")
    posts_upsert(posts=[fresh_post(1, "Fresh from the live test #NHITweek", likes=10**6)])
    first_post = page.locator("[data-top-posts] .post").first
    first_post.locator(".post__text", has_text="Fresh from the live test").wait_for(timeout=5000)
    page.wait_for_function(
        "n => Number(document.querySelector(\"[data-metric='posts'] .metric__value\")"
        ".title.replace(/\\D/g, '')) === n",
        arg=before + 1,
        timeout=5000,
    )
    assert page.evaluate("() => window.__sameDocument") is True  # no reload happened
    assert page.console_errors == []


def test_the_controls_refetch_with_their_parameters_and_live_in_the_url(live_server, page, seeded):
    open_dashboard(page, live_server)
    with page.expect_response(lambda r: "/api/volume?" in r.url and "granularity=minute" in r.url):
        page.select_option("select[name='range']", "24h")
        page.select_option("select[name='granularity']", "minute")
    page.wait_for_function(
        "() => Chart.getChart('volume-chart').data.datasets[0].data.length > 1000"
    )
    assert "range=24h" in page.url and "granularity=minute" in page.url
    assert "per minute" in page.locator("[data-volume-granularity]").inner_text()
    # One hashtag: one line.
    page.select_option("select[name='hashtag']", "hitworks")
    page.wait_for_function("() => Chart.getChart('volume-chart').data.datasets.length === 1")
    assert page.console_errors == []


def test_a_failed_refresh_shows_a_banner_and_keeps_the_last_data(live_server, page, seeded):
    open_dashboard(page, live_server)
    posts = headline(page, "posts")
    # A bad custom range: the endpoints' own message, the numbers stay.
    page.select_option("select[name='range']", "custom")
    page.fill("input[name='start']", "2026-10-09T12:00")
    page.fill("input[name='end']", "2026-10-08T12:00")
    page.click("button:has-text('Apply')")
    banner = page.locator("#dash-error")
    expect(banner).to_contain_text("end must be after start")
    expect(banner).to_contain_text("Showing the data from")
    assert headline(page, "posts") == posts
    assert page.locator("[data-top-posts] .post").count() == 10
    # A server that fails: the same banner; the next good refresh clears it.
    page.select_option("select[name='range']", "campaign")
    page.wait_for_selector("#dash-error", state="hidden")
    page.route("**/api/summary*", lambda route: route.fulfill(status=500, body="boom"))
    page.click("button:has-text('Apply')")
    expect(banner).to_contain_text("summary: HTTP 500")
    assert headline(page, "posts") == posts
    page.unroute("**/api/summary*")
    page.click("button:has-text('Apply')")
    page.wait_for_selector("#dash-error", state="hidden")
    unexpected = [e for e in page.console_errors if "status of 400" not in e and "500" not in e]
    assert unexpected == []


def test_the_refresh_pauses_while_the_tab_is_hidden(live_server, page, seeded):
    open_dashboard(page, live_server, query="refresh=1")
    assert page.locator("#dashboard").get_attribute("data-live") == "on"
    hide = """hidden => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(hide, True)
    assert page.locator("#dashboard").get_attribute("data-live") == "paused"
    assert "Paused" in page.locator("#dash-live").inner_text()
    before = page.locator("#dashboard").get_attribute("data-updated")
    # Visible again: it refreshes at once and goes on.
    page.evaluate(hide, False)
    page.wait_for_function(
        "before => document.getElementById('dashboard').dataset.updated !== before", arg=before
    )
    assert page.locator("#dashboard").get_attribute("data-live") == "on"
    assert page.console_errors == []


def test_the_public_and_private_rule_holds_in_the_browser(live_server, page, outsider, organizer):
    public = CampaignFactory(slug="open-week", public=True, tags=["NHITweek"])
    private = CampaignFactory(slug="team-week", public=False, tags=["NHITweek"])
    open_dashboard(page, live_server, slug=public.slug)
    page.goto(f"{live_server.url}/c/{private.slug}/dashboard/")
    assert page.url.startswith(f"{live_server.url}/login/?next=")
    login(page, live_server, outsider.username, PASSWORD)
    response = page.goto(f"{live_server.url}/c/{private.slug}/dashboard/")
    assert response.status == 403
    page.click("text=Log out")
    page.wait_for_load_state()
    login(page, live_server, organizer.username, PASSWORD)
    open_dashboard(page, live_server, slug=private.slug)
    assert page.locator("#dash-error").is_hidden()
    errors = [e for e in page.console_errors if "403" not in e]  # the outsider's refused page
    assert errors == []


def test_a_hostile_post_is_shown_as_text_and_runs_nothing(live_server, page, dialogs):
    campaign = CampaignFactory(slug="open-week", public=True, tags=["NHITweek"])
    posts_upsert(
        posts=[
            fresh_post(
                2, HOSTILE, likes=50, url="javascript:alert(3)", handle="<b>bold</b>@example.org"
            )
        ]
    )
    open_dashboard(page, live_server, slug=campaign.slug)
    post = page.locator("[data-top-posts] .post").first
    assert post.locator(".post__text").inner_text() == HOSTILE
    assert post.locator("img, script, b").count() == 0
    assert post.locator(".post__handle").inner_text() == "@<b>bold</b>@example.org"
    # The javascript: URL is not a link; the author's https URL is, without handing over window.
    assert post.locator("a[href^='javascript']").count() == 0
    links = post.locator("a")
    assert links.count() == 1
    assert links.first.get_attribute("rel") == "nofollow noopener ugc"
    assert dialogs == []
    assert page.console_errors == []


def test_the_dashboard_reads_well_on_a_phone(live_server, chromium, seeded, screenshot):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    phone.goto(f"{live_server.url}/c/{SLUG}/dashboard/?refresh=60")
    phone.wait_for_selector("#dashboard[data-loaded='true']")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    assert phone.evaluate("() => Chart.getChart('volume-chart').width") <= 390
    screenshot(phone, "dashboard-phone-full")
    # The first screens (headline numbers and the volume chart) for the README.
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(
        path=str(ARTIFACTS / "dashboard-phone.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 390, "height": 1900},
    )
    context.close()
    assert errors == []

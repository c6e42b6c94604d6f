"""The volume chart's coverage in real Chromium, on the seeded demo: imported stretches read as
collected (not "0% polled"), the live edge is no gap, and a Mastodon server that fails after
it was added shades only its own band of the chart, from when it was added, under its name, in
the sentence under the chart, the tooltip and the coverage CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from hashtags.models import PollLog, Source
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_dashboard import SLUG, open_dashboard, seeded  # noqa: F401 - a fixture
from tests.support.polling_data import poll_logged

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

LAST_YEAR = "nhit-week-2025"
MASTODON = "https://mastodon.example"
REFUSED = "ConnectError: mastodon.example refused the connection"


def lanes(page) -> list[dict]:
    return page.evaluate("() => Chart.getChart('volume-chart').options.plugins.coverageShade.lanes")


def summary(page) -> str:
    return page.locator("[data-coverage-summary]").inner_text()


def issues(page) -> list[str]:
    return page.locator("[data-coverage-issues] li").all_inner_texts()


def coverage_csv(page, tmp_path) -> list[list[str]]:
    with page.expect_download() as download:
        page.click("button[data-csv='coverage']")
    path = Path(tmp_path) / "coverage.csv"
    download.value.save_as(path)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def shade(page, at_ms: float, height: float) -> str:
    """What the volume chart paints at instant `at_ms`, `height` (0 top, 1 bottom) up its plot,
    with the lines and the grid hidden (#IHeartHIT's line is red too): "white", "red" (polling
    failed), "amber" (rate limited), "blue" (imported) or "grey" (not polled)."""
    r, g, b = page.evaluate(
        """([at, height]) => {
            const chart = Chart.getChart('volume-chart');
            const grids = [chart.options.scales.x.grid, chart.options.scales.y.grid];
            chart.data.datasets.forEach((d, i) => chart.setDatasetVisibility(i, false));
            grids.forEach((grid) => (grid.display = false));
            chart.update('none');
            const area = chart.chartArea;
            const ratio = window.devicePixelRatio || 1;
            const x = Math.round(chart.scales.x.getPixelForValue(at) * ratio);
            const y = Math.round((area.top + (area.bottom - area.top) * height) * ratio);
            const data = chart.ctx.getImageData(x - 1, y - 4, 2, 8).data;
            const mean = [0, 1, 2].map((c) => {
                let sum = 0;
                for (let i = c; i < data.length; i += 4) sum += data[i];
                return sum / (data.length / 4);
            });
            chart.data.datasets.forEach((d, i) => chart.setDatasetVisibility(i, true));
            grids.forEach((grid) => (grid.display = true));
            chart.update('none');
            return mean;
        }""",
        [at_ms, height],
    )
    if min(r, g, b) > 250:
        return "white"
    if r - g > 30 and r - b > 30:
        return "red" if g - b < 40 else "amber"
    if b - r > 15:
        return "blue"
    return "grey"


def ms(moment) -> float:
    return moment.timestamp() * 1000


def test_the_seeded_2025_edition_reads_as_imported_not_as_unpolled(
    live_server, page, screenshot, tmp_path
):
    open_dashboard(page, live_server, slug=LAST_YEAR)
    campaign = Campaign.objects.get(slug=LAST_YEAR)
    for day in range(7):
        at = ms(campaign.start + timedelta(days=day, hours=12))
        assert [shade(page, at, height) for height in (0.2, 0.8)] == ["blue", "blue"]
    text = summary(page)
    assert "Demo: 100% of this range collected (100% imported from an archive)" in text
    assert not re.search(r"(?<![\d.])0(\.0)?%", text), text
    assert "polled" not in text
    assert issues(page) == []
    (lane,) = lanes(page)
    assert lane["name"] == "Demo"
    assert {span["reason"] for span in lane["spans"]} == {"imported"}
    rows = coverage_csv(page, tmp_path)
    assert rows[0][:4] == ["Platform", "Source", "Added or imported", "Covered %"]
    (row,) = rows[1:]
    assert row[1] == "Archive: demo posts of NHIT Week 2025"
    assert (row[3], row[4], row[5], row[8]) == ("100", "0", "100", "Imported from an archive")
    assert "Imported from an archive" in page.locator(".gap-legend").inner_text()
    screenshot(page, "dashboard-coverage-2025")
    assert page.console_errors == []


def test_the_live_edition_has_no_gap_imported_then_polled_to_the_live_edge(live_server, page):
    open_dashboard(page, live_server)
    text = summary(page)
    assert "gap" not in text and "not polled" not in text
    assert re.search(
        r"Demo: 100% of this range collected \([\d.]+% imported from an archive, ", text
    )
    assert issues(page) == []
    (lane,) = lanes(page)
    assert lane["name"] == "Demo"
    assert [span["reason"] for span in lane["spans"]] == ["imported"]
    # The last hour, where a minute is wide: nothing shaded up to now, the edge included.
    open_dashboard(page, live_server, query="refresh=60&range=1h")
    now = timezone.now()
    for seconds in (1800, 300, 60, 1):
        assert shade(page, ms(now - timedelta(seconds=seconds)), 0.5) == "white", seconds
    assert page.console_errors == []


@pytest.fixture
def failing(db):
    """A Mastodon server added two hours ago that has failed to connect ever since."""
    added = timezone.now() - timedelta(hours=2)
    source = Source.objects.create(platform="mastodon", base_url=MASTODON, created_at=added)
    campaign = Campaign.objects.get(slug=SLUG)
    for minutes in range(0, 120, 20):
        at = added + timedelta(minutes=minutes)
        poll_logged(source, campaign, PollLog.Outcome.ERROR, at, at, REFUSED)
    Source.objects.filter(pk=source.pk).update(last_error=REFUSED, last_error_at=added)
    return added


def test_a_failing_mastodon_source_shades_only_its_own_band_from_when_it_was_added(
    live_server, page, failing, screenshot, tmp_path
):
    open_dashboard(page, live_server, query="refresh=60&range=24h")
    # Red in Mastodon's band (the top one) while it failed; none in Demo's, none before.
    during, before = ms(failing + timedelta(hours=1)), ms(failing - timedelta(hours=2))
    assert [shade(page, during, height) for height in (0.25, 0.75)] == ["red", "white"]
    assert [shade(page, before, height) for height in (0.25, 0.75)] == ["white", "white"]
    mastodon, demo = lanes(page)
    assert mastodon["name"] == f"Mastodon ({MASTODON})"
    assert demo["name"] == "Demo"
    ((error,),) = [[s for s in mastodon["spans"] if s["reason"] != "imported"]]
    assert error["reason"] == "error" and error["message"] == REFUSED
    assert abs(error["start"] / 1000 - failing.timestamp()) < 1  # from when it was added
    assert [s["reason"] for s in demo["spans"]] == ["imported"]
    # Named: the tooltip at that time, the sentence under the chart, the CSV.
    footer = page.evaluate(
        "at => Chart.getChart('volume-chart').options.plugins.tooltip.callbacks.footer("
        "[{parsed: {x: at}}])",
        during,
    )
    assert footer == [f"Mastodon ({MASTODON}): polling failed ({REFUSED})"]
    text = summary(page)
    assert "Demo: 100% of this range collected" in text
    assert "Mastodon: 0% of this range collected" in text
    (issue,) = issues(page)
    assert issue.startswith(f"Mastodon ({MASTODON}), added ")
    assert ": polling failed since " in issue and issue.endswith(f"({REFUSED})")
    rows = coverage_csv(page, tmp_path)
    failed = [row for row in rows if row[8] == "Polling failed"]
    assert [(row[0], row[1], row[9]) for row in failed] == [
        ("Mastodon", f"Mastodon ({MASTODON})", REFUSED)
    ]
    screenshot(page, "dashboard-coverage-failing")
    chart = page.locator("#volume-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x = page.evaluate("at => Chart.getChart('volume-chart').scales.x.getPixelForValue(at)", during)
    page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2)
    page.wait_for_function("() => Chart.getChart('volume-chart').tooltip.opacity === 1")
    page.screenshot(path=str(ARTIFACTS / "dashboard-coverage-tooltip.png"), clip=box)
    assert page.console_errors == []


@pytest.mark.parametrize("size", [(1920, 1080), (390, 844)], ids=["wall", "phone"])
def test_the_coverage_reads_at_wall_and_phone_sizes(live_server, chromium, failing, size):
    width, height = size
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(f"{live_server.url}/c/{SLUG}/dashboard/?refresh=60&range=24h")
    page.wait_for_selector("#dashboard[data-loaded='true']")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert "Polling failed" in page.locator(".gap-legend").inner_text()
    section = page.locator("section[aria-labelledby='volume-heading']")
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / f"dashboard-coverage-{width}.png"))
    context.close()
    assert errors == []

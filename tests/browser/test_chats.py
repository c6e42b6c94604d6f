"""Chat pages in real Chromium: the live page picks up answers while they arrive, the transcript
and the analytics draw with no console error, a hostile post shows as text."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.chats.services import PlannedQuestion, chat_upsert
from campaigns.models import Chat
from hashtags.ingest import posts_upsert
from tests.browser.conftest import ARTIFACTS
from tests.support.chat_data import (
    ChatBuilder,
    campaigns_make,
    editions_store,
    masto_author,
    sky_author,
    x_author,
)

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = 'A1 <img src=x onerror=alert(1)> <script>alert(2)</script> & "quotes"'


@pytest.fixture
def stored():
    chat, _ = editions_store(public=True)
    b = ChatBuilder(chat.start, first=8000)
    b.add(x_author("Mallory"), 9, HOSTILE, 1)
    posts_upsert(posts=[i.data for i in b.items])
    return chat


@pytest.fixture
def under_way():
    """A chat that started ten minutes ago: Q1 asked at minute 2, a few answers so far."""
    _, current = campaigns_make()
    now = timezone.now()
    current.start, current.end, current.public = (
        now - timedelta(days=1),
        now + timedelta(days=2),
        True,
    )
    current.save()
    start = now - timedelta(minutes=10)
    chat, _ = chat_upsert(
        campaign=current,
        slug="live-chat",
        title="Live chat",
        hashtag="NHITchat",
        start=start,
        end=start + timedelta(hours=1),
        hosts=[("x", "HostX")],
        questions=[PlannedQuestion(2, start + timedelta(minutes=30), "What next?")],
    )
    b = ChatBuilder(start, first=9000)
    b.add(x_author("HostX", 5000), 2, "Q1: what does health IT mean to you?", 1)
    b.add(masto_author("cat"), 4, "A1 less paperwork", 1)
    b.add(sky_author("eve.bsky.social"), 6, "a1: my records in my pocket", 1)
    posts_upsert(posts=[i.data for i in b.items])
    return chat, b


def test_the_live_page_shows_answers_as_they_arrive(live_server, page, under_way, screenshot):
    chat, builder = under_way
    url = f"{live_server.url}/c/{chat.campaign.slug}/chats/{chat.slug}/live/?refresh=2"
    assert page.goto(url).status == 200
    expect(page.locator("[data-live-label]")).to_have_text("Q1")
    expect(page.locator("[data-live-question]")).to_have_text(
        "what does health IT mean to you? #NHITchat"
    )
    expect(page.locator("[data-live-state]")).to_have_text("● Live")
    expect(page.locator("[data-live-answers]")).to_have_text("2")
    expect(page.locator("[data-live-newest] .chat-post")).to_have_count(2)
    builder.add(x_author("Newcomer"), 9.5, "A1 interoperability at last", 1)
    posts_upsert(posts=[builder.items[-1].data])
    newest = page.locator("[data-live-newest] .chat-post").first
    expect(newest).to_contain_text("A1 interoperability at last", timeout=10_000)
    expect(page.locator("[data-live-answers]")).to_have_text("3")
    expect(page.locator("[data-live-questions] li")).to_have_count(2)
    screenshot(page, "chat-live")
    page.screenshot(path=str(ARTIFACTS / "chat-live-top.png"))
    assert page.console_errors == []


def test_the_transcript_draws_and_shows_hostile_text_as_text(
    live_server, page, stored, dialogs, screenshot
):
    chat = stored
    url = f"{live_server.url}/c/{chat.campaign.slug}/chats/{chat.slug}/"
    assert page.goto(url).status == 200
    expect(page.locator(".chat-section__title").first).to_contain_text("Intro")
    hostile = page.locator(".chat-post", has_text="onerror")
    expect(hostile).to_have_count(1)
    expect(hostile.locator(".chat-post__text")).to_contain_text(
        '<script>alert(2)</script> & "quotes"'
    )
    assert page.locator(".chat-post img, .chat-post script").count() == 0
    assert dialogs == []
    screenshot(page, "chat-transcript")
    page.click(".chat-sections a:has-text('Q2')")
    expect(page.locator(".chat-section__title")).to_have_count(1)
    expect(page.locator(".chat-section__title")).to_contain_text("Q2")
    assert page.console_errors == []


def test_the_analytics_draw_with_their_formulas(live_server, page, stored, screenshot):
    chat = stored
    url = f"{live_server.url}/c/{chat.campaign.slug}/chats/{chat.slug}/analytics/"
    assert page.goto(url).status == 200
    expect(page.locator("[data-number='potential_reach'] .chat-formula")).to_contain_text(
        "followers of the unique participants"
    )
    previous = page.locator(".chat-headlines thead a")  # the 2025 edition's column
    expect(previous).to_have_attribute("href", "/c/nhit-2025/chats/tuesday/analytics/")
    expect(page.locator(".chat-question")).to_have_count(6)
    screenshot(page, "chat-analytics")
    assert page.console_errors == []


def test_the_demo_chats_draw(live_server, page, screenshot):
    """The seeded demo: the chat list and a chat that has happened (this edition's when one
    has, else last year's Thursday chat), its transcript and analytics; the README's shots."""
    call_command("seed_demo", stdout=io.StringIO())
    started = Chat.objects.filter(campaign__slug="nhit-week-2026", start__lt=timezone.now())
    chat = started.order_by("-start").first() or Chat.objects.get(
        campaign__slug="nhit-week-2025", slug="thursday-chat"
    )
    base = f"{live_server.url}/c/{chat.campaign.slug}/chats/"
    assert page.goto(base).status == 200
    expect(page.locator(".chat-card")).to_have_count(
        Chat.objects.filter(campaign=chat.campaign).count()
    )
    screenshot(page, "demo-chat-list")
    assert page.goto(f"{base}{chat.slug}/analytics/").status == 200
    expect(page.locator(".chat-question")).to_have_count(6)
    assert int(page.locator("[data-number='first_time'] td.num").first.inner_text()) > 0
    screenshot(page, "demo-chat-analytics")
    page.screenshot(path=str(ARTIFACTS / "chat-analytics-top.png"))  # the README's, one screen
    assert page.goto(f"{base}{chat.slug}/").status == 200
    expect(page.locator(".chat-post").first).to_be_visible()
    screenshot(page, "demo-chat-transcript")
    page.screenshot(path=str(ARTIFACTS / "chat-transcript-top.png"))
    assert page.console_errors == []

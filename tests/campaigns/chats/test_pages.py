"""The chat pages and the live JSON: what each audience sees, read from the stored reading."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.chats import reading as chat_reading_module
from campaigns.chats.numbers import chat_numbers
from campaigns.chats.reading import chat_reading
from campaigns.chats.selectors import chat_transcript
from campaigns.models import ChatEntry, ChatReading, PostCuration
from campaigns.services import campaign_upsert
from hashtags.ingest import posts_upsert
from hashtags.models import Post
from tests.support.chat_data import (
    CHAT_START,
    ChatBuilder,
    editions_store,
    x_author,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    return editions_store(public=True)


def url(name: str, chat, *extra) -> str:
    return reverse(f"campaigns:{name}", args=[chat.campaign.slug, chat.slug, *extra])


def hide(chat, post: Post) -> None:
    PostCuration.objects.create(
        campaign=chat.campaign, post=post, status=PostCuration.Status.HIDDEN
    )
    chat.campaign.curation_version += 1
    chat.campaign.save(update_fields=["curation_version"])


def test_the_stored_reading_is_the_transcript_read_whole(stored):
    chat, _ = stored
    reading = chat_reading(chat=chat)
    transcript = chat_transcript(chat=chat)
    assert reading.numbers == json.loads(json.dumps(chat_numbers(transcript=transcript)))
    entries = list(ChatEntry.objects.filter(chat=chat).order_by("section", "created_at", "post"))
    assert len(entries) == len(transcript.posts)
    listed = [p.pk for _, posts in transcript.grouped() for p in posts]
    assert [e.post_id for e in entries] == listed
    asked = transcript.question_post_ids()
    assert {e.post_id for e in entries if e.kind == "question"} == asked


def test_a_reading_serves_until_a_post_of_the_chat_is_stored(
    stored, monkeypatch, django_capture_on_commit_callbacks
):
    chat, _ = stored
    first = chat_reading(chat=chat)
    kept = dict(ChatEntry.objects.filter(chat=chat).values_list("post_id", "pk"))
    calls = []
    real = chat_reading_module.reading_store
    monkeypatch.setattr(
        chat_reading_module, "reading_store", lambda **kw: calls.append(kw["chat"].pk) or real(**kw)
    )
    assert chat_reading(chat=chat).pk == first.pk and chat.pk not in calls
    b = ChatBuilder(CHAT_START, first=5000)
    b.add(x_author("Newcomer"), 12, "A1 joining late", 1)
    with django_capture_on_commit_callbacks(execute=True):  # the generation bump, on commit
        posts_upsert(posts=[i.data for i in b.items])
    again = chat_reading(chat=chat)
    assert calls.count(chat.pk) == 1  # (and the 2025 chat on the same hashtag, for the comparison)
    assert again.numbers["posts"] == first.numbers["posts"] + 1
    assert again.numbers["questions"][0]["answers"] == first.numbers["questions"][0]["answers"] + 1
    after = dict(ChatEntry.objects.filter(chat=chat).values_list("post_id", "pk"))
    assert len(after) == len(kept) + 1
    assert {p: after[p] for p in kept} == kept  # only the new post's entry was written


def test_editing_the_chat_or_its_campaign_reads_it_again(stored):
    chat, _ = stored
    first = chat_reading(chat=chat)
    chat.tail_minutes = 0
    chat.save()
    assert chat_reading(chat=chat).numbers["wrap_up"] == 0 < first.numbers["wrap_up"]


def test_the_transcript_lists_every_post_in_order_grouped(client, stored):
    chat, items = stored
    page = client.get(url("chat_detail", chat))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Intro", "Q1", "Q5", "Q6", "Wrap-up"):
        assert f">{label}" in html
    originals = [i for i in items if i.label not in (None, "repost")]
    assert html.count('class="chat-post ') == len(originals)
    assert html.index("Welcome! Introduce yourselves") < html.index("A1 interoperability")
    assert "Too late for the tail" not in html and "Getting ready" not in html


def test_one_section_and_paging(client, stored, monkeypatch):
    chat, items = stored
    monkeypatch.setattr(chat_reading_module, "PER_PAGE", 3)
    q1 = [i for i in items if i.label == 1]
    first = client.get(url("chat_detail", chat), {"section": "1"}).content.decode()
    assert first.count('class="chat-post ') == 3
    assert "Page 1 of" in first and "section=1&amp;page=2" in first
    pages = -(-len(q1) // 3)
    last = client.get(url("chat_detail", chat), {"section": "1", "page": pages}).content.decode()
    assert last.count('class="chat-post ') == len(q1) - 3 * (pages - 1)
    assert "Thanks Bob" in last or "agreed" in last


def test_hidden_posts_are_left_out_for_visitors_and_marked_for_the_team(client, stored, curator):
    chat, _ = stored
    post = Post.objects.get(text__startswith="A2 at the fax machine")
    hide(chat, post)
    assert "A2 at the fax machine" not in client.get(url("chat_detail", chat)).content.decode()
    client.force_login(curator)
    html = client.get(url("chat_detail", chat)).content.decode()
    assert "A2 at the fax machine" in html and "Hidden from visitors" in html
    analytics = client.get(url("chat_analytics", chat)).content.decode()
    assert "A2 at the fax machine" not in analytics  # never a top answer once hidden


def test_hostile_text_shows_as_text(client, stored, django_capture_on_commit_callbacks):
    chat, _ = stored
    b = ChatBuilder(CHAT_START, first=6000)
    b.add(x_author("Mallory"), 9, 'A1 <script>alert(1)</script><img src=x onerror="x()">', 1)
    with django_capture_on_commit_callbacks(execute=True):
        posts_upsert(posts=[i.data for i in b.items])
    html = client.get(url("chat_detail", chat), {"section": "1"}).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_analytics_show_the_numbers_their_formulas_and_the_previous_edition(client, stored):
    chat, _ = stored
    numbers = chat_numbers(transcript=chat_transcript(chat=chat))
    html = client.get(url("chat_analytics", chat)).content.decode()
    assert f'<td class="num">{numbers["posts"]}</td>' in html
    assert f'<td class="num">{numbers["participants"]}</td>' in html
    assert "the sum of the followers of the unique participants" in html
    assert "the sum over every post and repost of its author" in html
    assert "NHIT chat 2025" not in html  # the previous edition shows by its campaign's name
    previous_link = reverse("campaigns:chat_analytics", args=["nhit-2025", "tuesday"])
    assert previous_link in html
    for q in numbers["questions"]:
        assert f'data-question="{q["number"]}"' in html
    top = numbers["top_participants"]["by_posts"][0]
    assert top["handle"] in html


def test_live_json_follows_the_question_under_way(client, stored, monkeypatch):
    chat, _ = stored
    api = reverse("api:chat_live", args=[chat.campaign.slug, chat.slug])
    at = CHAT_START + timedelta(minutes=9)
    monkeypatch.setattr("django.utils.timezone.now", lambda: at)
    body = client.get(api).json()
    assert body["status"] == "live"
    assert body["current"] == {
        "section": 1,
        "number": 1,
        "text": "What does health IT mean to you?",  # the plan's words
        "asked_at": body["current"]["asked_at"],
    }
    texts = [a["text"] for a in body["answers"]]
    assert "Still thinking about that first one #NHITchat" in texts  # newest first
    assert texts.index("Thanks Bob #NHITchat") < texts.index(
        "A1 interoperability, finally #NHITchat"
    )
    assert body["posts_per_minute"] == round(
        sum(
            1
            for e in ChatEntry.objects.filter(chat=chat)
            if at - timedelta(minutes=5) <= e.created_at < at
        )
        / 5,
        2,
    )
    later = CHAT_START + timedelta(minutes=70)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    body = client.get(api).json()
    assert body["status"] == "wrap_up" and body["current"]["section"] == "wrap_up"


def test_private_chats_are_the_teams(client, stored, outsider, curator):
    chat, _ = stored
    campaign = chat.campaign
    campaign.public = False
    campaign.save(update_fields=["public"])
    api = reverse("api:chat_live", args=[campaign.slug, chat.slug])
    assert client.get(url("chat_detail", chat)).status_code == 302
    assert client.get(api).status_code == 401
    client.force_login(outsider)
    assert client.get(url("chat_analytics", chat)).status_code == 403
    assert client.get(api).status_code == 403
    client.force_login(curator)
    assert client.get(url("chat_live", chat)).status_code == 200
    assert client.get(api).status_code == 200


def test_unknown_chats_and_exports_are_404(client, stored):
    chat, _ = stored
    assert (
        client.get(reverse("campaigns:chat_detail", args=[chat.campaign.slug, "nope"])).status_code
        == 404
    )
    assert client.get(url("chat_export", chat, "pdf")).status_code == 404


def test_downloads(client, stored):
    chat, _ = stored
    csv_body = client.get(url("chat_export", chat, "csv"))
    assert csv_body["Content-Disposition"].endswith('-tuesday-transcript.csv"')
    assert csv_body.content.decode().startswith("section,question,created_at")
    recap = client.get(url("chat_export", chat, "md")).content.decode()
    assert recap.startswith("# NHIT chat: data for all")
    numbers = json.loads(client.get(url("chat_export", chat, "json")).content)
    assert numbers["posts"] == chat_reading(chat=chat).numbers["posts"]


def test_a_page_costs_a_few_queries_whatever_the_chat(client, stored):
    chat, _ = stored
    client.get(url("chat_detail", chat))  # reads and stores it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("chat_detail", chat)).status_code == 200
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]
    assert ChatReading.objects.count() >= 1


def test_the_campaign_page_links_its_chats(client, stored):
    chat, _ = stored
    html = client.get(reverse("campaigns:detail", args=[chat.campaign.slug])).content.decode()
    assert reverse("campaigns:chat_list", args=[chat.campaign.slug]) in html
    listing = client.get(reverse("campaigns:chat_list", args=[chat.campaign.slug])).content.decode()
    assert chat.title in listing and url("chat_live", chat) in listing


def test_a_campaign_zone_change_reads_the_chat_again(stored):
    chat, _ = stored
    first = chat_reading(chat=chat)
    campaign = chat.campaign
    campaign_upsert(
        slug=campaign.slug,
        name=campaign.name,
        start=campaign.start,
        end=campaign.end,
        hashtags=["NHITweek"],
        timezone="Europe/London",
        public=True,
    )
    chat.campaign.refresh_from_db()
    assert chat_reading(chat=chat).computed_at > first.computed_at

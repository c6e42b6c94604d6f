"""The chat admin: an organizer adds a chat with its hosts and questions inline, typed in the
campaign's zone and stored with the hosts' handles normalized; a bad end stores nothing; a
curator may not add chats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.models import Chat, ChatHost, ChatQuestion
from hashtags.models import Hashtag
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/campaigns/chat/add/"
START = datetime(2026, 10, 6, 18, 0, tzinfo=UTC)  # 14:00 in New York


@pytest.fixture
def chat_campaign():
    return CampaignFactory(
        slug="nhit",
        timezone="America/New_York",
        start=START - timedelta(days=1),
        end=START + timedelta(days=4),
    )


def _management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _add_data(campaign, *, end_time: str = "15:00:00") -> dict:
    hashtag = Hashtag.objects.create(name="nhitchat", display="NHITchat")
    return {
        "campaign": str(campaign.pk),
        "title": "Tuesday chat",
        "slug": "tuesday",
        "hashtag": str(hashtag.pk),
        "start_0": "2026-10-06",
        "start_1": "14:00:00",
        "end_0": "2026-10-06",
        "end_1": end_time,
        "tail_minutes": "30",
        **_management("hosts", 2),
        "hosts-0-platform": "x",
        "hosts-0-handle": "@HostX",
        "hosts-1-platform": "mastodon",
        "hosts-1-handle": "Host@Mastodon.Social",
        **_management("questions", 1),
        "questions-0-number": "1",
        "questions-0-planned_at_0": "2026-10-06",
        "questions-0-planned_at_1": "14:05:00",
        "questions-0-text": "What does health IT mean to you?",
    }


def test_an_organizer_adds_a_chat_with_hosts_and_a_question_stored_normalized(
    client, organizer, chat_campaign
):
    client.force_login(organizer)
    response = client.post(ADD, _add_data(chat_campaign))
    assert response.status_code == 302, response.context["adminform"].form.errors
    chat = Chat.objects.get()
    assert (chat.campaign, chat.slug, chat.hashtag.name) == (chat_campaign, "tuesday", "nhitchat")
    assert (chat.start, chat.end) == (START, START + timedelta(hours=1))  # New York wall-clock
    hosts = set(ChatHost.objects.filter(chat=chat).values_list("platform", "handle"))
    assert hosts == {("x", "hostx"), ("mastodon", "host@mastodon.social")}
    question = ChatQuestion.objects.get(chat=chat)
    assert (question.number, question.planned_at) == (1, START + timedelta(minutes=5))
    assert client.get("/admin/campaigns/chat/").status_code == 200
    assert client.get(f"/admin/campaigns/chat/{chat.pk}/change/").status_code == 200


def test_an_end_before_the_start_shows_the_form_error_and_stores_nothing(
    client, organizer, chat_campaign
):
    client.force_login(organizer)
    response = client.post(ADD, _add_data(chat_campaign, end_time="13:00:00"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end"] == ["The end must be after the start."]
    assert not Chat.objects.exists()
    assert not ChatHost.objects.exists()
    assert not ChatQuestion.objects.exists()


def test_a_host_listed_twice_once_normalized_is_refused(client, organizer, chat_campaign):
    client.force_login(organizer)
    data = _add_data(chat_campaign) | {"hosts-1-platform": "x", "hosts-1-handle": "hostx"}
    response = client.post(ADD, data)
    assert response.status_code == 200
    hosts = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "hosts"
    )
    assert hosts.formset.errors[1] == {"handle": ["This host is listed twice."]}
    assert not Chat.objects.exists()


def test_a_curator_cannot_add_chats(client, curator, chat_campaign):
    client.force_login(curator)
    assert not curator.has_perm("campaigns.add_chat")
    response = client.post(ADD, _add_data(chat_campaign))
    assert response.status_code in (302, 403)
    assert not Chat.objects.exists()

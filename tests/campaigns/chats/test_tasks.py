"""Beat's refresh_chats reads again the chats being collected, and only when they changed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.chats.tasks import refresh_chats
from campaigns.models import ChatReading
from hashtags.ingest import posts_upsert
from tests.support.chat_data import (
    CHAT_START,
    ChatBuilder,
    campaigns_make,
    current_chat_store,
    x_author,
)

pytestmark = pytest.mark.django_db


def test_a_chat_under_way_is_read_once_per_change(monkeypatch, django_capture_on_commit_callbacks):
    _, current = campaigns_make()
    chat, _ = current_chat_store(current)
    monkeypatch.setattr("django.utils.timezone.now", lambda: CHAT_START + timedelta(minutes=20))
    assert refresh_chats() == 1
    posts = ChatReading.objects.get(chat=chat).numbers["posts"]
    assert refresh_chats() == 0  # nothing changed
    b = ChatBuilder(CHAT_START, first=7000)
    b.add(x_author("Late"), 19, "A2 the fax again", 2)
    with django_capture_on_commit_callbacks(execute=True):
        posts_upsert(posts=[i.data for i in b.items])
    assert refresh_chats() == 1
    assert ChatReading.objects.get(chat=chat).numbers["posts"] == posts + 1


def test_chats_outside_their_window_are_left_alone(monkeypatch):
    _, current = campaigns_make()
    current_chat_store(current)
    monkeypatch.setattr("django.utils.timezone.now", lambda: CHAT_START + timedelta(days=2))
    assert refresh_chats() == 0
    assert not ChatReading.objects.exists()

"""Beat's task for chats: read again the chats being collected whose posts changed, so a host's
live page finds its reading ready."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from campaigns.chats.reading import chat_reading
from campaigns.models import Chat

logger = logging.getLogger(__name__)


@shared_task(name="campaigns.refresh_chats", ignore_result=True)
def refresh_chats() -> int:
    """Bring the reading of every chat in its collection window up to date; returns how many
    were read again."""
    read = 0
    for chat in Chat.objects.polled_at(timezone.now()).select_related("campaign", "hashtag"):
        before = getattr(getattr(chat, "reading", None), "signature", None)
        reading = chat_reading(chat=chat)
        if reading.signature != before:
            read += 1
            logger.info(
                "chats: read %s/%s in %.2fs", chat.campaign.slug, chat.slug, reading.seconds
            )
    return read

"""The demo editions' chats: the Tuesday and Thursday chats the demo source generates, scheduled
with their host and questions, so every chat has numbers at first load.

Design:
- What the source generates is read from it, never restated: the chat days and zone from its
  client (DemoClient.chat_weekdays, .tz), the hour, the host, the host's minutes and texts from
  its script (demo_content: CHAT_HOUR, HOST, HOST_MINUTES, HOST_POSTS). A chat is that whole
  local hour, on each chat day inside the edition; question n is planned at the host's minute
  n, its text the host's post without its "Qn:" marker.
- The chat's hashtag is #NHITweek. The source's chat posts carry no tag of their own: each
  carries one to three of the campaign's, #NHITweek the likeliest. A tag of its own would not
  help either: a chat's tag is polled during the chat, and the demo makes other posts for
  another set of tags.
- The same slugs in every edition (tuesday-chat, thursday-chat), so a chat can be compared
  with the previous edition's.
- Through the one chat write (campaigns.chats.services.chat_upsert); a chat the edition
  already has (by slug) is left as it is, so seeding twice changes nothing and an organizer's
  edits stay.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from campaigns.chats.services import PlannedQuestion, chat_upsert
from campaigns.models import Campaign, Chat
from hashtags.sources.demo import DemoClient
from hashtags.sources.demo_content import CHAT_HOUR, HOST, HOST_MINUTES, HOST_POSTS

CHAT_HASHTAG = "NHITweek"
CHAT_LENGTH = timedelta(hours=1)  # the source chats for the whole of CHAT_HOUR
TOPIC = "where health IT makes a difference"
# In English whatever the locale (calendar.day_name follows it): the slugs must never change.
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def chat_starts(*, campaign: Campaign) -> list[datetime]:
    """When the source's chats start on the days inside the campaign, oldest first."""
    client = DemoClient()
    zone = ZoneInfo(client.tz)
    first, last = (moment.astimezone(zone).date() for moment in (campaign.start, campaign.end))
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    starts = (
        datetime.combine(day, time(CHAT_HOUR), tzinfo=zone)
        for day in days
        if day.weekday() in client.chat_weekdays
    )
    return [s for s in starts if campaign.start <= s and s + CHAT_LENGTH <= campaign.end]


def planned_questions(*, start: datetime) -> list[PlannedQuestion]:
    """The host's questions (its posts between the welcome and the thanks), at its minutes."""
    tag = f"#{CHAT_HASHTAG}"
    return [
        PlannedQuestion(
            number=n,
            planned_at=start + timedelta(minutes=HOST_MINUTES[n]),
            text=HOST_POSTS[n].format(tag=tag).partition(": ")[2],
        )
        for n in range(1, len(HOST_MINUTES) - 1)
    ]


def chats_seed(*, campaign: Campaign) -> list[Chat]:
    """The edition's demo chats it does not have yet, created; [] when it has them all."""
    created: list[Chat] = []
    with transaction.atomic():
        for start in chat_starts(campaign=campaign):
            day = DAYS[start.weekday()]
            slug = f"{day.lower()}-chat"
            if Chat.objects.filter(campaign=campaign, slug=slug).exists():
                continue
            chat, _ = chat_upsert(
                campaign=campaign,
                slug=slug,
                title=f"{day} chat: {TOPIC}",
                hashtag=CHAT_HASHTAG,
                start=start,
                end=start + CHAT_LENGTH,
                hosts=[(DemoClient.platform, HOST[0])],
                questions=planned_questions(start=start),
            )
            created.append(chat)
    return created

"""Chats: an hour of numbered questions on a hashtag, with its hosts and planned questions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now as tz_now

from campaigns.models.campaign import Campaign, dates_bounds_error
from hashtags.handles import ACCOUNT_PLATFORMS, handle_normalize
from hashtags.models import Hashtag, Platform

HOST_PLATFORMS = (*ACCOUNT_PLATFORMS, Platform.DEMO)


def host_handle_normalize(platform: str, handle: str) -> str:
    """A host's handle as its platform compares handles (hashtags.handles, the one rule; the
    demo's hosts too); raises ValidationError when it is none."""
    return handle_normalize(platform, handle, platforms=HOST_PLATFORMS)


class ChatQuerySet(models.QuerySet):
    def polled_at(self, now: datetime) -> ChatQuerySet:
        """Chats whose collection window (the lead-in before the start to the tail after the
        end) holds `now`: their own hashtag is polled then."""
        lead = timedelta(minutes=settings.POLL_LEAD_IN_MINUTES)
        # The longest tail a chat may have bounds the query; the exact tail is checked per row.
        rows = self.filter(start__lte=now + lead, end__gte=now - timedelta(minutes=TAIL_MAX))
        return rows.filter(
            pk__in=[c.pk for c in rows.only("pk", "end", "tail_minutes") if c.span()[1] >= now]
        )


TAIL_MAX = 24 * 60


class Chat(models.Model):
    """A campaign chat: its hashtag from start to end plus a tail (late answers, wrap-up)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="chats")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    hashtag = models.ForeignKey(Hashtag, on_delete=models.PROTECT, related_name="chats")
    start = models.DateTimeField(help_text="When the chat opens (stored in UTC).")
    end = models.DateTimeField(help_text="When the last question closes; after the start.")
    tail_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(TAIL_MAX)],
        help_text="Posts this long after the end still count (the wrap-up).",
    )
    created_at = models.DateTimeField(default=tz_now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChatQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="chat_slug_per_campaign"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="chat_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {
            name: message
            for name in ("start", "end")
            if getattr(self, name) and (message := dates_bounds_error(getattr(self, name)))
        }
        if errors:
            raise ValidationError(errors)
        self.start = self.start and self.start.astimezone(UTC)
        self.end = self.end and self.end.astimezone(UTC)
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})

    def span(self) -> tuple[datetime, datetime]:
        """[start, end + tail): the instants whose posts are the chat's."""
        return self.start, self.end + timedelta(minutes=self.tail_minutes)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.campaign.tz)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.campaign.tz)


class ChatHost(models.Model):
    """A host account; its posts that carry a question marker are the chat's questions."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="hosts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=255, help_text="Compared the way its platform does.")

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "platform", "handle"], name="chat_host_once"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"

    def clean(self) -> None:
        try:
            self.handle = host_handle_normalize(self.platform, self.handle)
        except ValidationError as exc:
            raise ValidationError({"handle": exc.messages}) from None


class ChatQuestion(models.Model):
    """A planned question: kept at its planned time when no host post asks it."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    planned_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "number"], name="chat_question_once"),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}"


class ChatReading(models.Model):
    """A chat read and counted once (campaigns.chats.reading), kept while what it was read
    from is unchanged: `signature` names the hashtags' generations, the chat's and the
    campaign's versions it was computed at."""

    chat = models.OneToOneField(Chat, on_delete=models.CASCADE, related_name="reading")
    signature = models.CharField(max_length=500)
    computed_at = models.DateTimeField(default=tz_now)
    seconds = models.FloatField(default=0, help_text="How long the last read took.")
    # The numbers as export_chat writes them; kept as text because a jsonb column would not
    # keep their keys in order.
    numbers_json = models.TextField(default="{}")
    questions = models.JSONField(default=list)  # [{number, text, asked_at, post_id}], in order
    # The same chat of the series' previous edition, as read then: {campaign, campaign_name,
    # chat, title, numbers: {headline numbers}}; {} when there is none.
    previous = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.chat} read at {self.computed_at:%H:%M:%S}"

    @cached_property
    def numbers(self) -> dict[str, Any]:
        return json.loads(self.numbers_json)


class ChatEntry(models.Model):
    """One original post of a chat in its section: what transcript pages and the live view
    read, in order, a page at a time."""

    INTRO = 0
    WRAP_UP = 32767  # after every question number

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        POST = "post", "Post"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="entries")
    post = models.ForeignKey(
        "hashtags.Post", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    section = models.PositiveSmallIntegerField()  # INTRO, a question number or WRAP_UP
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chat", "post"], name="chat_entry_once"),
        ]
        indexes = [
            models.Index(fields=["chat", "section", "created_at", "post"], name="chat_entry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.chat} {self.section} {self.post_id}"

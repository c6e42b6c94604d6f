"""Chat writes: create or update a chat with its hosts and planned questions, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.models import Campaign, Chat, ChatHost, ChatQuestion, host_handle_normalize
from hashtags.services import hashtag_get_or_create


@dataclass(frozen=True)
class PlannedQuestion:
    number: int
    planned_at: datetime | None
    text: str


def chat_upsert(
    *,
    campaign: Campaign,
    slug: str,
    title: str,
    hashtag: str,
    start: datetime,
    end: datetime,
    hosts: Sequence[tuple[str, str]],
    questions: Sequence[PlannedQuestion] | None = None,
    tail_minutes: int | None = None,
    new: bool = False,
) -> tuple[Chat, bool]:
    """The chat `slug` of the campaign made exactly this (hosts replaced; questions replaced when
    given); raises ValidationError and changes nothing on bad input. Returns (chat, created).
    `new`: only create (a slug the campaign already uses is an error, never an update)."""
    normalized = _hosts_checked(hosts)
    numbers = [q.number for q in questions or ()]
    if len(set(numbers)) != len(numbers):
        raise ValidationError({"questions": "Each question number may appear only once."})
    if any(n < 1 for n in numbers):
        raise ValidationError({"questions": "Question numbers start at 1."})
    with transaction.atomic():
        tag = hashtag_get_or_create(tag=hashtag)
        chat = Chat.objects.select_for_update().filter(campaign=campaign, slug=slug).first()
        if new and chat is not None:
            raise ValidationError({"slug": "Another chat of this campaign already has this slug."})
        created = chat is None
        chat = chat or Chat(campaign=campaign, slug=slug)
        chat.title, chat.hashtag, chat.start, chat.end = title, tag, start, end
        if tail_minutes is not None:
            chat.tail_minutes = tail_minutes
        chat.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():  # another request may have made this slug meanwhile
                chat.save()
        except IntegrityError:
            raise ValidationError(
                {"slug": "Another chat of this campaign got this slug at the same moment."}
            ) from None
        ChatHost.objects.filter(chat=chat).delete()
        ChatHost.objects.bulk_create(
            [ChatHost(chat=chat, platform=p, handle=h) for p, h in normalized]
        )
        if questions is not None:
            ChatQuestion.objects.filter(chat=chat).delete()
            rows = [
                ChatQuestion(chat=chat, number=q.number, planned_at=q.planned_at, text=q.text)
                for q in questions
            ]
            for row in rows:
                row.full_clean(exclude=["chat"], validate_unique=False)
            ChatQuestion.objects.bulk_create(rows)
    return chat, created


def _hosts_checked(hosts: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if not hosts:
        raise ValidationError({"hosts": "A chat needs at least one host."})
    out: list[tuple[str, str]] = []
    for platform, handle in hosts:
        kind = platform.strip().lower()
        try:
            pair = (kind, host_handle_normalize(kind, handle))
        except ValidationError as exc:
            raise ValidationError({"hosts": exc.messages}) from None
        if pair not in out:
            out.append(pair)
    return out

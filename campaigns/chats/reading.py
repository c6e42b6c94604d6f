"""A chat's stored reading: read whole once per change, then served a page at a time.

Reading a chat (selectors.chat_transcript: every post, the reply walk, the assignment, then
numbers.chat_numbers) costs time in proportion to its posts; pages and the live view must answer
in a few milliseconds whatever the chat's size. So a reading is kept: ChatReading holds the
numbers and the questions, and one ChatEntry row per original post holds its section and kind,
in transcript order (index chat_entry_order). A reading serves while its signature holds:

- the generations of the chat's hashtag and of the hashtags of the earlier chats that decide
  first-time participants (ingestion bumps them on commit, hashtags.generation);
- the chat's and the campaign's updated_at (hosts, questions, times, zone), the campaign's
  curation_version (a hidden post leaves the top answers), how many earlier chats there are and
  when the last of them was edited, and READING_VERSION (the rules).

A reading also keeps the headline numbers of the same chat in the series' previous edition
(numbers.chat_previous, read through that chat's own reading), so a comparison costs no query.

The first request after a change reads again, holding the chat row's lock so that concurrent
requests read it once; beat's campaigns.refresh_chats does it every minute for the chats being
collected, so a live page rarely waits. While the cache is down nothing can be known to be
unchanged: the stored reading serves as it is (its computed_at is shown).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from campaigns.chats.numbers import HEADLINE_KEYS, chat_numbers, chat_previous, chats_earlier
from campaigns.chats.selectors import INTRO, WRAP_UP, Section, Transcript, chat_transcript
from campaigns.models import Chat, ChatEntry, ChatReading, PostCuration
from hashtags.generation import generation_signature
from hashtags.models import Post

READING_VERSION = 1
PER_PAGE = 50
ANALYZE_AFTER = 5000  # new entries in one reading
UNKNOWN = "unknown"  # the signature of a reading made while the cache was down
Kind = ChatEntry.Kind


def entry_section(section: Section) -> int:
    if section == INTRO:
        return ChatEntry.INTRO
    if section == WRAP_UP:
        return ChatEntry.WRAP_UP
    assert isinstance(section, int)
    return section


def section_of(value: int) -> Section:
    return {ChatEntry.INTRO: INTRO, ChatEntry.WRAP_UP: WRAP_UP}.get(value, value)


def reading_signature(*, chat: Chat) -> str | None:
    """What the chat's reading depends on, as one string; None while the cache is down."""
    earlier = chats_earlier(chat=chat)
    hashtags = [chat.hashtag_id, *(c.hashtag_id for c in earlier)]
    generations = generation_signature(hashtag_ids=hashtags)
    if generations is None:
        return None
    campaign = chat.campaign
    # An earlier chat added, moved or edited changes who is first-time and the comparison.
    edited = max((c.updated_at.timestamp() for c in earlier), default=0)
    return (
        f"v{READING_VERSION}|{generations}|{chat.updated_at.timestamp()}|"
        f"{campaign.updated_at.timestamp()}|{campaign.curation_version}|{len(earlier)}:{edited}"
    )


def chat_reading(*, chat: Chat) -> ChatReading:
    """The chat's reading, read again first if anything it depends on changed."""
    signature = reading_signature(chat=chat)
    stored = ChatReading.objects.filter(chat_id=chat.pk).first()
    if stored is not None and (signature is None or stored.signature == signature):
        return stored
    with transaction.atomic():
        Chat.objects.select_for_update().filter(pk=chat.pk).first()  # one reader at a time
        stored = ChatReading.objects.filter(chat_id=chat.pk).first()
        if stored is not None and signature is not None and stored.signature == signature:
            return stored  # read by the request we waited for
        return reading_store(chat=chat, signature=signature or UNKNOWN)


def reading_store(*, chat: Chat, signature: str) -> ChatReading:
    """Read the chat whole and store it: its numbers, its questions, an entry per post."""
    began = time.perf_counter()
    transcript = chat_transcript(chat=chat)
    numbers = chat_numbers(transcript=transcript)
    entries = _entries(transcript)
    previous = _previous(chat)
    with transaction.atomic():
        _entries_replace(chat, entries)
        reading, _ = ChatReading.objects.update_or_create(
            chat_id=chat.pk,
            defaults={
                "signature": signature,
                "computed_at": timezone.now(),
                "seconds": round(time.perf_counter() - began, 3),
                "numbers_json": json.dumps(numbers, ensure_ascii=False),
                "previous": previous,
                "questions": [
                    {
                        "number": q.number,
                        "text": q.text,
                        "asked_at": q.asked_at.isoformat() if q.asked_at else None,
                        "post_id": q.post.pk if q.post is not None else None,
                    }
                    for q in transcript.questions
                ],
            },
        )
    return reading


def _previous(chat: Chat) -> dict[str, Any]:
    """The same chat of the previous edition, its headline numbers from its own reading."""
    before = chat_previous(chat=chat)
    if before is None:
        return {}
    numbers = chat_reading(chat=before).numbers
    return {
        "campaign": before.campaign.slug,
        "campaign_name": before.campaign.name,
        "chat": before.slug,
        "title": before.title,
        "numbers": {key: numbers.get(key) for key in HEADLINE_KEYS},
    }


def _entries_replace(chat: Chat, entries: list[ChatEntry]) -> None:
    """Make the chat's entries exactly these, writing only what changed: a chat read again
    during its hour mostly gained a few posts."""
    stored = {
        post_id: (pk, section, kind)
        for pk, post_id, section, kind in ChatEntry.objects.filter(chat_id=chat.pk).values_list(
            "pk", "post_id", "section", "kind"
        )
    }
    wanted = {e.post_id for e in entries}
    gone = [pk for post_id, (pk, _, _) in stored.items() if post_id not in wanted]
    ChatEntry.objects.filter(pk__in=gone).delete()
    new, changed = [], []
    for entry in entries:
        found = stored.get(entry.post_id)
        if found is None:
            new.append(entry)
        elif found[1:] != (entry.section, entry.kind):
            entry.pk = found[0]
            changed.append(entry)
    ChatEntry.objects.bulk_create(new, batch_size=2000)
    ChatEntry.objects.bulk_update(changed, ["section", "kind"], batch_size=2000)
    if len(new) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # so the planner walks a big chat in index order
            cursor.execute(f"ANALYZE {ChatEntry._meta.db_table}")


def _entries(transcript: Transcript) -> list[ChatEntry]:
    asked = transcript.question_post_ids()
    out = []
    for post in transcript.posts:
        section = transcript.sections[post.pk]
        if post.pk in asked:
            kind = Kind.QUESTION
        elif section in (INTRO, WRAP_UP):
            kind = Kind.POST
        else:
            kind = Kind.ANSWER
        out.append(
            ChatEntry(
                chat_id=transcript.chat.pk,
                post_id=post.pk,
                section=entry_section(section),
                kind=kind,
                created_at=post.created_at,
            )
        )
    return out


# --- Reads of a stored reading ---------------------------------------------------------------


def hidden_post_ids(*, chat: Chat) -> list[int]:
    """The chat's posts a curator or a rule hid in its campaign (a short list)."""
    hidden = PostCuration.objects.filter(
        campaign_id=chat.campaign_id, status=PostCuration.Status.HIDDEN
    ).values("post_id")
    return list(
        ChatEntry.objects.filter(chat_id=chat.pk, post_id__in=hidden).values_list(
            "post_id", flat=True
        )
    )


def entries_shown(
    *, chat: Chat, public: bool, hidden: list[int] | None = None
) -> QuerySet[ChatEntry]:
    """The chat's entries in transcript order; for visitors the hidden posts are left out.
    Hidden posts are few: leaving out a list keeps the walk in the index's order."""
    rows = ChatEntry.objects.filter(chat_id=chat.pk)
    if public:
        rows = rows.exclude(
            post_id__in=hidden if hidden is not None else hidden_post_ids(chat=chat)
        )
    return rows.order_by("section", "created_at", "post_id")


class _Counted(Paginator):
    """A paginator told its count (the reading knows it) instead of counting the rows."""

    def __init__(self, rows: Any, per_page: int, count: int) -> None:
        super().__init__(rows, per_page)
        self.__dict__["count"] = count


def transcript_page(
    *,
    chat: Chat,
    reading: ChatReading,
    public: bool,
    number: str | int | None,
    section: int | None = None,
) -> Page:
    """One page of the transcript (PER_PAGE entries, each with its post and author), of one
    section when `section` is given; out-of-range page numbers give the nearest page.

    The page is chosen from the entries alone (index chat_entry_order), then its posts are read
    by id: joining first would make the database join every post of the chat to sort them. The
    count comes from the reading, less the hidden posts for visitors."""
    hidden = hidden_post_ids(chat=chat) if public else []
    rows = entries_shown(chat=chat, public=public, hidden=hidden)
    count = section_counts(reading.numbers).get(section, 0)
    if hidden:
        gone = ChatEntry.objects.filter(chat_id=chat.pk, post_id__in=hidden)
        count -= (gone.filter(section=section) if section is not None else gone).count()
    if section is not None:
        rows = rows.filter(section=section)
    page = _Counted(rows, PER_PAGE, count).get_page(number)
    page.object_list = entries_with_posts(list(page.object_list))
    return page


def section_counts(numbers: dict[str, Any]) -> dict[int | None, int]:
    """Original posts per entry section (None: all of them), from a reading's numbers."""
    counts: dict[int | None, int] = {
        None: numbers.get("posts", 0),
        ChatEntry.INTRO: numbers.get("intro", 0),
        ChatEntry.WRAP_UP: numbers.get("wrap_up", 0),
    }
    for q in numbers.get("questions", []):
        counts[q["number"]] = q["answers"] + (1 if q.get("asked_by_host") else 0)
    return counts


def entries_with_posts(entries: list[ChatEntry]) -> list[ChatEntry]:
    """The entries with their posts and authors, read in one query by id."""
    posts = Post.objects.select_related("author").in_bulk([e.post_id for e in entries])
    for entry in entries:
        entry.post = posts[entry.post_id]
    return [e for e in entries if e.post_id in posts]


@dataclass(frozen=True)
class LiveQuestion:
    number: int
    text: str
    asked_at: datetime | None


def current_section(*, reading: ChatReading, chat: Chat, now: datetime) -> tuple[int, Any]:
    """(entry section, question or None) of what is under way at `now`: before the chat and
    before its first question the intro, from the end the wrap-up."""
    if now >= chat.end:
        return ChatEntry.WRAP_UP, None
    current = None
    for q in reading.questions:
        asked = datetime.fromisoformat(q["asked_at"]) if q["asked_at"] else None
        if asked is not None and asked <= now:
            current = LiveQuestion(q["number"], q["text"], asked)
    if current is None:
        return ChatEntry.INTRO, None
    return current.number, current


def recent_rate(*, chat: Chat, now: datetime, minutes: int = 5) -> float:
    """Original posts per minute over the last `minutes` (of the chat's span)."""
    since = now - timedelta(minutes=minutes)
    count = ChatEntry.objects.filter(chat_id=chat.pk, created_at__gte=since, created_at__lt=now)
    return round(count.count() / minutes, 2)

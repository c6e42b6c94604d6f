"""Chat pages: the campaign's chats, a chat's transcript, its analytics, the hosts' live page,
the downloads, and the live page's JSON.

Who may look: the campaign's rule (campaigns.access; public campaigns are everyone's). The team
(any role) also sees the hidden posts in the transcript, marked; visitors never do. Every page
reads the chat's stored reading (reading.py), read again first when a post, the chat or the
curation changed, so a page costs a few small queries whatever the chat's size.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from campaigns.access import json_denied, user_can_view_private, visible_campaign
from campaigns.cache import cached_by_signature
from campaigns.chats.exports import recap_markdown, transcript_csv
from campaigns.chats.numbers import FORMULAS
from campaigns.chats.reading import (
    chat_reading,
    current_section,
    entries_shown,
    entries_with_posts,
    recent_rate,
    section_counts,
    section_of,
    transcript_page,
)
from campaigns.chats.selectors import author_is_host
from campaigns.models import Campaign, Chat, ChatEntry, ChatReading, PostCuration, web_link
from campaigns.posts import post_json
from hashtags.models import Platform

LIVE_REFRESH_DEFAULT, LIVE_REFRESH_MIN, LIVE_REFRESH_MAX = 5, 2, 60
LIVE_ANSWERS = 20
RATE_MINUTES = 5
# The headline numbers compared with the previous edition's chat, in the page's order, each
# with how it is counted (the page labels every number with its formula).
HEADLINES = [
    (
        "posts",
        "Posts",
        "original posts carrying the chat's hashtag from its start to the end of "
        "its tail, question posts included",
    ),
    ("reposts", "Reposts", "plain reposts carrying the hashtag in the same span"),
    ("participants", "Participants", "unique accounts that posted or reposted, hosts included"),
    (
        "first_time",
        "First-time participants",
        "participants with no post in an earlier chat of this series or on this hashtag",
    ),
    ("returning", "Returning participants", "participants seen in an earlier chat"),
    ("posts_per_minute", "Posts per minute", FORMULAS["posts_per_minute"]),
    ("hosts_share", "Hosts' share of posts", FORMULAS["hosts_share"]),
    ("potential_impressions", "Potential impressions", FORMULAS["potential_impressions"]),
    ("potential_reach", "Potential reach", FORMULAS["potential_reach"]),
]


def chat_status(chat: Chat, now: datetime) -> str:
    """upcoming, live (start to end), wrap_up (the tail) or ended."""
    if now < chat.start:
        return "upcoming"
    if now < chat.end:
        return "live"
    return "wrap_up" if now < chat.span()[1] else "ended"


STATUS_LABELS = {
    "upcoming": "Upcoming",
    "live": "Live",
    "wrap_up": "Wrap-up",
    "ended": "Ended",
}


def _chat(campaign: Campaign, chat_slug: str, *, hosts: bool = True) -> Chat:
    rows = Chat.objects.select_related("hashtag")
    chat = get_object_or_404(
        rows.prefetch_related("hosts") if hosts else rows, campaign=campaign, slug=chat_slug
    )
    chat.campaign = campaign  # already read, with what the page needs of it
    return chat


def _page_chat(
    request: HttpRequest, slug: str, chat_slug: str
) -> tuple[Campaign, Chat] | HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    return campaign, _chat(campaign, chat_slug)


def _context(request: HttpRequest, campaign: Campaign, chat: Chat, **extra: Any) -> dict:
    now = timezone.now()
    status = chat_status(chat, now)
    return {
        "campaign": campaign,
        "chat": chat,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "team": user_can_view_private(request.user),
        "can_edit": request.user.has_perm("campaigns.change_chat"),
        **extra,
    }


def chat_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_campaign(request, slug)
    if isinstance(campaign, HttpResponse):
        return campaign
    now = timezone.now()
    chats = list(
        Chat.objects.filter(campaign=campaign)
        .select_related("hashtag")
        .prefetch_related("hosts", "questions")
    )
    rows = [
        {"chat": c, "status": (s := chat_status(c, now)), "status_label": STATUS_LABELS[s]}
        for c in chats
    ]
    return render(
        request,
        "campaigns/chats/list.html",
        {
            "campaign": campaign,
            "rows": rows,
            "can_add": request.user.has_perm("campaigns.add_chat"),
            "can_edit": request.user.has_perm("campaigns.change_chat"),
        },
    )


def _section_param(value: str | None, numbers: set[int]) -> int | None:
    """?section=intro, wrap-up or a question number; anything else is the whole transcript."""
    if value == "intro":
        return ChatEntry.INTRO
    if value == "wrap-up":
        return ChatEntry.WRAP_UP
    if value and value.isascii() and value.isdigit() and int(value) in numbers:
        return int(value)
    return None


def _section_slug(section: int) -> str:
    return {ChatEntry.INTRO: "intro", ChatEntry.WRAP_UP: "wrap-up"}.get(section, str(section))


def chat_detail(request: HttpRequest, slug: str, chat: str) -> HttpResponse:
    """The transcript: every post of the chat in order, grouped by question, a page at a time."""
    found = _page_chat(request, slug, chat)
    if isinstance(found, HttpResponse):
        return found
    campaign, the_chat = found
    reading = chat_reading(chat=the_chat)
    team = user_can_view_private(request.user)
    numbers = {q["number"] for q in reading.questions}
    section = _section_param(request.GET.get("section"), numbers)
    page_number = (request.GET.get("page") or "")[:12]
    status = chat_status(the_chat, timezone.now())
    posts_html = cached_by_signature(
        name="chat-transcript",
        signature=f"{reading.signature}|{reading.computed_at.timestamp()}",
        params=f"{the_chat.pk}|{team}|{section}|{page_number}|{status}",
        compute=lambda: _transcript_posts(
            campaign, the_chat, reading, team=team, section=section, number=page_number
        ),
    )
    context = _context(
        request,
        campaign,
        the_chat,
        reading=reading,
        posts_html=mark_safe(posts_html),  # noqa: S308 - our template's output, escaped there
        nav=_section_nav(reading.numbers, section),
        section=section,
    )
    return render(request, "campaigns/chats/transcript.html", context)


def _transcript_posts(
    campaign: Campaign,
    chat: Chat,
    reading: ChatReading,
    *,
    team: bool,
    section: int | None,
    number: str,
) -> str:
    """One page of the transcript as HTML: its posts grouped by section, and the pager."""
    texts = {q["number"]: q["text"] for q in reading.questions}
    asked = {
        q["number"]: datetime.fromisoformat(q["asked_at"]) if q["asked_at"] else None
        for q in reading.questions
    }
    page = transcript_page(
        chat=chat, reading=reading, public=not team, number=number, section=section
    )
    hidden: set[int] = set()
    if team:
        hidden = set(
            PostCuration.objects.filter(
                campaign_id=campaign.pk,
                status=PostCuration.Status.HIDDEN,
                post_id__in=[e.post_id for e in page.object_list],
            ).values_list("post_id", flat=True)
        )
    hosts = {(h.platform, h.handle) for h in chat.hosts.all()}
    groups: list[dict[str, Any]] = []
    for entry in page.object_list:
        if not groups or groups[-1]["section"] != entry.section:
            groups.append(
                {
                    "section": entry.section,
                    "label": _section_label(entry.section),
                    "text": texts.get(entry.section, ""),
                    "asked_at": asked.get(entry.section),
                    "entries": [],
                }
            )
        groups[-1]["entries"].append(_shown_post(entry, hosts, hidden, campaign.tz))
    query = f"section={_section_slug(section)}&" if section is not None else ""
    context = {
        "campaign": campaign,
        "chat": chat,
        "status": chat_status(chat, timezone.now()),
        "page": page,
        "groups": groups,
        "query": query,
    }
    return render_to_string("campaigns/chats/_transcript_posts.html", context)


def _shown_post(
    entry: ChatEntry, hosts: set[tuple[str, str]], hidden: set[int], tz: Any
) -> dict[str, Any]:
    """What the transcript shows of one post, each value ready: a page draws 50 of them, and
    plain values cost the template a fraction of attribute chains and filters."""
    post, author = entry.post, entry.post.author
    return {
        "id": post.pk,
        "kind": entry.kind,
        "name": author.name or author.handle,
        "handle": author.handle,
        "platform": post.get_platform_display(),
        "host": author_is_host(post, hosts),
        "reply": bool(post.reply_to),
        "hidden": post.pk in hidden,
        "iso": post.created_at.isoformat(),
        "time": post.created_at.astimezone(tz).strftime("%H:%M:%S"),
        "text": post.text,
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
        "link": web_link(post.url),
    }


def _section_label(section: int) -> str:
    if section == ChatEntry.INTRO:
        return "Intro"
    if section == ChatEntry.WRAP_UP:
        return "Wrap-up"
    return f"Q{section}"


def _section_nav(numbers: dict[str, Any], current: int | None) -> list[dict[str, Any]]:
    """Links to each section with its count of original posts (the question post included)."""
    counts = section_counts(numbers)
    sections: list[tuple[str, str, int | None]] = [
        ("", "All", None),
        ("intro", "Intro", ChatEntry.INTRO),
    ]
    sections += [
        (str(q["number"]), f"Q{q['number']}", q["number"]) for q in numbers.get("questions", [])
    ]
    sections.append(("wrap-up", "Wrap-up", ChatEntry.WRAP_UP))
    return [
        {"slug": slug, "label": label, "count": counts.get(value, 0), "current": current == value}
        for slug, label, value in sections
    ]


def chat_analytics(request: HttpRequest, slug: str, chat: str) -> HttpResponse:
    found = _page_chat(request, slug, chat)
    if isinstance(found, HttpResponse):
        return found
    campaign, the_chat = found
    reading = chat_reading(chat=the_chat)
    body = cached_by_signature(
        name="chat-analytics",
        signature=f"{reading.signature}|{reading.computed_at.timestamp()}",
        params=str(the_chat.pk),
        compute=lambda: _analytics_body(campaign, the_chat, reading),
    )
    context = _context(request, campaign, the_chat, body=mark_safe(body))  # noqa: S308
    return render(request, "campaigns/chats/analytics.html", context)


def _analytics_body(campaign: Campaign, chat: Chat, reading: ChatReading) -> str:
    """The analytics page's panels as HTML, from the reading alone."""
    numbers = reading.numbers
    previous = reading.previous or None
    before = previous["numbers"] if previous else None
    tz = campaign.tz
    headlines = [
        {
            "key": key,
            "label": label,
            "value": numbers.get(key),
            "previous": before.get(key) if before else None,
            "how": how,
        }
        for key, label, how in HEADLINES
    ]
    questions = []
    for q in numbers["questions"]:
        asked = datetime.fromisoformat(q["asked_at"]).astimezone(tz) if q["asked_at"] else None
        top = [
            a | {"created_at": datetime.fromisoformat(a["created_at"]).astimezone(tz)}
            for a in q["top_answers"]
        ]
        questions.append(q | {"asked_at": asked, "top_answers": top})
    context = {
        "campaign": campaign,
        "chat": chat,
        "numbers": numbers,
        "headlines": headlines,
        "questions": questions,
        "previous": previous,
        "formulas": FORMULAS,
        "participant_lists": [
            ("By posts", numbers["top_participants"]["by_posts"]),
            ("By engagement", numbers["top_participants"]["by_engagement"]),
        ],
        "platforms": [
            row | {"label": Platform(name).label if name in Platform else name}
            for name, row in numbers["platforms"].items()
        ],
    }
    return render_to_string("campaigns/chats/_analytics_body.html", context)


def chat_live(request: HttpRequest, slug: str, chat: str) -> HttpResponse:
    found = _page_chat(request, slug, chat)
    if isinstance(found, HttpResponse):
        return found
    campaign, the_chat = found
    refresh = _refresh_seconds(request.GET.get("refresh"))
    api = reverse("api:chat_live", args=[campaign.slug, the_chat.slug])
    context = _context(request, campaign, the_chat, api=api, refresh=refresh)
    return render(request, "campaigns/chats/live.html", context)


def _refresh_seconds(value: str | None) -> int:
    try:
        seconds = int(value or "")
    except ValueError:
        return LIVE_REFRESH_DEFAULT
    return min(max(seconds, LIVE_REFRESH_MIN), LIVE_REFRESH_MAX)


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "transcript.csv"),
    "md": ("text/markdown; charset=utf-8", "recap.md"),
    "json": ("application/json", "numbers.json"),
}


def chat_export(request: HttpRequest, slug: str, chat: str, kind: str) -> HttpResponse:
    """The transcript CSV and the Markdown recap (hidden posts left out, as published) and the
    numbers JSON, as `export_chat` writes them."""
    if kind not in EXPORTS:
        raise Http404("Chats export as csv, md or json.")
    found = _page_chat(request, slug, chat)
    if isinstance(found, HttpResponse):
        return found
    campaign, the_chat = found
    reading = chat_reading(chat=the_chat)
    if kind == "json":
        body = json.dumps(reading.numbers, indent=2, ensure_ascii=False)
    elif kind == "csv":
        body = transcript_csv(chat=the_chat)
    else:
        body = recap_markdown(chat=the_chat, numbers=reading.numbers)
    content_type, name = EXPORTS[kind]
    response = HttpResponse(body, content_type=content_type)
    filename = f"{campaign.slug}-{the_chat.slug}-{name}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- JSON ------------------------------------------------------------------------------------


@require_GET
def api_chat_live(request: HttpRequest, slug: str, chat: str) -> JsonResponse:
    """What the live page shows: the status, the question under way, the rate of the last
    minutes, each question's answers so far and the newest answers to the current one."""
    campaign = get_object_or_404(Campaign, slug=slug)
    denied = json_denied(request, campaign, "chat")
    if denied:
        return denied
    the_chat = _chat(campaign, chat, hosts=False)
    reading = chat_reading(chat=the_chat)
    now = timezone.now()
    public = not user_can_view_private(request.user)
    section, question = current_section(reading=reading, chat=the_chat, now=now)
    newest = entries_with_posts(
        list(
            entries_shown(chat=the_chat, public=public)
            .filter(section=section)
            .exclude(kind=ChatEntry.Kind.QUESTION)
            .order_by("-created_at", "-post_id")[:LIVE_ANSWERS]
        )
    )
    tz = campaign.tz
    numbers = reading.numbers
    return JsonResponse(
        {
            "chat": the_chat.slug,
            "title": the_chat.title,
            "hashtag": the_chat.hashtag.display,
            "status": chat_status(the_chat, now),
            "now": now.astimezone(tz).isoformat(),
            "start": the_chat.start.astimezone(tz).isoformat(),
            "end": the_chat.end.astimezone(tz).isoformat(),
            "as_of": reading.computed_at.astimezone(tz).isoformat(),
            "current": {
                "section": section_of(section),
                "number": question.number if question else None,
                "text": question.text if question else "",
                "asked_at": question.asked_at.astimezone(tz).isoformat()
                if question and question.asked_at
                else None,
            },
            "rate_minutes": RATE_MINUTES,
            "posts_per_minute": recent_rate(chat=the_chat, now=now, minutes=RATE_MINUTES),
            "posts": numbers.get("posts", 0),
            "reposts": numbers.get("reposts", 0),
            "participants": numbers.get("participants", 0),
            "questions": [
                {
                    "number": q["number"],
                    "text": q["text"],
                    "answers": q["answers"],
                    "participants": q["participants"],
                }
                for q in numbers.get("questions", [])
            ],
            "answers": [post_json(e.post, tz=tz) | {"kind": e.kind} for e in newest],
        }
    )

"""A chat's numbers (export_chat's JSON and the analytics page), counted from its transcript.

Counting, the same as the dashboard's: a participant is one account on one platform, authors of
plain reposts included; an author's engagement is likes + reposts + replies + quotes of their
original posts; top answers are ranked by the dashboard's engagement score (Post.score) and
are never hidden posts. Potential impressions sum each post's author's followers (an author of
ten posts counts ten times); potential reach sums the followers of the unique participants.
First-time participants: authors of no post of an earlier chat (`chats_earlier`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q

from campaigns.chats.selectors import INTRO, WRAP_UP, Transcript, chat_posts
from campaigns.models import Chat, web_link
from hashtags.models import Platform, Post

# The numbers a chat is compared on with the previous edition's.
HEADLINE_KEYS = (
    "posts",
    "reposts",
    "participants",
    "first_time",
    "returning",
    "posts_per_minute",
    "hosts_share",
    "potential_impressions",
    "potential_reach",
)
TOP_ANSWERS = 3
TOP_PARTICIPANTS = 10
FORMULAS = {
    "posts_per_minute": "original posts ÷ the chat's minutes (start to end)",
    "hosts_share": "the hosts' original posts ÷ all original posts",
    "potential_impressions": "the sum over every post and repost of its author's followers",
    "potential_reach": "the sum of the followers of the unique participants",
    "engagement": "likes + reposts + replies + quotes of a participant's original posts",
    "score": Post.SCORE_FORMULA,
}


def chats_earlier(*, chat: Chat) -> list[Chat]:
    """Chats before this one in the same campaign or series, or on the same chat hashtag."""
    campaign = chat.campaign
    same = Q(campaign=campaign) | Q(hashtag_id=chat.hashtag_id)
    if campaign.series_id:
        same |= Q(campaign__series_id=campaign.series_id)
    return list(Chat.objects.filter(same, start__lt=chat.start).exclude(pk=chat.pk))


def chat_previous(*, chat: Chat) -> Chat | None:
    """The same chat (same slug) of the series' latest earlier edition, if there is one."""
    series = chat.campaign.series_id
    if not series:
        return None
    return (
        Chat.objects.select_related("campaign", "hashtag")
        .filter(campaign__series_id=series, slug=chat.slug, start__lt=chat.start)
        .exclude(campaign_id=chat.campaign_id)
        .order_by("-start")
        .first()
    )


def chat_numbers(*, transcript: Transcript) -> dict[str, Any]:
    """The counts the issue defines (posts, reposts, participants, first-time, per question,
    intro, wrap-up) and the chat's headline figures, each over every post of the chat."""
    chat = transcript.chat
    everyone = transcript.posts + transcript.reposts
    participants = {p.author_id for p in everyone}
    seen: set[int] = set()
    for earlier in chats_earlier(chat=chat):
        seen.update(chat_posts(chat=earlier).values_list("author_id", flat=True))
    returning = participants & seen
    minutes = max((chat.end - chat.start).total_seconds() / 60, 1)
    followers = {p.author_id: p.author.followers for p in everyone}
    host_posts = sum(1 for p in transcript.posts if p.author_id in transcript.host_author_ids)
    posts = len(transcript.posts)
    return {
        "chat": chat.slug,
        "title": chat.title,
        "hashtag": chat.hashtag.name,
        "start": chat.start.isoformat(),
        "end": chat.end.isoformat(),
        "tail_minutes": chat.tail_minutes,
        "posts": posts,
        "reposts": len(transcript.reposts),
        "participants": len(participants),
        "first_time": len(participants - returning),
        "returning": len(returning),
        "questions": [_question(transcript, q.number) for q in transcript.questions],
        "intro": len(transcript.section_posts(INTRO)),
        "wrap_up": len(transcript.section_posts(WRAP_UP)),
        "host_posts": host_posts,
        "hosts_share": round(host_posts / posts, 4) if posts else 0.0,
        "posts_per_minute": round(posts / minutes, 2),
        "potential_impressions": sum(followers[p.author_id] for p in everyone),
        "potential_reach": sum(followers.values()),
        "platforms": _platforms(transcript),
        "top_participants": _participants(transcript),
        "formulas": FORMULAS,
    }


def _question(transcript: Transcript, number: int) -> dict[str, Any]:
    question = next(q for q in transcript.questions if q.number == number)
    answers = transcript.answers(number)
    return {
        "number": number,
        "text": question.text,
        "asked_at": question.asked_at.isoformat() if question.asked_at else None,
        "asked_by_host": question.post is not None,
        "answers": len(answers),
        "participants": len({p.author_id for p in answers}),
        "replies": sum(1 for p in answers if p.reply_to),
        "top_answers": [post_ref(p) for p in top_answers(answers, hidden=transcript.hidden)],
    }


def _platforms(transcript: Transcript) -> dict[str, dict[str, int]]:
    """Per platform: original posts, reposts and unique participants."""
    out: dict[str, dict[str, int]] = {}
    authors: dict[str, set[int]] = {}
    for post in transcript.posts + transcript.reposts:
        row = out.setdefault(post.platform, {"posts": 0, "reposts": 0, "participants": 0})
        row["reposts" if post.is_repost else "posts"] += 1
        authors.setdefault(post.platform, set()).add(post.author_id)
    for platform, ids in authors.items():
        out[platform]["participants"] = len(ids)
    return dict(sorted(out.items()))


def _participants(transcript: Transcript) -> dict[str, list[dict[str, Any]]]:
    """The most active participants by posts (reposts included) and by engagement."""
    counts: Counter[int] = Counter()
    engagement: Counter[int] = Counter()
    authors = {}
    for post in transcript.posts + transcript.reposts:
        counts[post.author_id] += 1
        authors[post.author_id] = post.author
        if not post.is_repost:
            engagement[post.author_id] += post.likes + post.reposts + post.replies + post.quotes

    def row(author_id: int) -> dict[str, Any]:
        author = authors[author_id]
        return {
            "platform": author.platform,
            "platform_label": Platform(author.platform).label,
            "handle": author.handle,
            "name": author.name,
            "url": web_link(author.url),
            "followers": author.followers,
            "posts": counts[author_id],
            "engagement": engagement[author_id],
            "host": author_id in transcript.host_author_ids,
        }

    ids = list(counts)
    by_posts = sorted(ids, key=lambda a: (-counts[a], -engagement[a], a))
    by_engagement = sorted(ids, key=lambda a: (-engagement[a], -counts[a], a))
    return {
        "by_posts": [row(a) for a in by_posts[:TOP_PARTICIPANTS]],
        "by_engagement": [row(a) for a in by_engagement[:TOP_PARTICIPANTS]],
    }


def top_answers(
    answers: list[Post], *, hidden: frozenset[int] = frozenset(), limit: int = TOP_ANSWERS
) -> list[Post]:
    """The best answers by the dashboard's engagement score, oldest first among equals; never
    a hidden one."""
    shown = [p for p in answers if p.pk not in hidden]
    return sorted(shown, key=lambda p: (-p.score, p.created_at, p.pk))[:limit]


def post_ref(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "platform": post.platform,
        "handle": post.author.handle,
        "text": post.text,
        "url": web_link(post.url),
        "created_at": post.created_at.isoformat(),
        "score": post.score,
    }

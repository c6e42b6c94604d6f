"""A chat's numbers (export_chat's JSON), counted from its transcript."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from campaigns.chats.selectors import INTRO, WRAP_UP, Transcript, chat_posts
from campaigns.models import Chat
from hashtags.models import Post


def chats_earlier(*, chat: Chat) -> list[Chat]:
    """Chats before this one in the same campaign or series, or on the same chat hashtag."""
    campaign = chat.campaign
    same = Q(campaign=campaign) | Q(hashtag_id=chat.hashtag_id)
    if campaign.series_id:
        same |= Q(campaign__series_id=campaign.series_id)
    return list(Chat.objects.filter(same, start__lt=chat.start).exclude(pk=chat.pk))


def chat_numbers(*, transcript: Transcript) -> dict[str, Any]:
    """The counts the issue defines (posts, reposts, participants, first-time, per question,
    intro, wrap-up) and the chat's headline figures, each over the given transcript."""
    chat = transcript.chat
    everyone = transcript.posts + transcript.reposts
    participants = {p.author_id for p in everyone}
    seen: set[int] = set()
    for earlier in chats_earlier(chat=chat):
        seen.update(chat_posts(chat=earlier).values_list("author_id", flat=True))
    returning = participants & seen
    minutes = max((chat.end - chat.start).total_seconds() / 60, 1)
    followers = {p.author_id: p.author.followers for p in everyone}
    questions = []
    for q in transcript.questions:
        answers = transcript.answers(q.number)
        questions.append(
            {
                "number": q.number,
                "text": q.text,
                "asked_at": q.asked_at.isoformat() if q.asked_at else None,
                "answers": len(answers),
                "participants": len({p.author_id for p in answers}),
                "replies": sum(1 for p in answers if p.reply_to),
                "top_answers": [_post_ref(p) for p in top_answers(answers)],
            }
        )
    platforms: dict[str, int] = {}
    for post in transcript.posts:
        platforms[post.platform] = platforms.get(post.platform, 0) + 1
    host_posts = sum(1 for p in transcript.posts if p.author_id in transcript.host_author_ids)
    return {
        "chat": chat.slug,
        "title": chat.title,
        "hashtag": chat.hashtag.name,
        "start": chat.start.isoformat(),
        "end": chat.end.isoformat(),
        "tail_minutes": chat.tail_minutes,
        "posts": len(transcript.posts),
        "reposts": len(transcript.reposts),
        "participants": len(participants),
        "first_time": len(participants - returning),
        "returning": len(returning),
        "questions": questions,
        "intro": len(transcript.section_posts(INTRO)),
        "wrap_up": len(transcript.section_posts(WRAP_UP)),
        "host_posts": host_posts,
        "posts_per_minute": round(len(transcript.posts) / minutes, 2),
        # Labelled formulas: each post counts its author's followers; each participant once.
        "potential_impressions": sum(followers[p.author_id] for p in everyone),
        "potential_reach": sum(followers.values()),
        "platforms": dict(sorted(platforms.items())),
    }


def top_answers(answers: list[Post], limit: int = 3) -> list[Post]:
    """The best answers by the dashboard's engagement score, oldest first among equals."""
    return sorted(answers, key=lambda p: (-p.score, p.created_at, p.pk))[:limit]


def _post_ref(post: Post) -> dict[str, Any]:
    return {"platform": post.platform, "handle": post.author.handle, "score": post.score}

"""A chat written out from its stored reading: the CSV transcript (formula-guarded) and the
Markdown recap (from the reading's numbers: each question's top answers are kept there)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

from campaigns.chats.reading import entries_shown, entries_with_posts, section_of
from campaigns.chats.selectors import Section, author_is_host
from campaigns.models import Chat, ChatEntry, web_link
from hashtags.archive.cells import cell_guard

CHUNK = 2000
TRANSCRIPT_COLUMNS = [
    "section",
    "question",
    "created_at",
    "platform",
    "handle",
    "host",
    "kind",
    "text",
    "url",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "score",
]


def _section_name(section: Section) -> str:
    return f"Q{section}" if isinstance(section, int) else section


def transcript_csv_rows(*, chat: Chat, public: bool = True) -> Iterator[list[str]]:
    """The header, then every original post of the chat's reading in order, grouped by
    question, each cell guarded; read CHUNK entries at a time, so memory stays flat."""
    tz = chat.campaign.tz
    hosts = {(h.platform, h.handle) for h in chat.hosts.all()}
    yield TRANSCRIPT_COLUMNS
    rows = entries_shown(chat=chat, public=public).values_list("pk", flat=True)
    ids = list(rows)
    for at in range(0, len(ids), CHUNK):
        chunk = ChatEntry.objects.filter(pk__in=ids[at : at + CHUNK]).order_by(
            "section", "created_at", "post_id"
        )
        for entry in entries_with_posts(list(chunk)):
            post, section = entry.post, section_of(entry.section)
            row = [
                _section_name(section),
                section if isinstance(section, int) else "",
                post.created_at.astimezone(tz).isoformat(),
                post.platform,
                post.author.handle,
                "yes" if author_is_host(post, hosts) else "",
                entry.kind,
                post.text,
                web_link(post.url),
                post.likes,
                post.reposts,
                post.replies,
                post.quotes,
                post.score,
            ]
            yield [cell_guard(v) for v in row]


def transcript_csv(*, chat: Chat, public: bool = True) -> str:
    out = StringIO()
    csv.writer(out).writerows(transcript_csv_rows(chat=chat, public=public))
    return out.getvalue()


# Every text we write follows "- " or "# ", so list and heading starts need no escape; what
# could make a link, an image, an HTML tag, an entity or emphasis does.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#&|~])")


def md_text(text: str, limit: int = 280) -> str:
    """Post text as plain Markdown text: one line, every markup character escaped."""
    flat = " ".join((text or "").split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", flat)


def recap_markdown(*, chat: Chat, numbers: dict[str, Any]) -> str:
    """The recap for a blog post: title, when (campaign zone), hosts, numbers, each question
    with its text and its three best answers with links (never a hidden post)."""
    start, end = chat.local_start, chat.local_end
    hosts = ", ".join(f"{md_text(h.handle)} ({h.get_platform_display()})" for h in chat.hosts.all())
    lines = [
        f"# {md_text(chat.title)}",
        "",
        f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M} "
        f"({chat.campaign.timezone}), "
        f"\\#{md_text(chat.hashtag.display)}",
        "",
        f"Hosts: {hosts}",
        "",
        f"- Posts: {numbers['posts']}",
        f"- Reposts: {numbers['reposts']}",
        f"- Participants: {numbers['participants']} "
        f"({numbers['first_time']} first-time, {numbers['returning']} returning)",
        f"- Posts per minute: {numbers['posts_per_minute']}",
    ]
    for question in numbers["questions"]:
        lines += ["", f"## Q{question['number']}: {md_text(question['text'])}", ""]
        answers, people = question["answers"], question["participants"]
        lines.append(
            f"{answers} answer{'' if answers == 1 else 's'} from {people} "
            f"{'person' if people == 1 else 'people'}."
        )
        for answer in question["top_answers"]:
            # Inside <...> a link may hold no angle bracket or space: encode them.
            link = answer["url"].replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
            shown = f"{md_text(answer['handle'])}: {md_text(answer['text'])}"
            lines.append(f"- {shown} ([link](<{link}>))" if link else f"- {shown}")
    return "\n".join(lines) + "\n"

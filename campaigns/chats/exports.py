"""A chat written out: the CSV transcript (formula-guarded) and the Markdown recap."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from io import StringIO

from campaigns.chats.numbers import chat_numbers, top_answers
from campaigns.chats.selectors import INTRO, WRAP_UP, Section, Transcript
from campaigns.models import web_link
from hashtags.archive.cells import cell_guard

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


def transcript_csv_rows(*, transcript: Transcript) -> Iterator[list[str]]:
    """The header, then every original post in order, grouped by question, each cell guarded."""
    tz = transcript.chat.campaign.tz
    asked = transcript.question_post_ids()
    yield TRANSCRIPT_COLUMNS
    for section, posts in transcript.grouped():
        for post in posts:
            kind = (
                "question"
                if post.pk in asked
                else ("answer" if section not in (INTRO, WRAP_UP) else "post")
            )
            row = [
                _section_name(section),
                section if isinstance(section, int) else "",
                post.created_at.astimezone(tz).isoformat(),
                post.platform,
                post.author.handle,
                "yes" if post.author_id in transcript.host_author_ids else "",
                kind,
                post.text,
                web_link(post.url),
                post.likes,
                post.reposts,
                post.replies,
                post.quotes,
                post.score,
            ]
            yield [cell_guard(v) for v in row]


def transcript_csv(*, transcript: Transcript) -> str:
    out = StringIO()
    csv.writer(out).writerows(transcript_csv_rows(transcript=transcript))
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


def recap_markdown(*, transcript: Transcript) -> str:
    """The recap for a blog post: title, when (campaign zone), hosts, numbers, each question
    with its text and its three best answers with links."""
    chat = transcript.chat
    numbers = chat_numbers(transcript=transcript)
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
    for question in transcript.questions:
        lines += ["", f"## Q{question.number}: {md_text(question.text)}", ""]
        answers = transcript.answers(question.number)
        people = len({p.author_id for p in answers})
        lines.append(
            f"{len(answers)} answer{'' if len(answers) == 1 else 's'} from {people} "
            f"{'person' if people == 1 else 'people'}."
        )
        for post in top_answers(answers, hidden=transcript.hidden):
            # Inside <...> a link may hold no angle bracket or space: encode them.
            link = web_link(post.url).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
            shown = f"{md_text(post.author.handle)}: {md_text(post.text)}"
            lines.append(f"- {shown} ([link](<{link}>))" if link else f"- {shown}")
    return "\n".join(lines) + "\n"

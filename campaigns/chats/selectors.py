"""Chat reads: the chat's posts, its questions, and which question each post answers.

Quotes: ingestion keeps which post a post quotes (Post.quote_of, in the platform's own terms),
so a quote of a question post answers that question. Mastodon names a reply's parent and a
quoted post by the polled server's local id: it is matched against the last path segment of
stored posts' addresses, so replies to posts of other servers fall back to the time rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from campaigns.chats.markers import answer_number, question_number, question_text
from campaigns.models import Chat, host_handle_normalize
from campaigns.posts import post_not_hidden
from hashtags.models import Platform, Post
from hashtags.tagsets import tagsets_meeting

INTRO = "intro"
WRAP_UP = "wrap_up"
Section = int | str  # a question number, INTRO or WRAP_UP
REPLY_DEPTH_MAX = 50  # how far up a reply chain through stored posts we look
NAMES_PER_QUERY = 5000


@dataclass
class Question:
    number: int
    text: str
    asked_at: datetime | None  # the host post's time, else the planned time
    post: Post | None = None
    planned: bool = False


@dataclass
class Transcript:
    """A chat read whole. Sections are assigned over every post (a hidden question still
    opens its question); `public` leaves the hidden posts out of what is listed."""

    chat: Chat
    questions: list[Question]
    posts: list[Post]  # the chat's original posts, oldest first
    reposts: list[Post]
    sections: dict[int, Section] = field(default_factory=dict)  # post pk -> where it belongs
    host_author_ids: frozenset[int] = frozenset()
    hidden: frozenset[int] = frozenset()  # post pks a curator or a rule hid in the campaign
    public: bool = False

    def question_post_ids(self) -> set[int]:
        return {q.post.pk for q in self.questions if q.post is not None}

    def section_posts(self, section: Section) -> list[Post]:
        return [p for p in self.posts if self.sections.get(p.pk) == section]

    def answers(self, number: int) -> list[Post]:
        """The posts assigned to question `number`, its own question post excluded."""
        asked = self.question_post_ids()
        return [p for p in self.section_posts(number) if p.pk not in asked]

    def order(self) -> list[Section]:
        return [INTRO, *(q.number for q in self.questions), WRAP_UP]

    def grouped(self) -> list[tuple[Section, list[Post]]]:
        """Every original post listed, in order, grouped: intro, each question, wrap-up."""
        by_section: dict[Section, list[Post]] = {s: [] for s in self.order()}
        for post in self.posts:
            if not (self.public and post.pk in self.hidden):
                by_section[self.sections[post.pk]].append(post)
        return list(by_section.items())


def chat_posts(*, chat: Chat) -> QuerySet[Post]:
    """Posts whose tag set holds the chat's hashtag in [start, end + tail), oldest first."""
    start, end = chat.span()
    rows = Post.objects.filter(
        tagset_id__in=list(tagsets_meeting([chat.hashtag_id])),
        created_at__gte=start,
        created_at__lt=end,
    )
    return rows.select_related("author").order_by("created_at", "pk")


def author_is_host(post: Post, hosts: set[tuple[str, str]]) -> bool:
    try:
        handle = host_handle_normalize(post.platform, post.author.handle)
    except ValidationError:  # a handle no platform rule accepts (e.g. empty) is nobody's host
        return False
    return (post.platform, handle) in hosts


def chat_transcript(*, chat: Chat, public: bool = False) -> Transcript:
    """The chat read back: questions, every post in its section, reposts apart; public: the
    hidden posts are not listed (they still count, as on the dashboard)."""
    rows = list(chat_posts(chat=chat))
    originals = [p for p in rows if not p.is_repost]
    reposts = [p for p in rows if p.is_repost]
    hosts = {(h.platform, h.handle) for h in chat.hosts.all()}
    host_authors = frozenset(p.author_id for p in rows if author_is_host(p, hosts))
    questions = _questions(chat, [p for p in originals if p.author_id in host_authors])
    hidden = frozenset(
        chat_posts(chat=chat).exclude(post_not_hidden(chat.campaign)).values_list("pk", flat=True)
    )
    transcript = Transcript(
        chat,
        questions,
        originals,
        reposts,
        host_author_ids=host_authors,
        hidden=hidden,
        public=public,
    )
    _assign(transcript, _parents(originals))
    return transcript


def _questions(chat: Chat, host_posts: Iterable[Post]) -> list[Question]:
    found: dict[int, Question] = {}
    for planned in chat.questions.all():
        found[planned.number] = Question(
            planned.number, planned.text, planned.planned_at, planned=True
        )
    for post in host_posts:  # oldest first: the first host post asking n is question n
        number = question_number(post.text)
        if number is None or (number in found and found[number].post is not None):
            continue
        question = found.setdefault(number, Question(number, "", None))
        question.post, question.asked_at = post, post.created_at
        question.text = question.text or question_text(post.text)
    return [found[n] for n in sorted(found)]


def _local_ids(post: Post) -> list[str]:
    """The ids a reply may name this post by: its external id, and on Mastodon the server-local
    id at the end of its addresses."""
    ids = [post.external_id]
    if post.platform == Platform.MASTODON:
        ids += [u.rstrip("/").rsplit("/", 1)[-1] for u in (post.external_id, post.url) if u]
    return ids


def _names(originals: list[Post]) -> dict[tuple[str, str], Post]:
    """(platform, every id a reply or a quote may name it by) -> the chat's post."""
    known: dict[tuple[str, str], Post] = {}
    for post in originals:
        for local in _local_ids(post):
            known.setdefault((post.platform, local), post)
    return known


def _parents(originals: list[Post]) -> dict[int, list[Post]]:
    """Post pk -> its reply chain upward through stored posts (parent first), bounded."""
    known = _names(originals)
    missing = {(p.platform, p.reply_to) for p in originals if p.reply_to} - set(known)
    for _ in range(REPLY_DEPTH_MAX):  # stored posts without the chat tag may link the chain
        if not missing:
            break
        fetched = _posts_named(missing)
        for post in fetched:
            known.setdefault((post.platform, post.external_id), post)
        missing = {(p.platform, p.reply_to) for p in fetched if p.reply_to} - set(known)
    chains: dict[int, list[Post]] = {}
    for post in originals:
        chain: list[Post] = []
        current = post
        while current.reply_to and len(chain) < REPLY_DEPTH_MAX:
            parent = known.get((current.platform, current.reply_to))
            if parent is None or parent.pk == post.pk or parent in chain:
                break
            chain.append(parent)
            current = parent
        chains[post.pk] = chain
    return chains


def _posts_named(names: set[tuple[str, str]]) -> list[Post]:
    """The stored posts with these (platform, external id) names: one IN list per platform and
    chunk, each read through the posts' unique (platform, external_id) index."""
    by_platform: dict[str, list[str]] = {}
    for platform, ext in names:
        by_platform.setdefault(platform, []).append(ext)
    out: list[Post] = []
    for platform, ids in sorted(by_platform.items()):
        for at in range(0, len(ids), NAMES_PER_QUERY):
            rows = Post.objects.filter(
                platform=platform, external_id__in=ids[at : at + NAMES_PER_QUERY]
            )
            out += rows.only("pk", "platform", "external_id", "reply_to")
    return out


def _assign(transcript: Transcript, chains: dict[int, list[Post]]) -> None:
    """Each original post's section, in the issue's order: its answer marker; a reply to a
    question post, a quote of one, then the first post up its reply chain that is a question or
    answers one; the question under way by time (intro before the first, wrap-up after the
    end)."""
    chat = transcript.chat
    named = _names(transcript.posts)
    numbers = {q.number for q in transcript.questions}
    asked = {q.post.pk: q.number for q in transcript.questions if q.post is not None}
    timeline = sorted(
        (q.asked_at, q.number) for q in transcript.questions if q.asked_at is not None
    )
    sections = transcript.sections
    for post in transcript.posts:  # oldest first, so a parent is assigned before its replies
        if post.pk in asked:
            sections[post.pk] = asked[post.pk]
            continue
        marker = answer_number(post.text)
        if marker in numbers:
            sections[post.pk] = marker
            continue
        chain = chains.get(post.pk, [])
        quoted = named.get((post.platform, post.quote_of)) if post.quote_of else None
        if chain and chain[0].pk in asked:
            sections[post.pk] = asked[chain[0].pk]
            continue
        if quoted is not None and quoted.pk in asked:
            sections[post.pk] = asked[quoted.pk]
            continue
        via_chain = next(
            (
                asked.get(parent.pk, sections.get(parent.pk))
                for parent in chain
                if parent.pk in asked or isinstance(sections.get(parent.pk), int)
            ),
            None,
        )
        if via_chain is not None:
            sections[post.pk] = via_chain
            continue
        if post.created_at >= chat.end:
            sections[post.pk] = WRAP_UP
            continue
        active = [n for at, n in timeline if at <= post.created_at]
        sections[post.pk] = active[-1] if active else INTRO

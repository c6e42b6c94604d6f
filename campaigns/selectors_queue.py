"""Reads for the curator queue: a campaign's posts and stories, filtered, sorted, a page at a time.

Which posts are the campaign's: linked to one of its hashtags and created inside its polling
window, from POLL_LEAD_IN_MINUTES before the start to POLL_TAIL_MINUTES after the end (what
polling collects for it). The window keeps two editions that share hashtags apart, and a
curator may still feature the "see you tomorrow" post of the lead-in.

Every query is bounded by the campaign's hashtags and that window and goes through the
(hashtag, created_at) index of the post links. Pages are keyset pages (no OFFSET, no COUNT):
"newest" orders by (created_at, id), "engagement" by (score, id); a cursor names the last
item shown. Posts and stories merge into one newest-first list; stories have no engagement,
hashtag or platform, so those filters and the engagement order list posts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hashtags.models import Post, PostHashtag

from .dashboard_params import RANGES
from .models import Campaign, CampaignHashtag, PostCuration, Story, web_link

PAGE_SIZE = 50
SEARCH_CONFIG = "simple"  # hashtags, handles and health IT jargon are not English words


def campaign_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """[lo, hi): the campaign's dates widened by the polling lead-in and tail."""
    lead = timedelta(minutes=getattr(settings, "POLL_LEAD_IN_MINUTES", 60))
    tail = timedelta(minutes=getattr(settings, "POLL_TAIL_MINUTES", 24 * 60))
    return campaign.start - lead, campaign.end + tail


def campaign_links(
    *, campaign: Campaign, hashtag_ids: list[int] | None = None, since: datetime | None = None
) -> QuerySet[PostHashtag]:
    lo, hi = campaign_window(campaign)
    if since is not None:
        lo = max(lo, since)
    if hashtag_ids is None:
        hashtag_ids = list(
            CampaignHashtag.objects.filter(campaign=campaign).values_list("hashtag_id", flat=True)
        )
    return PostHashtag.objects.filter(
        hashtag_id__in=hashtag_ids, created_at__gte=lo, created_at__lt=hi
    )


def campaign_posts(*, campaign: Campaign) -> QuerySet[Post]:
    """Every post of the campaign, each once (unordered)."""
    lo, hi = campaign_window(campaign)
    links = campaign_links(campaign=campaign)
    return Post.objects.filter(
        created_at__gte=lo, created_at__lt=hi, pk__in=links.values("post_id")
    )


# --- The queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    kind: str = "all"  # all, posts, stories
    hashtag_id: int | None = None
    platform: str = ""
    range: str = "campaign"  # campaign, 1h, 24h, 7d
    status: str = ""  # "", new, approved, featured, hidden
    min_engagement: int = 0
    q: str = ""
    sort: str = "newest"  # newest, engagement

    @property
    def posts_only(self) -> bool:
        return bool(
            self.hashtag_id
            or self.platform
            or self.min_engagement
            or self.sort == "engagement"
            or self.status == "featured"
        )

    @property
    def wants_posts(self) -> bool:
        return self.kind in ("all", "posts")

    @property
    def wants_stories(self) -> bool:
        return self.kind in ("all", "stories") and not self.posts_only


@dataclass
class QueueItem:
    kind: str  # post, story
    obj: Any
    status: str
    pinned: int | None
    rule: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    @property
    def created_at(self) -> datetime:
        return self.obj.created_at

    @property
    def link(self) -> str:
        """The item's own address if it is a web address (it came from a network or a form)."""
        return web_link(self.obj.url if self.kind == "post" else self.obj.link)

    @property
    def author_link(self) -> str:
        return web_link(self.obj.author.url) if self.kind == "post" else ""

    def order_key(self, sort: str) -> tuple:
        if sort == "engagement":
            return (self.obj.score, self.obj.pk)
        return (self.created_at, 1 if self.kind == "post" else 0, self.obj.pk)


def cursor_make(item: QueueItem, sort: str) -> str:
    if sort == "engagement":
        return f"{item.obj.score}.{item.obj.pk}"
    rank = 1 if item.kind == "post" else 0
    return f"{item.created_at.timestamp():.6f}.{rank}.{item.obj.pk}"


def cursor_parse(value: str, sort: str) -> tuple | None:
    """The order key a cursor names; ValueError if it is not one of ours."""
    if not value:
        return None
    parts = value.split(".")
    try:
        if sort == "engagement":
            score, pk = parts
            return (int(score), int(pk))
        seconds, micros, rank, pk = parts
        at = datetime.fromtimestamp(int(seconds), tz=UTC) + timedelta(
            microseconds=int(micros.ljust(6, "0")[:6])
        )
        if rank not in ("0", "1"):
            raise ValueError
        return (at, int(rank), int(pk))
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            "That page link is not valid any more; start from the first page."
        ) from None


def _search(qs: QuerySet, q: str, fields: list[str]) -> QuerySet:
    if not q:
        return qs
    if connection.vendor == "postgresql":
        vector = SearchVector(*fields, config=SEARCH_CONFIG)
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        return qs.annotate(_search=vector).filter(_search=query)
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": q})
    return qs.filter(match)


def _status_q(campaign: Campaign, status: str) -> Q:
    if not status:
        return Q()
    rows = PostCuration.objects.filter(campaign=campaign, post_id=OuterRef("pk"))
    if status == "new":
        return ~Q(Exists(rows.exclude(status=PostCuration.Status.NEW)))
    return Q(Exists(rows.filter(status=status)))


def _posts_page(
    campaign: Campaign, f: QueueFilter, after: tuple | None, limit: int, since: datetime | None
) -> list[Post]:
    tag_ids = list(
        CampaignHashtag.objects.filter(campaign=campaign).values_list("hashtag_id", flat=True)
    )
    if f.hashtag_id:
        tag_ids = [t for t in tag_ids if t == f.hashtag_id]
    links = campaign_links(campaign=campaign, hashtag_ids=tag_ids, since=since)
    if f.platform:
        links = links.filter(platform=f.platform)
    lo, hi = campaign_window(campaign)
    posts = Post.objects.filter(created_at__gte=max(lo, since or lo), created_at__lt=hi)
    posts = posts.filter(_status_q(campaign, f.status))
    if f.min_engagement:
        posts = posts.filter(score__gte=f.min_engagement)
    posts = _search(posts, f.q, ["text", "author__handle", "author__name"])
    if f.sort == "engagement":
        if after:
            score, pk = after
            posts = posts.filter(Q(score__lt=score) | Q(score=score, pk__lt=pk))
        posts = posts.filter(pk__in=links.values("post_id")).order_by("-score", "-pk")
    else:
        if after:
            at, rank, pk = after
            # Posts rank above stories at the same instant (order key: created_at, rank, id).
            same = Q(created_at=at, pk__lt=pk) if rank == 1 else Q(pk__in=[])
            posts = posts.filter(Q(created_at__lt=at) | same)
            same_link = Q(created_at=at, post_id__lt=pk) if rank == 1 else Q(pk__in=[])
            links = links.filter(Q(created_at__lt=at) | same_link)
        # Newest first straight off the link index; a post carrying k of the campaign's tags
        # appears k times there, so take enough links to hold `limit` distinct posts.
        wanted = links.order_by("-created_at", "-post_id").values("post_id")
        simple = not (f.status or f.min_engagement or f.q)
        if simple:
            wanted = wanted[: limit * max(1, len(tag_ids))]
        posts = posts.filter(pk__in=wanted).order_by("-created_at", "-pk")
    return list(posts.select_related("author")[:limit])


def _stories_page(
    campaign: Campaign, f: QueueFilter, after: tuple | None, limit: int, since: datetime | None
) -> list[Story]:
    stories = Story.objects.filter(campaign=campaign)
    if since is not None:
        stories = stories.filter(created_at__gte=since)
    if f.status:
        stories = stories.filter(status=f.status)
    stories = _search(stories, f.q, ["text", "name"])
    if after:
        at, rank, pk = after
        # Stories rank below posts at the same instant (order key: created_at, rank, id).
        if rank == 1:
            stories = stories.filter(created_at__lte=at)
        else:
            stories = stories.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    return list(stories.order_by("-created_at", "-pk")[:limit])


def _items_for_posts(campaign: Campaign, posts: list[Post]) -> list[QueueItem]:
    rows = {
        row.post_id: row
        for row in PostCuration.objects.filter(campaign=campaign, post_id__in=[p.pk for p in posts])
    }
    tags: dict[int, list[str]] = {}
    links = (
        PostHashtag.objects.filter(
            post_id__in=[p.pk for p in posts], hashtag__campaign_links__campaign=campaign
        )
        .order_by("hashtag__display")
        .values_list("post_id", "hashtag__display")
    )
    for post_id, display in links:
        tags.setdefault(post_id, []).append(display)
    items = []
    for post in posts:
        row = rows.get(post.pk)
        status = row.status if row else PostCuration.Status.NEW
        pinned, rule = (row.pinned, row.rule) if row else (None, "")
        items.append(QueueItem("post", post, status, pinned, rule, tags.get(post.pk, [])))
    return items


def queue_page(
    *,
    campaign: Campaign,
    filters: QueueFilter,
    after: str = "",
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> tuple[list[QueueItem], str]:
    """(items, cursor of the next page or ""). ValueError for a cursor that is not ours."""
    position = cursor_parse(after, filters.sort)
    since = None
    if filters.range in RANGES:
        since = (now or timezone.now()) - RANGES[filters.range]
    items: list[QueueItem] = []
    if filters.wants_posts:
        posts = _posts_page(campaign, filters, position, limit + 1, since)
        items += _items_for_posts(campaign, posts)
    if filters.wants_stories and filters.sort == "newest" and filters.status != "featured":
        stories = _stories_page(campaign, filters, position, limit + 1, since)
        items += [QueueItem("story", s, s.status, s.pinned) for s in stories]
    items.sort(key=lambda item: item.order_key(filters.sort), reverse=True)
    more = len(items) > limit
    items = items[:limit]
    return items, (cursor_make(items[-1], filters.sort) if more and items else "")


def queue_item(*, campaign: Campaign, kind: str, pk: int) -> QueueItem | None:
    """One item as the queue shows it, after an action."""
    if kind == "story":
        story = Story.objects.filter(campaign=campaign, pk=pk).first()
        return QueueItem("story", story, story.status, story.pinned) if story else None
    post = Post.objects.filter(pk=pk).select_related("author").first()
    return _items_for_posts(campaign, [post])[0] if post else None


def status_counts(*, campaign: Campaign) -> dict[str, int]:
    """Curated posts per status (the new ones are everything else and are not counted)."""
    counts = dict.fromkeys(PostCuration.Status.values, 0)
    rows = PostCuration.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts

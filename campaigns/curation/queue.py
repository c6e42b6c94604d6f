"""Reads for the curator queue: a campaign's posts and stories, filtered, sorted, a page at a time.

Which posts are the campaign's: campaigns.posts.campaign_posts (carrying one of its
hashtags, created inside its polling window). Pages are keyset pages (no OFFSET, no COUNT):
"newest" orders by (created_at, id), "engagement" by (score, id); a cursor names the last item
shown. A newest page reads each of the campaign's tag sets newest first off the posts'
(tag set, created_at) index, filters applied on the way, and merges them (`_newest_ids`): a
walk stops after a page of matches, so an unfiltered page costs the same in any campaign. The
engagement order lists original posts (a plain repost carries its original's numbers), as the
dashboard's top posts do: a small campaign's posts are sorted, a big one walks the score index.
Posts and stories merge into one newest-first list; stories have no engagement, hashtag or
platform, so those filters and the engagement order list posts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import OperationalError, connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from campaigns.models import Campaign, CampaignHashtag, PostCuration, Story, web_link
from campaigns.posts import score_key, tag_labels
from campaigns.ranges import since as range_since
from hashtags.models import Post
from hashtags.tagsets import tagsets_meeting

PAGE_SIZE = 50
SEARCH_CONFIG = "simple"  # hashtags, handles and health IT jargon are not English words
# Full-text search has no index (one would cost every stored post an index entry): a search
# scans the campaign's posts newest first until it has a page, so a rare word in a huge
# campaign could take long. It is stopped after QUEUE_SEARCH_TIMEOUT_MS with a message
# (PostgreSQL).


class SearchTooSlow(Exception):
    """A queue search ran past QUEUE_SEARCH_TIMEOUT_MS; the message says how to narrow it."""


# --- The queue -------------------------------------------------------------------------------


class Kind(models.TextChoices):
    ALL = "all", "Posts and stories"
    POSTS = "posts", "Posts"
    STORIES = "stories", "Stories"


class Sort(models.TextChoices):
    NEWEST = "newest", "Newest first"
    ENGAGEMENT = "engagement", "Most engagement"


# The queue's statuses: a post's curation status ("new": no row yet), a story's status.
QueueStatus = PostCuration.Status


@dataclass(frozen=True)
class QueueFilter:
    kind: str = Kind.ALL
    hashtag_id: int | None = None
    platform: str = ""
    range: str = "campaign"  # campaigns.ranges.Range, without custom
    status: str = ""  # a QueueStatus, or "" for any
    min_engagement: int = 0
    q: str = ""
    sort: str = Sort.NEWEST

    @property
    def posts_only(self) -> bool:
        return bool(
            self.hashtag_id
            or self.platform
            or self.min_engagement
            or self.sort == Sort.ENGAGEMENT
            or self.status == QueueStatus.FEATURED
        )

    @property
    def wants_posts(self) -> bool:
        return self.kind in (Kind.ALL, Kind.POSTS)

    @property
    def wants_stories(self) -> bool:
        return self.kind in (Kind.ALL, Kind.STORIES) and not self.posts_only


@dataclass
class QueueItem:
    kind: str  # post, story
    obj: Any
    status: str
    pinned: int | None
    rule: str = ""
    tags: list[str] = field(default_factory=list)
    unhide_status: str = ""  # what unhide restores, when a curator hid it
    unhide_pinned: int | None = None

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
        if sort == Sort.ENGAGEMENT:
            return (self.obj.score, self.obj.pk)
        return (self.created_at, 1 if self.kind == "post" else 0, self.obj.pk)


def cursor_make(item: QueueItem, sort: str) -> str:
    if sort == Sort.ENGAGEMENT:
        return f"{item.obj.score}.{item.obj.pk}"
    rank = 1 if item.kind == "post" else 0
    return f"{item.created_at.timestamp():.6f}.{rank}.{item.obj.pk}"


def cursor_parse(value: str, sort: str) -> tuple | None:
    """The order key a cursor names; ValueError if it is not one of ours."""
    if not value:
        return None
    parts = value.split(".")
    try:
        if sort == Sort.ENGAGEMENT:
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
    if status == QueueStatus.NEW:
        return ~Q(Exists(rows.exclude(status=PostCuration.Status.NEW)))
    return Q(Exists(rows.filter(status=status)))


@dataclass
class PostsFiltered:
    """The campaign's posts the filters let through, but for the tag sets (tagset_ids), which
    each order applies its own way; names: the hashtags filtered on, by id; lo, hi: window."""

    posts: QuerySet[Post]
    tagset_ids: list[int]
    names: dict[int, str]
    lo: datetime
    hi: datetime


def posts_filtered(campaign: Campaign, f: QueueFilter, since: datetime | None) -> PostsFiltered:
    names = dict(
        CampaignHashtag.objects.filter(campaign=campaign).values_list("hashtag_id", "hashtag__name")
    )
    if f.hashtag_id:
        names = {t: name for t, name in names.items() if t == f.hashtag_id}
    tagset_ids = sorted(tagsets_meeting(names))
    lo, hi = campaign.polling_window()
    lo = max(lo, since or lo)
    posts = Post.objects.filter(created_at__gte=lo, created_at__lt=hi)
    if f.platform:
        posts = posts.filter(platform=f.platform)
    posts = posts.filter(_status_q(campaign, f.status))
    if f.min_engagement:
        posts = posts.filter(score__gte=f.min_engagement)
    posts = _search(posts, f.q, ["text", "author__handle", "author__name"])
    return PostsFiltered(posts, tagset_ids, names, lo, hi)


def _posts_page(
    campaign: Campaign, f: QueueFilter, after: tuple | None, limit: int, since: datetime | None
) -> list[Post]:
    filtered = posts_filtered(campaign, f, since)
    posts, tagset_ids, names = filtered.posts, filtered.tagset_ids, filtered.names
    lo, hi = filtered.lo, filtered.hi
    if f.sort == Sort.ENGAGEMENT:
        if after:
            score, pk = after
            posts = posts.filter(Q(score__lt=score) | Q(score=score, pk__lt=pk))
        posts = posts.filter(tagset_id__in=tagset_ids, is_repost=False)
        hashtag = next(iter(names.values()), "") if f.hashtag_id else ""
        score = score_key(campaign=campaign, start=lo, end=hi, hashtag=hashtag, platform=f.platform)
        ranked = posts.order_by(score.desc(), F("id").desc()).values_list("pk", flat=True)[:limit]
        posts = Post.objects.filter(pk__in=list(ranked)).order_by("-score", "-pk")
    else:
        if after:
            at, rank, pk = after
            # Posts rank above stories at the same instant (order key: created_at, rank, id).
            same = Q(created_at=at, pk__lt=pk) if rank == 1 else Q(pk__in=[])
            posts = posts.filter(Q(created_at__lt=at) | same)
        ids = _newest_ids(posts, tagset_ids, limit)
        posts = Post.objects.filter(pk__in=ids).order_by("-created_at", "-pk")
    return list(posts.select_related("author")[:limit])


def _newest_ids(posts: QuerySet[Post], tagset_ids: list[int], limit: int) -> list[int]:
    """The ids of the `limit` newest of these posts carrying one of the tag sets: each tag
    set's newest straight off its (tag set, created_at) index range (filters applied on the
    way, so a walk stops after `limit` matches), in one UNION ALL; then merged here."""
    if not tagset_ids:
        return []
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: one scan
        newest = posts.filter(tagset_id__in=tagset_ids).order_by("-created_at", "-pk")
        return list(newest.values_list("pk", flat=True)[:limit])
    parts = [
        posts.filter(tagset_id=t)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "pk")[:limit]
        for t in tagset_ids
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return [pk for _, pk in sorted(rows, reverse=True)[:limit]]


def stories_filtered(campaign: Campaign, f: QueueFilter, since: datetime | None) -> QuerySet:
    stories: QuerySet[Story] = Story.objects.filter(campaign=campaign)
    if since is not None:
        stories = stories.filter(created_at__gte=since)
    if f.status:
        stories = stories.filter(status=f.status)
    return _search(stories, f.q, ["text", "name"])


def _stories_page(
    campaign: Campaign, f: QueueFilter, after: tuple | None, limit: int, since: datetime | None
) -> list[Story]:
    stories = stories_filtered(campaign, f, since)
    if after:
        at, rank, pk = after
        # Stories rank below posts at the same instant (order key: created_at, rank, id).
        if rank == 1:
            stories = stories.filter(created_at__lte=at)
        else:
            stories = stories.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    return list(stories.order_by("-created_at", "-pk")[:limit])


def story_item(story: Story) -> QueueItem:
    return QueueItem(
        "story",
        story,
        story.status,
        story.pinned,
        unhide_status=story.unhide_status,
        unhide_pinned=story.unhide_pinned,
    )


def _items_for_posts(campaign: Campaign, posts: list[Post]) -> list[QueueItem]:
    rows = {
        row.post_id: row
        for row in PostCuration.objects.filter(campaign=campaign, post_id__in=[p.pk for p in posts])
    }
    labels = tag_labels(campaign=campaign, order="display")
    items = []
    for post in posts:
        row = rows.get(post.pk)
        status = row.status if row else PostCuration.Status.NEW
        pinned, rule = (row.pinned, row.rule) if row else (None, "")
        tags = labels.get(post.tagset_id, []) if post.tagset_id is not None else []
        held = (row.unhide_status, row.unhide_pinned) if row else ("", None)
        items.append(QueueItem("post", post, status, pinned, rule, tags, *held))
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
    since = range_since(filters.range, now or timezone.now())
    items: list[QueueItem] = []
    if filters.wants_posts:
        posts = search_bounded(
            filters, lambda: _posts_page(campaign, filters, position, limit + 1, since)
        )
        items += _items_for_posts(campaign, posts)
    if (
        filters.wants_stories
        and filters.sort == Sort.NEWEST
        and filters.status != QueueStatus.FEATURED
    ):
        stories = _stories_page(campaign, filters, position, limit + 1, since)
        items += [story_item(s) for s in stories]
    items.sort(key=lambda item: item.order_key(filters.sort), reverse=True)
    more = len(items) > limit
    items = items[:limit]
    return items, (cursor_make(items[-1], filters.sort) if more and items else "")


def search_bounded(filters: QueueFilter, read):
    """read(), under the search time limit when the filters search text (PostgreSQL)."""
    if not filters.q or connection.vendor != "postgresql":
        return read()
    limit = settings.QUEUE_SEARCH_TIMEOUT_MS
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [str(limit)],
            )
            before = cursor.fetchone()[0]
            found = read()
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
            return found
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", None) != _QUERY_CANCELED:
            raise
        raise SearchTooSlow(
            f"The search stopped after {limit / 1000:g} s without a page of results: this "
            "campaign has many posts. Narrow it with a time range, a hashtag or a platform."
        ) from None


_QUERY_CANCELED = "57014"


def queue_item(*, campaign: Campaign, kind: str, pk: int) -> QueueItem | None:
    """One item as the queue shows it, after an action."""
    if kind == "story":
        story = Story.objects.filter(campaign=campaign, pk=pk).first()
        return story_item(story) if story else None
    post = Post.objects.filter(pk=pk).select_related("author").first()
    return _items_for_posts(campaign, [post])[0] if post else None

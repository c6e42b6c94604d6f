"""What keeps the open queue current: its header counts, and the posts and stories that arrived
since it was opened.

Design:
- The page is opened with a mark, the highest post and story ids stored then ("P.S"). Ids only
  grow, so what arrived since is what has a higher id: a range of the primary key, a few rows
  however big the campaign. queue_news counts them through the queue's own filters (hashtag,
  platform, status, search, range), at most NEWS_MAX each, so "N new posts" means N more
  rows in this very view once it is shown again.
- The counts are the campaign's whole queue, posts and stories together: featured (posts),
  approved and hidden (posts and stories, the stories also apart), stories waiting for review.
  They come from the curation rows and the stories' status index, never from the posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

from campaigns.curation.queue import (
    QueueFilter,
    posts_filtered,
    search_bounded,
    stories_filtered,
)
from campaigns.models import Campaign, PostCuration, Story
from campaigns.ranges import since as range_since
from hashtags.models import Post

NEWS_MAX = 99


@dataclass(frozen=True)
class Mark:
    post: int = 0
    story: int = 0

    def __str__(self) -> str:
        return f"{self.post}.{self.story}"


def mark_now() -> Mark:
    """The highest post and story ids stored now: what the queue has seen when it opens."""
    post = Post.objects.aggregate(top=Max("pk"))["top"] or 0
    story = Story.objects.aggregate(top=Max("pk"))["top"] or 0
    return Mark(post, story)


def mark_parse(value: str) -> Mark:
    """A mark as mark_now wrote it; ValueError otherwise."""
    post, sep, story = (value or "").partition(".")
    if not sep or not (post.isascii() and post.isdigit() and story.isascii() and story.isdigit()):
        raise ValueError("The queue's mark is not valid; reload the page.")
    if len(post) > 18 or len(story) > 18:
        raise ValueError("The queue's mark is not valid; reload the page.")
    return Mark(int(post), int(story))


@dataclass(frozen=True)
class News:
    posts: int  # at most NEWS_MAX each
    stories: int
    more: bool  # a count stopped at NEWS_MAX: "99+"


def queue_news(*, campaign: Campaign, filters: QueueFilter, mark: Mark, now) -> News:
    """Posts and stories past the mark that the queue with these filters would show (each
    count stops at NEWS_MAX)."""
    since = range_since(filters.range, now)
    posts = stories = 0
    if filters.wants_posts:
        found = posts_filtered(campaign, filters, since)

        def read() -> int:
            newer = found.posts.filter(tagset_id__in=found.tagset_ids, pk__gt=mark.post)
            return len(newer.values_list("pk", flat=True)[: NEWS_MAX + 1])

        posts = search_bounded(filters, read) if found.tagset_ids else 0
    if filters.wants_stories and filters.sort != "engagement":
        newer_stories = stories_filtered(campaign, filters, since).filter(pk__gt=mark.story)
        stories = len(newer_stories.values_list("pk", flat=True)[: NEWS_MAX + 1])
    more = posts > NEWS_MAX or stories > NEWS_MAX
    return News(min(posts, NEWS_MAX), min(stories, NEWS_MAX), more)


def queue_counts(*, campaign: Campaign) -> dict[str, int]:
    """The queue's header: featured posts; approved and hidden posts and stories (and the
    stories among them); stories waiting for review (`new_stories`); pinned items."""
    posts = dict.fromkeys(PostCuration.Status.values, 0)
    rows = PostCuration.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"))
    posts.update({row["status"]: row["n"] for row in rows})
    stories = dict.fromkeys(Story.Status.values, 0)
    story_rows = Story.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"))
    stories.update({row["status"]: row["n"] for row in story_rows})
    pinned = PostCuration.objects.filter(campaign=campaign, pinned__isnull=False).count()
    pinned += Story.objects.filter(campaign=campaign, pinned__isnull=False).count()
    return {
        "featured": posts["featured"],
        "approved": posts["approved"] + stories["approved"],
        "hidden": posts["hidden"] + stories["hidden"],
        "stories_approved": stories["approved"],
        "stories_hidden": stories["hidden"],
        "new_stories": stories["new"],
        "pinned": pinned,
    }

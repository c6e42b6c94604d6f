"""Data and brute-force answers for the dashboard endpoint tests: counts straight from posts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hashtags.ingest import posts_upsert
from hashtags.models import Hashtag, Post
from hashtags.sources.base import PostData
from hashtags.tagsets import tagset_hashtag_ids
from tests.support.ingest_data import author, post

TAGS = ["nhitweek", "hitworks", "ihearthit"]
START = datetime(2026, 10, 30, 4, 0, tzinfo=UTC)
END = datetime(2026, 11, 6, 4, 0, tzinfo=UTC)


def rich_post(n: int, *, followers: int = 100, author_n: int | None = None, **kwargs) -> PostData:
    """A post whose author has `followers`; other keywords as tests.support.ingest_data.post."""
    made = post(n, author_n=author_n, **kwargs)
    who = author(author_n if author_n is not None else n % 7, made.platform, followers)
    return replace(made, author=who)


def random_posts(seed: int, start: datetime, seconds: int, count: int = 120) -> list[PostData]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        who = rng.randint(0, 15)
        out.append(
            rich_post(
                seed * 1000 + i,
                tags=tuple(rng.sample(TAGS, rng.randint(1, 3))),
                at=start + timedelta(seconds=rng.randint(0, seconds - 1)),
                is_repost=rng.random() < 0.2,
                platform=rng.choice(["x", "bluesky"]),
                likes=rng.randint(0, 30),
                reposts=rng.randint(0, 5),
                replies=rng.randint(0, 5),
                author_n=who,
                followers=10 * who + 1,
            )
        )
    return out


def store(posts: list[PostData]) -> None:
    posts_upsert(posts=posts)


def window_posts(
    campaign, start: datetime, end: datetime, platform: str = "", hashtag: str = ""
) -> list[Post]:
    """The campaign's posts in [start, end), each once, straight from the tables: every post
    read, its hashtags taken from its tag set's key here in Python."""
    wanted = set(
        Hashtag.objects.filter(campaign_links__campaign=campaign).values_list("pk", flat=True)
    )
    if hashtag:
        wanted &= {Hashtag.objects.get(name=hashtag).pk}
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end)
    if platform:
        posts = posts.filter(platform=platform)
    return [
        p
        for p in posts.select_related("author", "tagset")
        if p.tagset_id and wanted & set(tagset_hashtag_ids(p.tagset.key))
    ]


def brute_summary(campaign, start, end, platform="", hashtag="") -> dict[str, int]:
    posts = window_posts(campaign, start, end, platform, hashtag)
    originals = [p for p in posts if not p.is_repost]
    authors = {p.author_id: p.author.followers for p in posts}
    return {
        "posts": len(originals),
        "reposts": len(posts) - len(originals),
        "likes": sum(p.likes for p in originals),
        "replies": sum(p.replies for p in originals),
        "quotes": sum(p.quotes for p in originals),
        "unique_authors": len(authors),
        "potential_reach": sum(authors.values()),
    }


def custom(start: datetime, end: datetime, **more) -> dict:
    return {"range": "custom", "start": start.isoformat(), "end": end.isoformat(), **more}

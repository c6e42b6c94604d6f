"""Builders of normalized post data for ingestion tests and benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hashtags.sources.base import AuthorData, PostData

T0 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)
# One well-formed jsonl archive record, the fewest fields import_posts needs.
ARCHIVE_RECORD = {
    "platform": "x",
    "external_id": "9",
    "created_at": "2026-09-16T15:00:00+00:00",
    "author": {"external_id": "a9", "handle": "nine"},
    "hashtags": ["NHITweek"],
}


def author(n: int = 1, platform: str = "x", followers: int = 100) -> AuthorData:
    return AuthorData(
        platform=platform,
        external_id=f"a{n}",
        handle=f"user{n}",
        name=f"User {n}",
        followers=followers,
    )


def post(
    n: int,
    *,
    tags: tuple[str, ...] = ("nhitweek",),
    platform: str = "x",
    at: datetime | None = None,
    likes: int = 0,
    reposts: int = 0,
    replies: int = 0,
    is_repost: bool = False,
    author_n: int | None = None,
) -> PostData:
    return PostData(
        platform=platform,
        external_id=f"p{n}",
        author=author(author_n if author_n is not None else n % 7, platform),
        text=" ".join(f"#{t}" for t in tags) + f" post {n}",
        url=f"https://example.org/p/{n}",
        created_at=at or T0 + timedelta(seconds=20 * n),
        hashtags=tags,
        likes=likes,
        reposts=reposts,
        replies=replies,
        is_repost=is_repost,
        repost_of="p0" if is_repost else "",
    )

"""Rows for curation tests: a campaign's posts made directly (ingestion has its own tests)."""

from __future__ import annotations

from datetime import timedelta

from hashtags.models import Author, Hashtag, Post, TagSet
from hashtags.tagsets import tagset_key


def post_make(
    campaign,
    n: int,
    *,
    tags=("nhitweek",),
    text: str = "",
    platform: str = "x",
    handle: str = "",
    at=None,
    likes: int = 0,
    reposts: int = 0,
    is_repost: bool = False,
    url: str = "",
) -> Post:
    at = at or campaign.start + timedelta(hours=1, minutes=n)
    author, _ = Author.objects.get_or_create(
        platform=platform,
        external_id=f"a-{handle or n}",
        defaults={"handle": handle or f"user{n}", "name": f"User {n}"},
    )
    ids = [Hashtag.objects.get(name=name).pk for name in tags]
    tagset = TagSet.objects.get_or_create(key=tagset_key(ids))[0] if ids else None
    return Post.objects.create(
        platform=platform,
        external_id=f"p{n}",
        author=author,
        text=text or f"#NHITweek post {n}",
        url=url or f"https://example.org/p/{n}",
        created_at=at,
        likes=likes,
        reposts=reposts,
        is_repost=is_repost,
        tagset=tagset,
    )

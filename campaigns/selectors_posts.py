"""Reads of a campaign's stored posts, streamed for export: each post once, in time order."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Prefetch

from hashtags.models import Post, PostHashtag

from .models import Campaign

EXPORT_CHUNK = 2000  # rows per server-side cursor fetch (and per hashtag prefetch query)


def campaign_posts_export(
    *, campaign: Campaign, chunk_size: int = EXPORT_CHUNK
) -> Iterator[tuple[Post, list[str]]]:
    """(post with author, names of the campaign's hashtags it carries) for every post linked to
    any of the campaign's hashtags with start <= created_at < end, ordered by created_at."""
    tag_ids = list(campaign.hashtags.values_list("pk", flat=True))
    linked = PostHashtag.objects.filter(post=OuterRef("pk"), hashtag_id__in=tag_ids)
    own_links = (
        PostHashtag.objects.filter(hashtag_id__in=tag_ids)
        .select_related("hashtag")
        .order_by("hashtag__name")
    )
    posts = (
        Post.objects.filter(created_at__gte=campaign.start, created_at__lt=campaign.end)
        .filter(Exists(linked))
        .select_related("author")
        .prefetch_related(Prefetch("hashtag_links", queryset=own_links, to_attr="own_links"))
        .order_by("created_at", "id")
    )
    for post in posts.iterator(chunk_size=chunk_size):
        yield post, [link.hashtag.name for link in post.own_links]

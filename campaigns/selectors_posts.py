"""Which stored posts are a campaign's, which of its hashtags each carries, and the export stream.

A post's hashtags are its tag set (hashtags.models.TagSet: the tracked hashtags it carries,
kept by ingestion). The campaign's posts are those whose tag set meets the campaign's hashtags,
created inside its polling window: from POLL_LEAD_IN_MINUTES before the start to
POLL_TAIL_MINUTES after the end (what polling collects for it). The window keeps two editions
that share hashtags apart, and a curator may still feature the "see you tomorrow" post of the
lead-in. Reads go through the posts' (tag set, created_at) index.

The names a post shows are its tag set's hashtags that belong to the campaign (`tag_labels`:
two small queries for any number of posts).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from hashtags.models import Post
from hashtags.tagsets import tagsets_meeting

from .models import Campaign, CampaignHashtag
from .selectors_totals import tagsets_of

EXPORT_CHUNK = 2000  # rows per server-side cursor fetch


def campaign_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """[lo, hi): the campaign's dates widened by the polling lead-in and tail."""
    lead = timedelta(minutes=getattr(settings, "POLL_LEAD_IN_MINUTES", 60))
    tail = timedelta(minutes=getattr(settings, "POLL_TAIL_MINUTES", 24 * 60))
    return campaign.start - lead, campaign.end + tail


def posts_tagged(links: QuerySet[CampaignHashtag]) -> QuerySet[Post]:
    """The posts carrying any hashtag of these campaign links (no query of its own)."""
    return Post.objects.filter(tagset_id__in=tagsets_of(links))


def campaign_posts(*, campaign: Campaign) -> QuerySet[Post]:
    """Every post of the campaign inside its polling window, each once (unordered)."""
    lo, hi = campaign_window(campaign)
    links = CampaignHashtag.objects.filter(campaign_id=campaign.pk)
    return posts_tagged(links).filter(created_at__gte=lo, created_at__lt=hi)


def tag_labels(
    *, campaign: Campaign, label: str = "display", order: str = "position"
) -> dict[int, list[str]]:
    """Tag set id -> the campaign's hashtags it holds, as their `label` ("display" or "name"),
    in the campaign's order (order="position") or by label. A post shows
    labels[post.tagset_id]."""
    field = f"hashtag__{label}"
    order_by = ("position", "hashtag_id") if order == "position" else (field,)
    names = dict(
        CampaignHashtag.objects.filter(campaign_id=campaign.pk)
        .order_by(*order_by)
        .values_list("hashtag_id", field)
    )
    rank = {hashtag_id: i for i, hashtag_id in enumerate(names)}
    return {
        tagset_id: [names[h] for h in sorted(members, key=rank.__getitem__)]
        for tagset_id, members in tagsets_meeting(names).items()
    }


def campaign_posts_export(
    *, campaign: Campaign, chunk_size: int = EXPORT_CHUNK
) -> Iterator[tuple[Post, list[str]]]:
    """(post with author, names of the campaign's hashtags it carries) for every post carrying
    any of the campaign's hashtags with start <= created_at < end, ordered by created_at."""
    labels = tag_labels(campaign=campaign, label="name", order="name")
    posts = (
        Post.objects.filter(
            tagset_id__in=list(labels),
            created_at__gte=campaign.start,
            created_at__lt=campaign.end,
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
    for post in posts.iterator(chunk_size=chunk_size):
        yield post, labels.get(post.tagset_id, [])

"""Which stored posts are a campaign's, which of its hashtags each carries, and the export stream.

A post's hashtags are its tag set (hashtags.models.TagSet: the tracked hashtags it carries,
kept by ingestion). The campaign's posts are those whose tag set meets the campaign's hashtags,
created inside its polling window: from POLL_LEAD_IN_MINUTES before the start to
POLL_TAIL_MINUTES after the end (what polling collects for it). The window keeps two editions
that share hashtags apart, and a curator may still feature the "see you tomorrow" post of the
lead-in. Reads go through the posts' (tag set, created_at) index.

The names a post shows are its tag set's hashtags that belong to the campaign (`tag_labels`:
two small queries for any number of posts).

What the public sees of them (`public_post_filter`): never a hidden post; in "approve" mode only
approved or featured ones; every public surface (top posts, the wall, embeds) asks this.
How to rank a window of them (`score_key`): by Post.score, through the score index only when
the window is big.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import CombinedExpression

from campaigns.models import Campaign, CampaignHashtag, ModerationRules, PostCuration, web_link
from campaigns.totals import rollup_rows, tagsets_of, totals_of
from hashtags.models import Platform, Post
from hashtags.tagsets import tagsets_meeting

EXPORT_CHUNK = 2000  # rows per server-side cursor fetch
SMALL_WINDOW = 20_000  # posts; a window this small is sorted, a bigger one walks the index
Status = PostCuration.Status


def posts_tagged(links: QuerySet[CampaignHashtag]) -> QuerySet[Post]:
    """The posts carrying any hashtag of these campaign links (no query of its own)."""
    return Post.objects.filter(tagset_id__in=tagsets_of(links))


def campaign_posts(*, campaign: Campaign) -> QuerySet[Post]:
    """Every post of the campaign inside its polling window, each once (unordered)."""
    lo, hi = campaign.polling_window()
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
        yield post, labels.get(post.tagset_id, []) if post.tagset_id is not None else []


def public_post_filter(campaign: Campaign) -> Q:
    """A Q on Post: not hidden in this campaign; in "approve" mode, approved or featured only.

    Approve mode reads the few chosen ids through the curation index (pk IN), so a ranking walk
    over millions of posts never probes curation once per post.
    """
    rows = PostCuration.objects.filter(campaign=campaign)
    mode = ModerationRules.objects.filter(campaign=campaign).values_list("mode", flat=True).first()
    if mode == ModerationRules.Mode.APPROVE:
        chosen = rows.filter(status__in=[Status.APPROVED, Status.FEATURED])
        return Q(pk__in=chosen.values("post_id"))
    return post_not_hidden(campaign)


def post_not_hidden(campaign: Campaign) -> Q:
    """A Q on Post: no curator or rule hid it in this campaign."""
    hidden = PostCuration.objects.filter(
        campaign=campaign, post=OuterRef("pk"), status=Status.HIDDEN
    )
    return ~Q(Exists(hidden))


def post_json(post: Post, *, tz: tzinfo) -> dict[str, Any]:
    """A post as the JSON answers show it (top posts, a chat's answers): its text, its author,
    its numbers, its time in the campaign's zone, a link only when it is a web address."""
    author = post.author
    return {
        "id": post.pk,
        "platform": post.platform,
        "platform_label": Platform(post.platform).label if post.platform in Platform else "",
        "url": web_link(post.url),
        "text": post.text,
        "created_at": post.created_at.astimezone(tz).isoformat(),
        "author": {
            "handle": author.handle,
            "name": author.name,
            "url": web_link(author.url),
            "followers": author.followers,
        },
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
        "quotes": post.quotes,
        "score": post.score,
    }


# --- Helpers ---------------------------------------------------------------------------------


def window_size(
    *, campaign: Campaign, start: datetime, end: datetime, hashtag: str = "", platform: str = ""
) -> int:
    """Posts and plain reposts of the campaign (or one hashtag) in [start, end), each once,
    from the rollups."""
    sums = totals_of(
        rollup_rows(
            campaign_id=campaign.pk, hashtag=hashtag, platform=platform, start=start, end=end
        )
    )
    return sums["posts"] + sums["reposts"]


def score_key(
    *, campaign: Campaign, start: datetime, end: datetime, hashtag: str = "", platform: str = ""
) -> F | CombinedExpression:
    """What to order a window's posts by, best first. A small window (at most SMALL_WINDOW
    posts) must not walk the score index (it would read the posts of the whole table until it
    met enough of the window's): "score + 0" cannot use it, so the window's posts are found
    first and sorted. A big one walks the index in score order."""
    scope = {"hashtag": hashtag, "platform": platform}
    small = window_size(campaign=campaign, start=start, end=end, **scope) <= SMALL_WINDOW
    return (F("score") + 0) if small else F("score")

"""The event wall's data: what a campaign shows on the big screen and in partner embeds.

Design:
- Items are featured posts (PostCuration status "featured"; pinning features) and approved
  stories. Pinned items come first in pin order (posts and stories have their own 1..n; a tie
  shows the post first), then the rest newest first, WALL_LIMIT in all. Hidden posts are never
  featured (hiding unfeatures), so "featured" already satisfies public_post_filter in both
  moderation modes.
- A post shows the campaign's hashtags it carries (its tag set's, in the campaign's order, in
  their colours; a tag tracked for another campaign is left out); a story shows none.
- Every value is plain data for escaping at the edge: templates autoescape, wall.js uses
  textContent. Links are kept only when http/https. Avatars are never sent (remote images
  would break the CSP and leak viewers to the networks): initials stand in for them.
  A story's e-mail address is never read.
- The live count is original posts with the campaign's hashtags between its start and end,
  from the tag-set rollups (each post once); reposts are given beside it, not added in.
- A constant number of queries whatever the number of items: hashtags, posts, stories, totals,
  and the two of tag_labels (the campaign's tag sets) that name every post's hashtags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, PostCuration, Story, web_link
from campaigns.posts import tag_labels
from campaigns.totals import campaign_totals
from hashtags.models import Platform

WALL_LIMIT = 50
TEXT_MAX = 600  # the wall is read from across a room; longer stories end with an ellipsis
COUNT_LABEL = "posts"
COUNT_NOTE = (
    "Original posts carrying the campaign's hashtags since it opened, each counted once; "
    "reposts are counted apart."
)


def initials(name: str, fallback: str = "") -> str:
    """Up to two letters standing in for an avatar: "Ada Lovelace" -> "AL"."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2])
    if not letters:
        letters = "".join(ch for ch in (fallback or "") if ch.isalnum())[:2]
    return letters.upper() or "?"


def _clip(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1].rstrip() + "…"


def _when(moment: datetime, campaign: Campaign) -> tuple[str, str]:
    local = moment.astimezone(campaign.tz)
    return local.isoformat(), f"{local:%a %b} {local.day}, {local:%H:%M}"


def _post_item(
    row: PostCuration, campaign: Campaign, chips: dict[int, list[dict[str, str]]]
) -> dict[str, Any]:
    post, author = row.post, row.post.author
    created_at, when = _when(post.created_at, campaign)
    return {
        "key": f"post-{post.pk}",
        "kind": "post",
        "id": post.pk,
        "pinned": row.pinned,
        "text": _clip(post.text),
        "platform": post.platform,
        "platform_label": Platform(post.platform).label if post.platform in Platform else "",
        "url": web_link(post.url),
        "created_at": created_at,
        "when": when,
        "hashtags": chips.get(post.tagset_id, []) if post.tagset_id is not None else [],
        "author": {
            "name": author.name or author.handle,
            "handle": author.handle,
            "initials": initials(author.name, author.handle),
            "url": web_link(author.url),
        },
    }


def _story_item(story: Story, campaign: Campaign) -> dict[str, Any]:
    created_at, when = _when(story.created_at, campaign)
    return {
        "key": f"story-{story.pk}",
        "kind": "story",
        "id": story.pk,
        "pinned": story.pinned,
        "text": _clip(story.text),
        "name": story.name,
        "role": story.get_role_display(),
        "initials": initials(story.name),
        "url": story.safe_link,
        "created_at": created_at,
        "when": when,
        "hashtags": [],  # a story carries no hashtags of its own
    }


def featured_posts(*, campaign: Campaign, limit: int = WALL_LIMIT) -> list[PostCuration]:
    """Featured (and so pinned) posts: pinned in order, then newest first. One query."""
    return list(
        PostCuration.objects.filter(campaign=campaign, status=PostCuration.Status.FEATURED)
        .select_related("post__author")
        .only(
            "pinned",
            "post__id",
            "post__platform",
            "post__text",
            "post__url",
            "post__created_at",
            "post__tagset_id",
            "post__author__handle",
            "post__author__name",
            "post__author__url",
        )
        .order_by(F("pinned").asc(nulls_last=True), "-post__created_at", "-id")[:limit]
    )


def approved_stories(*, campaign: Campaign, limit: int = WALL_LIMIT) -> list[Story]:
    """Approved stories, pinned in order, then newest first; never the e-mail. One query."""
    return list(
        Story.objects.filter(campaign=campaign, status=Story.Status.APPROVED)
        .only("id", "name", "role", "text", "link", "created_at", "pinned")
        .order_by(F("pinned").asc(nulls_last=True), "-created_at", "-id")[:limit]
    )


def post_chips(
    *, campaign: Campaign, hashtags: list[dict[str, str]]
) -> dict[int, list[dict[str, str]]]:
    """Tag set id -> the campaign's hashtags it holds, as wall_hashtags gives them (display name
    and colour), in the campaign's order. Two queries for any number of posts."""
    colours = {tag["tag"]: tag["color"] for tag in hashtags}
    return {
        tagset_id: [{"tag": name, "color": colours.get(name, "")} for name in names]
        for tagset_id, names in tag_labels(campaign=campaign, label="display").items()
    }


def wall_items(
    *,
    campaign: Campaign,
    limit: int = WALL_LIMIT,
    hashtags: list[dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Pinned posts and stories in pin order, then the others newest first; at most `limit`.
    `hashtags` is wall_hashtags' answer when the caller has it already (saves a query)."""
    if hashtags is None:
        hashtags = wall_hashtags(campaign=campaign)
    chips = post_chips(campaign=campaign, hashtags=hashtags)
    every = [
        (row.post.created_at, _post_item(row, campaign, chips))
        for row in featured_posts(campaign=campaign, limit=limit)
    ] + [
        (story.created_at, _story_item(story, campaign))
        for story in approved_stories(campaign=campaign, limit=limit)
    ]
    pinned = sorted(
        (item for _, item in every if item["pinned"] is not None),
        key=lambda item: (item["pinned"], item["kind"] != "post"),
    )
    rest = [item for _, item in sorted(every, key=lambda pair: pair[0], reverse=True)]
    return (pinned + [item for item in rest if item["pinned"] is None])[:limit]


def wall_hashtags(*, campaign: Campaign) -> list[dict[str, str]]:
    """The campaign's hashtags in its order: display name (no '#') and colour. One query."""
    links = campaign.campaign_hashtags.select_related("hashtag").order_by("position", "id")
    return [{"tag": link.hashtag.display, "color": link.color} for link in links]


def wall_count(*, campaign: Campaign) -> dict[str, Any]:
    totals = campaign_totals(campaign=campaign, start=campaign.start, end=campaign.end)
    return {
        "value": totals["posts"],
        "reposts": totals["reposts"],
        "label": COUNT_LABEL,
        "note": COUNT_NOTE,
    }


def campaign_wall(*, campaign: Campaign, now: datetime | None = None) -> dict[str, Any]:
    """The answer of /c/<slug>/api/wall (and the first paint of the wall pages); cacheable:
    nothing in it changes without a generation bump or a campaign edit, but the clock."""
    now = now or timezone.now()
    hashtags = wall_hashtags(campaign=campaign)
    return {
        "campaign": campaign.slug,
        "name": campaign.name,
        "timezone": campaign.timezone,
        "computed_at": now.astimezone(campaign.tz).isoformat(),
        "hashtags": hashtags,
        "count": wall_count(campaign=campaign),
        "items": wall_items(campaign=campaign, hashtags=hashtags),
    }

"""Top posts (by engagement score) and top contributors of a campaign window.

Design, top posts: ranked by Post.score (a stored generated column, Post.SCORE_FORMULA);
plain reposts are left out (they carry their original's numbers). Which posts may appear:
never one hidden for this campaign; for the public of an "approve" campaign only approved or
featured ones. How they are found depends on the window's size by the rollups:
- small (at most SMALL_WINDOW posts): the window's posts through the index post_tagset_time
  (tag sets meeting the campaign's hashtags, created_at), then sorted by score: cost grows
  with the window, never with the campaign;
- big: the posts in score order through the partial index post_score_top (hashtags 0006),
  keeping the first that are in the window and whose tag set meets the campaign's hashtags: a
  few index steps when the window holds a good share of the posts;
- approve mode for the public: the campaign's approved and featured posts (curation index).
Then small queries of their own: the curation state of the posts returned and the campaign's
hashtags per tag set (their labels).

Contributors: campaigns.dashboard.snapshots (live for small windows, the snapshot for big ones).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from campaigns.dashboard.params import Window
from campaigns.dashboard.snapshots import (
    NAME,
    campaign_links,
    contributors,
    exact_max,
    snapshot_compute,
    snapshot_key,
    snapshot_store,
)
from campaigns.models import Campaign, PostCuration
from campaigns.posts import (
    post_json,
    post_not_hidden,
    posts_tagged,
    public_post_filter,
    score_key,
    tag_labels,
    window_size,
)
from hashtags.models import Post

Status = PostCuration.Status


def _window_posts(campaign: Campaign, window: Window) -> QuerySet[Post]:
    links = campaign_links(campaign, window.hashtag)
    posts = posts_tagged(links).filter(created_at__gte=window.start, created_at__lt=window.end)
    if window.platform:
        posts = posts.filter(platform=window.platform)
    return posts.filter(is_repost=False)


def _shown(campaign: Campaign, posts: QuerySet[Post], public: bool) -> QuerySet[Post]:
    """Never a hidden post; for the public, what the campaign's moderation mode lets show."""
    return posts.filter(public_post_filter(campaign) if public else post_not_hidden(campaign))


def campaign_top_posts(
    *, campaign: Campaign, window: Window, limit: int, public: bool
) -> dict[str, Any]:
    """The `limit` best-scored posts of the window that this audience may see."""
    posts = _shown(campaign, _window_posts(campaign, window), public)
    score = score_key(
        campaign=campaign,
        start=window.start,
        end=window.end,
        hashtag=window.hashtag,
        platform=window.platform,
    )
    ranked = posts.order_by(score.desc(), F("id").desc())[:limit]
    # Authors joined to the few posts kept, not to every post of the window before ranking.
    top = list(
        Post.objects.filter(pk__in=ranked.values("pk"))
        .select_related("author")
        .order_by(F("score").desc(), F("id").desc())
    )
    ids = [p.pk for p in top]
    curation = {
        post_id: (status, pinned)
        for post_id, status, pinned in PostCuration.objects.filter(
            campaign_id=campaign.pk, post_id__in=ids
        ).values_list("post_id", "status", "pinned")
    }
    labels = tag_labels(campaign=campaign)
    tz = campaign.tz

    def tags(post: Post) -> list[str]:
        return labels.get(post.tagset_id, []) if post.tagset_id is not None else []

    return {
        "formula": Post.SCORE_FORMULA,
        "posts": [_top_post(p, curation.get(p.pk), tags(p), tz) for p in top],
    }


def _top_post(post: Post, curation, hashtags: list[str], tz) -> dict[str, Any]:
    status, pinned = curation or (Status.NEW, None)
    return post_json(post, tz=tz) | {
        "featured": status == Status.FEATURED,
        "pinned": pinned,
        "hashtags": hashtags,
    }


def campaign_contributors(*, campaign: Campaign, window: Window, limit: int) -> dict[str, Any]:
    """Top authors by posts and by engagement: live for small windows, else the snapshot."""
    scope = {"platform": window.platform, "hashtag": window.hashtag}
    if window_size(campaign=campaign, start=window.start, end=window.end, **scope) <= exact_max():
        found = contributors(
            campaign=campaign, start=window.start, end=window.end, limit=limit, **scope
        )
        return {"as_of": None, "source": "live", **found}
    snapshot = campaign.snapshots.filter(name=NAME, params_key=snapshot_key(window)).first()
    if snapshot is not None:
        data, as_of = snapshot.data, snapshot.computed_at
    else:
        data = snapshot_compute(campaign=campaign, window=window)
        as_of = snapshot_store(campaign=campaign, window=window, data=data)
    return {
        "as_of": as_of.astimezone(campaign.tz).isoformat(),
        "source": "snapshot",
        "by_posts": data["current"]["by_posts"][:limit],
        "by_engagement": data["current"]["by_engagement"][:limit],
    }

"""Database checks shared by the ingestion tests: tag-set rollups recomputed the slow way.

Both functions key rows by (table, tag set key, platform, bucket) with table "minute" or
"hour", so a mismatch reads plainly; rows that sum to nothing (a post moved away) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC

from hashtags.models import Post, PostHashtag, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.rollups import SUMS


def link_keys() -> dict[int, str]:
    """Post id -> the key of the tracked hashtags it is linked to."""
    tags: dict[int, set[int]] = defaultdict(set)
    for post_id, hashtag_id in PostHashtag.objects.values_list("post_id", "hashtag_id"):
        tags[post_id].add(hashtag_id)
    return {post_id: TagSet.key_for(ids) for post_id, ids in tags.items()}


def rollups_from_links() -> dict[tuple, tuple[int, ...]]:
    """What every tag-set rollup row must hold, counted from the posts and their links."""
    keys = link_keys()
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    rows = Post.objects.values_list(
        "pk", "platform", "created_at", "is_repost", "likes", "replies", "reposts", "quotes"
    )
    for pk, platform, created_at, is_repost, likes, replies, reposts, quotes in rows:
        if pk not in keys:
            continue
        minute = created_at.astimezone(UTC).replace(second=0, microsecond=0)
        for table, bucket in (("minute", minute), ("hour", minute.replace(minute=0))):
            acc = sums[(table, keys[pk], platform, bucket)]
            if is_repost:
                acc[1] += 1
            else:
                acc[0] += 1
                acc[2] += likes
                acc[3] += replies
                acc[4] += reposts
                acc[5] += quotes
    return {key: tuple(values) for key, values in sums.items()}


def rollups_stored() -> dict[tuple, tuple[int, ...]]:
    keys = dict(TagSet.objects.values_list("pk", "key"))
    out = {}
    for table, model in (("minute", TagSetRollup), ("hour", TagSetRollupHour)):
        rows = model.objects.values_list("tagset_id", "platform", table, *SUMS)
        for tagset_id, platform, bucket, *values in rows:
            if any(values):
                out[(table, keys[tagset_id], platform, bucket.astimezone(UTC))] = tuple(values)
    return out


def tagsets_stored_wrong() -> list[int]:
    """Ids of posts whose tag set is not the set of hashtags they are linked to."""
    keys = link_keys()
    return [
        pk
        for pk, key in Post.objects.values_list("pk", "tagset__key")
        if (key or "") != keys.get(pk, "")
    ]


def rollups_exact() -> None:
    """Assert the stored rollups and tag sets equal a recomputation from posts and links."""
    assert rollups_stored() == rollups_from_links()
    assert tagsets_stored_wrong() == []

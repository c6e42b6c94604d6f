"""Database checks shared by the polling tests: rollups recomputed from the stored links."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC

from hashtags.models import PostHashtag, VolumeRollup


def rollups_from_links() -> dict[tuple, tuple[int, ...]]:
    """What every minute rollup must hold, counted the slow way from the post-hashtag links."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0] * 6)
    rows = PostHashtag.objects.values_list(
        "hashtag_id",
        "platform",
        "created_at",
        "post__is_repost",
        "post__likes",
        "post__replies",
        "post__reposts",
        "post__quotes",
    )
    for hashtag_id, platform, created_at, is_repost, likes, replies, reposts, quotes in rows:
        minute = created_at.astimezone(UTC).replace(second=0, microsecond=0)
        acc = sums[(hashtag_id, platform, minute)]
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
    rows = VolumeRollup.objects.values_list(
        "hashtag_id",
        "platform",
        "minute",
        "posts",
        "reposts",
        "likes",
        "replies",
        "shares",
        "quotes",
    )
    return {
        (hashtag_id, platform, minute.astimezone(UTC)): tuple(values)
        for hashtag_id, platform, minute, *values in rows
    }

"""Database checks shared by the ingestion tests: tag-set rollups recomputed the slow way, and
the tracked hashtags each post carries read off its tag set.

The rollup functions key rows by (table, tag set key, platform, bucket) with table "minute" or
"hour", so a mismatch reads plainly; rows that sum to nothing (a post moved away) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC

from hashtags.ingest.rollups import SUMS
from hashtags.models import Hashtag, Post, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.tagsets import tagset_hashtag_ids, tagsets_meeting


def tagsets_holding(hashtag_id: int) -> list[int]:
    """Ids of the tag sets that hold this hashtag: its line sums their rows."""
    return sorted(tagsets_meeting([hashtag_id]))


def link_keys() -> dict[int, str]:
    """Post id -> the key of the tracked hashtags it carries (posts carrying none left out)."""
    rows = Post.objects.exclude(tagset__isnull=True).values_list("pk", "tagset__key")
    return {pk: key for pk, key in rows if key}


def post_links() -> list[tuple[int, int]]:
    """(post id, hashtag id) for every tracked hashtag of every post, sorted."""
    return sorted((pk, int(h)) for pk, key in link_keys().items() for h in key.split(",") if h)


def links_count(name: str | None = None) -> int:
    """How many (post, tracked hashtag) pairs there are; only those of hashtag `name` if given."""
    if name is None:
        return len(post_links())
    wanted = Hashtag.objects.get(name=name).pk
    return sum(1 for _, h in post_links() if h == wanted)


def links_per_name() -> dict[str, int]:
    """Hashtag name -> how many posts carry it (hashtags no post carries left out)."""
    names = dict(Hashtag.objects.values_list("pk", "name"))
    out: dict[str, int] = defaultdict(int)
    for _, h in post_links():
        out[names[h]] += 1
    return dict(out)


def tag_names(post: Post) -> set[str]:
    """The names of the tracked hashtags a post carries."""
    post.refresh_from_db()
    ids = sorted(tagset_hashtag_ids(post.tagset.key)) if post.tagset_id else []
    return set(Hashtag.objects.filter(pk__in=ids).values_list("name", flat=True))


def rollups_from_links() -> dict[tuple, tuple[int, ...]]:
    """What every tag-set rollup row must hold, counted from the posts one by one."""
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


def rollups_exact() -> None:
    """Assert the stored rollups equal a recomputation from the posts and their tag sets."""
    assert rollups_stored() == rollups_from_links()

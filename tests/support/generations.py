"""The cache generation numbers of some hashtags, read the way cached answers read them."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from hashtags.generation import generation_key


def generations(*, hashtag_ids: Iterable[int]) -> dict[int, int]:
    """Hashtag id -> its generation number (0 when it has none yet)."""
    ids = list(hashtag_ids)
    found = cache.get_many([generation_key(i) for i in ids])
    return {i: int(found.get(generation_key(i), 0)) for i in ids}

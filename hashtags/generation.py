"""Cache generations: ingestion bumps a hashtag's number, and every cached answer that depends on
the hashtag carries the number in its key, so a stored post is visible at once."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress

from django.core.cache import cache

_KEY = "gen:hashtag:{}"
_TIMEOUT = None  # generations never expire; losing one (cache flush) only costs a miss


def generation_key(hashtag_id: int) -> str:
    return _KEY.format(hashtag_id)


def generation_bump(*, hashtag_ids: Iterable[int]) -> None:
    for hashtag_id in hashtag_ids:
        key = generation_key(hashtag_id)
        try:
            cache.incr(key)
        except ValueError:  # no such key yet, or it vanished (eviction, flush) in between
            if not cache.add(key, 1, timeout=_TIMEOUT):
                with suppress(ValueError):
                    cache.incr(key)

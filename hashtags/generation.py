"""Cache generations: ingestion bumps a hashtag's number, and every cached answer that depends on
the hashtag carries the number in its key, so a stored post is visible at once."""

from __future__ import annotations

import secrets
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


_EPOCH_KEY = "gen:epoch"


def generation_signature(*, hashtag_ids: Iterable[int]) -> str | None:
    """The current generations of these hashtags as one string, for answers kept outside the
    cache (in the database): it starts with the cache's epoch, a token made again after a
    flush, so numbers that restarted from zero never match one read before. None while the
    cache is down: nothing can be known to be unchanged."""
    ids = sorted(set(hashtag_ids))
    keys = [_EPOCH_KEY, *(generation_key(i) for i in ids)]
    try:
        found = cache.get_many(keys)
        epoch = found.get(_EPOCH_KEY)
        if epoch is None:
            cache.add(_EPOCH_KEY, secrets.token_hex(8), timeout=_TIMEOUT)
            epoch = cache.get(_EPOCH_KEY)
    except Exception:  # noqa: BLE001 - an outage means "unknown", never an error
        return None
    if epoch is None:
        return None
    return f"{epoch}:" + ",".join(f"{i}={int(found.get(generation_key(i), 0))}" for i in ids)

"""Cached answers that are never stale. Dashboard answers: each carries the generation numbers
of the campaign's hashtags, which ingestion bumps on commit (hashtags.generation).

One cache round trip serves an unchanged campaign: the answer and the current generations are
read together with get_many, and the answer is used only if its generations still match.
Curation also counts up the campaign row's curation_version in its own transaction, and the
key carries it: a bump lost to a cache outage cannot keep a hidden post public. The view has
read the campaign row already, so this costs no query.

Answers built from something that carries its own signature (a chat's stored reading) are
kept under that signature instead (`cached_by_signature`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.core.cache import cache

from campaigns.models import Campaign
from hashtags.generation import generation_key

TIMEOUT = 300


def cached_answer(
    *,
    campaign: Campaign,
    hashtag_ids: list[int],
    name: str,
    params: str,
    compute: Callable[[], Any],
) -> tuple[Any, bool]:
    """(answer, hit). A campaign edit (updated_at) or curation (curation_version) also changes
    the key."""
    digest = hashlib.blake2b(params.encode(), digest_size=12).hexdigest()
    version = f"{campaign.updated_at.timestamp()}:{campaign.curation_version}"
    key = f"dash:{campaign.pk}:{version}:{name}:{digest}"
    gen_keys = [generation_key(i) for i in hashtag_ids]
    try:
        found = cache.get_many([key, *gen_keys])
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the answer
        return compute(), False
    generations = [int(found.get(k, 0)) for k in gen_keys]
    stored = found.get(key)
    if stored is not None and stored[0] == generations:
        return stored[1], True
    answer = compute()
    # Serving the answer matters more than caching it.
    with suppress(Exception):
        cache.set(key, (generations, answer), TIMEOUT)
    return answer, False


def cached_by_signature(
    *, name: str, signature: str, params: str, compute: Callable[[], Any]
) -> Any:
    """An answer kept under a signature that names everything it was built from (a chat
    reading's): a changed input makes a new key, so nothing has to be invalidated."""
    digest = hashlib.blake2b(f"{signature}|{params}".encode(), digest_size=16).hexdigest()
    key = f"sig:{name}:{digest}"
    try:
        stored = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage costs speed, never the answer
        return compute()
    if stored is not None:
        return stored
    answer = compute()
    with suppress(Exception):
        cache.set(key, answer, TIMEOUT)
    return answer

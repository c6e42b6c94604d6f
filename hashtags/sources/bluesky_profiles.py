"""Fills in Bluesky follower counts, which post views leave out, from app.bsky.actor.getProfiles.

searchPosts and getPosts describe authors as ProfileViewBasic, which has no followersCount, so
the client asks getProfiles (at most 25 actors a call) for the authors of each page. Counts are
kept per process for BLUESKY_PROFILE_TTL_SECONDS (6 hours by default, at most CACHE_SIZE
authors), so a hashtag polled every minute asks for an author a few times a day, not every poll.
A count we could not get (the call failed, or the answer left the account out: deleted,
suspended, taken down) is None, "unknown", never 0.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings

from .base import PostData

PROFILE_BATCH = 25  # the most actors app.bsky.actor.getProfiles takes
CACHE_SIZE = 50_000  # authors; past it the least recently fetched are dropped first

# DID -> (followers or None when unknown, clock time it was fetched)
_followers: OrderedDict[str, tuple[int | None, float]] = OrderedDict()
_followers_lock = threading.Lock()


class ProfilesUnavailable(Exception):
    """getProfiles gave no answer this time; the page goes on with its counts unknown."""


def followers_forget() -> None:
    """Drop every remembered follower count, so the next page asks for all its authors."""
    with _followers_lock:
        _followers.clear()


def followers_fill(
    posts: list[PostData],
    *,
    ask: Callable[[list[str]], dict[str, Any]],
    now: float,
) -> tuple[list[PostData], list[str]]:
    """The posts with their authors' follower counts, and a warning if some stayed unknown.

    ask: one getProfiles call for up to PROFILE_BATCH DIDs, returning its JSON body or raising
    ProfilesUnavailable. now: the client's clock, in seconds (monotonic is fine).
    """
    if not posts:
        return posts, []
    dids = list(dict.fromkeys(p.author.external_id for p in posts))
    counts, stale = _cached(dids, now=now, ttl=_ttl())
    askable = [did for did in stale if did.startswith("did:")]  # anything else would be refused
    warnings: list[str] = []
    for start in range(0, len(askable), PROFILE_BATCH):
        batch = askable[start : start + PROFILE_BATCH]
        try:
            body = ask(batch)
        except ProfilesUnavailable as exc:
            # One failure is likely to repeat: leave the rest unknown rather than insist.
            unknown = len(askable) - start
            warnings.append(
                f"Bluesky follower counts of {unknown} authors are unknown for this page ({exc})."
            )
            break
        found = _counts_from(body, asked=batch)
        _remember(found, now=now)
        counts.update(found)
    return [_with_followers(p, counts.get(p.author.external_id)) for p in posts], warnings


def _ttl() -> float:
    return float(settings.BLUESKY_PROFILE_TTL_SECONDS)


def _cached(
    dids: Sequence[str], *, now: float, ttl: float
) -> tuple[dict[str, int | None], list[str]]:
    """The counts still fresh at `now`, and the DIDs to ask for again."""
    fresh: dict[str, int | None] = {}
    stale: list[str] = []
    with _followers_lock:
        for did in dids:
            entry = _followers.get(did)
            if entry is not None and 0 <= now - entry[1] < ttl:
                fresh[did] = entry[0]
            else:
                stale.append(did)
    return fresh, stale


def _remember(counts: dict[str, int | None], *, now: float) -> None:
    with _followers_lock:
        for did, count in counts.items():
            _followers[did] = (count, now)
            _followers.move_to_end(did)
        while len(_followers) > CACHE_SIZE:
            _followers.popitem(last=False)


def _counts_from(body: dict[str, Any], *, asked: Sequence[str]) -> dict[str, int | None]:
    """followersCount of each asked DID; None for an account the answer left out."""
    counts: dict[str, int | None] = dict.fromkeys(asked)
    profiles = body.get("profiles")
    for profile in profiles if isinstance(profiles, list) else []:
        if not isinstance(profile, dict) or profile.get("did") not in counts:
            continue
        count = profile.get("followersCount")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            counts[profile["did"]] = count
    return counts


def _with_followers(post: PostData, followers: int | None) -> PostData:
    # None: unknown; storage keeps the count it holds (hashtags.ingest.rows: followers).
    author = replace(post.author, followers=followers)
    return replace(post, author=author)

"""Signals ingestion sends, so other apps can act on stored posts without hashtags knowing them.

posts_stored: sent by hashtags.ingest.posts_upsert INSIDE the storing transaction, after the
posts, links, tag sets and rollups of the call are written and before the transaction commits.
Keyword arguments:
    post_ids: list[int]   ids of the posts stored for the first time by this call (ascending;
                          posts already stored, even if their metrics changed, are not listed)
    hashtag_ids: list[int] ids of the tracked hashtags the call's posts carry (ascending)
sender is the string "hashtags.ingest".

A receiver runs in the transaction: what it writes commits or rolls back with the posts (so
campaigns' moderation rules, connected by campaigns, are applied to exactly the posts that
arrive, once), and an exception it raises rolls the whole page back and the poll is retried.
Keep receivers set-based (one query for all post_ids), never per post. When nothing is
connected, posts_upsert does not even collect the ids (`posts_stored_wanted`). A call that
stores no new post (a re-poll, a metrics refresh) sends nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

SENDER = "hashtags.ingest"

posts_stored = Signal()


def posts_stored_wanted() -> bool:
    """Whether anything listens: without receivers ingestion skips collecting the new ids."""
    return posts_stored.has_listeners(SENDER)


def posts_stored_send(*, post_ids: list[int], hashtag_ids: list[int]) -> None:
    """Send posts_stored for the posts a call stored for the first time (none: no signal)."""
    if post_ids:
        posts_stored.send(sender=SENDER, post_ids=sorted(post_ids), hashtag_ids=sorted(hashtag_ids))

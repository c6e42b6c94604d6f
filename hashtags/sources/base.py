"""The one small interface every platform client implements, and the normalized data it returns.

A client turns a platform's API pages into `Page`s of `PostData`. It never touches the database
and never sleeps: rate limits and failures come back as `SourceError`, which tells the caller
whether to back off (transient, optionally until `retry_at`) or to disable the source
(permanent, with a reason an admin can read).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class AuthorData:
    platform: str
    external_id: str
    handle: str
    name: str = ""
    avatar_url: str = ""
    url: str = ""
    followers: int | None = 0  # None: not known from this response (the stored count stays)
    verified: bool = False


@dataclass(frozen=True)
class Mention:
    """An account a post is addressed to, on the post's platform (hashtags.models.PostMention):
    role is a MentionRole value; handle and uid (the platform's account id) as
    hashtags.sources.mentions.mention_of makes them, "" when unknown (but never both)."""

    role: str
    handle: str = ""
    uid: str = ""


@dataclass(frozen=True)
class PostData:
    platform: str
    external_id: str
    author: AuthorData
    text: str  # plain text, never HTML
    url: str
    created_at: datetime  # aware
    hashtags: tuple[str, ...] = ()  # normalized tags the post carries (hashtag_normalize)
    links: tuple[str, ...] = ()  # http(s) URLs found in the post
    lang: str = ""
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    is_repost: bool = False  # a plain repost/boost/retweet: counted as a repost, not a post
    repost_of: str = ""  # external id of the original, when is_repost
    reply_to: str = ""  # external id of the parent post, when a reply
    quote_of: str = ""  # id of the quoted post, when a quote (named as reply_to names a parent)
    conversation_id: str = ""
    # The accounts it mentions, and the authors of the posts it replies to, quotes or reposts.
    mentions: tuple[Mention, ...] = ()


@dataclass
class Page:
    """One API response page, stored in one transaction together with `cursor`."""

    posts: list[PostData]
    cursor: dict[str, Any]  # the state to save with this page; passed back on the next fetch
    warnings: list[str] = field(default_factory=list)  # partial errors inside a 200 response
    # The normalized tags whose search gave this page (its warnings are theirs); () for all.
    hashtags: tuple[str, ...] = ()
    newest_at: datetime | None = None
    oldest_at: datetime | None = None


class SourceError(Exception):
    """A failed fetch. permanent: disable the source (bad credentials, usage cap, bad config).
    Otherwise transient: back off, until `retry_at` when the platform said when (rate limit).
    `hashtags`: the normalized tags whose search failed; () when the failure is the source's."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_at: datetime | None = None,
        rate_limited: bool = False,
        hashtags: tuple[str, ...] = (),
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hashtags = hashtags
        self.permanent = permanent
        self.retry_at = retry_at
        self.rate_limited = rate_limited


class SourceClient(Protocol):
    platform: str

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        """Yield pages of posts newer than `cursor`, newest first; the caller stores each page
        (with its `cursor`) before asking for the next, so a crash loses nothing."""
        ...

    def lookup(self, *, external_ids: Sequence[str]) -> list[PostData]:
        """The stored posts with these ids as the platform shows them now (fresh metrics).
        Deleted or unavailable posts are simply left out; errors are `SourceError`s as in
        `fetch`. Clients may set `lookup_batch`, the most ids one request takes."""
        ...

"""What a batch becomes on its way through ingestion: prepared (Prepared, Staged), then stored
(UpsertResult). Its own module so that every write path can name them and none imports another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..sources.base import PostData


@dataclass
class UpsertResult:
    read: int = 0  # posts handed in (after dropping repeats within the batch)
    new: int = 0  # posts stored for the first time
    duplicates: int = 0  # posts already stored (their metrics were refreshed)
    # hashtag id -> posts that carry it now and did not before: new posts, and stored posts
    # whose tag set grew to hold it (what a poll adds to the hashtag's line)
    new_links: dict[int, int] = field(default_factory=dict)

    def add(self, other: UpsertResult) -> None:
        self.read += other.read
        self.new += other.new
        self.duplicates += other.duplicates
        for key, value in other.new_links.items():
            self.new_links[key] = self.new_links.get(key, 0) + value

    def linked(self, hashtag_ids: Iterable[int]) -> None:
        for hashtag_id in hashtag_ids:
            self.new_links[hashtag_id] = self.new_links.get(hashtag_id, 0) + 1


@dataclass(frozen=True)
class Staged:
    """One batch as COPY input, with its posts grouped by tag names and its rollups summed."""

    authors: str
    posts: str
    tags: frozenset[str]
    count: int
    groups: tuple[tuple[str, ...], ...]  # distinct sorted tag names; posts refer by index
    group_of: tuple[int, ...]  # per post (in batch order)
    group_counts: tuple[int, ...]
    sums: str  # CSV: group, platform, minute, posts, reposts, likes, replies, shares, quotes
    mentions: str = ""  # CSV: post (its n), role, handle, uid


@dataclass(frozen=True)
class Prepared:
    """A batch made ready for posts_upsert without the database: repeats dropped, sorted, and
    for the COPY path already formatted and its rollups summed."""

    posts: list[PostData]
    staged: Staged | None

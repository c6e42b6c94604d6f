"""Fake platform clients for polling tests: deterministic pages of normalized posts, scripted
failures, and a record of what the poller asked for. They stand at the client interface
(`hashtags.sources.base.SourceClient`), where every real client hands over its pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hashtags.sources.base import AuthorData, Page, PostData

T0 = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)


def page_posts(
    *, page: int, hashtags: Sequence[str], per_page: int = 10, platform: str = "x"
) -> list[PostData]:
    """Page `page` (1-based) of a stream: fixed ids, tags taken in turn, every fifth post also
    carries the next tag, every seventh is a plain repost, likes grow with the id."""
    tags = sorted(hashtags)
    posts = []
    for i in range((page - 1) * per_page, page * per_page):
        carried = {tags[i % len(tags)]}
        if i % 5 == 0:
            carried.add(tags[(i + 1) % len(tags)])
        repost = i % 7 == 3
        posts.append(
            PostData(
                platform=platform,
                external_id=f"fake-{i}",
                author=AuthorData(platform=platform, external_id=f"u{i % 13}", handle=f"u{i % 13}"),
                text=" ".join(f"#{t}" for t in sorted(carried)) + f" post {i}",
                url=f"https://example.org/p/{i}",
                created_at=T0 + timedelta(seconds=17 * i),
                hashtags=tuple(sorted(carried)),
                likes=i % 11,
                replies=i % 3,
                reposts=i % 4,
                is_repost=repost,
                repost_of="fake-0" if repost else "",
            )
        )
    return posts


def links_per_tag(posts: Sequence[PostData]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in posts:
        for tag in post.hashtags:
            counts[tag] = counts.get(tag, 0) + 1
    return counts


@dataclass
class ScriptedClient:
    """Yields the scripted steps in order: a Page is yielded, an exception is raised.

    resume: skip pages at or before the cursor's "page", as a real client continues after its
    cursor. between_pages: called each time the poller asks for the next step, i.e. after it
    stored the previous page. `fetched` counts pages handed over, `cursors` records the cursor
    of every fetch call.
    """

    steps: Sequence[Page | BaseException]
    resume: bool = False
    between_pages: Callable[[], None] | None = None
    platform: str = "x"
    fetched: int = 0
    cursors: list[dict[str, Any]] = field(default_factory=list)

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        self.cursors.append(dict(cursor))
        reached = int(cursor.get("page", 0)) if self.resume else 0
        for step in self.steps:
            if isinstance(step, Page) and int(step.cursor.get("page", 0)) <= reached:
                continue
            if self.between_pages is not None:
                self.between_pages()
            if isinstance(step, BaseException):
                raise step
            self.fetched += 1
            yield step


def pages(*, count: int, hashtags: Sequence[str], per_page: int = 10) -> list[Page]:
    """`count` consecutive pages whose cursors say how far they reached."""
    return [
        Page(
            posts=page_posts(page=n, hashtags=hashtags, per_page=per_page),
            cursor={"page": n},
        )
        for n in range(1, count + 1)
    ]

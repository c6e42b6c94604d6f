"""The client a test worker uses for demo sources: six fixed pages of 100 posts, and on request
a pause after page 2 so the test can kill the worker between two pages.

Configured by environment variables, since it runs inside a `celery worker` subprocess:
NHITWEEK_TEST_PAUSE_AFTER (a page number) and NHITWEEK_TEST_PAUSE_FILE (touched when pausing).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hashtags.sources.base import Page
from tests.support.fake_clients import page_posts

PAGES, PER_PAGE = 6, 100
PAUSE_SECONDS = 90  # longer than any wait in the test; the test kills the worker long before


class PagedClient:
    platform = "demo"

    def __init__(self, *, pause_after: int | None = None, pause_file: str = "") -> None:
        self.pause_after = pause_after
        self.pause_file = pause_file

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        for n in range(int(cursor.get("page", 0)) + 1, PAGES + 1):
            if self.pause_after is not None and n == self.pause_after + 1:
                # Page `pause_after` is committed by now: the poller asks for the next one only
                # after storing it. Test code, so sleeping here is fine.
                if self.pause_file:
                    Path(self.pause_file).touch()
                time.sleep(PAUSE_SECONDS)
            posts = page_posts(page=n, hashtags=hashtags, per_page=PER_PAGE, platform="demo")
            yield Page(posts=posts, cursor={"page": n})


def client_for(source: Any) -> PagedClient:
    pause = os.environ.get("NHITWEEK_TEST_PAUSE_AFTER")
    return PagedClient(
        pause_after=int(pause) if pause else None,
        pause_file=os.environ.get("NHITWEEK_TEST_PAUSE_FILE", ""),
    )

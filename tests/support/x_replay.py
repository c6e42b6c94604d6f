"""Recorded X API v2 answers served by `responses` beneath the real tweepy Client, for X tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import responses
from responses import matchers

from hashtags.sources.x import XClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "x"
SEARCH_URL = "https://api.twitter.com/2/tweets/search/recent"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAsecret-bearer-token-for-tests"
NOW = datetime(2026, 9, 16, 15, 0, tzinfo=UTC)
TAGS = ["nhitweek", "hitworks", "ihearthit"]
QUERY = "#hitworks OR #ihearthit OR #nhitweek"
OLD_SINCE_ID = "2100147678213050369"  # 2026-09-16 09:00, the previous poll's newest post
NEXT_TOKEN = "b26v89c19zqg8o3fpe17jgfvyskdfyqfq3h4e0e4f0aal"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def make_client(**kwargs: Any) -> XClient:
    return XClient(bearer_token=TOKEN, clock=lambda: NOW, **kwargs)


def add_search(
    body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None, **match: str
) -> None:
    responses.add(
        responses.GET,
        SEARCH_URL,
        json=body,
        status=status,
        headers=headers,
        match=[matchers.query_param_matcher(match, strict_match=False)] if match else [],
    )


def first_cursor(since_id: str = OLD_SINCE_ID) -> dict[str, Any]:
    return {"queries": {QUERY: {"since_id": since_id}}}


def collect(client: XClient, cursor: dict[str, Any], tags: list[str] = TAGS) -> list[Any]:
    return list(client.fetch(hashtags=tags, cursor=cursor))

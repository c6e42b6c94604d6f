"""Recorded Mastodon exchanges, replayed by `responses` beneath Mastodon.py."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import responses
from responses import matchers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mastodon"
SERVER = "https://mastodon.social"
TOKEN = "mstdn-lookup-token-4c8e2a9f7d1b"
ALICE = "https://mastodon.social/users/alice_hit/statuses/115200000000000052"
DELETED = "https://mastodon.social/users/alice_hit/statuses/115200000000000999"
REMOTE = "https://hachyderm.io/users/bob/statuses/113456789012345678"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def replay(
    rsps: responses.RequestsMock,
    name: str,
    *,
    query: dict | None = None,
    body: list | dict | None = None,
) -> None:
    """Register one recorded exchange, matched on its exact query string (or `query`); `body`
    answers instead of the recorded body, with the recorded status and headers."""
    request, response = recorded(name)["request"], recorded(name)["response"]
    headers = dict(response["headers"])
    body = response["body"] if body is None else body
    rsps.add(
        request["method"],
        request["url"],
        body=body if isinstance(body, str) else json.dumps(body),
        status=response["status"],
        headers=headers,
        content_type=headers.pop("Content-Type"),
        match=[matchers.query_param_matcher(request["query"] if query is None else query)],
    )


def requested(rsps: responses.RequestsMock) -> list[tuple[str, dict]]:
    return [
        (urlsplit(c.request.url).path, parse_qs(urlsplit(c.request.url).query)) for c in rsps.calls
    ]

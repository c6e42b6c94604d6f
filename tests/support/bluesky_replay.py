"""Recorded Bluesky XRPC answers replayed beneath the real atproto Client, for the Bluesky tests."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from atproto import Session

from hashtags.sources import bluesky
from hashtags.sources.bluesky import BlueskyClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bluesky"
HANDLE = "nhitweek-bot.bsky.social"
PASSWORD = "q7xk-m2vd-c9rt-w4hp"  # the shape of a Bluesky app password
DID = "did:plc:7nhitweekbot4jq2xw3cfa5z"
PDS = "porcini.us-east.host.bsky.network"
RESET = 1758380400  # 2025-09-20T15:00:00Z, the epoch Bluesky sends in RateLimit-Reset
GET_PROFILES = "app.bsky.actor.getProfiles"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


class Replay:
    """The network: answers each XRPC method from its queue of recorded responses, in order.

    getProfiles with nothing queued answers as the AppView does: the asked actors it knows of
    (`profiles`, the recorded profile views by DID), in the order asked, leaving out the rest.
    With `answer_profiles=False` an unqueued getProfiles is as unexpected as any other call.
    """

    def __init__(self, *, answer_profiles: bool = True) -> None:
        self.queues: dict[str, list[Any]] = defaultdict(list)
        self.requests: list[httpx.Request] = []
        self.profiles = {p["did"]: p for p in load("get_profiles.json")["profiles"]}
        self.answer_profiles = answer_profiles

    def add(
        self,
        nsid: str,
        fixture: str | dict[str, Any] = "",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        error: Exception | None = None,
    ) -> Replay:
        body = load(fixture) if isinstance(fixture, str) and fixture else fixture
        self.queues[nsid].append(error or (status, body, headers or {}))
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.rsplit("/", 1)[-1]
        if nsid == GET_PROFILES and self.answer_profiles and not self.queues[nsid]:
            actors = request.url.params.get_list("actors")
            answer: Any = (
                200,
                {"profiles": [self.profiles[a] for a in actors if a in self.profiles]},
                {},
            )
        else:
            assert self.queues[nsid], f"unexpected request to {nsid}"
            answer = self.queues[nsid].pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        limits = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "2999" if status != 429 else "0",
            "RateLimit-Reset": str(RESET),
            "RateLimit-Policy": "3000;w=300",
        }
        return httpx.Response(status, json=body, headers={**limits, **headers}, request=request)

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith(f"/xrpc/{nsid}")]


def make_client(replay: Replay, **kwargs: Any) -> BlueskyClient:
    return BlueskyClient(
        handle=HANDLE, app_password=PASSWORD, transport=httpx.MockTransport(replay), **kwargs
    )


def jwt(*, exp: datetime, scope: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    expires = int(exp.timestamp())
    claims = {"scope": scope, "sub": DID, "iat": expires - 7200, "exp": expires}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(claims)}.c2ln"


def store_session(*, access_expires: datetime, refresh_expires: datetime) -> Session:
    """What an earlier fetch in this process left behind in the session store."""
    session = Session(
        HANDLE,
        DID,
        jwt(exp=access_expires, scope="com.atproto.appPass"),
        jwt(exp=refresh_expires, scope="com.atproto.refresh"),
        f"https://{PDS}",
    )
    bluesky._sessions[HANDLE] = session.export()
    return session

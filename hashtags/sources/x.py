"""Polls X (Twitter) recent search for our hashtags, spending the quota once for all of them.

One OR query carries every hashtag while it fits X's query-length limit; longer lists split into
several queries, each with its own resumable state inside the cursor dict:

    {"queries": {"#a OR #b": {"since_id": "…", "next_token": "…", "newest_id": "…"}}}

While paging (newest to oldest) a query keeps its old boundary (`since_id`, or `start_time` on
the first poll) plus `next_token` and the newest id seen; only the last page moves `since_id`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from django.conf import settings
from requests.adapters import HTTPAdapter

from .base import Page, PostData, SourceError
from .x_posts import PLATFORM, _id_time, _posts_from

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 512  # characters per query on the Basic tiers (Pro: 4096)
MAX_RESULTS = 100  # the most recent search returns per request
LOOKUP_BATCH = 100  # the most ids GET /2/tweets takes per request
# Recent search reaches back 7 days; stay a little inside so a slow request is not refused.
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=5)
TWEET_FIELDS = [
    "created_at",
    "public_metrics",
    "lang",
    "entities",
    "author_id",
    "referenced_tweets",
    "conversation_id",
    "note_tweet",  # the full text and entities of posts longer than 280 characters
    "in_reply_to_user_id",  # whom a reply answers, even when the parent is not expanded
]
# referenced_tweets.id brings the original of a retweet, whose hashtags the "RT …" text may cut,
# and the tweets a post answers and quotes; referenced_tweets.id.author_id their authors.
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]
USER_FIELDS = ["username", "name", "profile_image_url", "public_metrics", "verified"]
# tweepy copies its bearer token into a DEBUG log line; it only ever sees this placeholder.
_TOKEN_PLACEHOLDER = "[redacted]"  # noqa: S105
_POST_ID = re.compile(r"[0-9]{1,19}")  # what GET /2/tweets accepts as an id


class _BearerAuth(requests.auth.AuthBase):
    """Adds the real token when the request is sent, after tweepy has logged its headers."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth([redacted])"


class _TimeoutAdapter(HTTPAdapter):
    """tweepy sets no timeout, and a hung socket would hold a worker forever."""

    def __init__(self, *, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def query_build(*, hashtags: Sequence[str], max_length: int = MAX_QUERY_LENGTH) -> list[str]:
    """OR the hashtags into as few queries as fit `max_length`, in a stable (sorted) order."""
    queries: list[str] = []
    current = ""
    for tag in sorted(set(hashtags)):
        term = f"#{tag}"
        if len(term) > max_length:
            raise SourceError(
                f"#{tag} alone is longer than the X query limit ({max_length} characters).",
                permanent=True,
            )
        joined = f"{current} OR {term}" if current else term
        if len(joined) <= max_length:
            current = joined
        else:
            queries.append(current)
            current = term
    if current:
        queries.append(current)
    return queries


def query_tags(query: str) -> tuple[str, ...]:
    """The hashtags a query of query_build searches."""
    return tuple(term.removeprefix("#") for term in query.split(" OR "))


class XClient:
    platform = PLATFORM

    def __init__(
        self,
        *,
        bearer_token: str,
        max_query_length: int = MAX_QUERY_LENGTH,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.max_query_length = max_query_length
        self._clock = clock
        self._api = tweepy.Client(bearer_token=_TOKEN_PLACEHOLDER, wait_on_rate_limit=False)
        self._api.session.auth = _BearerAuth(bearer_token)
        self._api.session.mount("https://", _TimeoutAdapter(timeout=timeout))

    def __repr__(self) -> str:
        return f"XClient(max_query_length={self.max_query_length})"

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        queries = query_build(hashtags=hashtags, max_length=self.max_query_length)
        saved = cursor.get("queries") or {}
        # Queries no longer polled drop out; a changed tag list restarts at the search window.
        states: dict[str, dict[str, Any]] = {q: dict(saved.get(q) or {}) for q in queries}
        for query in queries:
            try:
                yield from self._query_pages(query=query, states=states)
            except SourceError as exc:
                exc.hashtags = exc.hashtags or query_tags(query)
                raise

    def _query_pages(self, *, query: str, states: dict[str, dict[str, Any]]) -> Iterator[Page]:
        tags = query_tags(query)
        while True:
            state = states[query]
            warnings = self._drop_stale_since_id(state)
            try:
                response = self._api.search_recent_tweets(query, **self._params(state))
            except tweepy.BadRequest as exc:
                reset = _reset_after_bad_request(exc, state)
                if reset is None:
                    raise _error_for(exc) from None
                states[query], warning = reset
                yield Page(
                    posts=[], cursor=_cursor(states), warnings=[*warnings, warning], hashtags=tags
                )
                return
            except tweepy.HTTPException as exc:
                raise _error_for(exc) from None
            except requests.JSONDecodeError:  # a 200 whose body is not JSON (a proxy's page)
                raise SourceError("X sent an unreadable response.") from None
            except requests.RequestException as exc:  # timeouts, refused or dropped connections
                raise SourceError(f"X did not answer: {type(exc).__name__}") from None

            posts = _posts_from(response)
            meta = response.meta or {}
            newest = _max_id(state.get("newest_id"), meta.get("newest_id"))
            next_token = meta.get("next_token")
            if next_token:
                paging = {"next_token": next_token, "newest_id": newest}
                kept = {k: state[k] for k in ("since_id", "start_time") if state.get(k)}
                states[query] = kept | paging
            else:
                boundary = _max_id(newest, state.get("since_id"))
                states[query] = {"since_id": boundary} if boundary else {}
            warnings += [_problem_text(error) for error in response.errors or []]
            times = [post.created_at for post in posts]
            log.debug("x: %s returned %d posts", query, len(posts))
            yield Page(
                posts=posts,
                cursor=_cursor(states),
                warnings=warnings,
                hashtags=tags,
                newest_at=max(times, default=None),
                oldest_at=min(times, default=None),
            )
            if not next_token:
                return

    lookup_batch = LOOKUP_BATCH

    def lookup(self, *, external_ids: Sequence[str]) -> list[PostData]:
        """Fresh copies of these posts; deleted, protected or suspended ones are left out.
        Every post returned counts against the monthly post cap, like a search result."""
        ids = [i for i in dict.fromkeys(external_ids) if _POST_ID.fullmatch(i)]
        posts: list[PostData] = []
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start : start + LOOKUP_BATCH]
            try:
                response = self._api.get_tweets(
                    batch,
                    tweet_fields=TWEET_FIELDS,
                    expansions=EXPANSIONS,
                    user_fields=USER_FIELDS,
                )
            except tweepy.BadRequest as exc:
                # Our ids, not the source's settings: worth a later try, not a disabled source.
                raise SourceError(f"X refused the lookup (400): {_problem(exc)}") from None
            except tweepy.HTTPException as exc:
                raise _error_for(exc) from None
            except requests.JSONDecodeError:
                raise SourceError("X sent an unreadable response.") from None
            except requests.RequestException as exc:
                raise SourceError(f"X did not answer: {type(exc).__name__}") from None
            found = _posts_from(response)
            # Missing posts come back as "Not Found Error" / "Authorization Error" entries.
            log.debug("x: looked up %d posts, %d unavailable", len(batch), len(batch) - len(found))
            posts += found
        return posts

    def _params(self, state: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "max_results": MAX_RESULTS,
            "tweet_fields": TWEET_FIELDS,
            "expansions": EXPANSIONS,
            "user_fields": USER_FIELDS,
        }
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        else:
            # The first poll (or one after a reset) starts at the edge of the search window.
            state.setdefault("start_time", _iso(self._clock() - SEARCH_WINDOW))
            params["start_time"] = state["start_time"]
        if state.get("next_token"):
            params["next_token"] = state["next_token"]
        return params

    def _drop_stale_since_id(self, state: dict[str, Any]) -> list[str]:
        """A since_id older than the search window is refused; skip the wasted request."""
        since_id = state.get("since_id")
        if not since_id or state.get("next_token"):
            return []
        if _id_time(since_id) >= self._clock() - SEARCH_WINDOW:
            return []
        state.pop("since_id")
        return ["The last X post seen is older than the 7-day search window; restarted there."]


def _cursor(states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"queries": {query: dict(state) for query, state in states.items()}}


def _reset_after_bad_request(
    exc: tweepy.BadRequest, state: dict[str, Any]
) -> tuple[dict[str, Any], str] | None:
    """The new query state when a 400 is about stale cursor values, else None (a real error)."""
    refused: set[str] = set()
    for error in _body(exc).get("errors") or []:
        if isinstance(error, dict):
            refused.update((error.get("parameters") or {}).keys())
    if refused & {"since_id", "start_time"}:
        # e.g. "'since_id' must be a tweet id created after 2026-07-31T11:45Z. …"
        return {}, "X refused a cursor older than the 7-day search window; restarting there."
    if "next_token" in refused:
        # The boundary is intact, so re-reading from it loses nothing (duplicates are fine).
        kept = {k: state[k] for k in ("since_id", "start_time") if state.get(k)}
        return kept, "X refused the saved page token; re-reading from the last boundary."
    return None


def _error_for(exc: tweepy.HTTPException) -> SourceError:
    status = exc.response.status_code
    body = _body(exc)
    problem = _problem(exc)
    if body.get("title") == "UsageCapExceeded" or str(body.get("type", "")).endswith(
        "/usage-capped"
    ):
        return SourceError(f"X usage cap exceeded: {problem}", permanent=True)
    if isinstance(exc, tweepy.TooManyRequests):
        reset = getattr(exc, "reset_time", None)
        retry_at = datetime.fromtimestamp(reset, tz=UTC) if reset else None
        return SourceError("X rate limit reached.", retry_at=retry_at, rate_limited=True)
    if isinstance(exc, tweepy.Unauthorized):
        return SourceError(f"X rejected the bearer token (401): {problem}", permanent=True)
    if isinstance(exc, tweepy.Forbidden):
        return SourceError(f"X refused access (403): {problem}", permanent=True)
    if isinstance(exc, tweepy.BadRequest):  # our query or parameters: a configuration problem
        return SourceError(f"X refused the search (400): {problem}", permanent=True)
    return SourceError(f"X answered {status}: {problem}")


def _body(exc: tweepy.HTTPException) -> dict[str, Any]:
    try:
        body = exc.response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _problem(exc: tweepy.HTTPException) -> str:
    body = _body(exc)
    messages = [
        e.get("message") or e.get("detail") for e in body.get("errors") or [] if isinstance(e, dict)
    ]
    text = "; ".join(m for m in messages if m) or body.get("detail") or body.get("title")
    return str(text or exc.response.reason or "no detail")


def _problem_text(error: dict[str, Any]) -> str:
    title = error.get("title") or "Error"
    return f"{title}: {error.get('detail') or error.get('message') or ''}".strip()


def _max_id(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=int) if present else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def client_for(source: Any) -> XClient:
    """The client for an X `hashtags.models.Source`, with the token from settings."""
    if source.platform != PLATFORM:
        raise SourceError(f"{source} is not an X source.", permanent=True)
    token = settings.X_BEARER_TOKEN
    if not token:
        raise SourceError(
            "X needs a bearer token: set X_BEARER_TOKEN in the environment.", permanent=True
        )
    return XClient(bearer_token=token)

"""Polls Bluesky's post search for our hashtags, logging in once per worker process, not per poll.

Search needs a logged-in account (an app password), and createSession is tightly rate limited
(30 per 5 minutes per account), so the session lives in a process-level store keyed by handle and
is reused; atproto refreshes it before it expires. Each hashtag is its own search (a query
with several hashtags ANDs them) with its own resumable state inside the cursor dict:

    {"tags": {"nhitweek": {"since_at": "…", "since_uri": "…", "page": "…", "top_at": "…"}}}

Search pages run newest to oldest, so while paging a hashtag keeps its old boundary (`since_at`)
plus the paging token and the newest post seen; only the last page moves `since_at`.

Post views carry no follower counts, so each search page and lookup batch also asks getProfiles
for its authors (see bluesky_profiles). That call failing never costs the page: its counts are
None (unknown) and the page says why in a warning. Only a dead session fails the fetch, as it
would the next search.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from atproto import Client, Session, SessionEvent, models
from atproto_client.exceptions import RateLimitExceededError
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError
from django.conf import settings

from .base import Page, PostData, SourceError
from .bluesky_errors import error_detail, error_for, is_refused_page, is_session_error
from .bluesky_posts import PLATFORM, _parse_time, _posts_from
from .bluesky_profiles import ProfilesUnavailable, followers_fill

log = logging.getLogger(__name__)

SERVICE = "https://bsky.social"  # the entryway; login then moves the client to the account's PDS
PAGE_SIZE = 100  # the most searchPosts returns per request
MAX_PAGES = 20  # per hashtag and fetch; a deeper backlog resumes from the cursor on the next poll
LOOKUP_BATCH = 25  # the most uris app.bsky.feed.getPosts takes
TIMEOUT = 20.0  # seconds; atproto's default (httpx's 5 s) is short for a deep search page
# The search index lags behind posting, and "latest" orders by the post's own time, so a post can
# surface below the boundary after we passed it. Paging a little past the boundary catches it.
INDEX_LAG = timedelta(minutes=5)
_REDACTED = "[redacted]"

_sessions: dict[str, str] = {}  # handle -> atproto session string (holds tokens: never log it)
_sessions_lock = threading.Lock()


def sessions_forget(*, handle: str | None = None) -> None:
    """Drop the stored session of `handle` (or all), so the next fetch logs in again."""
    with _sessions_lock:
        if handle is None:
            _sessions.clear()
        else:
            _sessions.pop(_session_key(handle), None)


def _session_key(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


class BlueskyClient:
    """Searches each hashtag, newest first, through the real atproto Client."""

    platform = PLATFORM

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        service: str = SERVICE,
        max_pages: int = MAX_PAGES,
        timeout: float = TIMEOUT,
        transport: httpx.BaseTransport | None = None,  # tests replay recorded HTTP through it
        clock: Callable[[], float] = time.monotonic,  # ages the remembered follower counts
    ) -> None:
        self._handle = handle.strip().lstrip("@")
        self._password = app_password
        self._service = service
        self._max_pages = max_pages
        self._timeout = timeout
        self._transport = transport
        self._clock = clock

    def __repr__(self) -> str:
        return f"BlueskyClient(handle={self._handle!r})"

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        states = {tag: dict(state) for tag, state in (cursor.get("tags") or {}).items()}
        conn = self._connect()
        try:
            for tag in dict.fromkeys(hashtags):
                yield from self._tag_pages(conn, tag=tag, states=states)
        finally:
            conn.client.request.close()

    def _tag_pages(
        self, conn: _Connection, *, tag: str, states: dict[str, dict[str, Any]]
    ) -> Iterator[Page]:
        old = states.get(tag, {})
        since = _parse_time(old.get("since_at"))
        since_uri = old.get("since_uri", "")
        stop_below = since - INDEX_LAG if since else None
        token = old.get("page") or None
        top = _parse_time(old.get("top_at")) if token else None
        top_uri = old.get("top_uri", "") if token else ""
        for _ in range(self._max_pages):
            try:
                body = self._search(conn, tag=tag, token=token)
            except AtProtocolError as exc:
                if not (token and is_refused_page(exc)):
                    error = self._error(exc, action=f"searching #{tag}")
                    error.hashtags = (tag,)
                    raise error from exc
                # Search pages by offset and refuses to go past its depth: keep what we have.
                log.warning("Bluesky refused the paging token for #%s; ending this run", tag)
                states[tag] = _done_state(since, since_uri, top, top_uri)
                warning = (
                    f"Bluesky stopped paging #{tag} ({error_detail(exc)}); older posts skipped."
                )
                yield Page(posts=[], cursor=_cursor(states), warnings=[warning], hashtags=(tag,))
                return
            posts, warnings = _posts_from(body.get("posts") or [])
            posts, unknown = self._with_followers(conn, posts)
            warnings += unknown
            for post in posts:
                if top is None or post.created_at > top:
                    top, top_uri = post.created_at, post.external_id
            next_token = body.get("cursor") or None
            reached = stop_below is not None and any(p.created_at < stop_below for p in posts)
            done = not next_token or not posts or reached
            if done:
                states[tag] = _done_state(since, since_uri, top, top_uri)
            else:
                states[tag] = {
                    "since_at": _iso(since),
                    "since_uri": since_uri,
                    "page": next_token,
                    "top_at": _iso(top),
                    "top_uri": top_uri,
                }
            times = [p.created_at for p in posts]
            yield Page(
                posts=posts,
                cursor=_cursor(states),
                warnings=warnings,
                hashtags=(tag,),
                newest_at=max(times, default=None),
                oldest_at=min(times, default=None),
            )
            if done:
                return
            token = next_token
        log.info("Bluesky #%s: stopped after %d pages; the cursor resumes", tag, self._max_pages)

    def _search(self, conn: _Connection, *, tag: str, token: str | None) -> dict[str, Any]:
        # q="#tag" is what bsky.app's hashtag pages send. The lexicon's `tag` filter is ignored by
        # the AppView (bluesky-social/atproto#3301), and were it ever honoured case-sensitively
        # it would drop #NHITweek when asked for "nhitweek", so it is not sent.
        params = models.AppBskyFeedSearchPosts.Params(
            q=f"#{tag}", sort="latest", limit=PAGE_SIZE, cursor=token
        )
        log.debug("Bluesky: searchPosts #%s page=%s", tag, token or "first")
        return self._invoke(conn, "app.bsky.feed.searchPosts", params)

    def _invoke(self, conn: _Connection, nsid: str, params: Any) -> dict[str, Any]:
        try:
            return _query(conn.client, nsid, params)
        except AtProtocolError as exc:
            if conn.fresh or not is_session_error(exc):
                raise
        # The stored session was revoked or outlived its refresh token: log in again, once.
        log.info("Bluesky: the stored session of %s was refused; logging in again", self._handle)
        sessions_forget(handle=self._handle)
        conn.client.request.close()
        conn.client = self._login()
        conn.fresh = True
        return _query(conn.client, nsid, params)

    lookup_batch = LOOKUP_BATCH

    def lookup(self, *, external_ids: Sequence[str]) -> list[PostData]:
        """Fresh copies of these posts (at:// uris); deleted or hidden ones are left out."""
        uris = [uri for uri in dict.fromkeys(external_ids) if uri.startswith("at://")]
        if not uris:
            return []
        posts: list[PostData] = []
        conn = self._connect()
        try:
            for start in range(0, len(uris), LOOKUP_BATCH):
                params = models.AppBskyFeedGetPosts.Params(uris=uris[start : start + LOOKUP_BATCH])
                try:
                    body = self._invoke(conn, "app.bsky.feed.getPosts", params)
                except AtProtocolError as exc:
                    raise self._lookup_error(exc) from exc
                found, warnings = _posts_from(body.get("posts") or [])
                found, unknown = self._with_followers(conn, found)
                for warning in warnings + unknown:
                    log.warning("Bluesky lookup: %s", warning)
                posts += found
        finally:
            conn.client.request.close()
        log.debug("Bluesky: %d of %d posts found", len(posts), len(uris))
        return posts

    def _with_followers(
        self, conn: _Connection, posts: list[PostData]
    ) -> tuple[list[PostData], list[str]]:
        return followers_fill(posts, ask=lambda dids: self._profiles(conn, dids), now=self._clock())

    def _profiles(self, conn: _Connection, dids: list[str]) -> dict[str, Any]:
        """One getProfiles answer; ProfilesUnavailable for any failure but a dead session."""
        if conn.profiles_refused:  # rate limited earlier in this fetch: do not insist
            raise ProfilesUnavailable(conn.profiles_refused)
        params = models.AppBskyActorGetProfiles.Params(actors=dids)
        try:
            return self._invoke(conn, "app.bsky.actor.getProfiles", params)
        except (AtProtocolError, SourceError) as exc:  # SourceError: an answer that is no JSON
            # _invoke has already logged in again once; a session still refused is refused
            # for searching too, so this fails the fetch like any search would.
            if is_session_error(exc):
                raise self._error(exc, action="fetching profiles") from exc
            detail = exc.reason if isinstance(exc, SourceError) else error_detail(exc)
            log.warning("Bluesky: getProfiles failed (%s); follower counts unknown", detail)
            if isinstance(exc, RateLimitExceededError):
                conn.profiles_refused = f"getProfiles rate limited: {detail}"
            raise ProfilesUnavailable(conn.profiles_refused or f"getProfiles: {detail}") from exc

    def _lookup_error(self, exc: AtProtocolError) -> SourceError:
        if is_refused_page(exc):  # our uris, not the account or settings: try again later
            return SourceError(f"Bluesky refused the lookup ({error_detail(exc)}).")
        return self._error(exc, action="looking up posts")

    def _connect(self) -> _Connection:
        with _sessions_lock:
            stored = _sessions.get(_session_key(self._handle))
        if stored:
            client = self._new_client()
            try:
                client.login(session_string=stored, fetch_bsky_profile=False)
            except (AtProtocolError, ValueError):
                sessions_forget(handle=self._handle)
            else:
                log.debug("Bluesky: reusing the stored session of %s", self._handle)
                return _Connection(client=client, fresh=False)
            client.request.close()
        return _Connection(client=self._login(), fresh=True)

    def _login(self) -> Client:
        log.info("Bluesky: logging in as %s with its app password", self._handle)
        client = self._new_client()
        try:
            client.login(self._handle, self._password, fetch_bsky_profile=False)
        except AtProtocolError as exc:
            client.request.close()
            # from None: the chained httpx error would carry the request, whose body holds the
            # password, into any traceback a caller logs.
            raise self._error(exc, action="logging in") from None
        return client

    def _new_client(self) -> Client:
        client = Client(
            base_url=self._service,
            request=Request(timeout=self._timeout, transport=self._transport),
        )
        client.on_session_change(self._remember)
        return client

    def _remember(self, event: SessionEvent, session: Session) -> None:
        """Keep the created or refreshed session for the next fetch in this process."""
        with _sessions_lock:
            _sessions[_session_key(self._handle)] = session.export()

    def _error(self, exc: BaseException, *, action: str) -> SourceError:
        error = error_for(exc, action=action)
        if self._password and self._password in error.reason:  # no server should echo it back
            error.reason = error.reason.replace(self._password, _REDACTED)
            error.args = (error.reason,)
        return error


@dataclass
class _Connection:
    """The atproto client of one fetch, and whether its session was created in this fetch."""

    client: Client
    fresh: bool
    profiles_refused: str = ""  # why getProfiles is not asked again in this fetch


def _query(client: Client, nsid: str, params: Any) -> dict[str, Any]:
    # Raw JSON, not atproto's models: one odd post must not fail the whole page's parsing.
    response = client.invoke_query(nsid, params=params)
    if not isinstance(response.content, dict):
        raise SourceError(f"Bluesky answered {nsid} with something other than JSON.")
    return response.content


def _done_state(
    since: datetime | None, since_uri: str, top: datetime | None, top_uri: str
) -> dict[str, Any]:
    if top is not None and (since is None or top > since):
        return {"since_at": _iso(top), "since_uri": top_uri}
    return {"since_at": _iso(since), "since_uri": since_uri}


def _cursor(states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"tags": {tag: dict(state) for tag, state in states.items()}}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def client_for(source: Any) -> BlueskyClient:
    """The client for a Bluesky `hashtags.models.Source`, with the account from settings."""
    if getattr(source, "platform", PLATFORM) != PLATFORM:
        raise SourceError(f"{source} is not a Bluesky source.", permanent=True)
    handle = settings.BLUESKY_HANDLE.strip().lstrip("@")
    password = settings.BLUESKY_APP_PASSWORD.strip()
    named = {"BLUESKY_HANDLE": handle, "BLUESKY_APP_PASSWORD": password}
    missing = [name for name, value in named.items() if not value]
    if missing:
        raise SourceError(
            f"Bluesky search needs a logged-in account: set {' and '.join(missing)} in the "
            "environment (use an app password, not the account password).",
            permanent=True,
        )
    return BlueskyClient(handle=handle, app_password=password)

"""Mastodon source: one server's hashtag timelines, read forward in time from a min_id per tag.

One `Source` row is one server (`base_url`). Each hashtag keeps its own cursor, the newest
status id stored so far, under `cursor["min_id"][tag]`. With `min_id` the server returns the
statuses immediately newer than the cursor, so every page moves forward in time and its newest
id is a safe cursor the moment the page is stored. The very first poll of a tag reads only the
newest page: we count the campaign from when we start watching, we do not walk history.

Statuses are identified by their ActivityPub `uri`, which is the same on every server, so a
status seen through two configured servers is stored once. `lookup` (fresh counts) reads this
server's statuses by their local ids and others' through hashtags.sources.mastodon_remote.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from .base import Page, PostData, SourceError
from .mastodon_posts import PLATFORM, _posts_from
from .mastodon_remote import (
    MASTODON_STATUS,
    RemoteStatuses,
    is_remote,
    statuses_read,
)

logger = logging.getLogger(__name__)

PAGE_LIMIT = 40  # the API's maximum for timelines
DEFAULT_TIMEOUT = 20.0  # seconds; Mastodon.py's own default is 300
DEFAULT_MAX_PAGES = 10  # per tag and poll; the cursor lets the next poll carry on
LOOKUP_BATCH = 20  # the most ids GET /api/v1/statuses takes (Mastodon 4.3+)
USER_AGENT = "nhitweek (hashtag campaign dashboard)"


class MastodonClient:
    """Reads hashtag timelines of one Mastodon server through Mastodon.py."""

    platform = PLATFORM

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        page_limit: int = PAGE_LIMIT,
        max_pages: int = DEFAULT_MAX_PAGES,
        session: requests.Session | None = None,
        remote_lookup_max: int | None = None,
    ) -> None:
        self.base_url = _checked_base_url(base_url)
        self.host = urlsplit(self.base_url).hostname or ""
        self.page_limit = page_limit
        self.max_pages = max_pages
        self._timeout = timeout
        self._token = access_token or ""
        self._multi_get = True  # until the server shows it predates GET /api/v1/statuses
        self._api = Mastodon(
            api_base_url=self.base_url,
            access_token=self._token or None,
            # We handle 429 ourselves (SourceError with retry_at); never sleep in a worker.
            ratelimit_method="throw",
            request_timeout=timeout,
            # "none" makes no /api/v1/instance call to learn the server version.
            version_check_mode="none",
            user_agent=USER_AGENT,
            session=session,
        )
        if remote_lookup_max is None:
            remote_lookup_max = settings.MASTODON_REMOTE_LOOKUP_MAX
        self._remote = RemoteStatuses(
            host=self.host,
            api=self._api,
            call=self._call,
            authenticated=bool(self._token),
            limit=int(remote_lookup_max),
            batch=LOOKUP_BATCH,
            user_agent=USER_AGENT,
        )

    def __repr__(self) -> str:  # never show the token
        return (
            f"MastodonClient(base_url={self.base_url!r}, token={'set' if self._token else 'none'})"
        )

    def fetch(self, *, hashtags: Sequence[str], cursor: dict[str, Any]) -> Iterator[Page]:
        positions = {str(k): str(v) for k, v in (cursor.get("min_id") or {}).items()}
        for tag in hashtags:
            yield from self._fetch_tag(tag=tag, cursor=cursor, positions=positions)

    def _fetch_tag(
        self, *, tag: str, cursor: dict[str, Any], positions: dict[str, str]
    ) -> Iterator[Page]:
        since = positions.get(tag)
        kwargs = {"min_id": since} if since else {}
        response = self._call(
            lambda: self._api.timeline_hashtag(tag, limit=self.page_limit, **kwargs), tag=tag
        )
        warnings = self._availability_warnings()
        for number in range(1, self.max_pages + 1):
            statuses = list(response or [])
            logger.debug(
                "mastodon %s #%s: %d statuses after min_id=%s", self.host, tag, len(statuses), since
            )
            previous = positions.get(tag)
            newest = max((str(s["id"]) for s in statuses), key=_id_order, default=None)
            moved = newest is not None and (
                previous is None or _id_order(newest) > _id_order(previous)
            )
            if moved and newest is not None:  # (moved implies newest)
                positions[tag] = newest
            if statuses or number == 1:
                posts, skipped = _posts_from(statuses, tag=tag, host=self.host)
                cursor_now = {**cursor, "min_id": dict(positions)}
                yield _page(posts=posts, cursor=cursor_now, warnings=warnings + skipped, tag=tag)
            warnings = []
            if since is None or len(statuses) < self.page_limit:
                break  # first contact reads one page; a short page means we have caught up
            if not moved:
                break  # the server ignored min_id; never move the cursor back or loop
            response = self._next_page(response, tag=tag, newest=positions[tag])

    def _next_page(self, response: Any, *, tag: str, newest: str) -> Any:
        # Mastodon's Link header "prev" carries min_id=<newest id of this page>.
        if getattr(response, "_pagination_prev", None):
            return self._call(lambda: self._api.fetch_previous(response), tag=tag)
        return self._call(
            lambda: self._api.timeline_hashtag(tag, limit=self.page_limit, min_id=newest), tag=tag
        )

    lookup_batch = LOOKUP_BATCH

    def lookup(self, *, external_ids: Sequence[str]) -> list[PostData]:
        """Fresh copies of these statuses; deleted, private and unreachable ones are left out.

        We store a status by its ActivityPub uri; only a status of this server carries its
        local id in it (…/users/NAME/statuses/ID), and those are read here in batches. Other
        servers' statuses are read from their origin or resolved through this server, bounded,
        as hashtags.sources.mastodon_remote says; boosts have no counts of their own.
        """
        local: dict[str, str] = {}
        remote: list[str] = []
        for uri in dict.fromkeys(external_ids):
            status_id = self._local_id(uri)
            if status_id:
                local[status_id] = uri
            elif is_remote(uri, host=self.host):
                remote.append(uri)
        ids = list(local)
        statuses: list[Any] = []
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start : start + LOOKUP_BATCH]
            statuses += self._call(lambda batch=batch: self._statuses(batch), tag="")
        posts, skipped = _posts_from(statuses, tag="", host=self.host)
        for problem in skipped:
            logger.warning("mastodon %s lookup: %s", self.host, problem)
        wanted = set(local.values())
        found = [post for post in posts if post.external_id in wanted]
        if remote:
            found += self._remote.lookup(remote)
        logger.debug(
            "mastodon %s: %d of %d statuses found", self.host, len(found), len(local) + len(remote)
        )
        return found

    def _local_id(self, uri: str) -> str:
        try:
            parts = urlsplit(uri)
        except ValueError:  # not a url at all
            return ""
        match = MASTODON_STATUS.fullmatch(parts.path)
        return match[1] if match and parts.hostname == self.host else ""

    def _statuses(self, ids: list[str]) -> list[Any]:
        statuses, self._multi_get = statuses_read(self._api, ids, multi_get=self._multi_get)
        return statuses

    def _availability_warnings(self) -> list[str]:
        # Answered from the instance information timeline_hashtag() already fetched and cached.
        if self._api.timeline_is_available("hashtag", with_auth=bool(self._token)):
            return []
        return [
            f"{self.host} reports that its hashtag timelines are not available "
            + ("to this access token." if self._token else "without an access token.")
        ]

    def _call(self, request: Any, *, tag: str) -> Any:
        try:
            return request()
        except MastodonError as exc:
            error = self._error(exc, tag=tag)
            # The chain is dropped too: an admin reads `reason`, and it is redacted.
            raise SourceError(
                self._redact(error.reason),
                permanent=error.permanent,
                retry_at=error.retry_at,
                rate_limited=error.rate_limited,
                hashtags=(tag,) if tag else (),
            ) from None

    def _error(self, exc: MastodonError, *, tag: str) -> SourceError:
        where = f"Mastodon {self.host} (#{tag})" if tag else f"Mastodon {self.host}"
        if isinstance(exc, MastodonRatelimitError):
            reset = self._api.ratelimit_reset
            retry_at = datetime.fromtimestamp(reset, tz=UTC) if reset else None
            when = f"; retry after {retry_at:%Y-%m-%d %H:%M:%S} UTC" if retry_at else ""
            return SourceError(
                f"{where}: rate limited (429){when}.", rate_limited=True, retry_at=retry_at
            )
        if isinstance(exc, MastodonNetworkError):
            return self._network_error(exc, where=where)
        if isinstance(exc, MastodonIllegalArgumentError):
            return SourceError(f"{where}: bad configuration: {exc}", permanent=True)
        if not isinstance(exc, MastodonAPIError):
            return SourceError(f"{where}: {type(exc).__name__}: {exc}")
        # Mastodon.py raises (message, status, reason, error); for list endpoints such as
        # timelines it casts the error body to the list type and loses the server's text.
        status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
        if isinstance(exc, MastodonUnauthorizedError) or status in (401, 403):
            fix = (
                "check MASTODON_ACCESS_TOKEN"
                if self._token
                else "this server requires an access token; set MASTODON_ACCESS_TOKEN"
            )
            return SourceError(f"{where}: access refused ({status}); {fix}.", permanent=True)
        if isinstance(exc, MastodonNotFoundError) or status in (404, 410):
            return SourceError(
                f"{where}: no hashtag timeline at {self.base_url} ({status}); check that the "
                "base URL is the Mastodon server's address.",
                permanent=True,
            )
        if isinstance(exc, MastodonServerError) or (status and status >= 500):
            return SourceError(f"{where}: server error ({status}).")
        if status in (408, 425):
            return SourceError(f"{where}: request not served ({status}).")
        if status is None:  # a 200 that was not JSON: some other website answers at this URL
            return SourceError(
                f"{where}: the answer from {self.base_url} is not the Mastodon API; check the "
                "base URL.",
                permanent=True,
            )
        return SourceError(f"{where}: request refused ({status}).", permanent=True)

    def _network_error(self, exc: MastodonNetworkError, *, where: str) -> SourceError:
        cause = exc.__cause__ or exc.__context__  # Mastodon.py wraps the requests error
        if isinstance(
            cause,
            requests.exceptions.InvalidURL
            | requests.exceptions.MissingSchema
            | requests.exceptions.InvalidSchema,
        ):
            return SourceError(f"{where}: invalid base URL {self.base_url!r}.", permanent=True)
        if isinstance(cause, requests.exceptions.Timeout):
            return SourceError(f"{where}: no answer within {self._timeout:g} seconds.")
        kind = type(cause).__name__ if cause else type(exc).__name__
        return SourceError(f"{where}: could not connect ({kind}).")

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "[redacted]") if self._token else text


def client_for(source: Any) -> MastodonClient:
    """The client for a Mastodon `Source` row; the token (optional) comes from settings."""
    if source.platform != PLATFORM:
        raise SourceError(f"{source} is not a Mastodon source.", permanent=True)
    return MastodonClient(
        base_url=source.base_url,
        access_token=settings.MASTODON_ACCESS_TOKEN,
    )


def _page(*, posts: list[PostData], cursor: dict[str, Any], warnings: list[str], tag: str) -> Page:
    times = [p.created_at for p in posts]
    return Page(
        posts=posts,
        cursor=cursor,
        warnings=warnings,
        hashtags=(tag,),
        newest_at=max(times) if times else None,
        oldest_at=min(times) if times else None,
    )


def _checked_base_url(base_url: str) -> str:
    url = (base_url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if not url:
        raise SourceError("A Mastodon source needs its server's base URL.", permanent=True)
    if parts.scheme != "https" or not parts.hostname or re.search(r"\s", url):
        raise SourceError(
            f"Invalid Mastodon base URL {url!r}: use the server's https:// address.",
            permanent=True,
        )
    return url


def _id_order(status_id: str) -> tuple[int, str]:
    # Mastodon ids are numeric strings of varying length; compare them as numbers would.
    return len(status_id), status_id

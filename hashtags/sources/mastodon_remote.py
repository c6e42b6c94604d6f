"""Fresh counts for statuses written on other servers than the configured one.

We store a status by its ActivityPub uri; the configured server reads its own statuses by the
local id in it, but another server's status has no id there. So, both ways, in this order:

1. A uri shaped like a Mastodon status (https://HOST/users/NAME/statuses/ID) is read from its
   origin, GET /api/v1/statuses?id[]=ID (one by one before Mastodon 4.3): the origin's counts
   are the real ones, a public status needs no token there, and it costs the configured server
   nothing. The client it goes through carries no token, follows no redirect and waits at most
   ORIGIN_TIMEOUT seconds; only https origins with a domain name on the default port whose
   every address is a public one (not loopback, private, link-local or reserved: a status uri
   is anyone's to write) are asked, at most ORIGINS_MAX per refresh. The addresses are checked
   when each connection is made, and the connection goes to a checked one
   (hashtags.sources.public_http), so a name that answers differently the second time is
   still refused. A status its origin does
   not return is gone (deleted, or no longer public) and is left out. An origin that fails is
   logged, not asked again by this client (one refresh run), and its statuses go on to step 2.
2. Any other uri (other software, or an origin that failed or was one too many) is resolved
   through the configured server, GET /api/v2/search?q=URI&type=statuses&resolve=1&limit=1,
   which answers the server's own copy. Its counts are the ones that server knows (what
   federated to it, or what the origin reported when it last fetched the status) and can lag
   the origin's. Mastodon refuses `resolve` without a user token (401), so with no
   MASTODON_ACCESS_TOKEN these statuses stay stale, and every lookup says how many (INFO), as
   it does after a 403 (a token without the read:search scope: not worth disabling a source
   whose polls work). A 404 or no result is left out; other errors are the client's own (a 429
   is a SourceError with retry_at).

Both limits span the client's life, which is one refresh run (hashtags.refresh makes one client
and calls lookup once per batch of LOOKUP_BATCH ids): at most MASTODON_REMOTE_LOOKUP_MAX
statuses of other servers are asked and at most ORIGINS_MAX origins; the rest wait for the next
refresh.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonError, MastodonNotFoundError

from .base import PostData
from .mastodon_posts import _posts_from
from .public_http import public_session, refusal_of, refusals

logger = logging.getLogger(__name__)

ORIGINS_MAX = 10  # origin servers asked directly per client
ORIGIN_TIMEOUT = 5.0  # seconds; another server's slowness must not hold the refresh
# The uri of a Mastodon status: its server's host and, last, its local id there.
MASTODON_STATUS = re.compile(r"/users/[^/]+/statuses/([0-9]+)")
# The uri of a boost: no status of its own, nothing to refresh.
_MASTODON_BOOST = re.compile(r"/users/[^/]+/statuses/[0-9]+/activity")


def statuses_read(api: Mastodon, ids: list[str], *, multi_get: bool) -> tuple[list[Any], bool]:
    """The statuses of these local ids the server still shows (missing ones are absent), and
    whether it takes GET /api/v1/statuses?id[]= (4.3+; before, one request per status)."""
    if multi_get:
        try:
            return list(api.statuses(ids) or []), True
        except MastodonNotFoundError:
            pass  # an older server: no such route
    found = []
    for status_id in ids:
        try:
            found.append(api.status(status_id))
        except MastodonNotFoundError:
            continue  # deleted, or no longer visible to us
    return found, False


def is_remote(uri: str, *, host: str) -> bool:
    """A status of another server, worth looking up (a boost has no counts of its own)."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unclosed [IPv6 address]
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.hostname != host
        and not _MASTODON_BOOST.fullmatch(parts.path)
    )


def _origin_status(uri: str) -> tuple[str, str]:
    """("https://HOST", local id) for a Mastodon status uri we may ask its server about."""
    parts = urlsplit(uri)
    match = MASTODON_STATUS.fullmatch(parts.path)
    host = parts.hostname or ""
    try:
        plain = parts.port is None and parts.username is None and parts.password is None
    except ValueError:  # a port that is no number
        plain = False
    if not match or parts.scheme != "https" or not plain or not _public_domain(host):
        return "", ""
    return f"https://{host}", match[1]


def _public_domain(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not host.endswith((".localhost", ".local", ".internal"))
    return False  # an address, not a server's name


def _not_public(host: str) -> str:
    """Why `host` is not asked ("" if every address it resolves to is a public one). This only
    spares a client for names that point inside: each connection checks again (public_http)."""
    try:
        addresses = _addresses(host)
    except OSError as exc:
        return f"its name does not resolve: {exc}"
    inside = refusals(list(addresses))
    if inside or not addresses:
        return f"it resolves to an address that is not public ({', '.join(inside)})"
    return ""


def _addresses(host: str) -> set[str]:
    # An IPv4 or IPv6 sockaddr: its address is a str (typeshed allows an int for other families).
    return {str(info[4][0]) for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)}


class RemoteStatuses:
    """Looks up other servers' statuses for one MastodonClient (see the module docstring)."""

    def __init__(
        self,
        *,
        host: str,
        api: Mastodon,
        call: Callable[..., Any],
        authenticated: bool,
        limit: int,
        batch: int,
        user_agent: str,
    ) -> None:
        self.host = host
        self.limit = max(0, limit)
        self._api = api
        self._call = call  # the client's: Mastodon errors become its SourceErrors
        self._authenticated = authenticated
        self._batch = batch
        self._user_agent = user_agent
        self._failed: set[str] = set()  # origins that failed: not asked again by this client
        self._asked = 0  # statuses of other servers asked so far (limit)
        self._origins: set[str] = set()  # origins asked so far (ORIGINS_MAX)
        self._refused = False  # the configured server refused our token a search (403)

    def lookup(self, uris: Sequence[str]) -> list[PostData]:
        asked = list(uris[: max(0, self.limit - self._asked)])
        self._asked += len(asked)
        if len(uris) > len(asked):
            logger.info(
                "mastodon %s lookup: %d statuses of other servers left for the next refresh "
                "(at most %d a refresh, MASTODON_REMOTE_LOOKUP_MAX)",
                self.host,
                len(uris) - len(asked),
                self.limit,
            )
        posts, unanswered = self._from_origins(asked)
        pending = unanswered[::-1]
        while pending and self._authenticated and not self._refused:
            post = self._resolved(pending[-1])
            if self._refused:
                break
            pending.pop()
            if post is not None:
                posts.append(post)
        if pending:
            self._unresolved(len(pending))
        return posts

    def _unresolved(self, count: int) -> None:
        why = "an access token that may search" if self._refused else "an access token"
        logger.info(
            "mastodon %s lookup: %d statuses of other servers not refreshed; resolving them "
            "through %s needs %s (MASTODON_ACCESS_TOKEN)",
            self.host,
            count,
            self.host,
            why,
        )

    def _from_origins(self, uris: list[str]) -> tuple[list[PostData], list[str]]:
        by_origin: dict[str, dict[str, str]] = {}  # origin -> {local id: uri}
        rest = []
        for uri in uris:
            origin, status_id = _origin_status(uri)
            room = origin in self._origins or len(self._origins) < ORIGINS_MAX
            if origin and origin not in self._failed and room:
                self._origins.add(origin)
                by_origin.setdefault(origin, {})[status_id] = uri
            else:
                rest.append(uri)
        posts: list[PostData] = []
        for origin, wanted in by_origin.items():
            refused = _not_public(urlsplit(origin).hostname or "")
            if refused:
                self._failed.add(origin)
                logger.info(
                    "mastodon %s lookup: %s is not asked (%s); its %d statuses are asked "
                    "through %s",
                    self.host,
                    origin,
                    refused,
                    len(wanted),
                    self.host,
                )
                rest += wanted.values()
                continue
            try:
                statuses = self._origin_statuses(origin, list(wanted))
            except (MastodonError, ValueError, TypeError) as exc:  # never fail for one origin
                self._failed.add(origin)
                logger.info(
                    "mastodon %s lookup: %s did not answer (%s); its %d statuses are asked "
                    "through %s",
                    self.host,
                    origin,
                    _described(exc),
                    len(wanted),
                    self.host,
                )
                rest += wanted.values()
                continue
            found, skipped = _posts_from(statuses, tag="", host=urlsplit(origin).hostname or "")
            for problem in skipped:
                logger.warning("mastodon %s lookup at %s: %s", self.host, origin, problem)
            uris_wanted = set(wanted.values())
            posts += [post for post in found if post.external_id in uris_wanted]
        return posts, rest

    def _origin_statuses(self, origin: str, ids: list[str]) -> list[Any]:
        session = public_session()  # https to public addresses only, checked at connect
        api = Mastodon(
            api_base_url=origin,
            access_token=None,  # our token is for the configured server only
            ratelimit_method="throw",
            request_timeout=ORIGIN_TIMEOUT,
            version_check_mode="none",
            user_agent=self._user_agent,
            session=session,
        )
        statuses: list[Any] = []
        multi_get = True
        with session:
            for start in range(0, len(ids), self._batch):
                batch = ids[start : start + self._batch]
                found, multi_get = statuses_read(api, batch, multi_get=multi_get)
                statuses += [status for status in found if isinstance(status, dict)]
        return statuses

    def _resolved(self, uri: str) -> PostData | None:
        try:
            found = self._call(lambda: _search(self._api, uri), tag="")
        except _Refused:
            self._refused = True
            logger.warning(
                "mastodon %s lookup: the access token may not search (403; it needs the "
                "read:search scope), so statuses of other servers are not resolved here",
                self.host,
            )
            return None
        statuses = [s for s in (found or {}).get("statuses") or [] if s.get("uri") == uri]
        posts, skipped = _posts_from(statuses[:1], tag="", host=self.host)
        for problem in skipped:
            logger.warning("mastodon %s lookup: %s", self.host, problem)
        return posts[0] if posts else None


class _Refused(Exception):
    """The token may not search: no reason to disable a source whose polls work."""


def _search(api: Mastodon, uri: str) -> Any:
    try:
        return api.search_v2(
            uri, resolve=True, result_type="statuses", limit=1, exclude_unreviewed=False
        )
    except MastodonNotFoundError:
        return None  # gone, or not visible to us
    except MastodonAPIError as exc:
        if len(exc.args) > 1 and exc.args[1] == 403:
            raise _Refused from None
        raise


def _described(exc: Exception) -> str:
    refused = refusal_of(exc)
    if refused:
        return f"refused: {refused}"
    if isinstance(exc, MastodonAPIError) and len(exc.args) > 1 and isinstance(exc.args[1], int):
        return f"HTTP {exc.args[1]}"
    cause = exc.__cause__ or exc.__context__  # Mastodon.py wraps the requests error
    return type(cause or exc).__name__

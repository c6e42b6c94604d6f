"""Maps atproto's exceptions onto one SourceError: permanent, rate limited, or transient.

A refused stored session (expired, revoked) is told apart from a refused request, so the client
can log in again once before blaming the account; a refused paging token or lookup is the
request's fault, not the account's. Rate limits carry the time the server says they reset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atproto_client.exceptions import (
    BadRequestError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_server.exceptions import InvalidTokenError

from .base import SourceError

# Errors that mean "this stored session is no longer accepted", not "this request is wrong".
_SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing"})


def _error_name(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    return content.error if isinstance(content, XrpcError) else ""


def error_detail(exc: BaseException) -> str:
    """The server's error name and message, else the HTTP status, else the exception type."""
    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    if isinstance(content, XrpcError):
        return f"{content.error}: {content.message}" if content.message else content.error
    if response is not None:
        return f"HTTP {response.status_code}"
    return type(exc).__name__


def is_session_error(exc: BaseException) -> bool:
    """Whether a stored session was refused: worth one fresh login before blaming the account."""
    if isinstance(exc, UnauthorizedError | LoginRequiredError | InvalidTokenError):
        return True
    return isinstance(exc, BadRequestError) and _error_name(exc) in _SESSION_ERRORS


def is_refused_page(exc: BaseException) -> bool:
    """Whether the request itself was refused (a paging token too deep, bad uris)."""
    return isinstance(exc, BadRequestError) and _error_name(exc) not in _SESSION_ERRORS


def error_for(exc: BaseException, *, action: str) -> SourceError:
    """The SourceError for a failure while `action` (e.g. "searching #tag")."""
    if isinstance(exc, SourceError):
        return exc
    detail = error_detail(exc)
    if isinstance(exc, RateLimitExceededError):
        retry_at = exc.reset_at
        if retry_at is None and exc.retry_after is not None:
            retry_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after)
        return SourceError(
            f"Bluesky rate limit reached while {action} ({detail}).",
            retry_at=retry_at,
            rate_limited=True,
        )
    if isinstance(exc, UnauthorizedError):
        return SourceError(
            f"Bluesky refused the account while {action} ({detail}). Check BLUESKY_HANDLE and "
            "BLUESKY_APP_PASSWORD (an app password from Settings > Privacy and security).",
            permanent=True,
        )
    if isinstance(exc, BadRequestError):
        if _error_name(exc) in _SESSION_ERRORS:  # even a brand-new session: try again later
            return SourceError(f"Bluesky refused a new session while {action} ({detail}).")
        return SourceError(
            f"Bluesky rejected the request while {action} ({detail}); check the source settings.",
            permanent=True,
        )
    if isinstance(exc, NetworkError):  # timeouts, connection errors, 502/409/413
        return SourceError(f"Bluesky could not be reached while {action} ({detail}).")
    response = getattr(exc, "response", None)
    if response is not None and response.status_code in {404, 501}:
        return SourceError(
            f"The Bluesky service does not serve this while {action} ({detail}); "
            "check the service URL.",
            permanent=True,
        )
    return SourceError(f"Bluesky failed while {action} ({detail}).")

"""Whom a post is addressed to, in the form it is stored and compared in: the parsers and the
archive reader make every Mention here, by the one handle rule (hashtags.handles)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from ..handles import ACCOUNT_PLATFORMS, handle_normalize, user_id_normalize
from ..models import Platform
from .base import Mention

_MENTION_PLATFORMS = (*ACCOUNT_PLATFORMS, Platform.DEMO)


def mention_of(
    platform: str, role: str, *, handle: str | None = "", uid: str | None = ""
) -> Mention | None:
    """The mention as stored, by the one handle rule (hashtags.handles): the handle as its
    platform compares it (X username and Mastodon user@server lower-case, a Bluesky handle; a
    DID given as a Bluesky handle is its uid), the uid the platform's account id (X's numeric
    user id, Bluesky's DID; Mastodon has none). A part that is no such thing counts as unknown;
    None when neither is known."""
    written = (handle or "").strip().removeprefix("@")
    if platform == Platform.BLUESKY and written.lower().startswith("did:"):
        written, uid = "", uid or written
    name, key = _handle(platform, written), _user_id(platform, uid or "")
    return Mention(role=str(role), handle=name, uid=key) if name or key else None


def _handle(platform: str, written: str) -> str:
    try:
        name = handle_normalize(platform, written, platforms=_MENTION_PLATFORMS)
    except ValidationError:
        return ""
    # (the demo's handles follow a looser rule: none holds the archive's separators either)
    return "" if ":" in name or ";" in name else name


def _user_id(platform: str, written: str) -> str:
    try:
        return user_id_normalize(platform, written)
    except ValidationError:
        return ""


def mentions_unique(mentions: Iterable[Mention | None]) -> tuple[Mention, ...]:
    """The mentions given, each once, in the order first given (None left out)."""
    return tuple(dict.fromkeys(m for m in mentions if m is not None))

"""Account handles as each platform compares them: the one rule for chat hosts, tracked
accounts and whatever else matches a handle to an author.

X: the username without '@', any case (stored lower-case). Mastodon: user@server, lower-case.
Bluesky: the handle (a domain name) lower-case, or the account's DID. A profile address
(x.com/name, https://server/@user, bsky.app/profile/name) is read as the handle it shows.
The form as written (case kept, '@' and the address dropped) is the handle's display.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from hashtags.models import Platform

ACCOUNT_PLATFORMS = (Platform.X, Platform.MASTODON, Platform.BLUESKY)

_X_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
_X_USER_ID = re.compile(r"[0-9]{1,20}")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+", re.IGNORECASE)
_MASTODON_USER = re.compile(r"[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*", re.IGNORECASE)
_DID = re.compile(r"did:(?:plc:[a-z2-7]{24}|web:[a-z0-9.%:-]+)", re.IGNORECASE)
_X_PROFILE = re.compile(
    r"(?:https?://)?(?:www\.|mobile\.)?(?:x|twitter)\.com/@?([^/?#\s]+)/?", re.IGNORECASE
)
_MASTODON_PROFILE = re.compile(r"https?://([^/?#\s]+)/(?:@|users/)([^/?#\s]+)/?", re.IGNORECASE)
_BLUESKY_PROFILE = re.compile(r"(?:https?://)?bsky\.app/profile/([^/?#\s]+)/?", re.IGNORECASE)


@dataclass(frozen=True)
class Handle:
    """A handle read: `name` is how its platform compares it, `display` how it was written."""

    platform: str
    name: str
    display: str

    @property
    def is_did(self) -> bool:
        return self.platform == Platform.BLUESKY and self.name.startswith("did:")


def handle_parse(
    platform: str, written: str, *, platforms: Iterable[str] = ACCOUNT_PLATFORMS
) -> Handle:
    """`written` read as a handle of `platform`; raises ValidationError saying what is wrong."""
    allowed = [str(p) for p in platforms]
    if platform not in allowed:
        raise ValidationError(f"{platform!r} is not a platform; use one of {', '.join(allowed)}.")
    text = (written or "").strip()
    if not text:
        raise ValidationError("The handle is empty.")
    if platform == Platform.X:
        return _x(text)
    if platform == Platform.MASTODON:
        return _mastodon(text)
    if platform == Platform.BLUESKY:
        return _bluesky(text)
    display = text.removeprefix("@")
    if not display or any(c.isspace() or c == "@" for c in display):
        raise ValidationError(f"{written!r} is not a {platform} handle.")
    return Handle(platform, display.lower(), display)


def handle_normalize(
    platform: str, written: str, *, platforms: Iterable[str] = ACCOUNT_PLATFORMS
) -> str:
    """The handle as its platform compares it; raises ValidationError when it is none."""
    return handle_parse(platform, written, platforms=platforms).name


def _x(text: str) -> Handle:
    profile = _X_PROFILE.fullmatch(text)
    display = profile[1] if profile else text.removeprefix("@")
    if not _X_USERNAME.fullmatch(display):
        raise ValidationError(
            f"{text!r} is not an X username: 1 to 15 letters, digits or '_', e.g. NHITweek."
        )
    return Handle(Platform.X, display.lower(), display)


def _mastodon(text: str) -> Handle:
    profile = _MASTODON_PROFILE.fullmatch(text)
    display = f"{profile[2].removeprefix('@')}@{profile[1]}" if profile else text.removeprefix("@")
    user, _, server = display.partition("@")
    if not _MASTODON_USER.fullmatch(user) or not _DOMAIN.fullmatch(server):
        raise ValidationError(
            f"{text!r} is not a Mastodon account: it is user@server, e.g. nhitweek@mastodon.social."
        )
    return Handle(Platform.MASTODON, display.lower(), display)


def _bluesky(text: str) -> Handle:
    profile = _BLUESKY_PROFILE.fullmatch(text)
    display = profile[1] if profile else text.removeprefix("@")
    if not (_DID.fullmatch(display) or (_DOMAIN.fullmatch(display) and len(display) <= 253)):
        raise ValidationError(
            f"{text!r} is not a Bluesky handle: it is a domain name such as "
            "nhitweek.bsky.social, or the account's DID (did:plc:...)."
        )
    return Handle(Platform.BLUESKY, display.lower(), display)


def user_id_normalize(platform: str, written: str) -> str:
    """The account's id on its platform ("" when unknown): X's numeric user id, Bluesky's DID;
    raises ValidationError for anything else."""
    text = (written or "").strip()
    if not text:
        return ""
    if platform == Platform.X and _X_USER_ID.fullmatch(text):
        return text
    if platform == Platform.BLUESKY and _DID.fullmatch(text):
        return text.lower()
    if platform == Platform.X:
        raise ValidationError(f"{text!r} is not an X user id: it is a number.")
    if platform == Platform.BLUESKY:
        raise ValidationError(f"{text!r} is not a Bluesky DID (did:plc:... or did:web:...).")
    raise ValidationError(f"A {platform} account has no user id here; leave it empty.")


def profile_url(platform: str, name: str) -> str:
    """The public profile page of a normalized handle ("" for a platform without one)."""
    if platform == Platform.X:
        return f"https://x.com/{name}"
    if platform == Platform.MASTODON:
        user, _, server = name.partition("@")
        return f"https://{server}/@{user}"
    if platform == Platform.BLUESKY:
        return f"https://bsky.app/profile/{name}"
    return ""

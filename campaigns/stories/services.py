"""#IHeartHIT stories: take one in from the public form, read the approved ones out, export.

The public form is the only write path that strangers reach, so the rate limit lives here, on
the shared cache, and refuses (rather than stores unchecked) when the cache cannot be reached.
So do the two checks against a replayed form: each opened form (its `form_key`) stores one
story, and the same story (campaign, e-mail, text) is refused again for
STORIES_DUPLICATE_WINDOW_SECONDS.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from campaigns.models import Campaign, Story
from hashtags.archive.cells import cell_guard
from nhitweek.clients import client_hits

logger = logging.getLogger(__name__)

# Django's own RedisCache lets redis-py's errors through; OSError covers a refused socket.
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)

# Control characters other than tab and newlines carry no meaning in a story and NUL cannot be
# stored by PostgreSQL at all: free text drops them rather than refusing the whole story.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

EXPORT_COLUMNS = [
    "id",
    "created_at",
    "status",
    "name",
    "role",
    "email",
    "story",
    "link",
    "consent",
    "reviewed_at",
    "reviewed_by",
]


class StoryRefused(Exception):
    """The story was not stored for a reason the visitor can act on; `message` says which."""

    status_code = 400
    retry_after = 60
    message = "We could not take your story just now."


class StoryRateLimited(StoryRefused):
    status_code = 429
    message = (
        "You have sent several stories in a short time, so we paused the form for you. "
        "Your story is still below; please send it again a little later."
    )

    def __init__(self, retry_after: int) -> None:
        super().__init__(self.message)
        self.retry_after = retry_after


class StoryFormUsed(StoryRefused):
    status_code = 409
    retry_after = 0
    message = (
        "This form was already sent, and we have the story it carried. To tell another story, "
        "send the form below again (it is a fresh one now)."
    )


class StoryDuplicate(StoryRefused):
    status_code = 409
    retry_after = 0
    message = (
        "We already have this story from you, so we did not store it twice. Thank you! "
        "To tell another one, change the text below."
    )


class StoryStoreUnavailable(StoryRefused):
    status_code = 503
    retry_after = 60
    message = (
        "Sorry, we could not take your story just now because part of our site is briefly "
        "unavailable. Nothing was lost: your story is still below. Please try again in a minute."
    )


# --- Text -------------------------------------------------------------------------------------


def plain_text(value: str) -> str:
    """NFC, no control characters, Unix newlines, trimmed; right-to-left text stays as it is.
    Text made only of spaces and invisible (format) characters becomes empty."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    if not any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text):
        return ""
    return text


def story_client_key(*, address: str) -> str:
    """A keyed hash of the client's address; IPv6 counts per /64, as one household gets one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address or "unknown"
    else:
        prefix = 64 if ip.version == 6 else 32
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return salted_hmac("campaigns.story-client", network, algorithm="sha256").hexdigest()


# --- Writes -----------------------------------------------------------------------------------


def _rate_limit_take(*, client_key: str) -> None:
    """Count one story for this client in a fixed window; refuse past the limit."""
    limit = settings.STORIES_RATE_LIMIT
    window = settings.STORIES_RATE_WINDOW_SECONDS
    key = f"stories:rate:{client_key}"
    try:
        count = client_hits(key=key, window_seconds=window)
    except CACHE_ERRORS:
        # Without the counter we cannot tell a flood from a person: refuse, keep nothing.
        logger.warning("stories: the rate-limit cache is unreachable; story refused", exc_info=True)
        raise StoryStoreUnavailable(StoryStoreUnavailable.message) from None
    if count > limit:
        logger.info("stories: client %s… over %s stories per %ss", client_key[:8], limit, window)
        raise StoryRateLimited(retry_after=window)


def _duplicate_check(story: Story) -> None:
    since = timezone.now() - timedelta(seconds=settings.STORIES_DUPLICATE_WINDOW_SECONDS)
    same = Story.objects.filter(
        campaign=story.campaign, email__iexact=story.email, text=story.text, created_at__gte=since
    )
    if same.exists():
        raise StoryDuplicate(StoryDuplicate.message)


def _form_use(*, form_key: str) -> None:
    """Record that this opened form stored its story; refuse a form used before."""
    try:
        first = cache.add(
            f"stories:form:{form_key}", 1, timeout=settings.STORIES_FORM_MAX_AGE_SECONDS
        )
    except CACHE_ERRORS:
        logger.warning("stories: the form-use cache is unreachable; story refused", exc_info=True)
        raise StoryStoreUnavailable(StoryStoreUnavailable.message) from None
    if not first:
        raise StoryFormUsed(StoryFormUsed.message)


def story_submit(
    *, campaign: Campaign, data: Mapping[str, Any], client_key: str, form_key: str = ""
) -> Story:
    """Store a visitor's story as new, after validation, the duplicate and form-use checks
    (`form_key`: which opened form sent it; the form's own token) and the per-client rate
    limit. Raises ValidationError for bad fields, StoryRefused (rate limit, duplicate, used
    form, cache down) otherwise."""
    story = Story(
        campaign=campaign,
        name=plain_text(data.get("name") or ""),
        role=data.get("role") or "",
        email=(data.get("email") or "").strip(),
        text=plain_text(data.get("text") or ""),
        link=(data.get("link") or "").strip(),
        consent=data.get("consent") is True,
        client_hash=client_key,
    )
    if not story.consent:
        raise ValidationError({"consent": "A story can only be sent with consent to republish."})
    story.full_clean(exclude=["campaign"])
    if form_key:
        _form_use(form_key=form_key)
    _duplicate_check(story)
    _rate_limit_take(client_key=client_key)
    story.save()
    logger.info("stories: story %s received for %s", story.pk, campaign.slug)
    return story


# --- Reads ------------------------------------------------------------------------------------


def stories_approved(*, campaign: Campaign) -> QuerySet[Story]:
    """What the public sees: approved stories, most recently approved first."""
    return (
        Story.objects.approved()
        .filter(campaign=campaign)
        .only("id", "name", "role", "text", "link", "created_at", "reviewed_at", "status")
        .order_by("-reviewed_at", "-id")
    )


def story_export_rows(*, campaign: Campaign, chunk_size: int = 500) -> Iterator[list[str]]:
    """The header, then one row per story of the campaign (every status), oldest first; times
    in the campaign's zone, as every other export (their offsets say which)."""
    tz = campaign.tz
    yield list(EXPORT_COLUMNS)
    stories = (
        Story.objects.filter(campaign=campaign)
        .select_related("reviewed_by")
        .order_by("created_at", "id")
    )
    for story in stories.iterator(chunk_size=chunk_size):
        yield [
            str(story.pk),
            story.created_at.astimezone(tz).isoformat(),
            story.status,
            cell_guard(story.name),
            story.get_role_display(),
            cell_guard(story.email),
            cell_guard(story.text),
            cell_guard(story.link),
            "yes" if story.consent else "no",
            story.reviewed_at.astimezone(tz).isoformat() if story.reviewed_at else "",
            story.reviewed_by.get_username() if story.reviewed_by else "",
        ]

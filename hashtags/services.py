"""Writes on the data plane: hashtags and sources."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Hashtag, Heartbeat, Platform, Source
from .normalize import hashtag_display, hashtag_normalize


def hashtag_get_or_create(*, tag: str) -> Hashtag:
    """The Hashtag for `tag` in any spelling; raises ValidationError for a bad tag."""
    name = hashtag_normalize(tag)
    hashtag, _ = Hashtag.objects.get_or_create(
        name=name, defaults={"display": hashtag_display(tag)}
    )
    return hashtag


def source_enable(
    *, platform: str, base_url: str = "", poll_interval: int | None = None
) -> tuple[Source, bool]:
    """Enable (creating if needed) a source; returns it and whether it was created."""
    if platform not in Platform.values:
        raise ValidationError(
            f"Unknown platform {platform!r}; choose one of: {', '.join(Platform.values)}."
        )
    source = Source(platform=platform, base_url=base_url)
    source.clean()
    with transaction.atomic():
        existing = (
            Source.objects.select_for_update()
            .filter(platform=platform, base_url=source.base_url)
            .first()
        )
        if existing:
            existing.enabled = True
            if poll_interval is not None:
                existing.poll_interval = poll_interval
            existing.full_clean()
            existing.save()
            return existing, False
        if poll_interval is not None:
            source.poll_interval = poll_interval
        source.full_clean()
        source.save()
        return source, True


def heartbeat_record(*, name: str) -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return beat

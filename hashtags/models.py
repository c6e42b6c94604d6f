"""Hashtags, the sources we poll, and the worker heartbeat the health check reads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from .normalize import hashtag_display, hashtag_normalize


class Hashtag(models.Model):
    """A tag stored once, normalized; campaigns refer to it, posts link to it."""

    name = models.CharField(
        max_length=100, unique=True, help_text="Normalized: no '#', NFKC, case-folded."
    )
    display = models.CharField(max_length=100, help_text="As people write it, e.g. NHITweek.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.display}"

    def clean(self) -> None:
        raw = self.display or self.name
        try:
            self.name = hashtag_normalize(raw)
        except ValidationError as exc:
            raise ValidationError({"display": exc.messages}) from None
        self.display = hashtag_display(raw)
        # The admin form leaves `name` out, so Django would not check its uniqueness itself.
        clash = Hashtag.objects.filter(name=self.name).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError({"display": f"{clash} already exists (tags ignore case)."})


class Platform(models.TextChoices):
    X = "x", "X"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    DEMO = "demo", "Demo"


class Source(models.Model):
    """A network we poll: X, Bluesky, the demo generator, or one Mastodon server."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    base_url = models.URLField(
        blank=True, default="", help_text="The server's base URL (Mastodon only)."
    )
    enabled = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(10)],
        help_text="Seconds between polls of each hashtag.",
    )
    last_error = models.TextField(blank=True, default="", help_text="Shown to admins.")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["platform", "base_url"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "base_url"], name="source_unique_url"),
            models.CheckConstraint(
                condition=models.Q(poll_interval__gte=10), name="source_poll_interval_min"
            ),
        ]

    def __str__(self) -> str:
        label = self.get_platform_display()
        return f"{label} ({self.base_url})" if self.base_url else label

    def clean(self) -> None:
        self.base_url = (self.base_url or "").strip().rstrip("/")
        if self.platform == Platform.MASTODON:
            if not self.base_url:
                raise ValidationError({"base_url": "A Mastodon source needs its server's URL."})
            if not self.base_url.startswith("https://"):
                raise ValidationError({"base_url": "Use the server's https:// address."})
        elif self.base_url:
            raise ValidationError(
                {"base_url": f"{self.get_platform_display()} takes no base URL; leave it empty."}
            )


class Heartbeat(models.Model):
    """The last time a worker ran the heartbeat task that beat schedules."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"

"""Campaigns: dates in a time zone, ordered coloured hashtags, an optional series."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.timezone import now as tz_now

from hashtags.models import Hashtag


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a time zone; use an IANA name such as America/New_York.",
            code="invalid_timezone",
        )


validate_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f6feb (a '#' and six hex digits)."
)

PALETTE = ["#1f6feb", "#1a7f37", "#cf222e", "#8250df", "#bf8700", "#0a7ea4", "#d1478f"]


class Series(models.Model):
    """A campaign that recurs: NHIT Week 2025 and 2026 are editions of one series."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name


class CampaignQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None) -> CampaignQuerySet:
        now = now or tz_now()
        return self.filter(start__lte=now, end__gt=now)

    def upcoming(self, now: datetime | None = None) -> CampaignQuerySet:
        return self.filter(start__gt=now or tz_now())

    def ended(self, now: datetime | None = None) -> CampaignQuerySet:
        return self.filter(end__lte=now or tz_now())


class Campaign(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    start = models.DateTimeField(help_text="When the campaign opens (stored in UTC).")
    end = models.DateTimeField(help_text="When it closes; must be after the start.")
    timezone = models.CharField(
        max_length=64,
        default="America/New_York",
        validators=[validate_timezone],
        help_text="Days and hours on its pages are drawn in this zone.",
    )
    public = models.BooleanField(
        default=False, help_text="Anyone may see its dashboard and wall, without logging in."
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="editions"
    )
    edition = models.CharField(
        max_length=50, blank=True, default="", help_text="e.g. 2026, within its series."
    )
    hashtags = models.ManyToManyField(Hashtag, through="CampaignHashtag", related_name="campaigns")
    created_at = models.DateTimeField(default=tz_now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="campaign_end_after_start"
            ),
        ]
        permissions = [
            ("view_dashboard", "Can view campaign dashboards"),
            ("curate_posts", "Can feature, hide and pin posts"),
            ("manage_stories", "Can review #IHeartHIT stories"),
            ("change_campaign_dates", "Can change campaign dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.slug])

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def status_at(self, now: datetime) -> str:
        if now < self.start:
            return self.Status.UPCOMING
        if now < self.end:
            return self.Status.LIVE
        return self.Status.ENDED

    @property
    def status(self) -> str:
        return self.status_at(tz_now())

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.tz)


class CampaignHashtag(models.Model):
    """A campaign's hashtag, in the order and colour its pages show it."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_hashtags"
    )
    hashtag = models.ForeignKey(Hashtag, on_delete=models.PROTECT, related_name="campaign_links")
    position = models.PositiveSmallIntegerField(default=0)
    color = models.CharField(max_length=7, default="#1f6feb", validators=[validate_colour])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "hashtag"], name="campaign_hashtag_once"),
        ]
        verbose_name = "campaign hashtag"

    def __str__(self) -> str:
        return f"{self.campaign} {self.hashtag}"


def web_link(url: str) -> str:
    """The address if it is a plain web address (http or https), else "": what every page and
    JSON answer shows of a link that came from a network or a form."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:  # e.g. a broken IPv6 host: not a link we can show
        return ""
    return url if scheme in ("http", "https") else ""


def validate_web_link(value: str) -> None:
    """Links a visitor gives us are shown to others: only plain web addresses, never scripts."""
    if value and not web_link(value):
        raise ValidationError(
            "Use a web address that starts with http:// or https://.", code="invalid_scheme"
        )


class StoryQuerySet(models.QuerySet):
    def approved(self) -> StoryQuerySet:
        return self.filter(status=Story.Status.APPROVED)


class Story(models.Model):
    """An #IHeartHIT story sent through the public form; shown only once a curator approves it."""

    class Role(models.TextChoices):
        CLINICIAN = "clinician", "Clinician"
        PATIENT = "patient", "Patient or caregiver"
        HIT_PROFESSIONAL = "hit_professional", "Health IT professional"
        POLICYMAKER = "policymaker", "Policymaker"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        NEW = "new", "New"
        APPROVED = "approved", "Approved"
        HIDDEN = "hidden", "Hidden"

    NAME_MAX = 100
    TEXT_MAX = 5000
    LINK_MAX = 500

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stories")
    name = models.CharField("name as it may be published", max_length=NAME_MAX)
    role = models.CharField(max_length=20, choices=Role.choices)
    # Private: for the organizers' follow-up only, never on a public page.
    email = models.EmailField("e-mail")
    text = models.TextField("story", max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)])
    link = models.URLField(
        max_length=LINK_MAX, blank=True, default="", validators=[validate_web_link]
    )
    consent = models.BooleanField("consent to republish", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=tz_now, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A keyed hash of the sender's address: enough to spot abuse, useless to find the person.
    client_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    pinned = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position at the top of the wall (1 first)."
    )

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["campaign", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="story_has_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def safe_link(self) -> str:
        """The link if it is a web address; checked again here because old rows outlive rules."""
        return web_link(self.link)


# The curation models live in their own module; importing them here registers them.
from .models_curation import (  # noqa: E402, F401
    CurationEvent,
    DashboardSnapshot,
    ModerationRules,
    PostCuration,
)

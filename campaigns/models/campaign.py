"""Campaigns: dates in a time zone, ordered coloured hashtags, an optional series."""

from __future__ import annotations

import colorsys
import itertools
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
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

# The instants a campaign's dates, and any window read over a campaign, may take (UTC,
# [min, max)). The networks we read hold nothing from before 2000; ending far below datetime's
# year 9999 keeps every instant derived from a date (the zone's offset, the polling margins, the
# period before a window) representable, and refuses a typo such as 20026.
DATES_MIN = datetime(2000, 1, 1, tzinfo=UTC)
DATES_MAX = datetime(2100, 1, 1, tzinfo=UTC)


def dates_bounds_error(when: datetime) -> str:
    """Why an instant cannot be a campaign date or a window's edge; "" when it can."""
    if DATES_MIN <= (when if when.tzinfo else when.replace(tzinfo=UTC)) < DATES_MAX:
        return ""
    return (
        f"Dates must fall between {DATES_MIN:%Y-%m-%d} and {DATES_MAX:%Y-%m-%d} (UTC); "
        f"{when.isoformat()} does not."
    )


PALETTE = ["#1f6feb", "#1a7f37", "#cf222e", "#8250df", "#bf8700", "#0a7ea4", "#d1478f"]
GOLDEN_ANGLE = 137.508  # degrees: each next hue lands in the widest gap left on the wheel


def colours_free(taken: Iterable[str]) -> Iterator[str]:
    """The colours a campaign's next hashtags get, in order, none of them `taken` (any case):
    the palette's, then hues spread around the wheel at the palette's depth, so two hashtags
    never share a colour by default however many there are."""
    used = {colour.lower() for colour in taken}
    spread = (
        "#{:02x}{:02x}{:02x}".format(
            *(round(255 * c) for c in colorsys.hls_to_rgb(n * GOLDEN_ANGLE / 360 % 1, 0.4, 0.7))
        )
        for n in itertools.count()
    )
    return (colour for colour in itertools.chain(PALETTE, spread) if colour not in used)


def colour_next(taken: Iterable[str]) -> str:
    """The colour a campaign's next hashtag gets when these are taken."""
    return next(colours_free(taken))


class Series(models.Model):
    """A campaign that recurs: NHIT Week 2025 and 2026 are editions of one series."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name


def polling_margins() -> tuple[timedelta, timedelta]:
    """(lead-in, tail): how long before its start and after its end a campaign is collected,
    to catch the early and late posts."""
    return (
        timedelta(minutes=settings.POLL_LEAD_IN_MINUTES),
        timedelta(minutes=settings.POLL_TAIL_MINUTES),
    )


class CampaignQuerySet(models.QuerySet):
    def polled_at(self, now: datetime) -> CampaignQuerySet:
        """Campaigns whose polling window (dates widened by lead-in and tail) holds `now`."""
        lead, tail = polling_margins()
        return self.filter(start__lte=now + lead, end__gte=now - tail)

    def counting_at(self, now: datetime) -> CampaignQuerySet:
        """Live campaigns, and ended ones inside their tail, whose numbers still move (late
        likes count in the report)."""
        _, tail = polling_margins()
        return self.filter(start__lte=now, end__gte=now - tail)


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
    hashtags: models.ManyToManyField[Hashtag, CampaignHashtag] = models.ManyToManyField(
        Hashtag, through="CampaignHashtag", related_name="campaigns"
    )
    created_at = models.DateTimeField(default=tz_now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Counted up inside every curation transaction and part of every cached answer's key, so a
    # hide takes effect even when the cache missed the generation bump (it was down).
    curation_version = models.PositiveBigIntegerField(default=0, editable=False)

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
        errors = {
            name: message
            for name in ("start", "end")
            if getattr(self, name) and (message := dates_bounds_error(getattr(self, name)))
        }
        if errors:
            raise ValidationError(errors)
        # Stored in UTC anyway; an offset the database refuses (+16:00 parses) never reaches it.
        self.start = self.start and self.start.astimezone(UTC)
        self.end = self.end and self.end.astimezone(UTC)
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

    def polling_window(self) -> tuple[datetime, datetime]:
        """[lo, hi): the campaign's dates widened by the polling lead-in and tail."""
        lead, tail = polling_margins()
        return self.start - lead, self.end + tail

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

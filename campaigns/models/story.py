"""#IHeartHIT stories, and the one rule for links shown to others (web_link)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.timezone import now as tz_now

from campaigns.models.campaign import Campaign
from campaigns.models.curation import HideMemory


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


class Story(HideMemory):
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

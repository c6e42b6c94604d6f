"""Tracked accounts: lists of policymakers, staff and partners, reused across campaigns.

A list holds its own members and a member its own handles, so every list reads the same way
(a CSV list, the US Senate, a committee). A person on several lists is a member of each; the
congress import keys them by bioguide id (`external_key`), so a senator's committees are the
committee lists holding a member with the senator's key. A committee or subcommittee is a list
with its committee id (`committee`, e.g. SSHR, HSIF14); a subcommittee names its committee
(`parent`). Members who leave are marked former, never deleted: past scorecards still name
them. A handle is stored as its platform compares it (hashtags.handles), once per list.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.timezone import now as tz_now

from hashtags.handles import ACCOUNT_PLATFORMS, handle_parse, profile_url, user_id_normalize
from hashtags.models import Platform


class AccountList(models.Model):
    class Kind(models.TextChoices):
        POLICYMAKERS = "policymakers", "Policymakers"
        STAFF = "staff", "Staff"
        PARTNERS = "partners", "Partners"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True, default="")
    source = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text='Where the members come from, e.g. "congress-legislators 2026-06-15".',
    )
    committee = models.CharField(
        max_length=20,
        blank=True,
        default="",
        help_text="A congressional committee's or subcommittee's id, e.g. SSHR or HSIF14; "
        "empty for other lists.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subcommittees",
        help_text="For a subcommittee: its committee's list.",
    )
    created_at = models.DateTimeField(default=tz_now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "account list"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:account_list_detail", args=[self.slug])


class Member(models.Model):
    """One person or account on one list: who they are there, and since when they left it."""

    class Chamber(models.TextChoices):
        SENATE = "senate", "Senate"
        HOUSE = "house", "House"
        OTHER = "other", "Other"

    account_list = models.ForeignKey(AccountList, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    office = models.CharField(
        "office or role",
        max_length=200,
        blank=True,
        default="",
        help_text="e.g. Senator, Chief of Staff; on a committee list, the member's title there.",
    )
    chamber = models.CharField(max_length=8, choices=Chamber.choices, blank=True, default="")
    state = models.CharField(max_length=100, blank=True, default="")
    district = models.CharField(
        max_length=20, blank=True, default="", help_text="A House district; 0 is at large."
    )
    party = models.CharField(max_length=100, blank=True, default="")
    organization = models.CharField(max_length=200, blank=True, default="")
    external_key = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_index=True,
        help_text="The person's id in the source: the bioguide id for Congress; empty for "
        "members typed or imported from a CSV.",
    )
    former = models.BooleanField(default=False, help_text="No longer on this list.")
    former_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=tz_now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["former", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_list", "external_key"],
                condition=~models.Q(external_key=""),
                name="member_key_once_per_list",
            ),
            models.UniqueConstraint(
                fields=["account_list", "name", "office"],
                condition=models.Q(external_key=""),
                name="member_name_office_once_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.office})" if self.office else self.name

    @property
    def at_large(self) -> bool:
        return self.district == "0"


class MemberHandle(models.Model):
    """A member's account on one platform; `account_list` is the member's list, kept here so the
    database holds each handle once per list."""

    PLATFORMS = ACCOUNT_PLATFORMS

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="handles")
    account_list = models.ForeignKey(
        AccountList, on_delete=models.CASCADE, related_name="+", editable=False
    )
    platform = models.CharField(
        max_length=16, choices=[(p.value, p.label) for p in ACCOUNT_PLATFORMS]
    )
    handle = models.CharField(
        max_length=255,
        help_text="As the platform compares it: an X username lower-case, Mastodon "
        "user@server, a Bluesky handle or DID.",
    )
    display = models.CharField(
        max_length=255, blank=True, default="", help_text="As written, case kept."
    )
    user_id = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The X user id or the Bluesky DID, when known.",
    )

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_list", "platform", "handle"], name="member_handle_once_per_list"
            ),
            models.UniqueConstraint(
                fields=["account_list", "platform", "user_id"],
                condition=~models.Q(user_id=""),
                name="member_user_id_once_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.display or self.handle}"

    def clean(self) -> None:
        errors = {}
        try:
            written = handle_parse(self.platform, self.handle)
        except ValidationError as exc:
            errors["handle"] = exc.messages
        else:
            if self.display.lower() != written.name:  # a new handle brings its own display
                self.display = written.display
            self.handle = written.name
        try:
            self.user_id = user_id_normalize(self.platform, self.user_id)
        except ValidationError as exc:
            errors["user_id"] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def profile_url(self) -> str:
        return profile_url(self.platform, self.handle)

    @property
    def shown(self) -> str:
        """The handle as people write it on its platform."""
        text = self.display or self.handle
        return text if self.platform == Platform.BLUESKY and text.startswith("did:") else f"@{text}"

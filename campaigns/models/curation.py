"""What staff decide about a campaign's posts: moderation rules, curation state, the audit log.

Design:
- `PostCuration` holds a row only for a post somebody (or a rule) acted on; a post without
  one is "new". Ten million posts never mean ten million curation rows.
- Status: new -> approved / featured / hidden. `pinned` orders posts at the top of the wall
  (1 first). `rule` says which moderation rule hid it, so a rule change can release exactly
  the posts that rule hid and never a post a curator hid by hand.
- Hiding remembers what it hid (`unhide_status`, `unhide_pinned`, on posts and stories
  alike): unhide puts a featured post pinned at 2 back as it was, not as a plain approved one.
- `ModerationRules.mode`: "open" shows every post that is not hidden on public surfaces;
  "approve" shows only approved or featured posts.
- `CurationEvent` records every action: who, what, when, the state before and after. A revert
  (or an undo) is an event too, naming the event it `reverts`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now as tz_now

from hashtags.models import Post


class CurationAction(models.TextChoices):
    """What a curator (or the demo, or the admin's status field) does to a post or a story."""

    APPROVE = "approve", "approved"
    FEATURE = "feature", "featured"
    UNFEATURE = "unfeature", "unfeatured"
    HIDE = "hide", "hidden"
    UNHIDE = "unhide", "unhidden"
    PIN = "pin", "pinned"
    UNPIN = "unpin", "unpinned"
    REOPEN = "reopen", "reopened"  # a story back to the review pile
    REVERT = "revert", "reverted"  # an event undone: its target put back as the event found it


class ModerationRules(models.Model):
    class Mode(models.TextChoices):
        OPEN = "open", "Show unless hidden"
        APPROVE = "approve", "Approve before showing"

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="moderation"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.OPEN)
    blocked_words = models.TextField(
        blank=True, default="", help_text="One word or phrase per line; case is ignored."
    )
    blocked_authors = models.TextField(
        blank=True,
        default="",
        help_text="One handle per line, e.g. spammer or bluesky:spam.bsky.social.",
    )
    hide_reposts = models.BooleanField(default=False, help_text="Hide plain reposts.")
    updated_at = models.DateTimeField(default=tz_now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "moderation rules"
        verbose_name_plural = "moderation rules"

    def __str__(self) -> str:
        return f"Rules of {self.campaign}"


class HideMemory(models.Model):
    """What a curator's hide hid, for unhide to put back: a post's or a story's status and pin."""

    unhide_status = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="The status it had when a curator hid it: what unhide restores.",
    )
    unhide_pinned = models.PositiveIntegerField(
        null=True, blank=True, help_text="The pin it had when a curator hid it."
    )

    class Meta:
        abstract = True


class PostCuration(HideMemory):
    class Status(models.TextChoices):
        NEW = "new", "New"
        APPROVED = "approved", "Approved"
        FEATURED = "featured", "Featured"
        HIDDEN = "hidden", "Hidden"

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="curations"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="curations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    pinned = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position at the top of the wall (1 first)."
    )
    rule = models.CharField(
        max_length=200, blank=True, default="", help_text="The rule that hid it, if a rule did."
    )
    updated_at = models.DateTimeField(default=tz_now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "post"], name="curation_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="curation_status"),
            models.Index(fields=["campaign", "pinned"], name="curation_pinned"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} post {self.post_id}: {self.status}"


class CurationEvent(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="curation_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)  # post, story, rules
    target_id = models.CharField(max_length=64, blank=True, default="")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=tz_now)
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "-at"], name="curation_event_time"),
            models.Index(
                fields=["campaign", "target_type", "target_id"], name="curation_event_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type}"

"""#IHeartHIT stories: statuses through the audited review service; e-mails for organizers only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from campaigns.access import user_reads_story_emails
from campaigns.curation.services import story_review
from campaigns.models import Story


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Curators and admins set a story's status here. The e-mail (its field, any search or
    lookup on it) is only for organizers and admins, as the story form promises."""

    list_display = ["name", "role", "campaign", "status", "created_at", "reviewed_by"]
    list_filter = ["status", "role", "campaign"]
    search_fields = ["name", "text", "email"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign", "reviewed_by"]
    actions = ["approve", "hide"]
    fields = [
        "campaign",
        "status",
        "name",
        "role",
        "email",
        "text",
        "link",
        "consent",
        "created_at",
        "reviewed_at",
        "reviewed_by",
        "client_hash",
    ]
    readonly_fields = ["created_at", "reviewed_at", "reviewed_by", "client_hash"]

    # Curators hold manage_stories rather than the model's own permissions.
    def _manages(self, request) -> bool:
        return request.user.has_perm("campaigns.manage_stories")

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or self._manages(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) or self._manages(request)

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) or self._manages(request)

    def has_add_permission(self, request) -> bool:
        return False  # stories come from the public form

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if user_reads_story_emails(request.user):
            return fields
        return [name for name in fields if name != "email"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if user_reads_story_emails(request.user):
            return fields
        return [name for name in fields if name != "email"]

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        # ?email__startswith=a... would tell a curator the addresses one letter at a time.
        user = getattr(request, "user", None)
        if lookup.split("__")[0] == "email" and (user is None or not user_reads_story_emails(user)):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("campaigns.change_story"):
            return self.readonly_fields
        # A curator decides the status; the visitor's own words stay as sent.
        return [name for name in self.get_fields(request, obj) if name != "status"]

    def save_model(self, request, obj, form, change):
        wanted = obj.status
        if change and "status" in form.changed_data:
            # The review service changes the status, audited; the form saves the rest.
            obj.status = form.initial.get("status", wanted)
        super().save_model(request, obj, form, change)
        if obj.status != wanted:
            story_review(story=obj, status=wanted, by=request.user)
            obj.refresh_from_db()

    @admin.action(description="Approve the selected stories", permissions=["change"])
    def approve(self, request, queryset):
        for story in queryset:
            story_review(story=story, status=Story.Status.APPROVED, by=request.user)

    @admin.action(description="Hide the selected stories", permissions=["change"])
    def hide(self, request, queryset):
        for story in queryset:
            story_review(story=story, status=Story.Status.HIDDEN, by=request.user)

"""Chats with their hosts and planned questions inline, times in the campaign's zone.

The models' clean bounds the dates and normalizes the host handles (host_handle_normalize,
which chat_upsert uses too).
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib import admin

from campaigns.admin.forms import WallClockForm, campaign_time_shown, campaign_zone
from campaigns.admin.handles import formset_handles
from campaigns.models import Chat, ChatHost, ChatQuestion


class ChatAdminForm(WallClockForm):
    """Start and end are typed and shown as wall-clock times in the campaign's zone."""

    wall_clock = ("start", "end")

    class Meta:
        model = Chat
        fields = ["campaign", "title", "slug", "hashtag", "start", "end", "tail_minutes"]
        help_texts = {
            "start": "Wall-clock time in the campaign's time zone.",
            "end": "Wall-clock time in the campaign's time zone; must be after the start.",
        }

    def wall_zone(self, cleaned: dict[str, Any] | None) -> zoneinfo.ZoneInfo | None:
        if cleaned is None:
            return campaign_zone(self.instance.campaign)
        return campaign_zone(cleaned.get("campaign"))


class ChatHostFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form, _, again in formset_handles(self):
            if again:
                form.add_error("handle", "This host is listed twice.")


class ChatHostInline(admin.TabularInline):
    model = ChatHost
    formset = ChatHostFormSet
    extra = 1
    min_num = 1  # as chat_upsert: a chat needs at least one host
    validate_min = True
    fields = ["platform", "handle"]


class ChatQuestionForm(WallClockForm):
    """The planned time is typed and shown in the chat's campaign's zone."""

    wall_clock = ("planned_at",)

    class Meta:
        model = ChatQuestion
        fields = ["number", "planned_at", "text"]
        help_texts = {"planned_at": "Wall-clock time in the campaign's time zone."}

    def wall_zone(self, cleaned: dict[str, Any] | None) -> zoneinfo.ZoneInfo | None:
        # Bound, the inline formset's "chat" field holds the parent (unsaved when adding).
        chat = (cleaned or {}).get("chat")
        if chat is None and self.instance.chat_id:
            chat = self.instance.chat
        return campaign_zone(chat.campaign) if chat and chat.campaign_id else None


class ChatQuestionInline(admin.TabularInline):
    model = ChatQuestion
    form = ChatQuestionForm
    extra = 1
    fields = ["number", "planned_at", "text"]
    ordering = ["number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chat__campaign")


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    form = ChatAdminForm
    list_display = ["title", "campaign", "hashtag", "local_start", "local_end", "tail_minutes"]
    list_filter = ["campaign", "hosts__platform"]
    search_fields = ["title", "slug", "hashtag__name", "hosts__handle", "campaign__name"]
    list_select_related = ["campaign", "hashtag"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["hashtag"]
    date_hierarchy = "start"
    inlines = [ChatHostInline, ChatQuestionInline]
    fieldsets = [
        (None, {"fields": ["campaign", "title", "slug", "hashtag"]}),
        ("Dates", {"fields": ["start", "end", "tail_minutes"]}),
    ]

    @admin.display(description="start", ordering="start")
    def local_start(self, obj: Chat) -> str:
        return campaign_time_shown(obj.start, obj.campaign)

    @admin.display(description="end", ordering="end")
    def local_end(self, obj: Chat) -> str:
        return campaign_time_shown(obj.end, obj.campaign)

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

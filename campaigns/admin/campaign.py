"""Campaigns (hashtags inline, dates in their own zone, dates only for those allowed) and series."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib import admin

from campaigns.admin.forms import WallClockForm
from campaigns.models import Campaign, CampaignHashtag, Series


class CampaignAdminForm(WallClockForm):
    """Start and end are typed and shown as wall-clock times in the campaign's own zone."""

    wall_clock = ("start", "end")

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "description",
            "public",
            "start",
            "end",
            "timezone",
            "series",
            "edition",
        ]
        help_texts = {
            "start": "Wall-clock time in the campaign's time zone.",
            "end": "Wall-clock time in the campaign's time zone; must be after the start.",
        }

    def wall_zone(self, cleaned: dict[str, Any] | None) -> zoneinfo.ZoneInfo | None:
        if cleaned is None:
            return self.instance.tz
        try:
            return zoneinfo.ZoneInfo(cleaned.get("timezone") or self.instance.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None  # the timezone field reports its own error


class CampaignHashtagInline(admin.TabularInline):
    model = CampaignHashtag
    extra = 1
    fields = ["hashtag", "position", "color"]
    autocomplete_fields = ["hashtag"]
    ordering = ["position"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = ["name", "slug", "start", "end", "timezone", "status_label", "public", "series"]
    list_filter = ["public", "series", "timezone"]
    search_fields = ["name", "slug", "description", "hashtags__name"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "start"
    inlines = [CampaignHashtagInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "public"]}),
        ("Dates", {"fields": ["start", "end", "timezone"]}),
        ("Series", {"fields": ["series", "edition"]}),
    ]

    @admin.display(description="status")
    def status_label(self, obj: Campaign) -> str:
        return obj.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.has_perm("campaigns.change_campaign_dates"):
            readonly += ["start", "end", "timezone"]
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("series").distinct()


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

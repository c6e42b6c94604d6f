"""Admin for campaigns: hashtags inline, filters, search, and dates only for those allowed."""

import zoneinfo

from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import Campaign, CampaignHashtag, Series


class CampaignAdminForm(forms.ModelForm):
    """Start and end are typed and shown as wall-clock times in the campaign's own zone."""

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            for name in ("start", "end"):
                if name in self.fields:
                    value = getattr(self.instance, name)
                    self.initial[name] = value.astimezone(self.instance.tz).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("timezone") or self.instance.timezone
        try:
            zone = zoneinfo.ZoneInfo(zone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return cleaned  # the timezone field reports its own error
        for name in ("start", "end"):
            if name in self.fields and cleaned.get(name):
                wall_clock = timezone.localtime(cleaned[name]).replace(tzinfo=None)
                cleaned[name] = wall_clock.replace(tzinfo=zone)
        return cleaned


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

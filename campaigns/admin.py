"""Admin for campaigns: hashtags inline, filters, search, and dates only for those allowed."""

from django.contrib import admin

from .models import Campaign, CampaignHashtag, Series


class CampaignHashtagInline(admin.TabularInline):
    model = CampaignHashtag
    extra = 1
    fields = ["hashtag", "position", "color"]
    autocomplete_fields = ["hashtag"]
    ordering = ["position"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
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

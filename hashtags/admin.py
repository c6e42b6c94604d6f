"""Admin for hashtags and sources: admins see each source's last error here."""

from django.contrib import admin
from django.db import models

from .models import Hashtag, Heartbeat, Source


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "created_at"]
    search_fields = ["name", "display"]
    readonly_fields = ["name", "created_at"]
    fields = ["display", "name", "created_at"]
    date_hierarchy = "created_at"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "base_url", "enabled", "poll_interval", "last_error_at"]
    list_filter = ["platform", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["base_url", "last_error"]
    readonly_fields = ["last_error", "last_error_at", "created_at"]
    date_hierarchy = "created_at"
    actions = ["enable", "disable"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description="Enable the selected sources", permissions=["change"])
    def enable(self, request, queryset):
        updated = queryset.update(enabled=True)
        self.message_user(request, f"Enabled {updated} source(s).")

    @admin.action(description="Disable the selected sources", permissions=["change"])
    def disable(self, request, queryset):
        updated = queryset.update(enabled=False)
        self.message_user(request, f"Disabled {updated} source(s).")


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request):
        return False

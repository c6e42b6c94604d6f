"""Admin for hashtags and sources: admins see each source's last error here."""

from django.contrib import admin
from django.db import models

from .models import Author, Hashtag, Heartbeat, PollLog, PollState, Post, Source


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only ingestion writes: admins look, search and filter, but never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PollState)
class PollStateAdmin(ReadOnlyAdmin):
    list_display = ["source", "next_poll_at", "last_ok_at", "failures", "claimed_until"]
    list_select_related = ["source"]


@admin.register(PollLog)
class PollLogAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "source",
        "hashtag",
        "outcome",
        "posts_stored",
        "window_start",
        "window_end",
        "message",
    ]
    list_filter = ["outcome", "source", "hashtag"]
    list_select_related = ["source", "hashtag"]
    date_hierarchy = "started_at"
    search_fields = ["message"]


@admin.register(Author)
class AuthorAdmin(ReadOnlyAdmin):
    list_display = ["handle", "name", "platform", "followers", "verified", "updated_at"]
    list_filter = ["platform", "verified"]
    search_fields = ["handle", "name"]
    show_full_result_count = False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "platform",
        "author",
        "short_text",
        "likes",
        "reposts",
        "replies",
        "is_repost",
    ]
    list_filter = ["platform", "is_repost"]
    list_select_related = ["author"]
    search_fields = ["external_id", "author__handle"]
    show_full_result_count = False
    raw_id_fields = ["author", "source"]

    @admin.display(description="text")
    def short_text(self, obj: Post) -> str:
        return obj.text[:120]

"""Admin for hashtags and sources: admins see each source's health and last error here."""

from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from .health import SourceHealth, sources_with_health
from .models import Author, Hashtag, Heartbeat, PollLog, PollState, Post, Source

ERROR_SHOWN = 140  # characters of the last error in the sources list (all of it on hover)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "created_at"]
    search_fields = ["name", "display"]
    readonly_fields = ["name", "created_at"]
    fields = ["display", "name", "created_at"]
    date_hierarchy = "created_at"


class HealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return SourceHealth.choices

    def queryset(self, request, queryset):
        if self.value() in SourceHealth.values:
            return queryset.filter(health=self.value())
        return queryset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    # The platform is in the name (and a filter); health and error first, seen without scrolling.
    list_display = [
        "__str__",
        "health_state",
        "error_text",
        "enabled",
        "last_polled",
        "last_error_at",
        "poll_interval",
    ]
    list_filter = [HealthFilter, "platform", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["base_url", "last_error"]
    readonly_fields = ["health_state", "last_polled", "last_error", "last_error_at", "created_at"]
    date_hierarchy = "created_at"
    actions = ["enable", "disable"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return sources_with_health(super().get_queryset(request))

    @admin.display(description="health", ordering="health")
    def health_state(self, obj: Source) -> str:
        health = SourceHealth(obj.health)  # type: ignore[attr-defined]
        state = getattr(obj, "poll_state", None)
        detail = ""
        if health == SourceHealth.FAILING and state and state.failures:
            detail = f" ({state.failures} in a row)"
        elif health == SourceHealth.RATE_LIMITED and state and state.next_poll_at > timezone.now():
            until = timezone.localtime(state.next_poll_at)
            day = "" if until.date() == timezone.localdate() else f"{until:%Y-%m-%d} "
            detail = f" until {day}{until:%H:%M %Z}"
        return format_html(
            '<span class="source-health source-health-{}">{}{}</span>', health, health.label, detail
        )

    @admin.display(description="last polled", ordering="poll_state__last_polled_at")
    def last_polled(self, obj: Source):
        state = getattr(obj, "poll_state", None)
        return state.last_polled_at if state else None

    @admin.display(description="last error", ordering="last_error")
    def error_text(self, obj: Source) -> str | None:
        if not obj.last_error:
            return None
        shown = Truncator(obj.last_error).chars(ERROR_SHOWN)
        return format_html('<span class="source-error" title="{}">{}</span>', obj.last_error, shown)

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

"""Admin for campaigns: hashtags inline, filters, search, and dates only for those allowed."""

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django_celery_beat.admin import (  # type: ignore[import-untyped]
    PeriodicTaskAdmin as BeatPeriodicTaskAdmin,
)
from django_celery_beat.models import PeriodicTask  # type: ignore[import-untyped]

from campaigns.access import user_reads_story_emails
from campaigns.curation.services import story_review
from campaigns.models import Campaign, CampaignHashtag, Series, Story


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
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
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


# --- Chats (campaigns/models/chat.py): a chat with its hosts and planned questions inline. Its
# times are typed and shown as wall-clock times in its campaign's zone, as a campaign's are; the
# models' clean bounds the dates and normalizes the host handles (host_handle_normalize, which
# chat_upsert uses too).
from campaigns.models import Chat, ChatHost, ChatQuestion  # noqa: E402


def _in_zone(value, zone: zoneinfo.ZoneInfo):
    """The instant whose wall-clock time in `zone` is `value`'s wall-clock time as typed."""
    return timezone.localtime(value).replace(tzinfo=None).replace(tzinfo=zone)


def _shown_in(value, zone: zoneinfo.ZoneInfo):
    return value.astimezone(zone).replace(tzinfo=None)


def _campaign_zone(campaign: Campaign | None) -> zoneinfo.ZoneInfo | None:
    try:
        return campaign.tz if campaign is not None else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ChatAdminForm(forms.ModelForm):
    """Start and end are typed and shown as wall-clock times in the campaign's zone."""

    class Meta:
        model = Chat
        fields = ["campaign", "title", "slug", "hashtag", "start", "end", "tail_minutes"]
        help_texts = {
            "start": "Wall-clock time in the campaign's time zone.",
            "end": "Wall-clock time in the campaign's time zone; must be after the start.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            zone = _campaign_zone(self.instance.campaign)
            for name in ("start", "end"):
                if zone is not None and name in self.fields:
                    self.initial[name] = _shown_in(getattr(self.instance, name), zone)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        zone = _campaign_zone(cleaned.get("campaign"))
        if zone is None:
            return cleaned  # the campaign field reports its own error
        for name in ("start", "end"):
            if name in self.fields and cleaned.get(name):
                cleaned[name] = _in_zone(cleaned[name], zone)
        return cleaned


class ChatHostFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # Each form's model clean has normalized its handle: "@HostX" and "hostx" are one host.
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            if not form.is_valid() or not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            pair = (form.instance.platform, form.instance.handle)
            if pair in seen:
                form.add_error("handle", "This host is listed twice.")
            seen.add(pair)


class ChatHostInline(admin.TabularInline):
    model = ChatHost
    formset = ChatHostFormSet
    extra = 1
    min_num = 1  # as chat_upsert: a chat needs at least one host
    validate_min = True
    fields = ["platform", "handle"]


class ChatQuestionForm(forms.ModelForm):
    """The planned time is typed and shown in the chat's campaign's zone."""

    class Meta:
        model = ChatQuestion
        fields = ["number", "planned_at", "text"]
        help_texts = {"planned_at": "Wall-clock time in the campaign's time zone."}

    def _zone(self) -> zoneinfo.ZoneInfo | None:
        # Bound, the inline formset's "chat" field holds the parent (unsaved when adding).
        chat = getattr(self, "cleaned_data", {}).get("chat")
        if chat is None and self.instance.chat_id:
            chat = self.instance.chat
        return _campaign_zone(chat.campaign) if chat and chat.campaign_id else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = self._zone() if self.instance.pk and not self.is_bound else None
        if zone is not None and self.instance.planned_at:
            self.initial["planned_at"] = _shown_in(self.instance.planned_at, zone)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        zone = self._zone()
        if zone is not None and cleaned.get("planned_at"):
            cleaned["planned_at"] = _in_zone(cleaned["planned_at"], zone)
        return cleaned


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
        return f"{obj.local_start:%Y-%m-%d %H:%M} ({obj.campaign.timezone})"

    @admin.display(description="end", ordering="end")
    def local_end(self, obj: Chat) -> str:
        return f"{obj.local_end:%Y-%m-%d %H:%M} ({obj.campaign.timezone})"

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


# --- Curation (campaigns/curation.py, moderation.py): the queue is where curators work; the
# admin shows the same rows for inspection. Rules are edited on the rules page, which applies
# them to stored posts; the audit log is read-only everywhere.
from campaigns.models import CurationEvent, ModerationRules, PostCuration  # noqa: E402


@admin.register(ModerationRules)
class ModerationRulesAdmin(admin.ModelAdmin):
    list_display = ["campaign", "mode", "hide_reposts", "updated_at", "updated_by"]
    list_select_related = ["campaign", "updated_by"]
    readonly_fields = [
        "campaign",
        "mode",
        "blocked_words",
        "blocked_authors",
        "hide_reposts",
        "updated_at",
        "updated_by",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # saved through /c/<slug>/curate/rules/, which applies them


@admin.register(PostCuration)
class PostCurationAdmin(admin.ModelAdmin):
    list_display = ["campaign", "post", "status", "pinned", "rule", "updated_at", "updated_by"]
    list_filter = ["status", "campaign"]
    search_fields = ["rule", "post__external_id", "post__author__handle"]
    list_select_related = ["campaign", "post", "updated_by"]
    raw_id_fields = ["post"]
    readonly_fields = ["campaign", "post", "status", "pinned", "rule", "updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False  # every change goes through post_curate, which audits it


@admin.register(CurationEvent)
class CurationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "campaign", "actor_name", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type", "campaign"]
    search_fields = ["actor_name", "target_id"]
    date_hierarchy = "at"
    list_select_related = ["campaign"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SettingsTaskForm(forms.ModelForm):
    """A task from settings.CELERY_BEAT_SCHEDULE: only its on/off switch, which beat keeps."""

    class Meta:
        model = PeriodicTask
        fields = ["enabled"]


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """At every start beat writes each settings.CELERY_BEAT_SCHEDULE entry over its row (all but
    `enabled`), so those rows are read-only here and say which variable sets their interval."""

    list_display = (*BeatPeriodicTaskAdmin.list_display, "set_by")

    @staticmethod
    def from_settings(obj: PeriodicTask | None) -> bool:
        return obj is not None and obj.name in settings.CELERY_BEAT_SCHEDULE

    @admin.display(description="interval set by")
    def set_by(self, obj: PeriodicTask) -> str:
        if not self.from_settings(obj):
            return "this admin"
        return settings.CELERY_BEAT_SCHEDULE_ENV.get(obj.name, "settings")

    def note(self, obj: PeriodicTask) -> str:
        variable = settings.CELERY_BEAT_SCHEDULE_ENV.get(obj.name)
        where = f"the environment variable {variable}" if variable else "the settings"
        return (
            f"This task comes from settings.CELERY_BEAT_SCHEDULE, which beat writes over it "
            f"every time it starts: settings win. Its interval is set by {where}; change it "
            "there and restart beat. Only Enabled is kept from here."
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.from_settings(obj):
            return fieldsets
        (name, options), *rest = fieldsets
        # regtask is a form field only (the registered-task picker): nothing to show read-only.
        fields = tuple(field for field in options["fields"] if field != "regtask")
        return ((name, {**options, "fields": fields, "description": self.note(obj)}), *rest)

    def get_readonly_fields(self, request, obj=None):
        if not self.from_settings(obj):
            return super().get_readonly_fields(request, obj)
        shown = [
            field for _, options in self.get_fieldsets(request, obj) for field in options["fields"]
        ]
        return [field for field in shown if field != "enabled"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.from_settings(obj):
            kwargs["form"] = SettingsTaskForm
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Beat would bring a deleted row back at its next start; until then the task would stop.
        return not self.from_settings(obj) and super().has_delete_permission(request, obj)

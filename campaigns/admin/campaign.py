"""Campaigns (hashtags inline, dates in their own zone, dates only for those allowed) and series.

A hashtag is typed on its row, in any spelling, and made by the hashtag rules
(hashtag_get_or_create) when the campaign is saved. A new row gets the next position and the
first colour no other row has (colours_free); static/js/admin-hashtags.js does the same for the
rows "Add another" makes, from the colours on the page.
"""

from __future__ import annotations

import json
import zoneinfo
from itertools import islice
from typing import Any

from django import forms
from django.contrib import admin

from campaigns.admin.forms import (
    ColourInput,
    TimezoneSelect,
    WallClockForm,
    campaign_time_shown,
    campaign_zone,
)
from campaigns.models import Campaign, CampaignHashtag, Series, colours_free
from hashtags.models import Hashtag
from hashtags.normalize import MAX_LENGTH, hashtag_normalize
from hashtags.services import hashtag_get_or_create

COLOURS_OFFERED = list(islice(colours_free(()), 32))


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
        widgets = {"timezone": TimezoneSelect}
        labels = {"timezone": "Time zone"}
        help_texts = {
            "start": "Wall-clock time in the campaign's time zone.",
            "end": "Wall-clock time in the campaign's time zone; must be after the start.",
            "timezone": "Days and hours on its pages are drawn in this zone.",
        }

    def wall_zone(self, cleaned: dict[str, Any] | None) -> zoneinfo.ZoneInfo | None:
        if cleaned is None:
            return campaign_zone(self.instance)
        try:
            return zoneinfo.ZoneInfo(cleaned.get("timezone") or self.instance.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None  # the timezone field reports its own error


class CampaignHashtagForm(forms.ModelForm):
    tag_name = ""  # the typed hashtag's stored form, once clean
    tag = forms.CharField(
        label="hashtag",
        max_length=MAX_LENGTH + 10,
        widget=forms.TextInput(attrs={"placeholder": "e.g. #HealthIT", "autocomplete": "off"}),
        help_text="Any spelling, with or without #; a new hashtag is created on save.",
    )

    class Meta:
        model = CampaignHashtag
        fields = ["position", "color"]
        # The colours the page's script hands, in order, to the rows "Add another" makes.
        widgets = {"color": ColourInput(attrs={"data-colours": json.dumps(COLOURS_OFFERED)})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tag"] = f"#{self.instance.hashtag.display}"

    def has_changed(self) -> bool:
        # A new row with no hashtag typed is an empty row, whatever colour it was given.
        if not self.instance.pk and not (self.data.get(self.add_prefix("tag")) or "").strip():
            return False
        return super().has_changed()

    def clean_tag(self) -> str:
        typed = self.cleaned_data["tag"]
        self.tag_name = hashtag_normalize(typed)
        return typed

    def clean_color(self) -> str:
        return (self.cleaned_data.get("color") or "").lower()

    def save(self, commit: bool = True) -> CampaignHashtag:
        self.instance.hashtag = hashtag_get_or_create(tag=self.cleaned_data["tag"])
        return super().save(commit=commit)


class CampaignHashtagFormSet(forms.BaseInlineFormSet):
    """New rows start with the next position and a colour no row has. Two rows may not hold one
    hashtag, a row given a colour (new, or changed) may not take another row's, and only those
    allowed to add hashtags may type one that does not exist yet."""

    may_create_hashtags = False  # set per request by CampaignHashtagInline.get_formset

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        extra = 0 if index is None else index - self.initial_form_count()
        if extra >= 0:
            links = list(self.get_queryset())
            colours = colours_free(link.color for link in links)
            position = max((link.position for link in links), default=-1) + 1
            kwargs["initial"] = {
                "color": next(islice(colours, extra, None)),
                "position": position + extra,
            }
        return kwargs

    def clean(self) -> None:
        super().clean()
        # The rows the campaign will have: valid, not deleted, not a new row left empty.
        rows = [
            form
            for form in self.forms
            if form.is_valid()
            and (form.instance.pk or form.has_changed())
            and not form.cleaned_data.get("DELETE")
        ]
        self._clean_tags(rows)
        self._clean_colours(rows)

    def _clean_tags(self, rows: list[CampaignHashtagForm]) -> None:
        holders: dict[str, str] = {}
        for form in rows:
            typed = form.cleaned_data["tag"]
            if form.tag_name in holders:
                message = (
                    f"{holders[form.tag_name]} is already on this campaign (tags ignore case)."
                )
                form.add_error("tag", message)
            holders.setdefault(form.tag_name, typed)
        # A stored row holds its hashtag until the save: two rows cannot trade hashtags.
        stored = {form.instance.hashtag.name: form for form in rows if form.instance.pk}
        for form in rows:
            other = stored.get(form.tag_name)
            if form.instance.pk and other is not None and other is not form:
                form.add_error(
                    "tag",
                    f"#{other.instance.hashtag.display} is on another row until this is saved; "
                    "to reorder the hashtags, change their positions.",
                )
        if self.may_create_hashtags:
            return
        known = set(Hashtag.objects.filter(name__in=holders).values_list("name", flat=True))
        for form in rows:
            if form.tag_name not in known:
                form.add_error("tag", "You may not create hashtags: type one that exists.")

    def _clean_colours(self, rows: list[CampaignHashtagForm]) -> None:
        chosen = [form for form in rows if not form.instance.pk or "color" in form.changed_data]
        holders = {form.cleaned_data["color"]: form for form in rows if form not in chosen}
        for form in chosen:
            if "color" not in form.cleaned_data:
                continue  # already refused
            holder = holders.setdefault(form.cleaned_data["color"], form)
            if holder is not form:
                form.add_error(
                    "color",
                    f"{holder.cleaned_data.get('tag') or '#' + holder.tag_name} has this colour "
                    "already; pick another so "
                    "their lines can be told apart.",
                )


class CampaignHashtagInline(admin.TabularInline):
    model = CampaignHashtag
    form = CampaignHashtagForm
    formset = CampaignHashtagFormSet
    extra = 1
    fields = ["tag", "position", "color"]
    ordering = ["position"]

    class Media:
        js = ["js/admin-hashtags.js"]

    @admin.display(description="hashtag")
    def tag(self, obj: CampaignHashtag) -> str:
        """The hashtag as a read-only page (view permission only) shows its row."""
        return f"#{obj.hashtag.display}"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        may_create = request.user.has_perm("hashtags.add_hashtag")
        return type(formset.__name__, (formset,), {"may_create_hashtags": may_create})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("hashtag")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = ["name", "slug", "local_start", "local_end", "status_label", "public", "series"]
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

    @admin.display(description="start", ordering="start")
    def local_start(self, obj: Campaign) -> str:
        return campaign_time_shown(obj.start, obj)

    @admin.display(description="end", ordering="end")
    def local_end(self, obj: Campaign) -> str:
        return campaign_time_shown(obj.end, obj)

    @admin.display(description="status")
    def status_label(self, obj: Campaign) -> str:
        return obj.get_status_display()

    def _dates_fixed(self, request, obj) -> bool:
        """Whether this page shows the dates without letting them change."""
        if obj is None:
            return False
        dates = request.user.has_perm("campaigns.change_campaign_dates")
        return not (dates and self.has_change_permission(request, obj))

    def get_fieldsets(self, request, obj=None):
        if not self._dates_fixed(request, obj):
            return self.fieldsets
        # Read-only dates are shown in the campaign's zone, named, as the list shows them.
        shown = {"start": "local_start", "end": "local_end"}
        return [
            (name, {**options, "fields": [shown.get(str(f), f) for f in options["fields"]]})
            for name, options in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._dates_fixed(request, obj):
            readonly += ["local_start", "local_end", "timezone"]
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("series").distinct()


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

"""The admin's form pieces: dates typed and shown as wall-clock times in a campaign's own zone
(the conversion itself is campaigns.wallclock, which the site's forms use too), a colour
picker, and a searchable list of time zones."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from itertools import groupby
from typing import Any

from django import forms
from django.conf import settings

from campaigns.models import Campaign
from campaigns.wallclock import wall_clock, wall_clock_instant, wall_clock_shown


def campaign_zone(campaign: Campaign | None) -> zoneinfo.ZoneInfo | None:
    """The campaign's zone, or None when there is no campaign or its zone is not one."""
    try:
        return campaign.tz if campaign is not None else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def campaign_time_shown(instant: datetime, campaign: Campaign) -> str:
    """An instant as the admin's lists show it: in the campaign's zone, named (in UTC, named,
    when the stored zone is not one)."""
    return wall_clock_shown(instant, campaign_zone(campaign) or zoneinfo.ZoneInfo("UTC"))


class WallClockForm(forms.ModelForm):
    """The `wall_clock` fields are shown, and read back, in the zone `wall_zone` names."""

    wall_clock: tuple[str, ...] = ()

    def wall_zone(self, cleaned: dict[str, Any] | None) -> zoneinfo.ZoneInfo | None:
        """The zone of the stored instance (cleaned None) or of the submitted data."""
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk or self.is_bound:
            return
        zone = self.wall_zone(None)
        for name in self.wall_clock:
            value = getattr(self.instance, name)
            if zone is not None and name in self.fields and value:
                self.initial[name] = wall_clock(value, zone)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        zone = self.wall_zone(cleaned)
        if zone is None:
            return cleaned  # the field that gives the zone reports its own error
        for name in self.wall_clock:
            if name in self.fields and cleaned.get(name):
                cleaned[name] = wall_clock_instant(cleaned[name], zone)
        return cleaned


class ColourInput(forms.TextInput):
    """The browser's colour picker; it sends #rrggbb, and the model's validator checks that."""

    input_type = "color"


def _region(zone: str) -> str:
    return zone.split("/", 1)[0] if "/" in zone else "Other"


def timezone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every zone a campaign may take (validate_timezone's list), grouped by region."""
    names = sorted(zoneinfo.available_timezones(), key=lambda zone: (_region(zone), zone))
    return [(group, [(n, n) for n in zones]) for group, zones in groupby(names, key=_region)]


class TimezoneSelect(forms.Select):
    """The zones as a list to choose from, searched by typing (the admin's own select2). A
    stored zone the list no longer holds stays shown, marked, so saving never swaps it for
    another one silently: the model's validator then asks for a zone from the list."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"data-searchable": "", "data-theme": "admin-autocomplete"}
        super().__init__(attrs={**base, **(attrs or {})}, choices=timezone_choices())

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None):
        known = {zone for _, zones in self.choices for zone, _ in zones}
        unknown = [(v, f"{v} (not a known time zone)") for v in value if v and v not in known]
        saved = self.choices
        self.choices = [*unknown, *saved]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = saved

    @property
    def media(self) -> forms.Media:
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=[
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js",
                "js/admin-searchable.js",
            ],
            css={
                "screen": [
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                ]
            },
        )

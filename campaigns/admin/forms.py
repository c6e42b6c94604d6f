"""Dates typed and shown as wall-clock times in a campaign's own zone, for every admin form (the
conversion itself is campaigns.wallclock, which the site's forms use too)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms

from campaigns.models import Campaign
from campaigns.wallclock import wall_clock, wall_clock_instant


def campaign_zone(campaign: Campaign | None) -> zoneinfo.ZoneInfo | None:
    """The campaign's zone, or None when there is no campaign or its zone is not one."""
    try:
        return campaign.tz if campaign is not None else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


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

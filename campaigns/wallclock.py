"""Dates typed and shown as wall-clock times in a campaign's zone, by every form that takes one
(the admin's and the site's): the one conversion between what a person types and the instant."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import timezone


def wall_clock(instant: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The naive date and time `instant` reads in `zone`: what a form shows for it."""
    return instant.astimezone(zone).replace(tzinfo=None)


def wall_clock_shown(instant: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """An instant as a list shows it: the date and time it reads in `zone`, the zone named."""
    return f"{wall_clock(instant, zone):%Y-%m-%d %H:%M} ({zone.key})"


def wall_clock_instant(typed: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant a typed date and time name in `zone`. A form field has already made them
    aware in the site's own zone, so their digits count, not the instant it gave them."""
    wall = timezone.localtime(typed) if timezone.is_aware(typed) else typed
    return wall.replace(tzinfo=zone)

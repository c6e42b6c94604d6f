"""manage.py create_campaign SLUG: create or update a campaign and its ordered hashtags."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from campaigns.models import validate_timezone
from campaigns.services import campaign_upsert


def _parse_when(value: str, tz: zoneinfo.ZoneInfo, label: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--{label} {value!r} is not an ISO date or time, e.g. 2026-10-05 or 2026-10-05T09:00"
        ) from None
    # A time without an offset is read in the campaign's own time zone.
    return when if when.tzinfo else when.replace(tzinfo=tz)


class Command(BaseCommand):
    help = "Create or update a campaign with its hashtags (re-running it updates, never doubles)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--start", required=True, help="ISO date/time; no offset = campaign zone"
        )
        parser.add_argument("--end", required=True, help="ISO date/time; must be after --start")
        parser.add_argument(
            "--hashtags", required=True, help="comma-separated, e.g. NHITweek,HITworks"
        )
        parser.add_argument("--timezone", default="America/New_York", help="IANA time zone name")
        parser.add_argument("--public", action="store_true", help="anyone may see its dashboard")
        parser.add_argument("--description", default="")
        parser.add_argument("--series", default="", help="series slug, e.g. nhit-week")
        parser.add_argument("--edition", default="", help="edition within the series, e.g. 2026")

    def handle(self, *args, **opts):
        try:
            validate_slug(opts["slug"])
            validate_timezone(opts["timezone"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        tz = zoneinfo.ZoneInfo(opts["timezone"])
        start = _parse_when(opts["start"], tz, "start")
        end = _parse_when(opts["end"], tz, "end")
        tags = [t.strip() for t in opts["hashtags"].split(",") if t.strip()]
        try:
            campaign, created = campaign_upsert(
                slug=opts["slug"],
                name=opts["name"],
                start=start,
                end=end,
                hashtags=tags,
                timezone=opts["timezone"],
                public=opts["public"],
                description=opts["description"],
                series_slug=opts["series"],
                edition=opts["edition"],
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        verb = "created" if created else "updated"
        tags_shown = " ".join(
            str(h) for h in campaign.hashtags.order_by("campaign_links__position")
        )
        self.stdout.write(
            f"{verb}: {campaign.slug} ({campaign.name}) {campaign.local_start:%Y-%m-%d %H:%M} to "
            f"{campaign.local_end:%Y-%m-%d %H:%M} {campaign.timezone} {tags_shown}"
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)

"""manage.py add_source x|mastodon|bluesky|demo [--url BASE_URL]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hashtags.models import Platform
from hashtags.services import source_enable


class Command(BaseCommand):
    help = "Enable a source; Mastodon takes the server's base URL. Running it again re-enables."

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("--url", default="", help="Mastodon server base URL, https://...")
        parser.add_argument("--interval", type=int, default=None, help="seconds between polls")

    def handle(self, *args, **opts):
        try:
            source, created = source_enable(
                platform=opts["platform"], base_url=opts["url"], poll_interval=opts["interval"]
            )
        except ValidationError as exc:
            if hasattr(exc, "message_dict"):
                raise CommandError(
                    "; ".join(" ".join(m) for m in exc.message_dict.values())
                ) from None
            raise CommandError(" ".join(exc.messages)) from None
        verb = "added" if created else "enabled"
        self.stdout.write(f"{verb}: {source} (every {source.poll_interval}s)")

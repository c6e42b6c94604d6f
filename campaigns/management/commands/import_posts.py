"""manage.py import_posts FILE... --format twarc2|jsonl|csv [--campaign SLUG]

A campaigns command because --campaign names a campaign (hashtags never imports campaigns);
the import itself is hashtags.archive's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from campaigns.models import Campaign
from hashtags.archive import BATCH_SIZE, FORMATS_IN, archive_import
from hashtags.models import Hashtag


class Command(BaseCommand):
    help = (
        "Stream archives of posts into the database, as polling stores them: each post once, "
        "linked to the tracked hashtags it carries (a campaign's, with --campaign; otherwise "
        "every hashtag already known). twarc2: one X API v2 search response page per line; "
        "jsonl and csv: what export_posts writes. Malformed lines are skipped and counted."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--format", required=True, choices=FORMATS_IN)
        parser.add_argument("--campaign", metavar="SLUG", help="track only this campaign's tags")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="posts per commit")

    def handle(self, *args, **opts):
        paths = [Path(name) for name in opts["files"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        if opts["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        tracked = self._tracked(opts["campaign"])
        stderr = getattr(self.stderr, "_out", sys.stderr)  # tqdm redraws with \r; no wrapper
        total = sum(p.stat().st_size for p in paths)
        with tqdm(total=total, unit="B", unit_scale=True, file=stderr, desc="import") as bar:
            result = archive_import(
                paths=paths,
                fmt=opts["format"],
                tracked=tracked,
                batch_size=opts["batch_size"],
                progress=bar.update,
            )
        if result.unlinked:
            self.stdout.write(
                f"not linked: {result.unlinked} post(s) carry none of the tracked hashtags"
            )
        if result.skipped:
            more = " ..." if result.skipped > len(result.skipped_at) else ""
            self.stdout.write(f"skipped lines: {', '.join(result.skipped_at)}{more}")
        self.stdout.write(
            f"imported: read={result.read} new={result.new} "
            f"duplicates={result.duplicates} skipped={result.skipped}"
        )

    def _tracked(self, slug: str | None) -> set[str]:
        if not slug:
            return set(Hashtag.objects.values_list("name", flat=True))
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        return set(campaign.hashtags.values_list("name", flat=True))

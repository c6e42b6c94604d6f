"""manage.py poll [--campaign SLUG] [--source KIND] --once: the poll service, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from campaigns.jobs.scheduling import polls_run_once
from campaigns.models import Campaign
from hashtags.models import Hashtag, Platform


class Command(BaseCommand):
    help = (
        "Poll every due (source, hashtag) of campaigns inside their window once, here and now, "
        "and print what was stored. Beat and the workers do the same continuously."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="only this campaign's hashtags (slug)")
        parser.add_argument("--source", choices=Platform.values, help="only this platform")
        parser.add_argument("--once", action="store_true", help="poll once and exit (required)")
        parser.add_argument(
            "--force", action="store_true", help="ignore next_poll_at (rate limits still apply)"
        )

    def handle(self, *args, **opts):
        if not opts["once"]:
            raise CommandError("Say --once: continuous polling is the workers' job (make run).")
        slug = opts["campaign"]
        if slug and not Campaign.objects.filter(slug=slug).exists():
            raise CommandError(f"No campaign {slug!r}.")
        names = dict(Hashtag.objects.values_list("pk", "display"))
        polled = 0
        for source, result in polls_run_once(
            campaign_slug=slug, platform=opts["source"], force=opts["force"]
        ):
            polled += 1
            per_tag = ", ".join(
                f"#{names.get(pk, pk)} {n}" for pk, n in sorted(result.stored.new_links.items())
            )
            line = (
                f"{source}: {result.outcome}, {result.pages} page(s), "
                f"new={result.stored.new} duplicates={result.stored.duplicates}"
            )
            if per_tag:
                line += f" ({per_tag})"
            if result.message:
                line += f": {result.message}"
            self.stdout.write(line)
        if not polled:
            self.stdout.write(
                "nothing due: no enabled source, no campaign inside its window, or all polled "
                "recently (--force polls anyway)"
            )

"""manage.py export_posts SLUG --format csv|jsonl [--output FILE]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from campaigns.management.output import output_replaced
from campaigns.models import Campaign
from campaigns.posts import campaign_posts_export
from hashtags.archive import FORMATS_OUT, archive_write


class Command(BaseCommand):
    help = (
        "Stream a campaign's posts out as csv or jsonl (what import_posts reads back): every "
        "post linked to any of the campaign's hashtags, once, created between the campaign's "
        "start (included) and end (excluded), oldest first, with its author and the campaign's "
        "hashtags it carries (other tracked tags are left out). Writes to stdout unless "
        "--output; an --output file appears only once complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG")
        parser.add_argument("--format", required=True, choices=FORMATS_OUT)
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["slug"]).first()
        if campaign is None:
            raise CommandError(f"No campaign {opts['slug']!r}.")
        rows = campaign_posts_export(campaign=campaign)
        if not opts["output"]:
            count = archive_write(rows=rows, fmt=opts["format"], out=_Unwrapped(self.stdout))
            # stdout holds the data; the summary goes to stderr, uncoloured (it is no error).
            self.stderr.write(f"exported: {count} posts", style_func=str)
            return
        with output_replaced(opts["output"]) as out:
            count = archive_write(rows=rows, fmt=opts["format"], out=out)
        self.stdout.write(f"exported: {count} posts to {opts['output']}")


class _Unwrapped:
    """Django's OutputWrapper adds a newline to every write; csv and jsonl bring their own."""

    def __init__(self, wrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, ending="")

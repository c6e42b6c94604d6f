"""manage.py rebuild_rollups: recompute the tag-set rollups from the stored posts."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from hashtags.generation import generation_bump
from hashtags.ingest import rollups_rebuild
from hashtags.models import Hashtag


class Command(BaseCommand):
    help = (
        "Recompute the minute and hour tag-set rollups from the stored posts and their tag "
        "sets, in one transaction (ingestion waits meanwhile). A repair tool: ingestion keeps "
        "them exact by itself."
    )

    def handle(self, *args, **opts):
        counts = rollups_rebuild()
        generation_bump(hashtag_ids=Hashtag.objects.values_list("pk", flat=True))
        self.stdout.write(
            "rebuilt: posts={posts} tagsets={tagsets} minute_rows={minute_rows} "
            "hour_rows={hour_rows}".format(**counts)
        )

"""What archive imports cover (ImportedSpan), for the coverage chart. Imports made before this
recorded nothing: importing the same archive again stores no post twice and records its span."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0011_post_mentions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedSpan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "run",
                    models.UUIDField(
                        help_text="One import: an import_posts run, or a seeded edition."
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        blank=True, default="", help_text="What it read.", max_length=300
                    ),
                ),
                (
                    "platform",
                    models.CharField(
                        choices=[
                            ("x", "X"),
                            ("mastodon", "Mastodon"),
                            ("bluesky", "Bluesky"),
                            ("demo", "Demo"),
                        ],
                        max_length=16,
                    ),
                ),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField()),
                ("imported_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "hashtag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="imported_spans",
                        to="hashtags.hashtag",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["hashtag", "start"], name="importedspan_tag_time")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "platform", "hashtag"), name="importedspan_unique"
                    )
                ],
            },
        ),
    ]

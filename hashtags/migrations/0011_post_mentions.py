"""Posts keep whom they are addressed to (PostMention): the accounts they mention and the authors
of the posts they reply to, quote or repost, for counting who was reached. A new table, keyed by
(post, role, handle, uid): posts stored before it have no rows (ingestion writes them only when
a post is first stored)."""

import django.db.models.deletion
from django.db import migrations, models

import hashtags.models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0010_polllog_source_time"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostMention",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "post",
                        "role",
                        "handle",
                        "uid",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "platform",
                    hashtags.models.KeyField(
                        choices=[
                            ("x", "X"),
                            ("mastodon", "Mastodon"),
                            ("bluesky", "Bluesky"),
                            ("demo", "Demo"),
                        ],
                        db_collation="C",
                        max_length=16,
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("mention", "Mentions"),
                            ("reply", "Replies to"),
                            ("quote", "Quotes"),
                            ("repost", "Reposts"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "handle",
                    hashtags.models.KeyField(
                        blank=True, db_collation="C", default="", max_length=255
                    ),
                ),
                (
                    "uid",
                    hashtags.models.KeyField(
                        blank=True, db_collation="C", default="", max_length=255
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="hashtags.post",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("handle", ""), _negated=True),
                        fields=["platform", "handle"],
                        name="postmention_handle",
                    ),
                    models.Index(
                        condition=models.Q(("uid", ""), _negated=True),
                        fields=["platform", "uid"],
                        name="postmention_uid",
                    ),
                ],
            },
        ),
    ]

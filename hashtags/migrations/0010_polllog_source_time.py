"""A source's last poll is found by its log rows' finish time (hashtags.health, the admin's
health column), not by walking every row the source ever logged."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0009_post_quote_of"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="polllog",
            index=models.Index(fields=["source", "finished_at"], name="polllog_source_time"),
        ),
    ]

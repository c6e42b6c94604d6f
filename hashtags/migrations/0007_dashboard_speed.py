"""The posts of a campaign window by tag set and time, with their authors in the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0006_dashboard_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["tagset", "created_at"], include=["author"], name="post_tagset_time"
            ),
        ),
    ]

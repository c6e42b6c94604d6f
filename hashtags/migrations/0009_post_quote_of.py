"""Posts keep which post they quote (Post.quote_of), as they keep the one they reply to. Adding a
column with a constant default rewrites no rows on PostgreSQL 11+: existing posts read ""."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0008_drop_posthashtag"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="quote_of",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
    ]

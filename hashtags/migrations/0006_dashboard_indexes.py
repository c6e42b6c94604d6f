"""The dashboard's top posts of a big window walk original posts in score order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0005_drop_volumerollup"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                models.F("score").desc(),
                models.F("id").desc(),
                condition=models.Q(("is_repost", False)),
                name="post_score_top",
            ),
        ),
    ]

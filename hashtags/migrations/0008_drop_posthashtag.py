"""Drop the post-hashtag link rows: a post's tag set (Post.tagset, kept by ingestion since 0004)
is the one record of the tracked hashtags it carries, and every read now goes through it and
the posts' (tag set, created_at) index. The links cost ingestion two index-heavy rows per post."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0007_dashboard_speed"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="post",
            name="hashtags",
        ),
        migrations.DeleteModel(
            name="PostHashtag",
        ),
    ]

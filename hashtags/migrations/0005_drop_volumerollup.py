"""The per-hashtag minute rollups are replaced by the tag-set rollups (0004), which count each
post once. Posts stored before get their tag set and the tag-set rollups are filled from posts
and links here (what `manage.py rebuild_rollups` does later), then the old table goes."""

from collections import defaultdict
from datetime import UTC

from django.db import migrations

SUMS = ("posts", "reposts", "likes", "replies", "shares", "quotes")


def tagset_rollups_fill(apps, schema_editor):
    Post = apps.get_model("hashtags", "Post")
    PostHashtag = apps.get_model("hashtags", "PostHashtag")
    TagSet = apps.get_model("hashtags", "TagSet")
    minute_model = apps.get_model("hashtags", "TagSetRollup")
    hour_model = apps.get_model("hashtags", "TagSetRollupHour")
    tags = defaultdict(set)
    for post_id, hashtag_id in PostHashtag.objects.values_list("post_id", "hashtag_id").iterator():
        tags[post_id].add(hashtag_id)
    if not tags:
        return
    keys = {pk: ",".join(str(i) for i in sorted(ids)) for pk, ids in tags.items()}
    TagSet.objects.bulk_create(
        [TagSet(key=key) for key in sorted(set(keys.values()))], ignore_conflicts=True
    )
    ids = dict(TagSet.objects.values_list("key", "pk"))
    minutes = defaultdict(lambda: [0] * 6)
    by_set = defaultdict(list)
    rows = Post.objects.values_list(
        "pk", "platform", "created_at", "is_repost", "likes", "reposts", "replies", "quotes"
    )
    for pk, platform, created_at, is_repost, likes, reposts, replies, quotes in rows.iterator():
        if pk not in keys:
            continue
        tagset_id = ids[keys[pk]]
        by_set[tagset_id].append(pk)
        minute = created_at.astimezone(UTC).replace(second=0, microsecond=0)
        vector = (0, 1, 0, 0, 0, 0) if is_repost else (1, 0, likes, replies, reposts, quotes)
        acc = minutes[(tagset_id, platform, minute)]
        for i, value in enumerate(vector):
            acc[i] += value
    for tagset_id, pks in by_set.items():
        for start in range(0, len(pks), 5000):
            Post.objects.filter(pk__in=pks[start : start + 5000]).update(tagset_id=tagset_id)
    hours = defaultdict(lambda: [0] * 6)
    for (tagset_id, platform, minute), values in minutes.items():
        acc = hours[(tagset_id, platform, minute.replace(minute=0))]
        for i, value in enumerate(values):
            acc[i] += value
    minute_model.objects.all().delete()
    hour_model.objects.all().delete()
    minute_model.objects.bulk_create(
        [
            minute_model(tagset_id=t, platform=p, minute=m, **dict(zip(SUMS, v, strict=True)))
            for (t, p, m), v in minutes.items()
        ],
        batch_size=5000,
    )
    hour_model.objects.bulk_create(
        [
            hour_model(tagset_id=t, platform=p, hour=h, **dict(zip(SUMS, v, strict=True)))
            for (t, p, h), v in hours.items()
        ],
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("hashtags", "0004_tagsets"),
    ]

    operations = [
        migrations.RunPython(tagset_rollups_fill, migrations.RunPython.noop),
        migrations.DeleteModel(name="VolumeRollup"),
    ]

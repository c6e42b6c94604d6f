"""What the event wall tests share: posts and stories stored for a campaign, and its wall JSON."""

from __future__ import annotations

from datetime import timedelta

from campaigns.curation.services import post_curate
from campaigns.models import Story
from hashtags.ingest import posts_upsert
from hashtags.models import Post

EMAIL = "private.person@example.org"


def store(campaign, *numbers, minutes=None) -> list[int]:
    """Store posts p<n> created n minutes after the campaign's start (newer for bigger n)."""
    from tests.support.ingest_data import post

    start = campaign.start + timedelta(hours=1)
    posts_upsert(
        posts=[
            post(n, tags=("nhitweek",), at=start + timedelta(minutes=minutes or n)) for n in numbers
        ]
    )
    ids = dict(
        Post.objects.filter(external_id__in=[f"p{n}" for n in numbers]).values_list(
            "external_id", "pk"
        )
    )
    return [ids[f"p{n}"] for n in numbers]


def act(campaign, user, pk, action, **kwargs):
    return post_curate(campaign=campaign, post_id=pk, action=action, actor=user, **kwargs)


def story(campaign, name="Dana", minutes=0, **kwargs) -> Story:
    values = {
        "role": Story.Role.CLINICIAN,
        "email": EMAIL,
        "text": f"Health IT helped {name}.",
        "consent": True,
        "status": Story.Status.APPROVED,
        "created_at": campaign.start + timedelta(hours=1, minutes=minutes),
    }
    values.update(kwargs)
    return Story.objects.create(campaign=campaign, name=name, **values)


def wall_json(client, campaign) -> dict:
    response = client.get(f"/c/{campaign.slug}/api/wall")
    assert response.status_code == 200, response.content
    return response.json()


def keys(answer) -> list[str]:
    return [item["key"] for item in answer["items"]]

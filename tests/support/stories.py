"""Helpers for the story tests: a valid form post from a given address, and stored stories."""

from __future__ import annotations

import secrets
import time

from django.core import signing

from campaigns.models import Campaign, Story
from campaigns.stories.forms import SIGNING_SALT

EMAIL = "private.person@example.org"
TEXT = "Our e-prescribing system caught a dangerous interaction."


def started(seconds_ago: float = 10) -> str:
    """A form start token from `seconds_ago`, as the form page would have issued it."""
    payload = {"t": time.time() - seconds_ago, "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def story_data(**overrides) -> dict:
    """A valid submission; an override of None leaves that field out."""
    data = {
        "name": "Dana Reyes",
        "role": "clinician",
        "email": EMAIL,
        "text": TEXT,
        "link": "",
        "consent": "on",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def story_post(client, campaign: Campaign, address: str = "203.0.113.7", **overrides):
    return client.post(
        f"/c/{campaign.slug}/stories/new/", story_data(**overrides), REMOTE_ADDR=address
    )


def story_make(campaign: Campaign, status: str = Story.Status.NEW, **fields) -> Story:
    values = {
        "name": "Dana Reyes",
        "role": Story.Role.CLINICIAN,
        "email": EMAIL,
        "text": "A story.",
        "consent": True,
        "status": status,
    }
    values.update(fields)
    return Story.objects.create(campaign=campaign, **values)

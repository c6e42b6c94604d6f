"""What the curator page tests share: the htmx request header and an action posted through it."""

from __future__ import annotations

HTMX = {"HTTP_HX_REQUEST": "true"}


def act(client, campaign, **data):
    return client.post(f"/c/{campaign.slug}/curate/act/", data, **HTMX)

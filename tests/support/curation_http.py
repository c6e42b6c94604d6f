"""What the curator page tests share: the htmx request header and an action posted through it."""

from __future__ import annotations

HTMX = {"HTTP_HX_REQUEST": "true"}


def act(client, campaign, **data):
    return client.post(f"/c/{campaign.slug}/curate/act/", data, **HTMX)


def rules_confirm(client, campaign, data, **kwargs):
    """Save rules as a curator does: "Save and apply" (the preview), then its confirmation."""
    url = f"/c/{campaign.slug}/curate/rules/"
    preview = client.post(url, data).context["preview"]
    return client.post(url, data | {"confirm": "yes", "preview": preview.fingerprint}, **kwargs)

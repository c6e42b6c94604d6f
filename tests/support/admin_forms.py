"""The admin's campaign form as a browser posts it: its fields, and the hashtag rows inline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from campaigns.models import Campaign

PREFIX = "campaign_hashtags"


def hashtag_rows(rows: Sequence[dict[str, str]], *, initial: int = 0) -> dict[str, str]:
    """The inline's management form and each row's fields (id, tag, position, color, DELETE)
    under its prefix; the first `initial` rows are stored ones."""
    data = {
        f"{PREFIX}-TOTAL_FORMS": str(len(rows)),
        f"{PREFIX}-INITIAL_FORMS": str(initial),
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"{PREFIX}-{i}-{key}": value for key, value in row.items()}
    return data


def stored_rows(campaign: Campaign) -> list[dict[str, str]]:
    """The campaign's hashtag rows as its change page shows them."""
    return [
        {
            "id": str(link.pk),
            "campaign": str(campaign.pk),
            "tag": f"#{link.hashtag.display}",
            "position": str(link.position),
            "color": link.color,
        }
        for link in campaign.campaign_hashtags.select_related("hashtag")
    ]


def campaign_change_data(
    campaign: Campaign,
    *,
    start: datetime | None = None,
    name: str = "",
    new_rows: Sequence[dict[str, str]] = (),
) -> dict[str, str]:
    """The change form as a browser posts it (wall-clock times in the campaign's zone), with its
    stored hashtag rows and `new_rows` after them."""
    start = (start or campaign.start).astimezone(campaign.tz)
    end = campaign.end.astimezone(campaign.tz)
    stored = stored_rows(campaign)
    return {
        "name": name or campaign.name,
        "slug": campaign.slug,
        "description": campaign.description,
        "start_0": f"{start:%Y-%m-%d}",
        "start_1": f"{start:%H:%M:%S}",
        "end_0": f"{end:%Y-%m-%d}",
        "end_1": f"{end:%H:%M:%S}",
        "timezone": campaign.timezone,
        "series": "",
        "edition": campaign.edition,
    } | hashtag_rows([*stored, *new_rows], initial=len(stored))

"""Every dashboard endpoint answers dates at the edges of time and wild UTC offsets with a 400."""

from __future__ import annotations

import pytest

from tests.support.endpoints import DASHBOARD_ENDPOINTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("endpoint", DASHBOARD_ENDPOINTS)
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "0001-01-02", "Dates must fall between 2000-01-01 and 2100-01-01"),
        ("9999-12-30", "9999-12-31", "Dates must fall between 2000-01-01 and 2100-01-01"),
        ("2026-10-01T00:00+16:00", "2026-10-02T00:00+16:00", "UTC offset beyond ±14:00"),
        ("2026-10-01T00:00-23:59", "2026-10-02T00:00", "UTC offset beyond ±14:00"),
    ],
    ids=["year-1", "year-9999", "offset-16h", "offset-minus-24h"],
)
def test_a_custom_range_past_the_years_or_offsets_served_is_a_400(
    client, public_campaign, endpoint, start, end, message
):
    response = client.get(
        f"/c/{public_campaign.slug}/api/{endpoint}",
        {"range": "custom", "start": start, "end": end},
    )
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]


@pytest.mark.parametrize("endpoint", DASHBOARD_ENDPOINTS)
def test_the_widest_real_offsets_are_accepted(client, public_campaign, endpoint):
    response = client.get(
        f"/c/{public_campaign.slug}/api/{endpoint}",
        {"range": "custom", "start": "2026-10-01T00:00+14:00", "end": "2026-10-02T00:00-12:00"},
    )
    assert response.status_code == 200, response.content

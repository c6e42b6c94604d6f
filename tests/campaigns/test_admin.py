"""The admin refuses what it cannot store or read back: campaign dates past the years served,
and list lookups the database cannot run (?e=1, never a 500)."""

from __future__ import annotations

import pytest

from campaigns.models import Campaign
from hashtags.models import Hashtag
from tests.support.admin_forms import hashtag_rows

pytestmark = pytest.mark.django_db

ADD = "/admin/campaigns/campaign/add/"


def _add_data(*, end_date: str, end_time: str = "23:59:00") -> dict:
    Hashtag.objects.create(name="nhitweek", display="NHITweek")
    return {
        "name": "Forever Week",
        "slug": "forever-week",
        "description": "",
        "start_0": "2026-10-05",
        "start_1": "00:00:00",
        "end_0": end_date,
        "end_1": end_time,
        "timezone": "America/New_York",
        "series": "",
        "edition": "",
    } | hashtag_rows([{"tag": "#NHITweek", "position": "0", "color": "#1f6feb"}])


def test_the_admin_form_refuses_an_end_that_is_year_10000_in_utc(client, organizer):
    client.force_login(organizer)
    response = client.post(ADD, _add_data(end_date="9999-12-31"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Dates must fall between 2000-01-01 and 2100-01-01" in errors["end"][0]
    assert not Campaign.objects.exists()
    assert client.get("/").status_code == 200


def test_the_admin_form_still_saves_a_campaign_inside_the_years_served(client, organizer):
    client.force_login(organizer)
    response = client.post(ADD, _add_data(end_date="2026-10-10"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Campaign.objects.get().slug == "forever-week"


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/campaigns/campaign/", {"created_at__year": "0"}),
        ("/admin/campaigns/campaign/", {"start__year": "9999"}),  # its end is year 10000
        ("/admin/campaigns/campaign/", {"start__year": "9999", "start__month": "12"}),
        ("/admin/campaigns/campaign/", {"start__year": "99999"}),
        ("/admin/campaigns/campaign/", {"start__year": "1", "start__month": "1"}),
        ("/admin/campaigns/campaign/", {"name__regex": "("}),
        ("/admin/campaigns/campaign/", {"name": "a\x00b"}),
        ("/admin/campaigns/story/", {"created_at__year": "-1"}),
        ("/admin/hashtags/post/", {"created_at__month": "99999999999999999999"}),
        ("/admin/auth/user/", {"date_joined__year": "0"}),
    ],
    ids=[
        "year-0",
        "hierarchy-year-9999",
        "hierarchy-december-9999",
        "year-99999",
        "hierarchy-year-1",
        "bad-regex",
        "nul",
        "negative-year",
        "huge-month",
        "auth-user",
    ],
)
def test_a_lookup_the_database_cannot_run_redirects_to_the_error_flag(
    client, admin_user, url, query
):
    client.force_login(admin_user)
    response = client.get(url, query)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response["Location"] == f"{url}?e=1"
    assert client.get(url).status_code == 200  # the request's transaction is still usable

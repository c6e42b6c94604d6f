"""campaigns.access: one rule for pages and JSON, and the dashboard's own permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.support.factories import CampaignFactory, UserFactory

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


def _user_with(*codenames: str):
    user = UserFactory(username="vera")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="campaigns", codename__in=codenames)
    )
    return user


def test_a_private_dashboard_needs_view_dashboard_while_its_page_needs_view_campaign(client):
    campaign = CampaignFactory(slug="team-only", public=False)
    client.force_login(_user_with("view_campaign"))
    assert client.get("/c/team-only/").status_code == 200
    assert client.get("/c/team-only/wall/").status_code == 200
    assert client.get("/c/team-only/api/wall").status_code == 200
    assert client.get("/c/team-only/dashboard/").status_code == 403
    answer = client.get("/c/team-only/api/summary")
    assert (answer.status_code, answer.json()) == (
        403,
        {"error": "This campaign's dashboard is private."},
    )
    campaign.public = True
    campaign.save()
    assert client.get("/c/team-only/dashboard/").status_code == 200


def test_view_dashboard_opens_a_private_dashboard_and_its_json(client):
    CampaignFactory(slug="team-only", public=False)
    client.force_login(_user_with("view_campaign", "view_dashboard"))
    assert client.get("/c/team-only/dashboard/").status_code == 200
    assert client.get("/c/team-only/api/summary").status_code == 200

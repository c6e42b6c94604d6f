"""Shared fixtures: one user per role and an outsider (like healthchecks' BaseTestCase)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from campaigns.services import user_role_set
from tests.support.factories import CampaignFactory, UserFactory

PASSWORD = "password"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organizer(db):
    user, _ = user_role_set(username="olivia", role="Organizer", password=PASSWORD)
    return user


@pytest.fixture
def curator(db):
    user, _ = user_role_set(username="carlos", role="Curator", password=PASSWORD)
    return user


@pytest.fixture
def admin_user(db):
    user, _ = user_role_set(username="ada", role="Admin", password=PASSWORD)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="otto")


@pytest.fixture
def as_curator(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        name="NHIT Week 2026", slug="nhit-week-2026", tags=["NHITweek", "HITworks", "IHeartHIT"]
    )


@pytest.fixture
def public_campaign(campaign):
    """The campaign above, made public (modules that need other dates define their own)."""
    campaign.public = True
    campaign.save(update_fields=["public"])
    return campaign

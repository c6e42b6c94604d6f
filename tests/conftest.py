"""Shared fixtures: one user per role and an outsider (like healthchecks' BaseTestCase)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from campaigns.services import user_role_set
from tests.support.factories import CampaignFactory, UserFactory

PASSWORD = "password"


def pytest_collection_modifyitems(config, items):
    """On SQLite (nhitweek.settings.test_sqlite, `make test-sqlite`) only the tests marked
    both_databases run, less those marked postgres_only, which are skipped with their reason.
    On PostgreSQL every test runs."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    kept, dropped = [], []
    for item in items:
        (kept if item.get_closest_marker("both_databases") else dropped).append(item)
        only = item.get_closest_marker("postgres_only")
        if only is not None:
            reason = only.args[0] if only.args else only.kwargs.get("reason", "")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: postgres_only needs a reason")
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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

"""The demo campaign `seed_demo` creates: NHIT Week 2026 (live), its 2025 edition, the demo source
and one login per role. Existing rows are left as they are, so seeding twice changes nothing."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hashtags.models import Platform, Source
from hashtags.services import source_enable

from .models import Campaign
from .roles import ADMIN, CURATOR, ORGANIZER
from .services import campaign_upsert, user_role_set

DEMO_TIMEZONE = "America/New_York"
DEMO_HASHTAGS = ["NHITweek", "HITworks", "IHeartHIT"]
DEMO_LOGINS = [("organizer", ORGANIZER), ("curator", CURATOR), ("admin", ADMIN)]
DESCRIPTION = (
    "National Health IT Week: share how health IT helps care with #NHITweek, tell your "
    "#IHeartHIT story, and show policymakers that #HITworks."
)


@dataclass
class DemoResult:
    created: list[str]
    logins: list[tuple[str, str, str]]  # (username, password or note, role)


def demo_password(username: str) -> str:
    return f"nhit-{username}-demo"


def _edition_create(year: str, start: datetime) -> tuple[Campaign, bool]:
    return campaign_upsert(
        slug=f"nhit-week-{year}",
        name=f"NHIT Week {year}",
        start=start,
        end=start + timedelta(days=7),
        hashtags=DEMO_HASHTAGS,
        timezone=DEMO_TIMEZONE,
        public=True,
        description=DESCRIPTION,
        series_slug="nhit-week",
        series_name="National Health IT Week",
        edition=year,
    )


def demo_seed(*, now: datetime | None = None) -> DemoResult:
    """Create what is missing; a second run finds everything and creates nothing."""
    now = now or timezone.now()
    created: list[str] = []
    with transaction.atomic():
        this_year = Campaign.objects.filter(slug="nhit-week-2026").first()
        if this_year is None:
            # A week that is live when first seeded, so the demo dashboard moves.
            local_now = now.astimezone(zoneinfo.ZoneInfo(DEMO_TIMEZONE))
            monday = (local_now - timedelta(days=local_now.weekday())).date()
            start = datetime.combine(monday, time(0, 0), tzinfo=local_now.tzinfo)
            this_year, _ = _edition_create("2026", start)
            created.append("campaign NHIT Week 2026")
        if not Campaign.objects.filter(slug="nhit-week-2025").exists():
            # 52 weeks earlier: the same weekdays, for year-over-year comparison.
            _edition_create("2025", this_year.start - timedelta(days=364))
            created.append("campaign NHIT Week 2025")
        if not Source.objects.filter(platform=Platform.DEMO).exists():
            source_enable(platform=Platform.DEMO, poll_interval=15)
            created.append("demo source")
        logins = []
        User = get_user_model()
        for username, role in DEMO_LOGINS:
            existed = User.objects.filter(username=username).exists()
            user_role_set(username=username, role=role, password=demo_password(username))
            if not existed:
                created.append(f"user {username}")
            logins.append((username, demo_password(username), role))
    return DemoResult(created=created, logins=logins)

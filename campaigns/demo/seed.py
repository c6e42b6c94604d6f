"""The demo `seed_demo` creates: NHIT Week 2026 (live), its 2025 edition, the demo source, one
login per role, and the data every page shows at first load.

Steps, each skipped when already done, so seeding twice changes nothing:
1. campaigns, source and logins (one transaction);
2. chats: each edition's Tuesday and Thursday chats, as the demo source generates them, with
   their host and planned questions (campaigns.demo.chats);
3. posts: last year's whole week (fewer than this year) and this year's elapsed days, then one
   live poll (campaigns.demo.posts);
4. a first curation of this year's wall by the demo curator (campaigns.demo.wall).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns.demo.chats import chats_seed
from campaigns.demo.posts import LAST_YEAR_KEEP, EditionFill, edition_fill
from campaigns.demo.wall import WallSeed, wall_seed
from campaigns.models import Campaign
from campaigns.roles import ADMIN, CURATOR, ORGANIZER
from campaigns.services import campaign_upsert, user_role_set
from hashtags.models import Platform, Source
from hashtags.services import source_enable

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
    editions: list[EditionFill] = field(default_factory=list)
    wall: WallSeed = field(default_factory=WallSeed)


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
    result = DemoResult(created=created, logins=logins)
    last_year = Campaign.objects.get(slug="nhit-week-2025")
    for edition in (last_year, this_year):
        chats = chats_seed(campaign=edition)
        if chats:
            created.append(f"chats of {edition.name}: {', '.join(c.slug for c in chats)}")
    for edition, share in ((last_year, LAST_YEAR_KEEP), (this_year, 1.0)):
        fill = edition_fill(campaign=edition, hashtags=DEMO_HASHTAGS, now=now, share=share)
        result.editions.append(fill)
        if fill.new or fill.polled:
            created.append(f"{fill.new + fill.polled} posts for {edition.name}")
    curator = User.objects.filter(username="curator").first()
    result.wall = wall_seed(campaign=this_year, actor=curator)
    if result.wall.pinned or result.wall.featured or result.wall.stories:
        wall = result.wall
        created.append(
            f"wall of {this_year.name}: {int(wall.pinned is not None)} pinned and "
            f"{wall.featured} featured posts, {wall.stories} approved stories"
        )
    return result

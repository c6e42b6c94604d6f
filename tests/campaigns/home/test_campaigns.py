"""Campaigns refuse impossible dates, zones, colours and tag lists, and know their status."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaigns.home.selectors import campaigns_by_status
from campaigns.models import PALETTE, Campaign, CampaignHashtag
from campaigns.services import campaign_upsert
from hashtags.models import Hashtag
from tests.support.factories import CampaignFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
START = datetime(2026, 9, 14, 13, 0, tzinfo=UTC)
END = datetime(2026, 9, 18, 22, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _wide(text: str) -> str:
    """The full-width form of ASCII text, as East Asian keyboards type it ('#' -> U+FF03)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def _upsert(**overrides):
    values = {
        "slug": "nhit-week-2026",
        "name": "NHIT Week 2026",
        "start": START,
        "end": END,
        "hashtags": ["NHITweek", "HITworks", "IHeartHIT"],
    }
    values.update(overrides)
    return campaign_upsert(**values)


def _colours(campaign: Campaign) -> dict[str, str]:
    return {link.hashtag.name: link.color for link in campaign.campaign_hashtags.all()}


def _order(campaign: Campaign) -> list[str]:
    links = campaign.campaign_hashtags.select_related("hashtag").order_by("position")
    return [link.hashtag.name for link in links]


# --- Model validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("end", [START - timedelta(hours=1), START], ids=["before", "equal"])
def test_it_refuses_an_end_not_after_the_start(end):
    campaign = Campaign(name="N", slug="n", start=START, end=end)
    with pytest.raises(ValidationError) as caught:
        campaign.full_clean()
    assert "The end must be after the start." in caught.value.message_dict["end"]


@pytest.mark.parametrize("end", [START - timedelta(hours=1), START], ids=["before", "equal"])
def test_the_database_refuses_an_end_not_after_the_start(end):
    with pytest.raises(IntegrityError, match="campaign_end_after_start"), transaction.atomic():
        Campaign.objects.create(name="N", slug="n", start=START, end=end)
    assert not Campaign.objects.exists()


def test_the_database_refuses_an_update_that_moves_the_end_before_the_start(campaign):
    with pytest.raises(IntegrityError, match="campaign_end_after_start"), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(end=campaign.start - timedelta(days=1))


def test_it_refuses_an_unknown_time_zone():
    campaign = Campaign(name="N", slug="n", start=START, end=END, timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as caught:
        campaign.full_clean()
    (message,) = caught.value.message_dict["timezone"]
    assert "'Mars/Olympus_Mons' is not a time zone" in message
    assert "America/New_York" in message


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "1f6feb0", "#1f6feb0"])
def test_it_refuses_a_colour_that_is_not_six_hex_digits(campaign, colour):
    link = campaign.campaign_hashtags.first()
    link.color = colour
    with pytest.raises(ValidationError) as caught:
        link.full_clean()
    assert (
        "Use a colour like #1f6feb (a '#' and six hex digits)."
        in (caught.value.message_dict["color"])
    )


def test_it_accepts_a_colour_in_either_case(campaign):
    link = campaign.campaign_hashtags.first()
    link.color = "#A1b2C3"
    link.full_clean()


@pytest.mark.parametrize(
    ("field", "when"),
    [
        # 23:59 in New York is year 10000 in UTC: stored, but never readable by Django again.
        ("end", datetime(9999, 12, 31, 23, 59, tzinfo=NEW_YORK)),
        ("end", datetime(2100, 1, 1, tzinfo=UTC)),
        ("start", datetime(1, 1, 1, tzinfo=UTC)),
        ("start", datetime(1999, 12, 31, 23, 59, tzinfo=UTC)),
    ],
    ids=["year-10000-in-utc", "year-2100", "year-1", "before-2000"],
)
def test_it_refuses_dates_outside_the_years_it_can_serve(field, when):
    dates = {"start": START, "end": END} | {field: when}
    if field == "start":
        dates["end"] = START
    campaign = Campaign(name="N", slug="n", **dates)
    with pytest.raises(ValidationError) as caught:
        campaign.full_clean()
    assert (
        "Dates must fall between 2000-01-01 and 2100-01-01" in caught.value.message_dict[field][0]
    )


def test_it_takes_dates_at_the_edges_of_the_years_it_serves():
    last = datetime(2099, 12, 31, 18, 59, tzinfo=NEW_YORK)  # 23:59 UTC
    Campaign(name="N", slug="n", start=datetime(2000, 1, 1, tzinfo=UTC), end=last).full_clean()


# --- campaign_upsert ---------------------------------------------------------------------------


def test_it_refuses_an_end_past_year_9999_in_utc_and_stores_nothing():
    with pytest.raises(ValidationError) as caught:
        _upsert(end=datetime(9999, 12, 31, 23, 59, tzinfo=NEW_YORK))
    assert "Dates must fall between" in caught.value.message_dict["end"][0]
    assert not Campaign.objects.exists()


def test_it_creates_a_campaign_with_its_hashtags_in_order():
    campaign, created = _upsert()
    assert created
    assert _order(campaign) == ["nhitweek", "hitworks", "ihearthit"]
    assert list(_colours(campaign).values()) == PALETTE[:3]
    assert Hashtag.objects.get(name="nhitweek").display == "NHITweek"


@pytest.mark.parametrize(
    ("hashtags", "expected"),
    [
        (["NHITweek", "bad-tag"], "#bad-tag is not a valid hashtag"),
        (["NHITweek", "two words"], "#two words is not a valid hashtag"),
        (["NHITweek", "#nhitWEEK"], "#nhitWEEK is listed twice (tags ignore case)."),
        (["NHITweek", _wide("#NHITweek")], "is listed twice (tags ignore case)."),
        ([], "A campaign needs at least one hashtag."),
    ],
    ids=["bad-tag", "space", "case-duplicate", "full-width-duplicate", "none"],
)
def test_it_refuses_a_bad_tag_list_and_stores_nothing(hashtags, expected):
    with pytest.raises(ValidationError) as caught:
        _upsert(hashtags=hashtags)
    messages = caught.value.message_dict["hashtags"]
    assert any(expected in message for message in messages), messages
    assert not Campaign.objects.exists()
    assert not Hashtag.objects.exists()
    assert not CampaignHashtag.objects.exists()


def test_it_reports_every_bad_tag_at_once():
    with pytest.raises(ValidationError) as caught:
        _upsert(hashtags=["tag!", "123", "ok"])
    messages = caught.value.message_dict["hashtags"]
    assert len(messages) == 2
    assert "#123 is not a valid hashtag: it needs at least one letter." in messages


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"end": START}, "end"), ({"timezone": "Not/AZone"}, "timezone")],
    ids=["end-equals-start", "bad-zone"],
)
def test_it_refuses_bad_dates_or_zone_and_stores_nothing(overrides, field):
    with pytest.raises(ValidationError) as caught:
        _upsert(**overrides)
    assert field in caught.value.message_dict
    assert not Campaign.objects.exists()
    assert not Hashtag.objects.exists()


def test_a_refused_update_leaves_the_campaign_as_it_was():
    campaign, _ = _upsert()
    with pytest.raises(ValidationError):
        _upsert(name="Renamed", end=START - timedelta(days=1), hashtags=["Other"])
    campaign.refresh_from_db()
    assert campaign.name == "NHIT Week 2026"
    assert campaign.end == END
    assert _order(campaign) == ["nhitweek", "hitworks", "ihearthit"]
    assert not Hashtag.objects.filter(name="other").exists()


def test_upserting_twice_updates_the_same_campaign():
    first, created_first = _upsert()
    second, created_second = _upsert(name="NHIT Week", end=END + timedelta(days=1), public=True)
    assert created_first
    assert not created_second
    assert second.pk == first.pk
    assert Campaign.objects.count() == 1
    stored = Campaign.objects.get()
    assert (stored.name, stored.end, stored.public) == ("NHIT Week", END + timedelta(days=1), True)


def test_upserting_the_same_values_twice_changes_no_link():
    _upsert()
    before = list(CampaignHashtag.objects.order_by("pk").values())
    _upsert()
    assert list(CampaignHashtag.objects.order_by("pk").values()) == before
    assert Hashtag.objects.count() == 3


def test_upserting_reorders_the_tags_and_keeps_their_colours():
    campaign, _ = _upsert()
    colours = _colours(campaign)
    _upsert(hashtags=["#IHeartHIT", "nhitweek", "HITWORKS"])
    assert _order(campaign) == ["ihearthit", "nhitweek", "hitworks"]
    assert _colours(campaign) == colours


def test_upserting_drops_tags_no_longer_listed_but_keeps_the_hashtag_rows():
    campaign, _ = _upsert()
    _upsert(hashtags=["NHITweek"])
    assert _order(campaign) == ["nhitweek"]
    assert Hashtag.objects.count() == 3


def test_a_tag_added_later_gets_a_colour_no_other_tag_of_the_campaign_has():
    campaign, _ = _upsert(hashtags=["NHITweek", "HITworks"])
    _upsert(hashtags=["HITworks", "IHeartHIT"])
    colours = _colours(campaign)
    assert len(set(colours.values())) == len(colours), colours


# --- Status from dates -------------------------------------------------------------------------


def _campaign_in(zone: zoneinfo.ZoneInfo, start: datetime, end: datetime) -> Campaign:
    return Campaign(name="C", slug="c", start=start, end=end, timezone=str(zone.key))


@pytest.mark.parametrize("zone", [NEW_YORK, AUCKLAND, zoneinfo.ZoneInfo("UTC")], ids=str)
def test_the_status_changes_at_the_start_and_end_instants(zone):
    start = datetime(2026, 9, 14, 0, 0, tzinfo=zone)
    end = datetime(2026, 9, 19, 0, 0, tzinfo=zone)
    campaign = _campaign_in(zone, start, end)
    assert campaign.status_at(start - TICK) == Campaign.Status.UPCOMING
    assert campaign.status_at(start) == Campaign.Status.LIVE
    assert campaign.status_at(end - TICK) == Campaign.Status.LIVE
    assert campaign.status_at(end) == Campaign.Status.ENDED
    assert campaign.local_start == start
    assert campaign.local_start.tzinfo == zone
    assert (campaign.local_start.hour, campaign.local_start.day) == (0, 14)
    assert (campaign.local_end.hour, campaign.local_end.day) == (0, 19)


def test_new_york_campaign_is_upcoming_on_its_first_utc_day_before_local_midnight():
    # 02:00 UTC on the 14th is still 22:00 on the 13th in New York.
    campaign = _campaign_in(NEW_YORK, datetime(2026, 9, 14, tzinfo=NEW_YORK), END)
    assert campaign.status_at(datetime(2026, 9, 14, 2, 0, tzinfo=UTC)) == Campaign.Status.UPCOMING
    assert campaign.status_at(datetime(2026, 9, 14, 4, 0, tzinfo=UTC)) == Campaign.Status.LIVE


def test_auckland_campaign_is_live_while_utc_is_still_on_the_day_before():
    # Midnight on the 14th in Auckland (NZST, +12) is noon on the 13th in UTC.
    campaign = _campaign_in(AUCKLAND, datetime(2026, 9, 14, tzinfo=AUCKLAND), END)
    assert campaign.start == datetime(2026, 9, 13, 12, 0, tzinfo=UTC)
    assert campaign.status_at(datetime(2026, 9, 13, 13, 0, tzinfo=UTC)) == Campaign.Status.LIVE
    assert campaign.status_at(datetime(2026, 9, 13, 11, 59, tzinfo=UTC)) == "upcoming"


def test_a_campaign_across_the_new_york_dst_change_keeps_its_local_hours():
    # Clocks go back at 02:00 EDT on 2026-11-01: the campaign lasts 49 hours, not 48.
    start = datetime(2026, 10, 31, 0, 0, tzinfo=NEW_YORK)
    end = datetime(2026, 11, 2, 0, 0, tzinfo=NEW_YORK)
    campaign = CampaignFactory(start=start, end=end, timezone="America/New_York")
    campaign.refresh_from_db()
    assert campaign.start == datetime(2026, 10, 31, 4, 0, tzinfo=UTC)
    assert campaign.end == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
    assert campaign.end - campaign.start == timedelta(hours=49)
    assert campaign.local_start.utcoffset() == timedelta(hours=-4)
    assert campaign.local_end.utcoffset() == timedelta(hours=-5)
    assert (campaign.local_start.hour, campaign.local_end.hour) == (0, 0)
    # Both 01:30s of the repeated hour are inside the campaign.
    for fold in (0, 1):
        instant = datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=NEW_YORK)
        assert campaign.status_at(instant) == Campaign.Status.LIVE
    assert campaign.status_at(end - TICK) == Campaign.Status.LIVE
    assert campaign.status_at(end) == Campaign.Status.ENDED


def test_the_querysets_agree_with_the_polling_window_on_the_boundaries():
    campaign = CampaignFactory(start=START, end=END)
    lo, hi = campaign.polling_window()
    assert (lo, hi) == (START - timedelta(minutes=60), END + timedelta(minutes=24 * 60))
    polled = Campaign.objects.polled_at
    assert [list(polled(t)) for t in (lo - TICK, lo, hi, hi + TICK)] == [
        [],
        [campaign],
        [campaign],
        [],
    ]
    counting = Campaign.objects.counting_at
    assert [list(counting(t)) for t in (START - TICK, START, hi, hi + TICK)] == [
        [],
        [campaign],
        [campaign],
        [],
    ]


def test_the_list_groups_live_by_soonest_end_upcoming_by_soonest_start_past_by_latest(organizer):
    now = START
    day = timedelta(days=1)
    live_late = CampaignFactory(start=now - day, end=now + 5 * day)
    live_soon = CampaignFactory(start=now - 2 * day, end=now + day)
    upcoming_far = CampaignFactory(start=now + 9 * day, end=now + 10 * day)
    upcoming_near = CampaignFactory(start=now + 2 * day, end=now + 3 * day)
    ended_old = CampaignFactory(start=now - 9 * day, end=now - 8 * day)
    ended_recent = CampaignFactory(start=now - 4 * day, end=now - 3 * day)
    groups = campaigns_by_status(user=organizer, now=now)
    assert groups == {
        "live": [live_soon, live_late],
        "upcoming": [upcoming_near, upcoming_far],
        "ended": [ended_recent, ended_old],
    }


def test_outsiders_and_visitors_see_only_public_campaigns(organizer, outsider):
    from django.contrib.auth.models import AnonymousUser

    public = CampaignFactory(public=True)
    private = CampaignFactory(public=False)
    seen = {
        who: [c for group in campaigns_by_status(user=user).values() for c in group]
        for who, user in {
            "organizer": organizer,
            "outsider": outsider,
            "anonymous": AnonymousUser(),
        }.items()
    }
    assert set(seen["organizer"]) == {public, private}
    assert seen["outsider"] == [public]
    assert seen["anonymous"] == [public]

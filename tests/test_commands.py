"""The command-line contract ops rely on: seed_demo, create_campaign and add_source."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.models import Campaign, CampaignHashtag, Series
from hashtags.models import Hashtag, Source

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            get_user_model(),
            Group,
            Campaign,
            Series,
            Hashtag,
            Source,
            CampaignHashtag,
        )
    }


def _password_hashes() -> dict[str, str]:
    return dict(get_user_model().objects.values_list("username", "password"))


# --- seed_demo -----------------------------------------------------------------------------------


def test_seed_demo_creates_the_campaign_the_source_and_one_login_per_role():
    output = _call("seed_demo")
    campaign = Campaign.objects.get(slug="nhit-week-2026")
    assert campaign.public
    assert campaign.status == Campaign.Status.LIVE
    assert [link.hashtag.display for link in campaign.campaign_hashtags.all()] == [
        "NHITweek",
        "HITworks",
        "IHeartHIT",
    ]
    assert Source.objects.filter(platform="demo", enabled=True).count() == 1
    User = get_user_model()
    for username, role in [("organizer", "Organizer"), ("curator", "Curator"), ("admin", "Admin")]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        password = f"nhit-{username}-demo"
        assert user.check_password(password)
        # The logins are printed so a newcomer can use them straight away.
        assert username in output
        assert password in output


def test_seed_demo_twice_changes_nothing():
    _call("seed_demo")
    counts, hashes = _counts(), _password_hashes()
    second = _call("seed_demo")
    assert _counts() == counts
    assert _password_hashes() == hashes
    assert "nothing to do" in second
    assert "nhit-organizer-demo" in second


def test_seed_demo_keeps_a_password_the_user_changed():
    _call("seed_demo")
    user = get_user_model().objects.get(username="admin")
    user.set_password("a-better-one")
    user.save()
    _call("seed_demo")
    user.refresh_from_db()
    assert user.check_password("a-better-one")


def test_seed_demo_recreates_a_deleted_last_year_edition():
    _call("seed_demo")
    Campaign.objects.filter(slug="nhit-week-2025").delete()
    _call("seed_demo")
    assert Campaign.objects.filter(slug="nhit-week-2025").exists()


# --- create_campaign -----------------------------------------------------------------------------

ARGS = [
    "create_campaign",
    "nhit-week-2026",
    "--name",
    "NHIT Week 2026",
    "--start",
    "2026-10-05",
    "--end",
    "2026-10-10",
    "--hashtags",
    "NHITweek,HITworks, IHeartHIT",
]


def _with(**changes: str) -> list[str]:
    args = list(ARGS)
    for option, value in changes.items():
        args[args.index(f"--{option}") + 1] = value
    return args


def test_create_campaign_creates_then_updates():
    created = _call(*ARGS)
    assert created.startswith("created: nhit-week-2026")
    campaign = Campaign.objects.get()
    # A date without an offset is midnight in the campaign's own zone (New York by default).
    assert campaign.start == datetime(2026, 10, 5, 4, 0, tzinfo=UTC)
    assert campaign.timezone == "America/New_York"
    assert not campaign.public
    assert Hashtag.objects.count() == 3

    updated = _call(*_with(name="NHIT Week", hashtags="IHeartHIT,NHITweek"), "--public")
    assert updated.startswith("updated: nhit-week-2026")
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.public) == ("NHIT Week", True)
    links = campaign.campaign_hashtags.select_related("hashtag")
    assert [link.hashtag.name for link in links] == ["ihearthit", "nhitweek"]


def test_create_campaign_reads_dates_in_the_given_time_zone():
    _call(*ARGS, "--timezone", "Pacific/Auckland")
    campaign = Campaign.objects.get()
    assert campaign.start == datetime(2026, 10, 4, 11, 0, tzinfo=UTC)
    assert campaign.local_start.hour == 0


def test_create_campaign_keeps_an_explicit_offset():
    _call(*_with(start="2026-10-05T09:00:00+00:00"))
    assert Campaign.objects.get().start == datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def test_create_campaign_takes_an_offset_the_database_would_refuse():
    _call(*_with(start="2026-10-05T09:00:00+16:00"))
    assert Campaign.objects.get().start == datetime(2026, 10, 4, 17, 0, tzinfo=UTC)


def test_create_campaign_puts_the_campaign_in_its_series():
    _call(*ARGS, "--series", "nhit-week", "--edition", "2026")
    campaign = Campaign.objects.get()
    assert (campaign.series.slug, campaign.edition) == ("nhit-week", "2026")


@pytest.mark.parametrize(
    ("changes", "extra", "message"),
    [
        ({"end": "2026-10-01"}, [], "The end must be after the start."),
        ({"end": "2026-10-05"}, [], "The end must be after the start."),
        ({"hashtags": "NHITweek,bad-tag"}, [], "#bad-tag is not a valid hashtag"),
        ({"hashtags": "NHITweek,nhitweek"}, [], "is listed twice"),
        ({"hashtags": " , "}, [], "A campaign needs at least one hashtag."),
        ({"start": "5 October 2026"}, [], "--start '5 October 2026' is not an ISO date"),
        ({"end": "2026-13-01"}, [], "--end '2026-13-01' is not an ISO date"),
        ({}, ["--timezone", "Eastern"], "'Eastern' is not a time zone"),
        # Year 10000 in UTC, which the database stores but Django cannot read back.
        ({"end": "9999-12-31T23:59"}, [], "end: Dates must fall between 2000-01-01"),
        ({"start": "0001-01-01"}, [], "start: Dates must fall between 2000-01-01"),
    ],
    ids=[
        "end-before-start",
        "end-equals-start",
        "bad-tag",
        "duplicate-tag",
        "no-tags",
        "bad-start",
        "bad-end",
        "bad-zone",
        "end-past-year-9999-in-utc",
        "start-in-year-1",
    ],
)
def test_create_campaign_refuses_bad_input_and_stores_nothing(changes, extra, message):
    with pytest.raises(CommandError) as caught:
        _call(*_with(**changes), *extra)
    assert message in str(caught.value)
    assert not Campaign.objects.exists()
    assert not Hashtag.objects.exists()
    assert not Series.objects.exists()


def test_create_campaign_refuses_a_bad_slug():
    args = list(ARGS)
    args[1] = "NHIT Week!"
    with pytest.raises(CommandError, match="slug"):
        _call(*args)
    assert not Campaign.objects.exists()


def test_create_campaign_with_a_series_and_bad_input_stores_no_series():
    with pytest.raises(CommandError):
        _call(*_with(end="2026-10-01"), "--series", "nhit-week")
    assert not Series.objects.exists()


# --- add_source ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "platform", "base_url", "shown"),
    [
        (["x"], "x", "", "added: X"),
        (["bluesky"], "bluesky", "", "added: Bluesky"),
        (["demo"], "demo", "", "added: Demo"),
        (
            ["mastodon", "--url", "https://mastodon.social/"],
            "mastodon",
            "https://mastodon.social",
            "added: Mastodon (https://mastodon.social)",
        ),
    ],
    ids=["x", "bluesky", "demo", "mastodon"],
)
def test_add_source_enables_each_platform_once(args, platform, base_url, shown):
    first = _call("add_source", *args)
    again = _call("add_source", *args)
    assert first.startswith(shown)
    assert again.startswith("enabled:")
    source = Source.objects.get()
    assert (source.platform, source.base_url, source.enabled) == (platform, base_url, True)


def test_add_source_sets_the_poll_interval():
    _call("add_source", "demo", "--interval", "30")
    assert Source.objects.get().poll_interval == 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mastodon"], "A Mastodon source needs its server's URL."),
        (["mastodon", "--url", "http://mastodon.social"], "Use the server's https:// address."),
        (["x", "--url", "https://api.x.com"], "X takes no base URL; leave it empty."),
        (["demo", "--interval", "1"], "greater than or equal to 10"),
    ],
    ids=["mastodon-without-url", "mastodon-http", "x-with-url", "interval-too-short"],
)
def test_add_source_refuses_bad_input_with_a_clear_error(args, message):
    with pytest.raises(CommandError) as caught:
        _call("add_source", *args)
    assert message in str(caught.value)
    assert not Source.objects.exists()


def test_add_source_refuses_an_unknown_platform():
    with pytest.raises(CommandError, match="invalid choice: 'myspace'"):
        _call("add_source", "myspace")

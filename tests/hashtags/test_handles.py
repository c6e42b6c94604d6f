"""Handles as each platform compares them (hashtags.handles): one rule for chat hosts and
tracked accounts; profile addresses read as the handle they show; clear refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hashtags.handles import (
    handle_normalize,
    handle_parse,
    profile_url,
    user_id_normalize,
)

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(
    ("platform", "written", "name", "display"),
    [
        ("x", "@SenSanders", "sensanders", "SenSanders"),
        ("x", "  HHSgov ", "hhsgov", "HHSgov"),
        ("x", "https://x.com/SenSanders", "sensanders", "SenSanders"),
        ("x", "https://twitter.com/@RepAdams/", "repadams", "RepAdams"),
        ("mastodon", "@RepDonBeyer@mas.to", "repdonbeyer@mas.to", "RepDonBeyer@mas.to"),
        ("mastodon", "Host@Mastodon.Social", "host@mastodon.social", "Host@Mastodon.Social"),
        ("mastodon", "https://mastodon.social/@RepAdams", "repadams@mastodon.social", None),
        ("bluesky", "@NHITweek.bsky.social", "nhitweek.bsky.social", "NHITweek.bsky.social"),
        ("bluesky", "https://bsky.app/profile/hhs.gov", "hhs.gov", "hhs.gov"),
        ("bluesky", "did:plc:abcdefghijklmnopqrstuvwx", "did:plc:abcdefghijklmnopqrstuvwx", None),
    ],
)
def test_a_handle_is_kept_as_its_platform_compares_it_beside_its_display(
    platform, written, name, display
):
    handle = handle_parse(platform, written)
    assert handle.name == name
    assert handle.display == (display or handle.display)
    assert handle_normalize(platform, written) == name


@pytest.mark.parametrize(
    ("platform", "written", "message"),
    [
        ("myspace", "tom", "'myspace' is not a platform; use one of x, mastodon, bluesky."),
        ("x", "", "The handle is empty."),
        ("x", "   ", "The handle is empty."),
        ("x", "Sen Sanders", "'Sen Sanders' is not an X username: 1 to 15 letters"),
        ("x", "a_very_long_username_indeed", "is not an X username"),
        ("mastodon", "nohost", "'nohost' is not a Mastodon account: it is user@server"),
        ("mastodon", "a@b@c.social", "is not a Mastodon account"),
        ("bluesky", "Sen Warren", "'Sen Warren' is not a Bluesky handle: it is a domain name"),
        ("bluesky", "warren", "is not a Bluesky handle"),
    ],
)
def test_what_is_no_handle_is_refused_with_a_reason(platform, written, message):
    with pytest.raises(ValidationError) as caught:
        handle_parse(platform, written)
    assert message in caught.value.messages[0]


def test_the_demo_platform_is_only_for_whoever_names_it():
    with pytest.raises(ValidationError):
        handle_parse("demo", "hitchat_host")
    handle = handle_parse("demo", "@HitChat_Host", platforms=("x", "demo"))
    assert (handle.name, handle.display) == ("hitchat_host", "HitChat_Host")


def test_user_ids_are_x_numbers_and_bluesky_dids():
    assert user_id_normalize("x", " 3026622545 ") == "3026622545"
    assert user_id_normalize("bluesky", "did:web:Example.org") == "did:web:example.org"
    assert user_id_normalize("mastodon", "") == ""
    for platform, written in (("x", "sanders"), ("bluesky", "hhs.gov"), ("mastodon", "1")):
        with pytest.raises(ValidationError):
            user_id_normalize(platform, written)


def test_each_handle_has_its_public_profile_address():
    assert profile_url("x", "sensanders") == "https://x.com/sensanders"
    assert profile_url("mastodon", "repadams@mastodon.social") == (
        "https://mastodon.social/@repadams"
    )
    assert profile_url("bluesky", "hhs.gov") == "https://bsky.app/profile/hhs.gov"

"""Hashtags are stored in one comparable form; bad tags and bad sources are refused clearly."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from hashtags.models import Hashtag, Platform, Source
from hashtags.normalize import hashtag_display, hashtag_normalize
from hashtags.services import hashtag_get_or_create, source_enable
from tests.conftest import PASSWORD

ADD_URL = "/admin/hashtags/hashtag/add/"
NAME_MAX = Hashtag._meta.get_field("name").max_length


def _wide(text: str) -> str:
    """The full-width form of ASCII text, as East Asian keyboards type it ('#' -> U+FF03)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


# --- Normalization -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("#NHITweek", "nhitweek"),
        ("NHITweek", "nhitweek"),
        ("  #HITworks ", "hitworks"),
        (_wide("#NHIT") + "week", "nhitweek"),  # full-width '#' and letters fold under NFKC
        ("Straße", "strasse"),
        ("İstanbul", "i\u0307stanbul"),
        ("cafe\u0301", "café"),  # a decomposed accent composes
        ("健康", "健康"),
        ("صحة", "صحة"),
        ("Здоровье", "здоровье"),
        ("HIT_works2026", "hit_works2026"),
        ("a" * 100, "a" * 100),
    ],
)
def test_it_stores_one_comparable_form(raw, stored):
    assert hashtag_normalize(raw) == stored


def test_spellings_that_differ_only_in_case_or_width_are_one_tag():
    assert hashtag_normalize("STRASSE") == hashtag_normalize("Straße")
    assert hashtag_normalize(_wide("#NHITWEEK")) == hashtag_normalize("#nhitweek")


def test_it_keeps_the_case_people_wrote_for_display():
    assert hashtag_display("#NHITweek") == "NHITweek"
    assert hashtag_display(_wide("#IHeart") + "HIT") == "IHeartHIT"


@pytest.mark.parametrize(
    "raw",
    ["स्वास्थ्य", "สุขภาพ", "건강"],
    ids=["hindi-with-vowel-signs", "thai-with-marks", "korean"],
)
def test_it_accepts_tags_in_scripts_that_use_combining_marks(raw):
    # X, Mastodon and Bluesky all count combining marks (Unicode category M) as tag characters.
    assert hashtag_normalize(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "A hashtag cannot be empty."),
        ("#", "A hashtag cannot be empty."),
        ("   ", "A hashtag cannot be empty."),
        (
            "two words",
            "#two words is not a valid hashtag: only letters, digits and '_' are allowed",
        ),
        ("bad-tag", "(found '-')"),
        ("tag!", "(found '!')"),
        ("#tag#", "(found '#')"),
        ("123", "#123 is not a valid hashtag: it needs at least one letter."),
        ("2026_", "it needs at least one letter."),
        ("___", "it needs at least one letter."),
        ("a" * 101, "A hashtag can be at most 100 characters; this one has 101."),
    ],
    ids=lambda v: repr(v)[:16],
)
def test_it_refuses_a_bad_tag_with_a_message_a_person_can_act_on(raw, message):
    with pytest.raises(ValidationError) as caught:
        hashtag_normalize(raw)
    assert any(message in text for text in caught.value.messages), caught.value.messages


def test_the_stored_form_always_fits_its_column():
    # Case folding can lengthen a tag ('ß' -> 'ss'): the limit must hold for what is stored.
    raw = "ß" * 60
    try:
        stored = hashtag_normalize(raw)
    except ValidationError:
        return
    assert len(stored) <= NAME_MAX


@pytest.mark.django_db
def test_getting_a_tag_in_any_spelling_returns_one_row():
    first = hashtag_get_or_create(tag="#NHITweek")
    again = hashtag_get_or_create(tag=_wide("#nhitWEEK"))
    assert again.pk == first.pk
    assert Hashtag.objects.count() == 1
    assert (first.name, first.display, str(first)) == ("nhitweek", "NHITweek", "#NHITweek")


@pytest.mark.django_db
def test_getting_a_bad_tag_stores_nothing():
    with pytest.raises(ValidationError):
        hashtag_get_or_create(tag="bad-tag")
    assert not Hashtag.objects.exists()


# --- The admin form ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_the_admin_adds_a_tag_in_its_normal_form(admin_client_):
    response = admin_client_.post(ADD_URL, {"display": "#IHeartHIT"})
    assert response.status_code == 302
    hashtag = Hashtag.objects.get()
    assert (hashtag.name, hashtag.display) == ("ihearthit", "IHeartHIT")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("bad-tag", "#bad-tag is not a valid hashtag"),
        ("two words", "#two words is not a valid hashtag"),
        ("tag!", "(found '!')"),
        ("123", "it needs at least one letter."),
        ("#", "A hashtag cannot be empty."),
    ],
)
def test_the_admin_shows_why_a_tag_is_refused_and_creates_nothing(admin_client_, raw, message):
    response = admin_client_.post(ADD_URL, {"display": raw})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["display"]
    assert any(message in error for error in errors), errors
    assert escape(message) in response.content.decode()
    assert not Hashtag.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["nhitweek", "#NHITWEEK", _wide("#NHITweek")])
def test_the_admin_refuses_a_case_variant_of_an_existing_tag(admin_client_, variant):
    hashtag_get_or_create(tag="NHITweek")
    response = admin_client_.post(ADD_URL, {"display": variant})
    assert response.status_code == 200
    assert escape("#NHITweek already exists (tags ignore case).") in response.content.decode()
    assert Hashtag.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_renames_a_tag_without_tripping_over_itself(admin_client_):
    hashtag = hashtag_get_or_create(tag="nhitweek")
    url = f"/admin/hashtags/hashtag/{hashtag.pk}/change/"
    response = admin_client_.post(url, {"display": "NHITweek"})
    assert response.status_code == 302
    hashtag.refresh_from_db()
    assert (hashtag.name, hashtag.display) == ("nhitweek", "NHITweek")


@pytest.mark.django_db
def test_the_admin_refuses_a_tag_too_long_to_store_without_an_error_page(admin_client_):
    response = admin_client_.post(ADD_URL, {"display": "ß" * 60})
    assert response.status_code in (200, 302)
    for hashtag in Hashtag.objects.all():
        assert len(hashtag.name) <= NAME_MAX


@pytest.mark.django_db
def test_the_admin_login_works_with_the_role_password(client, admin_user, rf):
    # The login throttle (django-axes) needs the request a real login has.
    request = rf.post("/admin/login/")
    assert client.login(request=request, username=admin_user.username, password=PASSWORD)
    assert client.get("/admin/hashtags/hashtag/").status_code == 200


# --- Sources -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("platform", "base_url", "message"),
    [
        ("mastodon", "", "A Mastodon source needs its server's URL."),
        ("mastodon", "   ", "A Mastodon source needs its server's URL."),
        ("mastodon", "http://mastodon.social", "Use the server's https:// address."),
        ("x", "https://api.x.com", "X takes no base URL; leave it empty."),
        ("bluesky", "https://bsky.social", "Bluesky takes no base URL; leave it empty."),
        ("demo", "https://example.org", "Demo takes no base URL; leave it empty."),
    ],
)
def test_it_refuses_a_source_with_a_wrong_base_url(platform, base_url, message):
    with pytest.raises(ValidationError) as caught:
        source_enable(platform=platform, base_url=base_url)
    assert caught.value.message_dict["base_url"] == [message]
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_platform():
    with pytest.raises(ValidationError, match="Unknown platform 'myspace'; choose one of: x, "):
        source_enable(platform="myspace")
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_poll_interval_under_ten_seconds():
    with pytest.raises(ValidationError) as caught:
        source_enable(platform="demo", poll_interval=5)
    assert "poll_interval" in caught.value.message_dict
    assert not Source.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("platform", [p.value for p in Platform if p != Platform.MASTODON])
def test_enabling_a_source_twice_keeps_one_row(platform):
    first, created_first = source_enable(platform=platform)
    Source.objects.filter(pk=first.pk).update(enabled=False)
    second, created_second = source_enable(platform=platform)
    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Source.objects.count() == 1
    assert Source.objects.get().enabled


@pytest.mark.django_db
def test_enabling_a_mastodon_server_twice_keeps_one_row_even_with_a_trailing_slash():
    first, _ = source_enable(platform="mastodon", base_url="https://mastodon.social")
    second, created = source_enable(platform="mastodon", base_url=" https://mastodon.social/ ")
    assert not created
    assert second.pk == first.pk
    assert Source.objects.get().base_url == "https://mastodon.social"


@pytest.mark.django_db
def test_each_mastodon_server_is_its_own_source():
    source_enable(platform="mastodon", base_url="https://mastodon.social")
    source_enable(platform="mastodon", base_url="https://mstdn.science")
    assert Source.objects.filter(platform="mastodon").count() == 2


@pytest.mark.django_db
def test_enabling_again_sets_a_new_poll_interval():
    source_enable(platform="demo")
    source, _ = source_enable(platform="demo", poll_interval=120)
    assert Source.objects.get().poll_interval == 120 == source.poll_interval


@pytest.mark.django_db
def test_the_admin_refuses_a_mastodon_source_without_https(admin_client_):
    response = admin_client_.post(
        "/admin/hashtags/source/add/",
        {"platform": "mastodon", "base_url": "http://mastodon.social", "poll_interval": 60},
    )
    assert response.status_code == 200
    assert escape("Use the server's https:// address.") in response.content.decode()
    assert not Source.objects.exists()

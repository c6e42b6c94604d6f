"""#IHeartHIT stories under hostile input: a clear field error or escaped storage, never a 500."""

from __future__ import annotations

import pytest

from campaigns.models import Story
from tests.support.factories import CampaignFactory
from tests.support.stories import EMAIL, TEXT, story_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(slug="nhit-week-2026", name="NHIT Week 2026", public=True)


def _approved_page(client, campaign) -> str:
    Story.objects.update(status=Story.Status.APPROVED)
    response = client.get(f"/c/{campaign.slug}/stories/")
    assert response.status_code == 200
    return response.content.decode()


def test_script_tags_are_stored_as_sent_and_shown_escaped(client, public_campaign):
    hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>"quoted"'
    response = story_post(client, public_campaign, name="<b>Mallory</b>", text=hostile)
    assert response.status_code == 302
    assert Story.objects.get().text == hostile
    page = _approved_page(client, public_campaign)
    assert "<script>alert(2)" not in page
    assert "<img src=x" not in page
    assert "<b>Mallory" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/story",
    ],
)
def test_a_link_that_is_not_http_is_refused_with_a_field_error(client, public_campaign, link):
    response = story_post(client, public_campaign, link=link)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_link_error"' in body
    assert "starts with http:// or https://" in body
    assert not Story.objects.exists()
    # The rest of what the visitor typed is still there.
    assert TEXT in body


def test_a_web_link_is_shown_with_nofollow_noopener_ugc(client, public_campaign):
    story_post(client, public_campaign, link="https://example.org/my-story?a=1&b=2")
    page = _approved_page(client, public_campaign)
    assert '<a href="https://example.org/my-story?a=1&amp;b=2" rel="nofollow noopener ugc"' in page


def test_a_link_without_a_scheme_becomes_https(client, public_campaign):
    story_post(client, public_campaign, link="example.org/story")
    assert Story.objects.get().link == "https://example.org/story"


def test_an_old_row_with_a_script_link_is_never_rendered_as_a_link(client, public_campaign):
    Story.objects.create(  # as if written before validation existed, bypassing it
        campaign=public_campaign,
        name="Old",
        role="other",
        email=EMAIL,
        text="Old story",
        link="javascript:alert(1)",
        consent=True,
        status=Story.Status.APPROVED,
    )
    page = client.get("/c/nhit-week-2026/stories/").content.decode()
    assert "Old story" in page
    assert "javascript:" not in page


def test_a_ten_thousand_character_story_gets_a_clear_length_error(client, public_campaign):
    response = story_post(client, public_campaign, text="x" * 10_000)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Keep your story to 5000 characters (it has 10000)" in body
    assert 'aria-describedby="id_text_error id_text_helptext"' in body
    assert not Story.objects.exists()


def test_a_story_of_exactly_the_limit_is_stored(client, public_campaign):
    assert story_post(client, public_campaign, text="y" * 5000).status_code == 302
    assert len(Story.objects.get().text) == 5000


def test_long_name_and_link_get_length_errors(client, public_campaign):
    response = story_post(
        client, public_campaign, name="n" * 101, link="https://example.org/" + "a" * 500
    )
    body = response.content.decode()
    assert "Keep the name to 100 characters (it has 101)" in body
    assert "Keep the link to 500 characters" in body
    assert not Story.objects.exists()


def test_right_to_left_text_is_kept_and_isolated_on_the_page(client, public_campaign):
    name = "\u05d3\u05e0\u05d4 \u05db\u05d4\u05df"  # Hebrew
    text = "\u0627\u0644\u0633\u062c\u0644 \u0627\u0644\u0635\u062d\u064a HIT \u202etxet\u202c"
    assert story_post(client, public_campaign, name=name, text=text).status_code == 302
    story = Story.objects.get()
    assert (story.name, story.text) == (name, text)
    page = _approved_page(client, public_campaign)
    assert f'<bdi class="story-card__name">{name}</bdi>' in page
    assert '<div class="story-card__text" dir="auto">' in page
    assert text in page


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u200b \n"])
def test_a_name_of_only_invisible_characters_is_empty(client, public_campaign, name):
    response = story_post(client, public_campaign, name=name)
    assert response.status_code == 200
    assert "Please tell us the name to publish with your story." in response.content.decode()
    assert not Story.objects.exists()


def test_a_persian_name_keeps_its_zero_width_non_joiner(client, public_campaign):
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert story_post(client, public_campaign, name=name).status_code == 302
    assert Story.objects.get().name == name


def test_text_is_normalized_to_nfc(client, public_campaign):
    assert (
        story_post(client, public_campaign, name="Jose\u0301", text="cafe\u0301").status_code == 302
    )
    story = Story.objects.get()
    assert (story.name, story.text) == ("Jos\u00e9", "caf\u00e9")


def test_nul_bytes_are_dropped_from_free_text(client, public_campaign):
    response = story_post(
        client, public_campaign, name="Da\x00na", text="Hello\x00 world\x07\r\nbye"
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.name, story.text) == ("Dana", "Hello world\nbye")


def test_nul_bytes_in_the_email_or_link_are_a_field_error(client, public_campaign):
    response = story_post(
        client, public_campaign, email="a\x00b@example.org", link="https://e\x00.org"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The e-mail address contains an invisible character" in body
    assert "The link contains an invisible character" in body
    assert not Story.objects.exists()


def test_a_story_of_only_whitespace_is_missing(client, public_campaign):
    response = story_post(client, public_campaign, text=" \n\t\u200b ")
    assert "Please write your story." in response.content.decode()
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role", "astronaut", "Choose one of the roles listed."),
        ("role", None, "Choose the role that fits you best"),
        ("email", "not-an-address", "That does not look like an e-mail address"),
        ("consent", None, "We can only publish a story with your consent"),
    ],
)
def test_each_field_says_what_is_wrong(client, public_campaign, field, value, message):
    response = story_post(client, public_campaign, **{field: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}_error"' in body
    assert not Story.objects.exists()

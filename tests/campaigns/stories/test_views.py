"""#IHeartHIT stories: who opens what, review, spam traps, rate limit, Redis down, CSV, admin."""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, timedelta

import pytest
from django.core import signing
from django.test import override_settings

from campaigns.curation.services import story_review
from campaigns.models import Story
from campaigns.stories.forms import SIGNING_SALT
from campaigns.stories.services import EXPORT_COLUMNS, story_client_key
from tests.support.factories import CampaignFactory
from tests.support.matrix import USER_FIXTURES, matrix_parse
from tests.support.stories import EMAIL, TEXT, started, story_data, story_make, story_post

pytestmark = pytest.mark.django_db

# 200: opens. 403: refused. login: redirected to /login/?next=. 405: wrong method.
EXPECTED = """
page                 organizer  curator  admin  outsider  anonymous
public-form          200        200      200    200       200
public-thanks        200        200      200    200       200
public-list          200        200      200    200       200
public-csv           200        403      200    403       login
public-review        403        302      302    403       login
public-approve       403        302      302    403       login
private-form         200        200      200    403       login
private-thanks       200        200      200    403       login
private-list         200        200      200    403       login
private-csv          200        403      200    403       login
private-review       403        302      302    403       login
private-approve      403        302      302    403       login
private-approve-get  405        405      405    405       login
"""
WHO, MATRIX = matrix_parse(EXPECTED)


@pytest.fixture
def public_campaign(db):
    return CampaignFactory(slug="nhit-week-2026", name="NHIT Week 2026", public=True)


@pytest.fixture
def pages(db) -> dict[str, tuple[str, str]]:
    pages = {}
    for kind, public in (("public", True), ("private", False)):
        campaign = CampaignFactory(slug=f"{kind}-one", public=public)
        story = story_make(campaign)
        base = f"/c/{campaign.slug}"
        pages[f"{kind}-form"] = ("get", f"{base}/stories/new/")
        pages[f"{kind}-thanks"] = ("get", f"{base}/stories/thanks/")
        pages[f"{kind}-list"] = ("get", f"{base}/stories/")
        pages[f"{kind}-csv"] = ("get", f"{base}/stories.csv")
        pages[f"{kind}-review"] = ("get", f"{base}/stories/review/")
        pages[f"{kind}-approve"] = ("post", f"{base}/stories/{story.pk}/review/")
        pages[f"{kind}-approve-get"] = ("get", f"{base}/stories/{story.pk}/review/")
    return pages


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_story_role_matrix(client, request, pages, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    method, url = pages[page]
    response = getattr(client, method)(url, {"status": "approved"} if method == "post" else None)
    expected = MATRIX[page][who]
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/login/?next="), response["Location"]
    else:
        assert response.status_code == int(expected)


def test_a_missing_campaign_has_no_story_pages(client, organizer):
    assert client.get("/c/nowhere/stories/new/").status_code == 404
    assert client.get("/c/nowhere/stories/").status_code == 404
    client.force_login(organizer)
    assert client.get("/c/nowhere/stories.csv").status_code == 404


def test_the_form_carries_a_csrf_token_and_refuses_a_post_without_one(public_campaign):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    page = strict.get("/c/nhit-week-2026/stories/new/")
    assert b'name="csrfmiddlewaretoken"' in page.content
    response = strict.post("/c/nhit-week-2026/stories/new/", story_data())
    assert response.status_code == 403
    assert not Story.objects.exists()


# --- A genuine story -----------------------------------------------------------------------------


def test_a_story_is_stored_as_new_with_a_hashed_address_and_thanked(client, public_campaign):
    response = story_post(client, public_campaign)
    assert response.status_code == 302
    assert response["Location"] == "/c/nhit-week-2026/stories/thanks/"
    story = Story.objects.get()
    assert story.status == Story.Status.NEW
    assert story.email == EMAIL
    assert story.role == "clinician"
    assert story.client_hash == story_client_key(address="203.0.113.7")
    assert "203.0.113.7" not in story.client_hash
    # Not public until a curator approves it.
    assert "Dana Reyes" not in client.get("/c/nhit-week-2026/stories/").content.decode()


def test_a_curator_approves_a_story_and_it_appears_without_the_email(
    client, curator, public_campaign
):
    story = story_make(public_campaign, text="Telehealth kept my father at home.")
    client.force_login(curator)
    review = client.get("/c/nhit-week-2026/stories/review/", follow=True)
    # The review address leads to the one review screen: the curator queue, on new stories.
    assert review.redirect_chain == [("/c/nhit-week-2026/curate/?kind=stories&status=new", 302)]
    assert "Telehealth kept my father at home." in review.content.decode()
    assert EMAIL not in review.content.decode()
    response = client.post(
        f"/c/nhit-week-2026/stories/{story.pk}/review/", {"status": "approved"}, follow=True
    )
    assert "is now Approved" in response.content.decode()
    story.refresh_from_db()
    assert story.reviewed_by == curator
    assert story.reviewed_at is not None
    client.logout()
    public = client.get("/c/nhit-week-2026/stories/").content.decode()
    assert "Telehealth kept my father at home." in public
    assert EMAIL not in public


def test_a_hidden_story_leaves_the_public_page(client, curator, public_campaign):
    story = story_make(public_campaign, status=Story.Status.APPROVED, text="Soon hidden.")
    assert "Soon hidden." in client.get("/c/nhit-week-2026/stories/").content.decode()
    story_review(story=story, status=Story.Status.HIDDEN, by=curator)
    assert "Soon hidden." not in client.get("/c/nhit-week-2026/stories/").content.decode()


def test_an_unknown_review_status_is_a_400_and_changes_nothing(client, curator, public_campaign):
    story = story_make(public_campaign)
    client.force_login(curator)
    response = client.post(f"/c/nhit-week-2026/stories/{story.pk}/review/", {"status": "gone"})
    assert response.status_code == 400
    story.refresh_from_db()
    assert story.status == Story.Status.NEW


def test_a_story_of_another_campaign_cannot_be_reviewed_through_this_one(
    client, curator, public_campaign
):
    other = story_make(CampaignFactory(slug="other"))
    client.force_login(curator)
    url = f"/c/nhit-week-2026/stories/{other.pk}/review/"
    assert client.post(url, {"status": "approved"}).status_code == 404


def test_the_public_page_takes_a_fixed_number_of_queries(
    client, public_campaign, django_assert_max_num_queries
):
    for n in range(30):
        story_make(public_campaign, status=Story.Status.APPROVED, text=f"Story {n}")
    with django_assert_max_num_queries(6):
        response = client.get("/c/nhit-week-2026/stories/")
    assert response.content.decode().count('class="story-card"') == 20


# --- Spam traps ----------------------------------------------------------------------------------


def test_a_filled_honeypot_gets_the_thank_you_and_stores_nothing(client, public_campaign, caplog):
    with caplog.at_level(logging.INFO, logger="campaigns.stories.views"):
        response = story_post(client, public_campaign, website="https://cheap-pills.example")
    assert response.status_code == 302
    assert response["Location"] == "/c/nhit-week-2026/stories/thanks/"
    assert not Story.objects.exists()
    assert "honeypot" in caplog.text


def test_the_honeypot_is_hidden_and_labelled_leave_empty(client, public_campaign):
    body = client.get("/c/nhit-week-2026/stories/new/").content.decode()
    assert '<div class="story-field story-trap">' in body
    assert "Leave this field empty" in body


def test_a_form_sent_too_fast_comes_back_with_its_text_to_send_again(
    client, public_campaign, settings, caplog
):
    with caplog.at_level(logging.INFO, logger="campaigns.stories.views"):
        response = story_post(client, public_campaign, started=started(seconds_ago=0.5))
    # Not thanked and not stored: the form again, with what was typed and a plain reason.
    assert response.status_code == 200
    body = response.content.decode()
    assert "we have not taken your story yet" in body
    assert "Thank you" not in body
    assert TEXT in body and 'value="Dana Reyes"' in body and EMAIL in body
    assert not Story.objects.exists()
    assert "too fast" in caplog.text
    # A fresh start comes back: sent again at once, it is too fast again (a bot must wait out
    # every form it opens); sent again once the minimum has passed, it is stored and thanked.
    fresh = _token_in(body)
    assert fresh != story_data()["started"]
    assert story_post(client, public_campaign, started=fresh).status_code == 200
    settings.STORIES_MIN_FILL_SECONDS = 0
    again = story_post(client, public_campaign, started=fresh)
    assert again.status_code == 302
    assert again["Location"].endswith("/stories/thanks/")
    assert Story.objects.count() == 1


def test_a_filled_honeypot_sent_too_fast_still_gets_the_quiet_thank_you(client, public_campaign):
    response = story_post(
        client, public_campaign, started=started(seconds_ago=0.5), website="https://spam.example"
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/stories/thanks/")
    assert not Story.objects.exists()


@override_settings(STORIES_MIN_FILL_SECONDS=0)
def test_the_minimum_fill_time_is_a_setting(client, public_campaign):
    assert story_post(client, public_campaign, started=started(seconds_ago=0)).status_code == 302
    assert Story.objects.count() == 1


@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "tampered"])
def test_a_missing_or_forged_start_asks_again_and_keeps_the_text(client, public_campaign, kind):
    token = {"missing": None, "empty": "", "garbage": "forged:token"}.get(kind)
    if kind == "tampered":
        token = started()[:-3] + "abc"
    response = story_post(client, public_campaign, started=token)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please check it and send it again." in body
    assert TEXT in body
    assert not Story.objects.exists()
    # A fresh, valid start comes back, so the visitor's second try is accepted.
    token = body.split('name="started" value="')[1].split('"')[0]
    signing.loads(token, salt=SIGNING_SALT)


def _token_in(body: str) -> str:
    return body.split('name="started" value="')[1].split('"')[0]


def test_one_post_replayed_eight_times_stores_one_story(client, public_campaign):
    data = story_data()
    url = f"/c/{public_campaign.slug}/stories/new/"
    first = client.post(url, data, REMOTE_ADDR="203.0.113.7")
    assert first.status_code == 302
    replays = [client.post(url, data, REMOTE_ADDR="203.0.113.7") for _ in range(7)]
    assert {r.status_code for r in replays} == {409}
    assert "This form was already sent" in replays[0].content.decode()
    assert Story.objects.count() == 1


@override_settings(STORIES_MIN_FILL_SECONDS=0)
def test_a_used_form_comes_back_fresh_so_another_story_can_be_sent(client, public_campaign):
    data = story_data()
    url = f"/c/{public_campaign.slug}/stories/new/"
    assert client.post(url, data).status_code == 302
    refused = client.post(url, data | {"text": "A second, different story."})
    assert refused.status_code == 409
    fresh = _token_in(refused.content.decode())
    assert fresh != data["started"]
    again = client.post(url, data | {"text": "A second, different story.", "started": fresh})
    assert again.status_code == 302
    assert Story.objects.count() == 2


@override_settings(STORIES_FORM_MAX_AGE_SECONDS=7200)
def test_a_form_open_for_more_than_its_maximum_age_is_refused_and_kept(client, public_campaign):
    response = story_post(client, public_campaign, started=started(seconds_ago=7201))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This form was open for more than 2 hours" in body
    assert TEXT in body
    assert not Story.objects.exists()
    assert story_post(client, public_campaign, started=started(seconds_ago=7100)).status_code == 302


def test_the_same_story_sent_again_from_a_new_form_is_refused_as_a_duplicate(
    client, public_campaign
):
    assert story_post(client, public_campaign).status_code == 302
    again = story_post(client, public_campaign, email=EMAIL.upper())
    assert again.status_code == 409
    assert "We already have this story from you" in again.content.decode()
    assert Story.objects.count() == 1
    assert story_post(client, public_campaign, text="Another story.").status_code == 302


@override_settings(STORIES_DUPLICATE_WINDOW_SECONDS=60)
def test_the_same_story_is_taken_again_after_the_duplicate_window(client, public_campaign):
    old = story_make(public_campaign, text=TEXT)
    Story.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(seconds=61))
    assert story_post(client, public_campaign).status_code == 302


# --- Rate limit and the cache --------------------------------------------------------------------


def test_the_sixth_story_in_an_hour_is_refused_politely_and_kept_in_the_form(
    client, public_campaign
):
    for n in range(5):
        assert story_post(client, public_campaign, text=f"Story {n}").status_code == 302
    response = story_post(client, public_campaign, text="The sixth story, still here.")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    body = response.content.decode()
    assert "we paused the form for you" in body
    assert "The sixth story, still here." in body
    assert Story.objects.count() == 5
    # Another client is not affected.
    assert story_post(client, public_campaign, address="198.51.100.9").status_code == 302


def test_ipv6_clients_are_counted_per_64(client, public_campaign):
    for n in range(5):
        address = f"2001:db8:1:2::{n + 1}"
        text = f"Story {n}"  # the same story twice would be refused as a duplicate
        assert story_post(client, public_campaign, address=address, text=text).status_code == 302
    assert story_post(client, public_campaign, address="2001:db8:1:2::99").status_code == 429
    assert story_post(client, public_campaign, address="2001:db8:1:3::1").status_code == 302


@override_settings(STORIES_RATE_LIMIT=1)
def test_invalid_forms_do_not_use_up_the_limit(client, public_campaign):
    assert story_post(client, public_campaign, text="x" * 6000).status_code == 200
    assert story_post(client, public_campaign).status_code == 302


def test_with_redis_down_the_story_is_refused_with_a_503_and_nothing_stored(
    client, public_campaign, caplog
):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    text = "A story I spent an hour on; please do not lose it."
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING):
        response = story_post(client, public_campaign, text=text)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert text in body
    assert "Please try again in a minute." in body
    assert 'value="Dana Reyes"' in body
    assert EMAIL in body  # the visitor's own address, back in their own form
    assert not Story.objects.exists()
    assert "cache is unreachable; story refused" in caplog.text  # the form-use check's, first
    # Once Redis is back the same form goes through.
    assert story_post(client, public_campaign, text=text).status_code == 302


# --- CSV export ----------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_streams_a_header_and_every_story_with_its_email(
    client, organizer, public_campaign
):
    story_make(public_campaign, status=Story.Status.APPROVED, text='First,\n"quoted" line')
    story_make(public_campaign, name="\u05d3\u05e0\u05d4", email="hidden@example.org")
    story_make(CampaignFactory(slug="other"), email="other-campaign@example.org")
    client.force_login(organizer)
    response = client.get("/c/nhit-week-2026/stories.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="nhit-week-2026-stories.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 3
    by_email = {row[5]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_email[EMAIL]["story"] == 'First,\n"quoted" line'
    assert by_email[EMAIL]["status"] == "approved"
    assert by_email["hidden@example.org"]["name"] == "\u05d3\u05e0\u05d4"
    assert by_email["hidden@example.org"]["role"] == "Clinician"


def test_the_csv_defuses_spreadsheet_formulas(client, organizer, public_campaign):
    story_make(public_campaign, name='=HYPERLINK("http://evil")', text="+1 and -2 @home")
    client.force_login(organizer)
    row = _csv(client.get("/c/nhit-week-2026/stories.csv"))[1]
    assert row[3] == '\'=HYPERLINK("http://evil")'
    assert row[6] == "'+1 and -2 @home"


def test_an_empty_campaign_exports_just_the_header(client, admin_user, public_campaign):
    client.force_login(admin_user)
    assert _csv(client.get("/c/nhit-week-2026/stories.csv")) == [EXPORT_COLUMNS]


# --- The admin -----------------------------------------------------------------------------------


def test_a_curator_changes_a_story_status_in_the_admin_without_seeing_the_email(
    client, curator, public_campaign
):
    story = story_make(public_campaign)
    client.force_login(curator)
    listing = client.get("/admin/campaigns/story/")
    assert listing.status_code == 200
    assert EMAIL not in listing.content.decode()
    change = client.get(f"/admin/campaigns/story/{story.pk}/change/")
    assert EMAIL not in change.content.decode()
    assert "e-mail" not in change.content.decode().lower()
    assert 'name="status"' in change.content.decode()
    assert 'name="text"' not in change.content.decode()  # the visitor's words stay as sent
    response = client.post(f"/admin/campaigns/story/{story.pk}/change/", {"status": "approved"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.reviewed_by, story.email) == (
        Story.Status.APPROVED,
        curator,
        EMAIL,
    )


def test_a_curator_cannot_find_stories_by_email_in_the_admin(client, curator, public_campaign):
    story_make(public_campaign, name="Dana Reyes", email="dana@hospital.example")
    client.force_login(curator)
    found = client.get("/admin/campaigns/story/", {"q": "hospital.example"})
    assert found.status_code == 200
    assert found.context["cl"].result_count == 0
    assert client.get("/admin/campaigns/story/", {"q": "Dana"}).context["cl"].result_count == 1
    # Nor letter by letter through a lookup in the address.
    probe = client.get("/admin/campaigns/story/", {"email__startswith": "d"})
    assert probe.status_code == 400


def test_an_admin_sees_and_finds_the_email_in_the_admin(client, admin_user, public_campaign):
    story = story_make(public_campaign, email="dana@hospital.example")
    client.force_login(admin_user)
    change = client.get(f"/admin/campaigns/story/{story.pk}/change/")
    assert "dana@hospital.example" in change.content.decode()
    found = client.get("/admin/campaigns/story/", {"q": "hospital.example"})
    assert found.context["cl"].result_count == 1
    assert client.get("/admin/campaigns/story/", {"email__startswith": "d"}).status_code == 200


def test_the_admin_action_approves_stories(client, admin_user, public_campaign):
    stories = [story_make(public_campaign), story_make(public_campaign)]
    client.force_login(admin_user)
    client.post(
        "/admin/campaigns/story/",
        {"action": "approve", "_selected_action": [s.pk for s in stories]},
    )
    assert set(Story.objects.values_list("status", flat=True)) == {Story.Status.APPROVED}


def test_an_organizer_cannot_open_stories_in_the_admin(client, organizer, public_campaign):
    story = story_make(public_campaign)
    client.force_login(organizer)
    assert client.get(f"/admin/campaigns/story/{story.pk}/change/").status_code == 403


def test_the_csv_times_are_in_the_campaign_zone(client, organizer, public_campaign):
    """Every export is in the campaign's zone; the stories CSV was the one in UTC."""
    story = story_make(public_campaign)
    client.force_login(organizer)
    row = dict(
        zip(EXPORT_COLUMNS, _csv(client.get("/c/nhit-week-2026/stories.csv"))[1], strict=True)
    )
    when = datetime.fromisoformat(row["created_at"])
    assert when == story.created_at
    assert when.utcoffset() == story.created_at.astimezone(public_campaign.tz).utcoffset()
    assert public_campaign.timezone != "UTC" and when.utcoffset() != timedelta(0)

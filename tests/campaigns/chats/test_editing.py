"""Organizers create and edit chats in the site: typed in the campaign's zone, hosts and planned
questions as text, shown back the same way; every bad input is an error on its field and stores
nothing; only organizers and admins may; unknown campaigns and chats are 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from campaigns.chats.services import PlannedQuestion
from campaigns.models import Chat, ChatHost, ChatQuestion
from hashtags.models import Hashtag
from tests.support.chat_data import CHAT_START, chat_store
from tests.support.factories import CampaignFactory
from tests.support.matrix import USER_FIXTURES, matrix_parse

pytestmark = pytest.mark.django_db

NEW = "/c/nhit/chats/new/"


def edit_url(slug: str = "tuesday", campaign: str = "nhit") -> str:
    return f"/c/{campaign}/chats/{slug}/edit/"


def chat_url(slug: str = "tuesday", campaign: str = "nhit") -> str:
    """Where a saved chat leads: its transcript."""
    return f"/c/{campaign}/chats/{slug}/"


@pytest.fixture
def chat_campaign(db):
    return CampaignFactory(
        slug="nhit",
        timezone="America/New_York",
        start=CHAT_START - timedelta(days=1),
        end=CHAT_START + timedelta(days=4),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


@pytest.fixture
def stored_chat(chat_campaign):
    return chat_store(
        chat_campaign,
        title="Tuesday chat",
        questions=[
            PlannedQuestion(
                1, CHAT_START + timedelta(minutes=5), "What does health IT mean to you?"
            ),
            PlannedQuestion(2, None, "Anything to add?"),
        ],
        tail_minutes=45,
    )


@pytest.fixture
def as_organizer(client, organizer):
    client.force_login(organizer)
    return client


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "title": "Tuesday chat",
        "slug": "tuesday",
        "hashtag": "",
        "own_hashtag": "#NHITchat",
        "start": "2026-10-06T14:00",
        "end": "2026-10-06T15:00",
        "tail_minutes": "30",
        "hosts": "x:@HostX\nmastodon:Host@Mastodon.Social",
        "questions": "1|14:05|What does health IT mean to you?\n\n2|14:20|Where does it stall?",
    }
    return data | changes


def stored() -> tuple:
    """Every row a chat form could touch, to compare before and after a refused post."""
    return (
        list(
            Chat.objects.order_by("pk").values_list(
                "campaign_id",
                "slug",
                "title",
                "hashtag_id",
                "start",
                "end",
                "tail_minutes",
                "updated_at",
            )
        ),
        list(ChatHost.objects.order_by("pk").values_list("chat_id", "platform", "handle")),
        list(
            ChatQuestion.objects.order_by("pk").values_list(
                "chat_id", "number", "planned_at", "text"
            )
        ),
        list(Hashtag.objects.order_by("pk").values_list("name", flat=True)),
    )


def hosts_of(chat: Chat) -> set[tuple[str, str]]:
    return set(chat.hosts.values_list("platform", "handle"))


def questions_of(chat: Chat) -> list[tuple[int, datetime | None, str]]:
    return list(chat.questions.values_list("number", "planned_at", "text"))


# --- Creating and editing ------------------------------------------------------------------------


def test_an_organizer_creates_a_chat_typed_in_the_campaign_zone(as_organizer, chat_campaign):
    response = as_organizer.post(NEW, form_data())
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == chat_url()
    chat = Chat.objects.get()
    assert (chat.campaign, chat.slug, chat.title, chat.hashtag.name, chat.tail_minutes) == (
        chat_campaign,
        "tuesday",
        "Tuesday chat",
        "nhitchat",
        30,
    )
    assert (chat.start, chat.end) == (CHAT_START, CHAT_START + timedelta(hours=1))
    assert hosts_of(chat) == {("x", "hostx"), ("mastodon", "host@mastodon.social")}
    assert questions_of(chat) == [
        (1, CHAT_START + timedelta(minutes=5), "What does health IT mean to you?"),
        (2, CHAT_START + timedelta(minutes=20), "Where does it stall?"),
    ]
    page = as_organizer.get(response["Location"])
    assert [str(m) for m in get_messages(page.wsgi_request)] == ["Chat saved."]
    assert "Chat saved." in page.content.decode()


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [("2026-10-06", 18), ("2026-12-01", 19)],  # EDT (UTC-4), then EST (UTC-5)
    ids=["daylight-time", "standard-time"],
)
def test_a_time_typed_is_the_campaign_zones_wall_clock_across_dst(
    as_organizer, chat_campaign, day, utc_hour
):
    data = form_data(start=f"{day}T14:00", end=f"{day}T15:00", questions="1|14:30|Q")
    assert as_organizer.post(NEW, data).status_code == 302
    chat = Chat.objects.get()
    typed_day = datetime.fromisoformat(day).replace(tzinfo=UTC)
    assert chat.start == typed_day + timedelta(hours=utc_hour)
    assert chat.questions.get().planned_at == typed_day + timedelta(hours=utc_hour, minutes=30)
    page = as_organizer.get(edit_url()).content.decode()
    assert f'value="{day}T14:00"' in page  # shown back as typed, not in UTC


def test_the_edit_form_shows_the_stored_chat_in_the_campaign_zone(as_organizer, stored_chat):
    response = as_organizer.get(edit_url())
    assert response.status_code == 200
    form = response.context["form"]
    assert "slug" not in form.fields
    assert {name: form[name].value() for name in ("title", "hashtag", "own_hashtag")} == {
        "title": "Tuesday chat",
        "hashtag": "",
        "own_hashtag": "NHITchat",
    }
    assert form["start"].value() == datetime(2026, 10, 6, 14, 0)
    assert form["end"].value() == datetime(2026, 10, 6, 15, 0)
    assert form["tail_minutes"].value() == 45
    assert form["hosts"].value() == "mastodon:host@mastodon.social\nx:hostx"
    assert form["questions"].value() == (
        "1|14:05|What does health IT mean to you?\n2||Anything to add?"
    )
    page = response.content.decode()
    assert 'value="2026-10-06T14:00"' in page
    assert 'name="slug"' not in page and "<code>tuesday</code>" in page


def test_saving_the_edit_form_unchanged_keeps_the_chat_as_it_was(as_organizer, stored_chat):
    form = as_organizer.get(edit_url()).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["start"] = data["start"].strftime("%Y-%m-%dT%H:%M")
    data["end"] = data["end"].strftime("%Y-%m-%dT%H:%M")
    response = as_organizer.post(edit_url(), data)
    assert response.status_code == 302, response.context["form"].errors
    chat = Chat.objects.get()
    assert (chat.start, chat.end, chat.tail_minutes, chat.hashtag.name) == (
        CHAT_START,
        CHAT_START + timedelta(hours=1),
        45,
        "nhitchat",
    )
    assert hosts_of(chat) == {("x", "hostx"), ("mastodon", "host@mastodon.social")}
    assert questions_of(chat) == [
        (1, CHAT_START + timedelta(minutes=5), "What does health IT mean to you?"),
        (2, None, "Anything to add?"),
    ]


def test_editing_replaces_the_hosts_and_the_questions(as_organizer, stored_chat):
    data = form_data(
        slug="renamed",  # not a field of the edit form: the chat keeps its address
        title="Tuesday chat, moved",
        start="2026-10-06T16:00",
        end="2026-10-06T17:30",
        tail_minutes="10",
        hosts="bluesky:Host.BSKY.social",
        questions="3|16:10|Only this one",
    )
    response = as_organizer.post(edit_url(), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == chat_url()
    chat = Chat.objects.get()
    assert (chat.pk, chat.slug, chat.title, chat.tail_minutes) == (
        stored_chat.pk,
        "tuesday",
        "Tuesday chat, moved",
        10,
    )
    assert (chat.start, chat.end) == (
        CHAT_START + timedelta(hours=2),
        CHAT_START + timedelta(hours=3.5),
    )
    assert hosts_of(chat) == {("bluesky", "host.bsky.social")}
    assert questions_of(chat) == [(3, CHAT_START + timedelta(hours=2, minutes=10), "Only this one")]


def test_emptying_the_questions_removes_the_plan(as_organizer, stored_chat):
    response = as_organizer.post(edit_url(), form_data(questions=""))
    assert response.status_code == 302
    assert not ChatQuestion.objects.exists()


def test_a_campaign_hashtag_is_offered_and_kept_chosen(as_organizer, chat_campaign):
    page = as_organizer.get(NEW)
    choices = dict(page.context["form"].fields["hashtag"].choices)
    assert list(choices)[1:] == ["nhitweek", "hitworks", "ihearthit"]
    response = as_organizer.post(NEW, form_data(hashtag="hitworks", own_hashtag=""))
    assert response.status_code == 302
    chat = Chat.objects.get()
    assert chat.hashtag == Hashtag.objects.get(name="hitworks")
    form = as_organizer.get(edit_url()).context["form"]
    assert (form["hashtag"].value(), form["own_hashtag"].value()) == ("hitworks", "")


def test_the_same_slug_may_name_a_chat_of_another_campaign(as_organizer, stored_chat):
    CampaignFactory(slug="other")
    response = as_organizer.post("/c/other/chats/new/", form_data())
    assert response.status_code == 302
    assert Chat.objects.filter(slug="tuesday").count() == 2


# --- Bad input: an error on its field, nothing stored --------------------------------------------

BAD = [
    ("hosts", {"hosts": "myspace:tom"}, "Line 1: 'myspace' is not a platform"),
    (
        "hosts",
        {"hosts": "x:HostX\nmastodon:nohost"},
        "Line 2: 'nohost' is not a Mastodon account: it is user@server",
    ),
    ("hosts", {"hosts": "x:Host X"}, "Line 1: 'Host X' is not an X username"),
    ("hosts", {"hosts": "x:HostX\n\nHostY"}, "Line 3: expected PLATFORM:HANDLE"),
    ("hosts", {"hosts": ""}, "List at least one host"),
    ("hosts", {"hosts": "# nobody yet"}, "A chat needs at least one host."),
    ("end", {"end": "2026-10-06T13:00"}, "The end must be after the start."),
    ("end", {"end": "2026-10-06T14:00"}, "The end must be after the start."),
    ("start", {"start": "tomorrow"}, "Enter a valid date/time."),
    ("start", {"start": "1999-10-06T14:00"}, "Dates must fall between"),
    ("questions", {"questions": "1|14:05|a\n1|14:10|twice"}, "only once"),
    ("questions", {"questions": "1|14:05|a\n\nnot a question"}, "Line 3: expected N|HH:MM|text."),
    ("questions", {"questions": "1|14:05 what"}, "Line 1: expected N|HH:MM|text."),
    ("questions", {"questions": "1|25:00|late"}, "Line 1: 25:00 is not a time of day."),
    ("questions", {"questions": "0|14:00|zero"}, "Line 1: numbers start at 1."),
    ("own_hashtag", {"own_hashtag": "#no tag"}, "not a valid hashtag"),
    ("own_hashtag", {"own_hashtag": ""}, "Choose one of the campaign's hashtags"),
    ("own_hashtag", {"hashtag": "hitworks"}, "not both"),
    ("hashtag", {"hashtag": "elsewhere", "own_hashtag": ""}, "Select a valid choice."),
    ("tail_minutes", {"tail_minutes": "5000"}, "less than or equal to 1440"),
    ("tail_minutes", {"tail_minutes": "-1"}, "greater than or equal to 0"),
    ("title", {"title": ""}, "This field is required."),
    ("slug", {"slug": "not a slug"}, "Enter a valid “slug”"),
]
BAD_IDS = [f"{field}-{i}" for i, (field, _, _) in enumerate(BAD)]


def _refused(response, field: str, message: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    described = re.search(rf'<[^>]*id="id_{field}"[^>]*>', page)
    assert described and f"id_{field}_error" in described.group(0)
    assert "Nothing was saved." in page


@pytest.mark.parametrize(("field", "changes", "message"), BAD, ids=BAD_IDS)
def test_a_bad_new_chat_is_refused_on_its_field_and_stores_nothing(
    as_organizer, stored_chat, field, changes, message
):
    before = stored()
    _refused(as_organizer.post(NEW, form_data(**{"slug": "wednesday"} | changes)), field, message)
    assert stored() == before


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [case for case in BAD if case[0] != "slug"],
    ids=[i for i, case in zip(BAD_IDS, BAD, strict=True) if case[0] != "slug"],
)
def test_a_bad_edit_is_refused_on_its_field_and_leaves_the_chat_as_it_was(
    as_organizer, stored_chat, field, changes, message
):
    before = stored()
    _refused(as_organizer.post(edit_url(), form_data(**changes)), field, message)
    assert stored() == before


def test_every_bad_field_is_reported_at_once(as_organizer, chat_campaign):
    data = form_data(hosts="myspace:tom", end="2026-10-06T13:00", questions="Q1 at two")
    errors = as_organizer.post(NEW, data).context["form"].errors
    assert set(errors) == {"hosts", "end", "questions"}
    assert not Chat.objects.exists()


def test_a_slug_the_campaign_already_uses_is_refused_not_overwritten(as_organizer, stored_chat):
    before = stored()
    response = as_organizer.post(NEW, form_data(title="Another chat", hosts="x:someone"))
    _refused(response, "slug", "Another chat of this campaign already has this slug.")
    assert stored() == before


# --- Who may, and what is not there -------------------------------------------------------------

# 200: opens. 403: refused. login: redirected to /login/?next=.
EXPECTED = """
page        organizer  curator  admin  outsider  anonymous
new         200        403      200    403       login
edit        200        403      200    403       login
new-post    302        403      302    403       login
edit-post   302        403      302    403       login
"""
WHO, MATRIX = matrix_parse(EXPECTED)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_chat_form_role_matrix(client, request, stored_chat, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    url = NEW if page.startswith("new") else edit_url()
    before = stored()
    if page.endswith("post"):
        response = client.post(url, form_data(slug="wednesday", title="Changed"))
    else:
        response = client.get(url)
    expected = MATRIX[page][who]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    else:
        assert response.status_code == int(expected)
    if expected != "302":
        assert stored() == before


def test_an_unknown_campaign_or_chat_is_404(as_organizer, stored_chat):
    CampaignFactory(slug="other")
    assert as_organizer.get("/c/nowhere/chats/new/").status_code == 404
    assert as_organizer.post("/c/nowhere/chats/new/", form_data()).status_code == 404
    assert as_organizer.get(edit_url("nope")).status_code == 404
    assert as_organizer.get(edit_url(campaign="nowhere")).status_code == 404
    assert as_organizer.get(edit_url(campaign="other")).status_code == 404  # another's chat


def test_the_refusal_comes_before_the_lookup(client, curator):
    """A curator learns nothing about which campaigns exist: 403 either way."""
    client.force_login(curator)
    assert client.get("/c/nowhere/chats/new/").status_code == 403


def test_only_get_and_post(as_organizer, stored_chat):
    assert as_organizer.put(NEW).status_code == 405
    assert as_organizer.delete(edit_url()).status_code == 405


# --- The page ------------------------------------------------------------------------------------


def test_the_form_says_the_zone_and_the_formats(as_organizer, chat_campaign):
    page = as_organizer.get(NEW).content.decode()
    assert "Times in America/New_York" in page
    assert "x:HITchat" in page and "mastodon:host@mastodon.social" in page
    assert "1|14:05|What does health IT mean to you?" in page
    assert re.search(r'<label for="id_hosts">Hosts</label>', page)
    hosts = re.search(r'<textarea[^>]*id="id_hosts"[^>]*>', page)
    assert hosts and 'aria-describedby="id_hosts_helptext"' in hosts.group(0)
    assert 'type="datetime-local"' in page
    assert " style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_form_carries_a_csrf_token_and_refuses_a_post_without_one(organizer, chat_campaign):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(organizer)
    page = strict.get(NEW)
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert strict.post(NEW, form_data()).status_code == 403
    assert not Chat.objects.exists()
    token = strict.cookies["csrftoken"].value
    assert strict.post(NEW, form_data(csrfmiddlewaretoken=token)).status_code == 302


def test_the_admin_still_reads_its_dates_in_the_campaign_zone(as_organizer, stored_chat):
    """The admin and the site share one wall-clock conversion (campaigns.wallclock)."""
    page = as_organizer.get(f"/admin/campaigns/chat/{stored_chat.pk}/change/")
    form = page.context["adminform"].form
    assert form.initial["start"] == datetime(2026, 10, 6, 14, 0)


def test_a_slug_taken_at_the_same_moment_is_a_form_error(as_organizer, chat_campaign, monkeypatch):
    """Two organizers create the same slug at once: the one who saves second gets a message on
    the slug (the database's unique constraint), not an error page; the first chat is kept."""
    from campaigns.chats import services

    as_organizer.post(NEW, form_data())
    real = services.Chat.objects.select_for_update

    class Blind:  # the second request's look-up ran before the first one committed
        def filter(self, **kwargs):
            return real().none()

    monkeypatch.setattr(services.Chat.objects, "select_for_update", lambda: Blind())
    response = as_organizer.post(NEW, form_data(title="Second"))
    assert response.status_code == 200
    assert "got this slug at the same moment" in response.content.decode()
    assert list(Chat.objects.values_list("title", flat=True)) == ["Tuesday chat"]

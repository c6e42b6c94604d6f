"""The campaign admin: a new hashtag row gets its own colour and the next position, a hashtag
is typed on its row (made by the hashtag rules when the campaign is saved), the list shows the
dates in each campaign's zone, and the zone is chosen from a list."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

import pytest
from django.contrib.auth.models import Group

from campaigns.models import PALETTE, Campaign, CampaignHashtag
from campaigns.roles import ORGANIZER
from hashtags.models import Hashtag
from tests.support.admin_forms import PREFIX, campaign_change_data, hashtag_rows
from tests.support.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ADD = "/admin/campaigns/campaign/add/"
LIST = "/admin/campaigns/campaign/"


@pytest.fixture
def week(db) -> Campaign:
    return CampaignFactory(
        name="NHIT Week 2026",
        slug="nhit-week-2026",
        start=datetime(2026, 11, 30, tzinfo=NEW_YORK),
        end=datetime(2026, 12, 7, tzinfo=NEW_YORK),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


def _change(campaign: Campaign) -> str:
    return f"/admin/campaigns/campaign/{campaign.pk}/change/"


def _links(campaign: Campaign) -> list[tuple[str, int, str]]:
    return [
        (link.hashtag.display, link.position, link.color)
        for link in campaign.campaign_hashtags.select_related("hashtag").order_by("position")
    ]


def _new_row(page, index: int | str) -> dict[str, str]:
    form = page.context["inline_admin_formsets"][0].formset
    row = form.empty_form if index == "empty" else form.forms[index]
    return {name: str(row[name].value()) for name in ("position", "color")}


# --- A new row's colour and position ------------------------------------------------------------


def test_a_new_row_gets_the_next_position_and_a_colour_no_row_has(client, organizer, week):
    client.force_login(organizer)
    page = client.get(_change(week))
    assert page.status_code == 200
    assert _new_row(page, 3) == {"position": "3", "color": PALETTE[3]}
    assert _new_row(page, "empty") == {"position": "3", "color": PALETTE[3]}  # the JS template
    html = page.content.decode()
    assert f'type="color" name="{PREFIX}-3-color" value="{PALETTE[3]}"' in html
    assert f'type="color" name="{PREFIX}-0-color" value="{PALETTE[0]}"' in html


def test_the_first_row_of_a_new_campaign_starts_the_palette(client, organizer):
    client.force_login(organizer)
    page = client.get(ADD)
    assert _new_row(page, 0) == {"position": "0", "color": PALETTE[0]}


def test_past_the_palette_new_rows_still_get_colours_no_row_has(client, organizer, week):
    taken = [*PALETTE[3:], "#123456"]
    for n, colour in enumerate(taken):
        tag = Hashtag.objects.create(name=f"more{n}", display=f"More{n}")
        CampaignHashtag.objects.create(campaign=week, hashtag=tag, position=3 + n, color=colour)
    client.force_login(organizer)
    page = client.get(_change(week))
    row = _new_row(page, len(PALETTE) + 1)
    assert row["position"] == str(len(PALETTE) + 1)
    assert row["color"] not in {colour for _, _, colour in _links(week)}
    assert re.fullmatch(r"#[0-9a-f]{6}", row["color"])


# --- Typing a hashtag -------------------------------------------------------------------------


def test_a_hashtag_typed_on_a_new_row_is_created_by_the_hashtag_rules(client, organizer, week):
    client.force_login(organizer)
    row = {"tag": "\uff03HealthIT", "position": "3", "color": PALETTE[3]}  # a full-width #
    response = client.post(_change(week), campaign_change_data(week, new_rows=[row]))
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    hashtag = Hashtag.objects.get(name="healthit")
    assert hashtag.display == "HealthIT"
    assert _links(week)[-1] == ("HealthIT", 3, PALETTE[3])


def test_a_hashtag_typed_in_another_spelling_links_the_one_that_exists(client, organizer, week):
    existing = Hashtag.objects.create(name="healthit", display="HealthIT")
    client.force_login(organizer)
    row = {"tag": "healthIT", "position": "3", "color": "#ABCDEF"}
    response = client.post(_change(week), campaign_change_data(week, new_rows=[row]))
    assert response.status_code == 302
    assert Hashtag.objects.filter(name="healthit").count() == 1
    link = week.campaign_hashtags.get(hashtag=existing)
    assert link.color == "#abcdef"  # stored as the picker sends it


def test_a_row_can_change_its_hashtag(client, organizer, week):
    client.force_login(organizer)
    data = campaign_change_data(week)
    data[f"{PREFIX}-2-tag"] = "#HealthIT"
    assert client.post(_change(week), data).status_code == 302
    assert [tag for tag, _, _ in _links(week)] == ["NHITweek", "HITworks", "HealthIT"]


def _refused(client, campaign, rows) -> dict:
    before = (set(Hashtag.objects.values_list("name", flat=True)), _links(campaign))
    response = client.post(_change(campaign), campaign_change_data(campaign, new_rows=rows))
    assert response.status_code == 200
    assert (set(Hashtag.objects.values_list("name", flat=True)), _links(campaign)) == before
    formset = response.context["inline_admin_formsets"][0].formset
    return {i: form.errors for i, form in enumerate(formset.forms) if form.errors}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"tag": "bad-tag"}, "tag", "#bad-tag is not a valid hashtag"),
        ({"tag": "#"}, "tag", "A hashtag cannot be empty."),
        ({"tag": "#" + "a" * 101}, "tag", "at most 100 characters"),
        ({"tag": "#nhitWEEK"}, "tag", "#NHITweek is already on this campaign (tags ignore case)."),
        ({"tag": "#HealthIT", "color": "red"}, "color", "Use a colour like #1f6feb"),
        ({"tag": "#HealthIT", "color": PALETTE[0]}, "color", "#NHITweek has this colour already"),
    ],
    ids=["invalid", "empty", "too-long", "duplicate", "not-a-colour", "taken-colour"],
)
def test_a_bad_row_is_refused_with_a_message_and_nothing_is_stored(
    client, organizer, week, row, field, message
):
    client.force_login(organizer)
    errors = _refused(client, week, [{"position": "3", "color": PALETTE[3], **row}])
    assert list(errors) == [3]
    assert message in " ".join(errors[3][field])


def test_two_new_rows_with_one_hashtag_are_refused(client, organizer, week):
    client.force_login(organizer)
    rows = [
        {"tag": "#HealthIT", "position": "3", "color": PALETTE[3]},
        {"tag": "healthit", "position": "4", "color": PALETTE[4]},
    ]
    errors = _refused(client, week, rows)
    assert "#HealthIT is already on this campaign" in errors[4]["tag"][0]


def test_two_rows_cannot_trade_hashtags_in_one_save(client, organizer, week):
    client.force_login(organizer)
    data = campaign_change_data(week)
    data[f"{PREFIX}-0-tag"], data[f"{PREFIX}-1-tag"] = "#HITworks", "#NHITweek"
    response = client.post(_change(week), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "to reorder the hashtags, change their positions" in formset.forms[0].errors["tag"][0]
    assert [tag for tag, _, _ in _links(week)] == ["NHITweek", "HITworks", "IHeartHIT"]


def test_a_new_row_left_empty_is_ignored_whatever_colour_it_was_given(client, organizer, week):
    client.force_login(organizer)
    row = {"tag": "", "position": "9", "color": PALETTE[0]}
    response = client.post(_change(week), campaign_change_data(week, new_rows=[row]))
    assert response.status_code == 302
    assert len(_links(week)) == 3


def test_a_new_campaign_is_saved_with_its_typed_hashtags(client, organizer):
    client.force_login(organizer)
    data = {
        "name": "Health IT Week",
        "slug": "health-it-week",
        "description": "",
        "start_0": "2027-10-04",
        "start_1": "00:00:00",
        "end_0": "2027-10-09",
        "end_1": "00:00:00",
        "timezone": "America/Chicago",
        "series": "",
        "edition": "",
    } | hashtag_rows(
        [
            {"tag": "#HealthIT", "position": "0", "color": PALETTE[0]},
            {"tag": "#NHITweek", "position": "1", "color": PALETTE[1]},
        ]
    )
    assert client.post(ADD, data).status_code == 302
    campaign = Campaign.objects.get(slug="health-it-week")
    assert _links(campaign) == [("HealthIT", 0, PALETTE[0]), ("NHITweek", 1, PALETTE[1])]


def test_only_those_who_may_add_hashtags_type_a_new_one(client, week):
    group = Group.objects.create(name="Campaign editors (no new hashtags)")
    group.permissions.set(
        Group.objects.get(name=ORGANIZER).permissions.exclude(codename="add_hashtag")
    )
    user = UserFactory(username="editor", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    errors = _refused(client, week, [{"tag": "#Brandnew", "position": "3", "color": PALETTE[3]}])
    assert "You may not create hashtags" in errors[3]["tag"][0]
    Hashtag.objects.create(name="healthit", display="HealthIT")
    row = {"tag": "#HealthIT", "position": "3", "color": PALETTE[3]}
    assert client.post(_change(week), campaign_change_data(week, new_rows=[row])).status_code == 302


# --- The list in each campaign's zone, the zone from a list ------------------------------------


def test_the_list_shows_start_and_end_in_each_campaigns_zone(client, organizer, week):
    CampaignFactory(
        name="Digital Health Week",
        slug="dhw",
        start=datetime(2026, 11, 30, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
        end=datetime(2026, 12, 4, 18, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
        timezone="Asia/Kolkata",
    )
    client.force_login(organizer)
    html = client.get(LIST).content.decode()
    assert "2026-11-30 00:00 (America/New_York)" in html
    assert "2026-12-07 00:00 (America/New_York)" in html
    assert "2026-11-30 09:00 (Asia/Kolkata)" in html
    assert "2026-12-04 18:30 (Asia/Kolkata)" in html
    assert "5 a.m." not in html  # the UTC reading of New York's midnight
    # Still sorted by the instants.
    assert client.get(LIST, {"o": "3"}).status_code == 200


def test_the_time_zone_is_chosen_from_every_zone_a_campaign_may_take(client, organizer, week):
    client.force_login(organizer)
    html = client.get(_change(week)).content.decode()
    select = re.search(r'<select name="timezone".*?</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]+)"', select[0])
    assert set(options) == zoneinfo.available_timezones()
    assert '<option value="America/New_York" selected>' in select[0]
    assert "data-searchable" in select[0]


def test_a_zone_typed_past_the_list_is_refused(client, organizer, week):
    client.force_login(organizer)
    data = campaign_change_data(week) | {"timezone": "Mars/Olympus_Mons"}
    response = client.post(_change(week), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["timezone"]
    assert "is not a time zone; use an IANA name such as America/New_York." in errors[0]
    week.refresh_from_db()
    assert week.timezone == "America/New_York"


def test_a_stored_zone_the_list_no_longer_holds_stays_shown_and_is_not_swapped(
    client, organizer, week
):
    Campaign.objects.filter(pk=week.pk).update(timezone="US/Pacific-New")  # gone from tzdata
    client.force_login(organizer)
    html = client.get(_change(week)).content.decode()
    assert '<option value="US/Pacific-New" selected>US/Pacific-New (not a known time zone)' in html
    # Saving it as it stands asks for a zone from the list; the list still opens.
    data = campaign_change_data(week) | {"timezone": "US/Pacific-New"}
    response = client.post(_change(week), data)
    assert response.status_code == 200
    assert "is not a time zone" in response.context["adminform"].form.errors["timezone"][0]
    listed = client.get(LIST).content.decode()
    assert "(UTC)" in listed


def test_a_page_that_shows_the_dates_read_only_shows_them_in_the_campaigns_zone(
    client, curator, week
):
    client.force_login(curator)  # may look at campaigns, not change them
    html = client.get(_change(week)).content.decode()
    assert "2026-11-30 00:00 (America/New_York)" in html
    assert "2026-12-07 00:00 (America/New_York)" in html
    assert "5 a.m." not in html
    cells = re.findall(r'<td class="field-tag">\s*<p>([^<]*)</p>', html)
    assert cells == ["#NHITweek", "#HITworks", "#IHeartHIT"]

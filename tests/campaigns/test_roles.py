"""Who may open what: the role matrix over admin and site pages, and roles_sync itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from campaigns.models import Campaign
from campaigns.roles import ADMIN, CURATOR, ORGANIZER, ROLE_PERMISSIONS, roles_sync
from campaigns.services import user_role_set
from tests.support.admin_forms import campaign_change_data
from tests.support.factories import CampaignFactory, SourceFactory, UserFactory
from tests.support.matrix import USER_FIXTURES, matrix_parse

pytestmark = pytest.mark.django_db

# 200: the page opens. 403: refused. login: redirected to the (admin or site) login page with
# ?next= this page. home: redirected to the campaign list. Nothing may ever answer 500.
EXPECTED = """
page                     organizer  curator  admin  outsider  anonymous
admin-index              200        200      200    login     login
campaign-changelist      200        200      200    login     login
campaign-add             200        403      200    login     login
campaign-change          200        200      200    login     login
hashtag-changelist       200        200      200    login     login
hashtag-add              200        403      200    login     login
source-changelist        200        403      200    login     login
source-add               403        403      200    login     login
source-change            200        403      200    login     login
series-changelist        200        200      200    login     login
user-changelist          403        403      200    login     login
group-changelist         403        403      200    login     login
periodictask-changelist  403        403      200    login     login
campaign-list            200        200      200    200       200
public-campaign          200        200      200    200       200
private-campaign         200        200      200    403       login
health                   200        200      200    200       200
login                    home       home     home   home      200
logout-post              home       home     home   home      home
"""

WHO, MATRIX = matrix_parse(EXPECTED)


@pytest.fixture
def pages(db) -> dict[str, tuple[str, str]]:
    """Each page of the matrix as (method, url), with the rows the pages need."""
    public = CampaignFactory(slug="public-one", public=True)
    private = CampaignFactory(slug="private-one", public=False)
    source = SourceFactory(platform="mastodon", base_url="https://mastodon.social")
    return {
        "admin-index": ("get", "/admin/"),
        "campaign-changelist": ("get", "/admin/campaigns/campaign/"),
        "campaign-add": ("get", "/admin/campaigns/campaign/add/"),
        "campaign-change": ("get", f"/admin/campaigns/campaign/{private.pk}/change/"),
        "hashtag-changelist": ("get", "/admin/hashtags/hashtag/"),
        "hashtag-add": ("get", "/admin/hashtags/hashtag/add/"),
        "source-changelist": ("get", "/admin/hashtags/source/"),
        "source-add": ("get", "/admin/hashtags/source/add/"),
        "source-change": ("get", f"/admin/hashtags/source/{source.pk}/change/"),
        "series-changelist": ("get", "/admin/campaigns/series/"),
        "user-changelist": ("get", "/admin/auth/user/"),
        "group-changelist": ("get", "/admin/auth/group/"),
        "periodictask-changelist": ("get", "/admin/django_celery_beat/periodictask/"),
        "campaign-list": ("get", "/"),
        "public-campaign": ("get", public.get_absolute_url()),
        "private-campaign": ("get", private.get_absolute_url()),
        "health": ("get", "/health/"),
        "login": ("get", "/login/"),
        "logout-post": ("post", "/logout/"),
    }


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_role_matrix(client, request, pages, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    method, url = pages[page]
    response = getattr(client, method)(url)
    expected = MATRIX[page][who]
    assert response.status_code != 500
    if expected == "login":
        login = "/admin/login/" if url.startswith("/admin/") else "/login/"
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(f"{login}?next="), response["Location"]
    elif expected == "home":
        assert response.status_code == 302, response.status_code
        assert response["Location"] == "/"
    else:
        assert response.status_code == int(expected)


def test_a_missing_campaign_is_404_for_everyone(client, organizer):
    assert client.get("/c/no-such-campaign/").status_code == 404
    client.force_login(organizer)
    assert client.get("/c/no-such-campaign/").status_code == 404


# --- Private campaigns on the site ---------------------------------------------------------------


@pytest.fixture
def two_campaigns(db) -> tuple[Campaign, Campaign]:
    return (
        CampaignFactory(name="Open Week", slug="open-week", public=True),
        CampaignFactory(name="Secret Week", slug="secret-week", public=False),
    )


def _listed(response) -> set[str]:
    return {c.name for group in response.context["groups"].values() for c in group}


@pytest.mark.parametrize("who", ["outsider", None])
def test_outsiders_and_visitors_do_not_see_private_campaigns_in_the_list(
    client, request, two_campaigns, who
):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    assert _listed(response) == {"Open Week"}
    assert "Secret Week" not in response.content.decode()


@pytest.mark.parametrize("who", ["organizer", "curator", "admin_user"])
def test_the_roles_see_private_campaigns_in_the_list(client, request, two_campaigns, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    assert _listed(response) == {"Open Week", "Secret Week"}
    assert "Secret Week" in response.content.decode()


def test_a_visitor_is_sent_to_log_in_for_a_private_campaign(client, two_campaigns):
    response = client.get("/c/secret-week/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/c/secret-week/"


def test_a_logged_in_outsider_is_refused_a_private_campaign(client, outsider, two_campaigns):
    client.force_login(outsider)
    response = client.get("/c/secret-week/")
    assert response.status_code == 403
    assert "Secret Week" not in response.content.decode()


# --- Campaign dates in the admin -----------------------------------------------------------------

NEW_START = datetime(2026, 9, 13, 12, 0, tzinfo=UTC)


def _change_url(campaign: Campaign) -> str:
    return f"/admin/campaigns/campaign/{campaign.pk}/change/"


def _change_data(campaign: Campaign, *, start: datetime | None = None, name: str = "") -> dict:
    return campaign_change_data(campaign, start=start, name=name)


@pytest.fixture
def dated_campaign(db) -> Campaign:
    return CampaignFactory(
        start=datetime(2026, 9, 14, 4, 0, tzinfo=UTC), end=datetime(2026, 9, 19, 4, 0, tzinfo=UTC)
    )


@pytest.fixture
def organizer_without_dates(db):
    """An organizer whose group lacks change_campaign_dates, as an admin might configure."""
    group = Group.objects.create(name="Organizer (no dates)")
    group.permissions.set(
        Group.objects.get(name=ORGANIZER).permissions.exclude(codename="change_campaign_dates")
    )
    user = UserFactory(username="nodates", is_staff=True)
    user.groups.add(group)
    return user


@pytest.mark.parametrize("who", ["admin_user", "organizer"])
def test_roles_with_the_dates_permission_change_the_start(client, request, dated_campaign, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        _change_url(dated_campaign), _change_data(dated_campaign, start=NEW_START)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    dated_campaign.refresh_from_db()
    assert dated_campaign.start == NEW_START


def test_a_curator_sees_a_campaign_but_cannot_change_it(client, curator, dated_campaign):
    client.force_login(curator)
    page = client.get(_change_url(dated_campaign))
    assert page.status_code == 200
    assert "start" not in page.context["adminform"].form.fields
    response = client.post(
        _change_url(dated_campaign), _change_data(dated_campaign, start=NEW_START, name="Mine")
    )
    assert response.status_code == 403
    dated_campaign.refresh_from_db()
    assert dated_campaign.start != NEW_START
    assert dated_campaign.name != "Mine"


def test_an_organizer_without_the_dates_permission_sees_dates_read_only(
    client, organizer_without_dates, dated_campaign
):
    client.force_login(organizer_without_dates)
    page = client.get(_change_url(dated_campaign))
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert "name" in fields
    assert not {"start", "end", "timezone"} & set(fields)
    assert "2026-09-14 00:00 (America/New_York)" in page.content.decode()  # as the form types it
    response = client.post(
        _change_url(dated_campaign), _change_data(dated_campaign, start=NEW_START, name="Renamed")
    )
    assert response.status_code == 302
    dated_campaign.refresh_from_db()
    assert dated_campaign.name == "Renamed"
    assert dated_campaign.start == datetime(2026, 9, 14, 4, 0, tzinfo=UTC)


def test_an_organizer_without_the_dates_permission_still_sets_dates_on_a_new_campaign(
    client, organizer_without_dates
):
    client.force_login(organizer_without_dates)
    page = client.get("/admin/campaigns/campaign/add/")
    assert page.status_code == 200
    assert "start" in page.context["adminform"].form.fields


def test_the_admin_refuses_an_end_before_the_start_with_a_message(
    client, admin_user, dated_campaign
):
    client.force_login(admin_user)
    data = _change_data(dated_campaign, start=dated_campaign.end + timedelta(days=1))
    response = client.post(_change_url(dated_campaign), data)
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()


# --- roles_sync ----------------------------------------------------------------------------------


def _snapshot() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_roles_sync_is_idempotent():
    before = _snapshot()
    roles_sync(global_apps)
    roles_sync(global_apps)
    assert _snapshot() == before
    assert Group.objects.filter(name__in=[ORGANIZER, CURATOR, ADMIN]).count() == 3


def test_the_admin_group_holds_every_permission():
    admin = Group.objects.get(name=ADMIN)
    assert admin.permissions.count() == Permission.objects.count()


def test_roles_sync_gives_the_admin_group_a_permission_added_later():
    from django.contrib.contenttypes.models import ContentType

    added = Permission.objects.create(
        name="Can export posts",
        codename="export_posts",
        content_type=ContentType.objects.get_for_model(Campaign),
    )
    roles_sync(global_apps)
    assert Group.objects.get(name=ADMIN).permissions.filter(pk=added.pk).exists()
    assert not Group.objects.get(name=ORGANIZER).permissions.filter(pk=added.pk).exists()


@pytest.mark.parametrize("role", [ORGANIZER, CURATOR])
def test_each_role_holds_exactly_its_listed_permissions(role):
    assert _snapshot()[role] == ROLE_PERMISSIONS[role]


def test_roles_sync_restores_a_permission_removed_by_hand():
    organizer = Group.objects.get(name=ORGANIZER)
    organizer.permissions.remove(Permission.objects.get(codename="change_campaign_dates"))
    roles_sync(global_apps)
    assert "campaigns.change_campaign_dates" in _snapshot()[ORGANIZER]


def test_giving_a_user_a_role_twice_leaves_one_role():
    user, created = user_role_set(username="rita", role=ORGANIZER, password="pw-one-two")
    again, created_again = user_role_set(username="rita", role=CURATOR)
    assert (created, created_again) == (True, False)
    assert again.pk == user.pk
    assert list(again.groups.values_list("name", flat=True)) == [CURATOR]
    assert again.is_staff
    assert again.check_password("pw-one-two")

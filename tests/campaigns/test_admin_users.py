"""Users by their roles in the admin: a roles column and filter, a role picker written by
user_roles_set instead of raw permissions, and superuser powers kept to superusers."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from campaigns.roles import ADMIN, CURATOR, ORGANIZER
from campaigns.services import user_roles_set
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/auth/user/"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _change(user) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def _roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _listed(html: str) -> dict[str, str]:
    """Each row's roles cell, by username."""
    rows = re.findall(r"<tr>(.*?)</tr>", html.split('id="result_list"', 1)[1], re.S)
    found = {}
    for row in rows:
        name = re.search(r'/change/[^"]*">([^<]+)</a>', row)
        cell = re.search(r'<td class="field-roles_shown">([^<]*)</td>', row)
        if name and cell:
            found[name[1]] = cell[1]
    return found


def _form_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": f"{user.date_joined:%Y-%m-%d}",
        "date_joined_1": f"{user.date_joined:%H:%M:%S}",
        "roles": sorted(_roles(user) & {ORGANIZER, CURATOR, ADMIN}),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", None)}


def _refused(client, user, roles: list[str]) -> str:
    """The roles field's errors when the form is posted with these roles."""
    response = client.post(_change(user), _form_data(user, roles=roles))
    assert response.status_code == 200
    return str(response.context["adminform"].form.errors["roles"])


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_each_users_roles(client, admin_user, organizer, curator, outsider, root):
    client.force_login(admin_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert _listed(response.content.decode()) == {
        "ada": "Admin",
        "olivia": "Organizer",
        "carlos": "Curator",
        "otto": "No role",
        "root": "superuser",
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ORGANIZER, {"olivia"}),
        (CURATOR, {"carlos"}),
        (ADMIN, {"ada", "root"}),  # a superuser holds Admin
        ("none", {"otto"}),
        ("Nobody<b>", {"ada", "olivia", "carlos", "otto", "root"}),
    ],
)
def test_the_list_filters_by_role(
    client, admin_user, organizer, curator, outsider, root, role, expected
):
    client.force_login(admin_user)
    response = client.get(LIST, {"role": role})
    assert response.status_code == 200
    assert set(_listed(response.content.decode())) == expected


# --- The role picker ---------------------------------------------------------------------------


def test_the_form_offers_the_three_roles_instead_of_raw_permissions(client, admin_user, organizer):
    client.force_login(admin_user)
    response = client.get(_change(organizer))
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    assert "roles" in fields
    assert not {"is_superuser", "groups", "user_permissions"} & set(fields)
    html = response.content.decode()
    assert "Can add log entry" not in html  # no raw permission listed
    checked = re.findall(r'<input type="checkbox" name="roles" value="(\w+)"[^>]*checked', html)
    assert checked == [ORGANIZER]
    for role in (ORGANIZER, CURATOR, ADMIN):
        assert f'value="{role}"' in html


def test_changing_a_role_goes_through_the_role_write_and_keeps_other_groups(
    client, admin_user, organizer
):
    press = Group.objects.create(name="Press office")
    organizer.groups.add(press)
    client.force_login(admin_user)
    response = client.post(_change(organizer), _form_data(organizer, roles=[CURATOR]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _roles(organizer) == {CURATOR, "Press office"}
    entry = LogEntry.objects.get(object_id=str(organizer.pk))
    assert entry.get_change_message().startswith("Changed Roles")  # the history says so


def test_a_role_makes_a_user_staff_and_no_role_takes_the_roles_away(
    client, admin_user, outsider, organizer
):
    client.force_login(admin_user)
    assert (
        client.post(_change(outsider), _form_data(outsider, roles=[ORGANIZER])).status_code == 302
    )
    outsider.refresh_from_db()
    assert outsider.is_staff and _roles(outsider) == {ORGANIZER}
    assert client.post(_change(organizer), _form_data(organizer, roles=[])).status_code == 302
    assert _roles(organizer) == set()


def test_an_unknown_role_is_refused_and_nothing_changes(client, admin_user, organizer):
    client.force_login(admin_user)
    assert "Overlord is not one of the available choices" in _refused(
        client, organizer, ["Overlord"]
    )
    assert _roles(organizer) == {ORGANIZER}


def test_a_role_holder_cannot_make_anyone_a_superuser(client, admin_user, organizer):
    client.force_login(admin_user)
    data = _form_data(organizer, is_superuser="on", user_permissions=["1", "2"])
    assert client.post(_change(organizer), data).status_code == 302
    organizer.refresh_from_db()
    assert not organizer.is_superuser
    assert not organizer.user_permissions.exists()


def test_an_admin_cannot_take_the_admin_role_from_themselves(client, admin_user):
    client.force_login(admin_user)
    refused = _refused(client, admin_user, [ORGANIZER])
    assert "cannot take the Admin role from your own account" in refused
    assert _roles(admin_user) == {ADMIN}


def test_only_a_superuser_changes_a_superusers_account(client, admin_user, root):
    client.force_login(admin_user)
    response = client.post(_change(root), _form_data(root, roles=[ORGANIZER], is_superuser=""))
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_superuser and _roles(root) == set()
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 403


def test_a_superuser_still_reaches_superuser_status_other_groups_and_raw_permissions(
    client, root, organizer
):
    press = Group.objects.create(name="Press office")
    client.force_login(root)
    response = client.get(_change(organizer))
    form = response.context["adminform"].form
    assert {"roles", "is_superuser", "groups", "user_permissions"} <= set(form.fields)
    assert set(form.fields["groups"].queryset) == {press}  # the roles are the picker's
    assert "collapse" in response.content.decode()
    data = _form_data(organizer, groups=[str(press.pk)], roles=[ORGANIZER, CURATOR])
    assert client.post(_change(organizer), data).status_code == 302
    assert _roles(organizer) == {ORGANIZER, CURATOR, "Press office"}
    data = _form_data(organizer, groups=[], roles=[ORGANIZER, CURATOR], is_superuser="on")
    assert client.post(_change(organizer), data).status_code == 302
    organizer.refresh_from_db()
    assert organizer.is_superuser
    assert _roles(organizer) == {ORGANIZER, CURATOR}


def test_a_new_user_gets_a_role_as_it_is_added(client, admin_user):
    client.force_login(admin_user)
    data = {
        "username": "nadia",
        "usable_password": "true",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        "roles": [CURATOR],
    }
    response = client.post("/admin/auth/user/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = type(admin_user).objects.get(username="nadia")
    assert user.is_staff and _roles(user) == {CURATOR}


# --- The role write ----------------------------------------------------------------------------


def test_user_roles_set_puts_a_user_in_exactly_these_roles(organizer):
    assert user_roles_set(user=organizer, roles={CURATOR, ADMIN})
    assert _roles(organizer) == {CURATOR, ADMIN}
    assert not user_roles_set(user=organizer, roles=[ADMIN, CURATOR])  # nothing to change
    with pytest.raises(ValidationError, match="Unknown role 'Boss'"):
        user_roles_set(user=organizer, roles={"Boss"})
    assert _roles(organizer) == {CURATOR, ADMIN}

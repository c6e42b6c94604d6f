"""The account-list admin: the lists and members changelists load with their filters and
search; a member's handles inline are normalized and kept once per list; a curator may look
but not add."""

from __future__ import annotations

import pytest

from campaigns.accounts.services import account_list_upsert, members_store
from campaigns.models import AccountList, Member, MemberHandle
from tests.support.accounts import SANDERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def senate(db) -> AccountList:
    senate, _ = account_list_upsert(slug="us-senate", name="US Senate", kind="policymakers")
    members_store(account_list=senate, people=[SANDERS])
    return senate


@pytest.mark.parametrize(
    "url",
    [
        "/admin/campaigns/accountlist/",
        "/admin/campaigns/accountlist/?kind__exact=policymakers&q=senate",
        "/admin/campaigns/accountlist/?committee__isempty=1",
        "/admin/campaigns/member/",
        "/admin/campaigns/member/?chamber__exact=senate&party=Independent&state=VT&former__exact=0",
        "/admin/campaigns/member/?q=sensanders",
        "/admin/campaigns/member/?account_list__kind__exact=policymakers",
    ],
)
def test_the_changelists_load_with_their_filters_and_search(client, organizer, senate, url):
    client.force_login(organizer)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        "Bernard Sanders" in response.content.decode() or "US Senate" in response.content.decode()
    )


def test_the_change_pages_load(client, organizer, senate):
    client.force_login(organizer)
    assert client.get(f"/admin/campaigns/accountlist/{senate.pk}/change/").status_code == 200
    member = Member.objects.get()
    page = client.get(f"/admin/campaigns/member/{member.pk}/change/")
    assert page.status_code == 200
    assert "sensanders" in page.content.decode()


def _member_data(account_list: AccountList, *handles: tuple[str, str]) -> dict[str, str]:
    data = {
        "account_list": str(account_list.pk),
        "name": "Jo Aide",
        "office": "Legislative assistant",
        "chamber": "",
        "state": "",
        "district": "",
        "party": "",
        "organization": "",
        "external_key": "",
        "former_since_0": "",
        "former_since_1": "",
        "handles-TOTAL_FORMS": str(len(handles)),
        "handles-INITIAL_FORMS": "0",
        "handles-MIN_NUM_FORMS": "0",
        "handles-MAX_NUM_FORMS": "1000",
    }
    for n, (platform, handle) in enumerate(handles):
        data |= {
            f"handles-{n}-platform": platform,
            f"handles-{n}-handle": handle,
            f"handles-{n}-display": "",
            f"handles-{n}-user_id": "",
        }
    return data


def test_an_organizer_adds_a_member_whose_handles_are_normalized_into_its_list(
    client, organizer, senate
):
    client.force_login(organizer)
    data = _member_data(senate, ("x", "https://x.com/JoAide"), ("mastodon", "@Jo@Mastodon.Social"))
    response = client.post("/admin/campaigns/member/add/", data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    rows = MemberHandle.objects.filter(member__name="Jo Aide")
    assert set(rows.values_list("account_list__slug", "platform", "handle", "display")) == {
        ("us-senate", "x", "joaide", "JoAide"),
        ("us-senate", "mastodon", "jo@mastodon.social", "Jo@Mastodon.Social"),
    }


@pytest.mark.parametrize(
    ("handles", "message"),
    [
        ([("x", "@SenSanders")], "This handle is on this list already."),
        ([("x", "JoAide"), ("x", "joaide")], "This handle is on this list already."),
        ([("x", "Jo Aide")], "is not an X username"),
    ],
    ids=["another-members", "twice", "not-a-handle"],
)
def test_a_handle_the_list_has_or_no_handle_at_all_is_refused(
    client, organizer, senate, handles, message
):
    client.force_login(organizer)
    response = client.post("/admin/campaigns/member/add/", _member_data(senate, *handles))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Member.objects.filter(name="Jo Aide").exists()


def test_a_member_cannot_be_given_a_handle_it_has_twice(client, organizer, senate):
    client.force_login(organizer)
    member = Member.objects.get()
    row = member.handles.get()
    data = _member_data(senate, ("x", "sensanders")) | {
        "name": member.name,
        "office": member.office,
        "external_key": member.external_key,
        "handles-TOTAL_FORMS": "2",
        "handles-INITIAL_FORMS": "1",
        "handles-0-id": str(row.pk),
        "handles-0-member": str(member.pk),
        "handles-0-platform": "x",
        "handles-0-handle": row.handle,
        "handles-0-display": row.display,
        "handles-0-user_id": row.user_id,
        "handles-1-member": str(member.pk),
        "handles-1-platform": "x",
        "handles-1-handle": "@SenSanders",
        "handles-1-display": "",
        "handles-1-user_id": "",
    }
    response = client.post(f"/admin/campaigns/member/{member.pk}/change/", data)
    assert response.status_code == 200
    assert "This handle is on this list already." in response.content.decode()
    assert member.handles.count() == 1


def test_a_curator_may_look_but_not_add(client, curator, senate):
    client.force_login(curator)
    assert client.get("/admin/campaigns/accountlist/").status_code == 200
    assert client.get("/admin/campaigns/accountlist/add/").status_code == 403
    assert client.get("/admin/campaigns/member/add/").status_code == 403

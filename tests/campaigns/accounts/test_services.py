"""members_store and account_list_upsert: a batch makes a list's members exactly so, twice is
no change, a refused batch stores nothing (or, for imports, only what is refused is left out),
handles are one account per list and move from former members, former is kept, never deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from campaigns.accounts.services import (
    HandleData,
    PersonData,
    account_list_save,
    account_list_upsert,
    members_store,
)
from campaigns.models import AccountList, Member, MemberHandle

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def staff(db) -> AccountList:
    account_list, _ = account_list_upsert(slug="hit-staff", name="HIT staff", kind="staff")
    return account_list


def person(name: str, *handles: str, office: str = "", key: str = "", **details) -> PersonData:
    """A person with handles written "platform:handle" (or "platform:handle#user_id")."""
    data = []
    for text in handles:
        platform, _, rest = text.partition(":")
        handle, _, user_id = rest.partition("#")
        data.append(HandleData(platform, handle, user_id))
    return PersonData(name=name, office=office, external_key=key, handles=tuple(data), **details)


def members(account_list: AccountList) -> dict[str, tuple]:
    """{name: (former, sorted handles)} of every member of the list."""
    return {
        m.name: (m.former, sorted((h.platform, h.handle, h.user_id) for h in m.handles.all()))
        for m in account_list.members.prefetch_related("handles")
    }


def snapshot() -> tuple:
    return (
        list(Member.objects.order_by("pk").values_list()),
        list(MemberHandle.objects.order_by("pk").values_list()),
    )


def test_a_batch_makes_the_members_with_their_handles_normalized(staff):
    result = members_store(
        account_list=staff,
        people=[
            person("Dana Lee", "x:@DanaLee", "mastodon:@Dana@Mastodon.Social", office="CEO"),
            person("Sam Ortiz", "bluesky:sam.bsky.social", "x:SamO#1234"),
        ],
    )
    assert (result.created, result.members, result.handles, result.handles_added) == (2, 2, 4, 4)
    assert members(staff) == {
        "Dana Lee": (False, [("mastodon", "dana@mastodon.social", ""), ("x", "danalee", "")]),
        "Sam Ortiz": (False, [("bluesky", "sam.bsky.social", ""), ("x", "samo", "1234")]),
    }
    x = MemberHandle.objects.get(handle="danalee")
    assert (x.display, x.account_list, x.shown) == ("DanaLee", staff, "@DanaLee")


def test_the_same_batch_twice_changes_nothing(staff):
    batch = [person("Dana Lee", "x:DanaLee", office="CEO"), person("Sam Ortiz")]
    members_store(account_list=staff, people=batch)
    before = snapshot()
    again = members_store(account_list=staff, people=batch, replace=True)
    assert (again.created, again.updated, again.unchanged, again.former) == (0, 0, 2, 0)
    assert (again.handles_added, again.handles_changed, again.handles_removed) == (0, 0, 0)
    assert snapshot() == before


def test_a_person_is_matched_by_name_and_office_and_a_renamed_handle_is_one_change(staff):
    members_store(account_list=staff, people=[person("Dana Lee", "x:DanaLee#77", office="CEO")])
    result = members_store(
        account_list=staff,
        people=[person("Dana Lee", "x:DanaLeeHIT", office="CEO", party="none")],
    )
    assert (result.updated, result.handles_changed, result.handles_added) == (1, 1, 0)
    assert members(staff) == {"Dana Lee": (False, [("x", "danaleehit", "")])}
    members_store(account_list=staff, people=[person("Dana Lee", "x:DanaLeeHIT#77", office="CEO")])
    kept = members_store(
        account_list=staff, people=[person("Dana Lee", "x:danaleehit", office="CEO")]
    )
    assert kept.handles_changed == 1  # only the display's case changed; the user id stays
    assert MemberHandle.objects.get().user_id == "77"


def test_replace_marks_the_missing_former_and_a_later_batch_brings_them_back(staff):
    members_store(account_list=staff, people=[person("Dana Lee", "x:DanaLee"), person("Sam")])
    result = members_store(account_list=staff, people=[person("Sam")], replace=True)
    assert result.former == 1
    dana = Member.objects.get(name="Dana Lee")
    assert dana.former and dana.former_since is not None
    assert members(staff)["Dana Lee"] == (True, [("x", "danalee", "")])  # kept, handles too
    back = members_store(account_list=staff, people=[person("Dana Lee", "x:DanaLee")])
    assert back.updated == 1
    dana.refresh_from_db()
    assert not dana.former and dana.former_since is None


def test_replace_by_a_keyed_batch_leaves_typed_members_alone_and_the_reverse(staff):
    members_store(
        account_list=staff,
        people=[person("Bernard Sanders", "x:SenSanders", key="S000033"), person("Dana Lee")],
    )
    members_store(account_list=staff, people=[], replace=True, keyed=True)
    assert {n: f for n, (f, _) in members(staff).items()} == {
        "Bernard Sanders": True,
        "Dana Lee": False,
    }
    members_store(account_list=staff, people=[person("Sam")], replace=True)
    assert {n: f for n, (f, _) in members(staff).items()} == {
        "Bernard Sanders": True,
        "Dana Lee": True,
        "Sam": False,
    }


def test_a_handle_moves_from_a_former_member_to_the_one_who_has_it_now(staff):
    members_store(account_list=staff, people=[person("Old Chair", "x:HITChair#5", key="A1")])
    members_store(
        account_list=staff, people=[person("New Chair", "x:HITChair#5", key="B2")], replace=True
    )
    assert members(staff) == {
        "New Chair": (False, [("x", "hitchair", "5")]),
        "Old Chair": (True, []),
    }


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ([person("")], "The name is empty."),
        ([person("Dana", "myspace:dana")], "'myspace' is not a platform"),
        ([person("Dana", "x:")], "The handle is empty."),
        ([person("Dana", "x:Dana Lee")], "'Dana Lee' is not an X username"),
        ([person("Dana", "x:dana#abc")], "'abc' is not an X user id"),
        ([person("Dana", "x:dana"), person("Sam", "x:@DANA")], "x:DANA is listed twice"),
        ([person("Dana", "x:dana#9"), person("Sam", "x:sam#9")], "x:sam is listed twice"),
        ([person("Dana"), person("Dana")], "Dana is listed twice"),
        ([person("Dana", chamber="lords")], "'lords' is not a chamber"),
        ([person("D" * 201)], "The name is longer than 200 characters."),
    ],
)
def test_a_bad_batch_is_refused_whole_with_what_is_wrong(staff, people, message):
    members_store(account_list=staff, people=[person("Kept", "x:kept")])
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        members_store(account_list=staff, people=[*people, person("New", "x:new")], replace=True)
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert snapshot() == before


def test_a_handle_another_current_member_keeps_is_refused_or_left_out_when_partial(staff):
    members_store(account_list=staff, people=[person("Dana Lee", "x:DanaLee")])
    batch = [PersonData("Sam", handles=(HandleData("x", "danalee", line=4),), line=4)]
    with pytest.raises(ValidationError) as caught:
        members_store(account_list=staff, people=batch)
    assert caught.value.messages == ["Line 4: x:danalee belongs to Dana Lee on this list already."]
    result = members_store(account_list=staff, people=batch, partial=True)
    assert result.refused == [(4, "x:danalee belongs to Dana Lee on this list already.")]
    assert members(staff) == {
        "Dana Lee": (False, [("x", "danalee", "")]),
        "Sam": (False, []),
    }


def test_the_same_handle_may_be_on_two_lists(staff):
    other, _ = account_list_upsert(slug="partners", name="Partners", kind="partners")
    for account_list in (staff, other):
        members_store(account_list=account_list, people=[person("Dana Lee", "x:DanaLee")])
    assert MemberHandle.objects.filter(handle="danalee").count() == 2


@pytest.mark.parametrize(
    ("slug", "new", "message"),
    [
        ("two words", False, "'two words' is not a slug"),
        ("new", False, "'new' names a page of the site"),
        ("hit-staff", True, "There is a list 'hit-staff' already."),
    ],
)
def test_a_list_with_a_bad_or_taken_slug_is_refused(staff, slug, new, message):
    with pytest.raises(ValidationError) as caught:
        account_list_upsert(slug=slug, name="Someone's list", new=new)
    assert message in caught.value.messages[0]


def test_a_list_unchanged_is_not_written_again(staff):
    stamp = staff.updated_at
    same, created = account_list_upsert(slug="hit-staff", name="HIT staff", kind="staff")
    assert not created and same.updated_at == stamp
    renamed, _ = account_list_upsert(slug="hit-staff", name="HIT team")
    assert (renamed.name, renamed.kind) == ("HIT team", "staff")  # kind left as it was


def test_the_site_form_saves_the_list_and_its_members_together_or_not_at_all(staff):
    with pytest.raises(ValidationError):
        account_list_save(
            slug="hit-staff",
            name="Renamed",
            kind="staff",
            description="",
            people=[person("Dana", "x:bad handle")],
        )
    staff.refresh_from_db()
    assert staff.name == "HIT staff"
    assert not Member.objects.exists()

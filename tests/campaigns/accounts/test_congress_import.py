"""The congress import: from the shipped congress-legislators files, exactly the counts the
files hold (read here straight from the YAML: members per chamber, X handles with their user
ids, Mastodon accounts, committees and their sizes); twice is no change; a newer copy marks
who left former, updates a changed handle and adds a newcomer; a broken copy stores nothing."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.accounts.congress import FILES, SHIPPED
from campaigns.accounts.imports import ImportRefused, congress_import
from campaigns.models import AccountList, Member, MemberHandle

pytestmark = pytest.mark.django_db

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(folder: Path, name: str):
    return yaml.load((folder / name).read_text(), Loader=Loader)  # noqa: S506 - a safe loader


def dump(folder: Path, name: str, data) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    (folder / name).write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True))


@cache
def expected(folder: Path = SHIPPED) -> dict:
    """What the files hold, counted straight from them."""
    legislators = load(folder, "legislators-current.yaml")
    social = load(folder, "legislators-social-media.yaml")
    committees = load(folder, "committees-current.yaml")
    membership = load(folder, "committee-membership-current.yaml")
    chambers = Counter(person["terms"][-1]["type"] for person in legislators)
    current = {person["id"]["bioguide"] for person in legislators}
    accounts = [s["social"] for s in social if s["id"]["bioguide"] in current]
    codes = [c["thomas_id"] for c in committees] + [
        c["thomas_id"] + s["thomas_id"] for c in committees for s in c.get("subcommittees", [])
    ]
    return {
        "senators": chambers["sen"],
        "representatives": chambers["rep"],
        "x": sum(1 for a in accounts if a.get("twitter")),
        "x_ids": sum(1 for a in accounts if a.get("twitter") and a.get("twitter_id")),
        "mastodon": sum(1 for a in accounts if a.get("mastodon")),
        "committees": len(codes),
        "sizes": {code.lower(): len(membership.get(code, [])) for code in codes},
    }


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    """The shipped files imported once for the module (each test's changes are rolled back);
    the first import's result."""
    with django_db_blocker.unblock():
        result = congress_import()
        yield result
        AccountList.objects.all().delete()


@pytest.fixture(scope="module")
def newer(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("congress-newer")
    newer_copy(folder)
    return folder


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_accounts", "--format", "congress-legislators", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def current(slug: str):
    return Member.objects.filter(account_list__slug=slug, former=False)


def handles_in(*slugs: str) -> Counter:
    rows = MemberHandle.objects.filter(account_list__slug__in=slugs, member__former=False)
    return Counter(rows.values_list("platform", flat=True))


def snapshot() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values_list())
        for model in (AccountList, Member, MemberHandle)
    )


def test_the_copy_ships_with_its_licence_and_source():
    for name in (
        "LICENSE",
        "SOURCE.md",
        "legislators-current.yaml",
        "legislators-social-media.yaml",
        "committees-current.yaml",
        "committee-membership-current.yaml",
    ):
        assert (SHIPPED / name).is_file(), name
    assert "CC0 1.0 Universal" in (SHIPPED / "LICENSE").read_text()
    assert "unitedstates/congress-legislators" in (SHIPPED / "SOURCE.md").read_text()


def test_the_shipped_files_give_exactly_the_counts_they_hold(shipped):
    files = expected()
    members = files["senators"] + files["representatives"]
    handles = files["x"] + files["mastodon"]
    assert shipped.summary() == (
        f"accounts: lists={2 + files['committees']} members={members} handles={handles} skipped=0"
    )
    assert shipped.problems == shipped.notes == []
    seats = sum(files["sizes"].values())
    assert shipped.lists_created == 2 + files["committees"]
    assert shipped.changes.created == members + seats
    assert current("us-senate").count() == files["senators"] == 100
    assert current("us-house").count() == files["representatives"]
    assert set(current("us-senate").values_list("chamber", flat=True)) == {"senate"}
    assert handles_in("us-senate", "us-house") == {"x": files["x"], "mastodon": files["mastodon"]}
    with_ids = MemberHandle.objects.filter(account_list__slug__in=["us-senate", "us-house"])
    assert with_ids.filter(platform="x").exclude(user_id="").count() == files["x_ids"]
    committees = AccountList.objects.exclude(committee="")
    assert committees.count() == files["committees"]
    sizes = {a.slug: a.members.count() for a in committees}
    assert sizes == files["sizes"]
    assert sizes["sshr"] == 23 and sizes["hsif14"] == 30


def test_the_lists_are_named_from_the_files_and_keep_each_person_once_per_list(shipped):
    sshr = AccountList.objects.get(slug="sshr")
    hsif14 = AccountList.objects.get(slug="hsif14")
    assert (sshr.name, sshr.committee, sshr.kind, sshr.parent) == (
        "Senate Committee on Health, Education, Labor, and Pensions",
        "SSHR",
        "policymakers",
        None,
    )
    assert (hsif14.name, hsif14.committee, hsif14.parent.slug) == (
        "House Energy and Commerce: Health",
        "HSIF14",
        "hsif",
    )
    assert AccountList.objects.get(slug="us-senate").source == "congress-legislators 2026-06-15"
    cantwell = Member.objects.get(account_list__slug="us-senate", external_key="C000127")
    assert (cantwell.name, cantwell.office, cantwell.state, cantwell.party) == (
        "Maria Cantwell",
        "Senator",
        "WA",
        "Democrat",
    )
    beyer = MemberHandle.objects.get(
        account_list__slug="us-house", platform="mastodon", handle="repdonbeyer@mas.to"
    )
    assert beyer.display == "RepDonBeyer@mas.to"
    young = MemberHandle.objects.get(account_list__slug="us-senate", handle="sentoddyoung")
    assert (young.display, young.user_id) == ("SenToddYoung", "234128524")
    boozman = Member.objects.get(account_list__slug="ssaf", external_key="B001236")
    assert (boozman.office, boozman.chamber, boozman.state) == ("Chairman", "senate", "AR")
    assert (
        boozman.handles.count()
        == Member.objects.get(
            account_list__slug="us-senate", external_key="B001236"
        ).handles.count()
    )


def test_importing_the_same_files_again_changes_nothing_and_says_the_contract_line(shipped):
    before = snapshot()
    out, err = command("shipped")
    assert out.splitlines() == [
        "changes: lists created=0; members created=0 updated=0 unchanged="
        f"{Member.objects.count()} former=0; handles added=0 changed=0 removed=0",
        shipped.summary(),
    ]
    assert err == ""
    assert snapshot() == before


def newer_copy(folder: Path) -> None:
    """The shipped files as a later copy might have them: Maria Cantwell (C000127) gone, Todd
    Young's X handle renamed, a new representative on HSIF14, a stray social entry."""
    for name in ("LICENSE", "SOURCE.md"):
        shutil.copy(SHIPPED / name, folder / name)
    legislators = [
        p for p in load(SHIPPED, "legislators-current.yaml") if p["id"]["bioguide"] != "C000127"
    ]
    legislators.append(
        {
            "id": {"bioguide": "Z000999"},
            "name": {"first": "Zoe", "last": "Newcomer"},
            "terms": [{"type": "rep", "state": "VA", "district": 11, "party": "Democrat"}],
        }
    )
    dump(folder, "legislators-current.yaml", legislators)
    social = [
        s
        for s in load(SHIPPED, "legislators-social-media.yaml")
        if s["id"]["bioguide"] != "C000127"
    ]
    for entry in social:
        if entry["id"]["bioguide"] == "Y000064":
            entry["social"]["twitter"] = "SenYoungIndiana"
    social.append({"id": {"bioguide": "Z000999"}, "social": {"twitter": "RepNewcomer"}})
    social.append({"id": {"bioguide": "X000001"}, "social": {"twitter": "Nobody"}})
    dump(folder, "legislators-social-media.yaml", social)
    membership = load(SHIPPED, "committee-membership-current.yaml")
    for code, seats in membership.items():
        membership[code] = [s for s in seats if s["bioguide"] != "C000127"]
    membership["HSIF14"].append(
        {"name": "Zoe Newcomer", "party": "minority", "rank": 99, "bioguide": "Z000999"}
    )
    dump(folder, "committee-membership-current.yaml", membership)
    shutil.copy(SHIPPED / "committees-current.yaml", folder / "committees-current.yaml")


def test_a_newer_copy_marks_who_left_former_updates_a_handle_and_adds_a_newcomer(shipped, newer):
    seats = Member.objects.filter(external_key="C000127").count()  # us-senate and committees
    young_seats = Member.objects.filter(external_key="Y000064").count()
    files = expected(newer)
    out, err = command(str(newer))
    assert out.splitlines() == [
        "changes: lists created=0; members created=2 updated=0 unchanged="
        f"{Member.objects.filter(former=False).count() - 2} former={seats}; handles added=2 "
        f"changed={young_seats} removed=0",
        f"accounts: lists={2 + files['committees']} members=537 handles=519 skipped=1",
    ]
    assert "legislators-social-media.yaml line" in err
    assert err.strip().endswith(
        "X000001 is not a current member in legislators-current.yaml. (skipped)"
    )
    cantwell = Member.objects.filter(external_key="C000127")
    assert cantwell.count() == seats
    assert all(m.former and m.former_since for m in cantwell)
    assert MemberHandle.objects.filter(member__in=cantwell).exists()  # kept, for past scorecards
    young = MemberHandle.objects.filter(member__external_key="Y000064", platform="x")
    assert set(young.values_list("handle", "display", "user_id")) == {
        ("senyoungindiana", "SenYoungIndiana", "234128524")
    }
    assert young.count() == young_seats
    zoe = Member.objects.filter(external_key="Z000999")
    assert sorted(zoe.values_list("account_list__slug", "name", "district")) == [
        ("hsif14", "Zoe Newcomer", "11"),
        ("us-house", "Zoe Newcomer", "11"),
    ]
    assert current("hsif14").count() == files["sizes"]["hsif14"] == 31
    before = snapshot()
    command(str(newer))
    assert snapshot() == before


def test_a_committee_gone_from_the_files_has_its_members_marked_former(shipped, newer, tmp_path):
    for name in (*FILES, "SOURCE.md"):
        shutil.copy(newer / name, tmp_path / name)
    committees = load(tmp_path, "committees-current.yaml")
    dump(tmp_path, "committees-current.yaml", [c for c in committees if c["thomas_id"] != "SSHR"])
    membership = load(tmp_path, "committee-membership-current.yaml")
    dump(
        tmp_path,
        "committee-membership-current.yaml",
        {k: v for k, v in membership.items() if not k.startswith("SSHR")},
    )
    sitting = current("sshr").count()
    _, err = command(str(tmp_path))
    assert (
        f"sshr: SSHR is no longer in committees-current.yaml: its {sitting} member(s) are "
        "marked former." in err
    )
    assert not current("sshr").exists()
    assert not current("sshr12").exists()
    assert Member.objects.filter(account_list__slug="sshr").count() == sitting


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("missing", "lacks committees-current.yaml"),
        ("not-yaml", "committees-current.yaml line 4: not YAML (did not find expected ','"),
        ("not-a-list", "committees-current.yaml: expected a list at the top"),
    ],
)
def test_a_broken_copy_stores_nothing(shipped, tmp_path, broken, message):
    before = snapshot()
    for name in (
        "legislators-current.yaml",
        "legislators-social-media.yaml",
        "committee-membership-current.yaml",
    ):
        shutil.copy(SHIPPED / name, tmp_path / name)
    target = tmp_path / "committees-current.yaml"
    if broken == "not-yaml":
        target.write_text("- type: house\n  name: A\n  thomas_id: [HSAG\n")
    elif broken == "not-a-list":
        target.write_text("type: house\n")
    with pytest.raises(ImportRefused) as caught:
        congress_import(folder=tmp_path)
    assert message in str(caught.value)
    with pytest.raises(CommandError) as said:
        command(str(tmp_path))
    assert "Nothing was stored." in str(said.value)
    assert snapshot() == before

"""The CSV import: bad rows (unknown platform, empty handle, duplicate handle, missing name, too
many values) are named by their line and skipped while the good rows are stored; a file that
cannot be read (a column missing from the header, not UTF-8) stores nothing at all; the same
file twice changes nothing; import_accounts prints the bad rows on stderr and the contract's
last line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigns.accounts.imports import ImportRefused, csv_import, csv_people, members_csv
from campaigns.models import AccountList, Member, MemberHandle

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

HEADER = "name,platform,handle,office,state,party,organization\n"
GOOD_AND_BAD = (
    HEADER
    + "Dana Lee,x,@DanaLee,CEO,VA,,HIT Now\n"  # line 2
    + "Dana Lee,mastodon,dana@mastodon.social,CEO,VA,,HIT Now\n"  # 3: Dana's second handle
    + "Sam Ortiz,myspace,sam,Policy lead,,,HIT Now\n"  # 4: unknown platform
    + "Sam Ortiz,bluesky,,Policy lead,,,HIT Now\n"  # 5: empty handle
    + "Sam Ortiz,bluesky,sam.bsky.social,Policy lead,,,HIT Now\n"  # 6
    + ",x,nobody,,,,\n"  # 7: missing name
    + "Ria Patel,x,danalee,Analyst,,,HIT Now\n"  # 8: Dana's handle again
    + "\n"  # 9: blank, not a row
    + 'Kim Wu,x,KimWu,"Director, Policy",MD,,"HIT Now, Inc."\n'  # 10: commas quoted
    + "Lou,x,lou,Intern,,,HIT Now,extra\n"  # 11: a value too many
)


def run(data: str | bytes, slug: str = "hit-staff", **options):
    payload = data.encode() if isinstance(data, str) else data
    return csv_import(data=payload, list_slug=slug, **options)


def handles() -> set[tuple[str, str, str]]:
    return set(MemberHandle.objects.values_list("member__name", "platform", "handle"))


def test_bad_rows_are_said_by_line_and_skipped_and_the_good_rows_stored():
    result = run(GOOD_AND_BAD, list_name="HIT staff", kind="staff")
    assert result.problems == [
        (4, "'myspace' is not a platform; use one of x, mastodon, bluesky."),
        (5, "The handle is empty."),
        (7, "The name is empty."),
        (8, "x:danalee is listed twice (for Dana Lee (CEO) on line 2)."),
        (11, "8 values where the header has 7 columns (a value holding a comma needs quotes)."),
    ]
    assert (result.lists, result.members, result.handles, result.skipped) == (1, 4, 4, 5)
    assert handles() == {
        ("Dana Lee", "x", "danalee"),
        ("Dana Lee", "mastodon", "dana@mastodon.social"),
        ("Sam Ortiz", "bluesky", "sam.bsky.social"),
        ("Kim Wu", "x", "kimwu"),
    }
    kim = Member.objects.get(name="Kim Wu")
    assert (kim.office, kim.state, kim.organization) == ("Director, Policy", "MD", "HIT Now, Inc.")
    ria = Member.objects.get(name="Ria Patel")  # her only handle was refused; she is listed
    assert not ria.handles.exists()
    account_list = AccountList.objects.get(slug="hit-staff")
    assert (account_list.name, account_list.kind, account_list.source) == (
        "HIT staff",
        "staff",
        "CSV import",
    )


def test_the_same_file_twice_changes_nothing():
    run(GOOD_AND_BAD)
    before = (
        list(Member.objects.order_by("pk").values_list()),
        list(MemberHandle.objects.order_by("pk").values_list()),
    )
    again = run(GOOD_AND_BAD)
    assert (again.changes.created, again.changes.updated, again.changes.unchanged) == (0, 0, 4)
    assert again.lists_created == 0
    after = (
        list(Member.objects.order_by("pk").values_list()),
        list(MemberHandle.objects.order_by("pk").values_list()),
    )
    assert after == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name,platform,handle,office,state\nDana,x,dana,CEO,VA\n", "the header lacks party, org"),
        ("Dana Lee,x,DanaLee,CEO,VA,,HIT Now\n", "line 1: the header lacks name, platform"),
        ("", "The file is empty"),
        (HEADER.replace("state", "name"), "line 1: the header lacks state"),
        (
            (HEADER + "Dana,x,dana,,,,\n").encode() + "José,x,jose,,,,\n".encode("latin-1"),
            "line 3: the file is not UTF-8 text (byte",
        ),
        (HEADER + "Dana,x,da\x00na,,,,\n", "line 2: the file holds a NUL character"),
    ],
    ids=["columns-missing", "no-header", "empty", "column-twice", "latin-1", "nul"],
)
def test_a_file_it_cannot_read_stores_nothing_not_even_the_list(data, message):
    with pytest.raises(ImportRefused) as caught:
        run(data)
    assert message in str(caught.value)
    assert not AccountList.objects.exists()
    assert not Member.objects.exists()


def test_a_header_names_columns_in_any_order_and_case_with_a_bom_and_an_optional_user_id():
    data = "\ufeffHandle,Platform,Name,Office,State,Party,Organization,User ID,Notes\n"
    data += "SenSanders,x,Bernard Sanders,Senator,VT,Independent,,29442313,call back\n"
    result = run(data)
    assert result.notes == [(1, "column 'notes' is not read.")]
    row = MemberHandle.objects.get()
    assert (row.handle, row.display, row.user_id, row.member.party) == (
        "sensanders",
        "SenSanders",
        "29442313",
        "Independent",
    )


def test_rows_of_one_person_share_name_and_office_and_differing_details_are_noted():
    data = (
        HEADER + "Dana,x,dana,CEO,VA,,\nDana,bluesky,dana.bsky.social,CEO,MD,,\nDana,,,Board,,,\n"
    )
    result = run(data)
    assert result.notes == [(3, "Dana has state 'VA' on line 2; 'MD' is not read.")]
    assert sorted(Member.objects.values_list("name", "office", "state")) == [
        ("Dana", "Board", ""),
        ("Dana", "CEO", "VA"),
    ]


def test_replace_marks_former_who_the_file_leaves_out():
    run(HEADER + "Dana,x,dana,,,,\nSam,x,sam,,,,\n")
    result = run(HEADER + "Sam,x,sam,,,,\n", replace=True)
    assert result.changes.former == 1
    assert dict(Member.objects.values_list("name", "former")) == {"Dana": True, "Sam": False}


def test_the_members_written_back_read_the_same():
    run(GOOD_AND_BAD)
    text = members_csv(AccountList.objects.get())
    assert text.splitlines()[0] == HEADER.strip()
    people, problems, _ = csv_people(text, header_required=False)
    assert problems == []
    assert sorted(
        (p.name, p.office, p.organization, sorted((h.platform, h.handle) for h in p.handles))
        for p in people
    ) == [
        ("Dana Lee", "CEO", "HIT Now", [("mastodon", "dana@mastodon.social"), ("x", "DanaLee")]),
        ("Kim Wu", "Director, Policy", "HIT Now, Inc.", [("x", "KimWu")]),
        ("Ria Patel", "Analyst", "HIT Now", []),
        ("Sam Ortiz", "Policy lead", "HIT Now", [("bluesky", "sam.bsky.social")]),
    ]


# --- The command -------------------------------------------------------------------------------


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_accounts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_bad_rows_on_stderr_and_the_contract_line_last(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(GOOD_AND_BAD)
    out, err = command("--format", "csv", str(path), "--list", "hit-staff", "--kind", "staff")
    assert out.splitlines()[-1] == "accounts: lists=1 members=4 handles=4 skipped=5"
    assert out.splitlines()[0].startswith("changes: lists created=1; members created=4")
    assert err.splitlines() == [
        f"{path}, line 4: 'myspace' is not a platform; use one of x, mastodon, bluesky. (skipped)",
        f"{path}, line 5: The handle is empty. (skipped)",
        f"{path}, line 7: The name is empty. (skipped)",
        f"{path}, line 8: x:danalee is listed twice (for Dana Lee (CEO) on line 2). (skipped)",
        f"{path}, line 11: 8 values where the header has 7 columns (a value holding a comma "
        "needs quotes). (skipped)",
    ]
    assert AccountList.objects.get().kind == "staff"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "{path}"], "--list SLUG names the list"),
        (["--format", "csv", "--list", "staff"], "csv: name the file"),
        (["--format", "csv", "{missing}", "--list", "staff"], "cannot read it"),
        (["--format", "csv", "{path}", "--list", "two words"], "is not a slug"),
        (["--format", "csv", "{bad}", "--list", "staff"], "the header lacks"),
        (["--format", "congress-legislators", "--list", "staff"], "makes its own lists"),
    ],
)
def test_the_command_refuses_what_it_cannot_do_and_stores_nothing(tmp_path, args, message):
    (tmp_path / "ok.csv").write_text(HEADER + "Dana,x,dana,,,,\n")
    (tmp_path / "bad.csv").write_text("name,handle\nDana,dana\n")
    names = {"path": tmp_path / "ok.csv", "bad": tmp_path / "bad.csv", "missing": tmp_path / "no"}
    with pytest.raises(CommandError) as caught:
        command(*(a.format(**names) for a in args))
    assert message in str(caught.value)
    assert not AccountList.objects.exists()

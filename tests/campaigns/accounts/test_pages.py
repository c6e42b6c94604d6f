"""The account-list pages: the team sees them, organizers and admins change them, anonymous
visitors are sent to log in; a list shows each member's handles, chamber, state, party and
committees with the former marked; the form and the upload name every bad line and store
nothing (form) or only the good rows (upload)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.accounts.services import account_list_upsert, members_store
from campaigns.models import AccountList, Member
from tests.support.accounts import CANTWELL, SANDERS, senator
from tests.support.matrix import USER_FIXTURES, matrix_parse

pytestmark = pytest.mark.django_db

HEADER = "name,platform,handle,office,state,party,organization"

EXPECTED = """
page        organizer  curator  admin  outsider  anonymous
lists       200        200      200    403       login
detail      200        200      200    403       login
missing     404        404      404    403       login
new         200        403      200    403       login
edit        200        403      200    403       login
import      200        403      200    403       login
"""
WHO, MATRIX = matrix_parse(EXPECTED)
PAGES = {
    "lists": "/accounts/",
    "detail": "/accounts/us-senate/",
    "missing": "/accounts/no-such-list/",
    "new": "/accounts/new/",
    "edit": "/accounts/us-senate/edit/",
    "import": "/accounts/us-senate/import/",
}


@pytest.fixture
def senate(db) -> AccountList:
    """US Senate (two senators, one of them gone), its HELP committee and a subcommittee."""
    senate, _ = account_list_upsert(slug="us-senate", name="US Senate", kind="policymakers")
    members_store(account_list=senate, people=[SANDERS, CANTWELL])
    members_store(account_list=senate, people=[SANDERS], replace=True)
    help_, _ = account_list_upsert(
        slug="sshr",
        name="Senate Committee on Health, Education, Labor, and Pensions",
        kind="policymakers",
        committee="SSHR",
    )
    sub, _ = account_list_upsert(
        slug="sshr12",
        name="Senate Health, Education, Labor, and Pensions: Primary Health",
        kind="policymakers",
        committee="SSHR12",
        parent=help_,
    )
    for committee, title in ((help_, "Ranking Member"), (sub, "Member")):
        members_store(
            account_list=committee,
            people=[dataclasses.replace(SANDERS, office=title)],
        )
    return senate


@pytest.fixture
def as_organizer(client, organizer):
    client.force_login(organizer)
    return client


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", list(MATRIX))
def test_the_role_matrix(client, request, senate, page, who):
    if who in USER_FIXTURES:
        client.force_login(request.getfixturevalue(USER_FIXTURES[who]))
    response = client.get(PAGES[page])
    expected = MATRIX[page][who]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == int(expected)


def test_the_team_finds_the_lists_from_the_navigation(client, curator, outsider):
    client.force_login(curator)
    assert 'href="/accounts/"' in client.get("/").content.decode()
    client.force_login(outsider)
    assert 'href="/accounts/"' not in client.get("/").content.decode()


def test_the_index_shows_lists_and_committees_with_their_subcommittees(as_organizer, senate):
    account_list_upsert(slug="hit-staff", name="HIT staff", kind="staff")
    page = as_organizer.get("/accounts/").content.decode()
    own = page[: page.index("Congressional committees")]
    assert 'href="/accounts/us-senate/">US Senate</a>' in own
    assert 'href="/accounts/hit-staff/">HIT staff</a>' in own
    committees = page[page.index("Congressional committees") :]
    assert committees.index("/accounts/sshr/") < committees.index("/accounts/sshr12/")
    assert 'class="accounts-sub"' in committees
    senate_row = re.search(r'href="/accounts/us-senate/".*?</tr>', page, re.S)[0]
    assert re.findall(r'class="num">(\d+)<', senate_row) == [
        "1",
        "1",
        "1",
    ]  # current, handles, former
    staff_only = as_organizer.get("/accounts/?kind=staff").content.decode()
    assert "HIT staff" in staff_only and "US Senate" not in staff_only


def test_a_list_shows_handles_committees_and_the_former_marked(as_organizer, senate):
    page = as_organizer.get("/accounts/us-senate/").content.decode()
    assert '<a href="https://x.com/sensanders" rel="nofollow noopener ugc">@SenSanders</a>' in page
    assert (
        '<a href="/accounts/sshr/" title="Senate Committee on Health, Education, Labor, and '
        'Pensions">Senate Health, Education, Labor, and Pensions</a> (Ranking Member)' in page
    )
    subcommittee = page[page.index('href="/accounts/sshr/"') :]
    assert subcommittee.index("<ul>") < subcommittee.index('href="/accounts/sshr12/"')
    assert ">Primary Health</a>" in subcommittee  # its own part of its name, under SSHR
    former = re.search(r'<tr class="accounts-former">.*?</tr>', page, re.S)[0]
    assert "Maria Cantwell" in former and "former since" in former
    assert page.index("Bernard Sanders") < page.index("Maria Cantwell")
    committee = as_organizer.get("/accounts/sshr12/").content.decode()
    assert 'href="/accounts/sshr/">Senate Committee on Health' in committee  # its parent


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?q=sanders", "Bernard Sanders", "Maria Cantwell"),
        ("?q=%40senatorcantwell", "Maria Cantwell", "Bernard Sanders"),
        ("?party=Democrat", "Maria Cantwell", "Bernard Sanders"),
        ("?state=VT", "Bernard Sanders", "Maria Cantwell"),
        ("?status=former", "Maria Cantwell", "Bernard Sanders"),
        ("?status=current&chamber=senate", "Bernard Sanders", "Maria Cantwell"),
    ],
)
def test_the_members_filter(as_organizer, senate, query, shown, hidden):
    rows = as_organizer.get(f"/accounts/us-senate/{query}").content.decode()
    table = rows[rows.index("<table") :]
    assert shown in table and hidden not in table


def test_a_list_page_costs_the_same_few_queries_however_long(
    as_organizer, senate, django_assert_max_num_queries
):
    people = [senator(f"Senator {n}", f"K{n:06}", f"sen_{n}", "VA", "Democrat") for n in range(60)]
    members_store(account_list=senate, people=people)
    with django_assert_max_num_queries(15):
        assert as_organizer.get("/accounts/us-senate/").status_code == 200


# --- The list form -------------------------------------------------------------------------


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "HIT staff",
        "slug": "hit-staff",
        "kind": "staff",
        "description": "Our staff accounts.",
        "members": "Dana Lee,x,@DanaLee,CEO,VA,,HIT Now\n"
        "Dana Lee,bluesky,dana.bsky.social,CEO,VA,,HIT Now\n"
        "Sam Ortiz,,,Policy lead,,,HIT Now\n",
    }
    return data | changes


def test_an_organizer_makes_a_list_with_its_members(as_organizer):
    response = as_organizer.post("/accounts/new/", form_data())
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/accounts/hit-staff/"
    account_list = AccountList.objects.get()
    assert (account_list.name, account_list.kind, account_list.source) == (
        "HIT staff",
        "staff",
        "typed in the site",
    )
    assert sorted(
        (m.name, sorted(h.handle for h in m.handles.all())) for m in account_list.members.all()
    ) == [("Dana Lee", ["dana.bsky.social", "danalee"]), ("Sam Ortiz", [])]
    page = as_organizer.get(response["Location"]).content.decode()
    assert "List saved: 2 typed member(s), 2 handle(s)." in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"members": "Dana,myspace,dana,,,,\n"}, "members", "Line 1: 'myspace' is not a platform"),
        ({"members": "Dana,x,dana,,,,\nSam,x,,,,,\n"}, "members", "Line 2: The handle is empty."),
        (
            {"members": "Dana,x,dana,,,,\nSam,x,DANA,,,,\n"},
            "members",
            "Line 2: x:DANA is listed twice",
        ),
        ({"members": "name,handle\nDana,dana\n"}, "members", "the header lacks platform"),
        ({"slug": "new"}, "slug", "'new' names a page of the site"),
        ({"name": ""}, "name", "This field is required."),
        ({"kind": "friends"}, "kind", "Select a valid choice."),
    ],
)
def test_a_bad_list_is_refused_on_its_field_and_stores_nothing(
    as_organizer, changes, field, message
):
    response = as_organizer.post("/accounts/new/", form_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert "Nothing was saved." in response.content.decode()
    assert not AccountList.objects.exists() and not Member.objects.exists()


def test_a_slug_in_use_is_refused(as_organizer, senate):
    response = as_organizer.post("/accounts/new/", form_data(slug="us-senate"))
    assert "There is a list 'us-senate' already." in response.context["form"].errors["slug"][0]
    assert AccountList.objects.get(slug="us-senate").name == "US Senate"


def test_the_edit_form_shows_the_typed_members_and_removing_one_marks_it_former(as_organizer):
    as_organizer.post("/accounts/new/", form_data())
    form = as_organizer.get("/accounts/hit-staff/edit/").context["form"]
    assert "slug" not in form.fields
    assert form["members"].value().splitlines() == [
        HEADER,
        "Dana Lee,bluesky,dana.bsky.social,CEO,VA,,HIT Now",
        "Dana Lee,x,DanaLee,CEO,VA,,HIT Now",
        "Sam Ortiz,,,Policy lead,,,HIT Now",
    ]
    members = "\n".join(form["members"].value().splitlines()[:-1])
    data = form_data(members=members, name="HIT team")
    response = as_organizer.post("/accounts/hit-staff/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert AccountList.objects.get().name == "HIT team"
    assert dict(Member.objects.values_list("name", "former")) == {
        "Dana Lee": False,
        "Sam Ortiz": True,
    }


def test_the_edit_form_leaves_the_imported_members_to_the_import(as_organizer, senate):
    response = as_organizer.get("/accounts/us-senate/edit/")
    assert response.context["form"]["members"].value() == HEADER + "\n"
    assert "1 current member of this list comes from the congress-legislators files" in (
        response.content.decode()
    )
    data = form_data(members="Jo Aide,x,JoAide,Staff,,,\n", kind="policymakers", name="US Senate")
    assert as_organizer.post("/accounts/us-senate/edit/", data).status_code == 302
    assert sorted(
        current.name for current in Member.objects.filter(account_list=senate, former=False)
    ) == [
        "Bernard Sanders",
        "Jo Aide",
    ]
    taken = form_data(members="Jo Aide,x,SenSanders,Staff,,,\n", name="US Senate")
    response = as_organizer.post("/accounts/us-senate/edit/", taken)
    assert (
        "Line 1: x:SenSanders belongs to Bernard Sanders (Senator) on this list already."
        in (response.context["form"].errors["members"])
    )


# --- The CSV upload ------------------------------------------------------------------------


def upload(client, text: str | bytes, slug: str = "hit-staff", **extra):
    data = text.encode() if isinstance(text, str) else text
    payload = {"file": SimpleUploadedFile("staff.csv", data, content_type="text/csv"), **extra}
    return client.post(f"/accounts/{slug}/import/", payload)


def test_an_upload_stores_the_good_rows_and_shows_the_bad_by_line(as_organizer):
    account_list_upsert(slug="hit-staff", name="HIT staff", kind="staff")
    text = f"{HEADER}\nDana,x,dana,,,,\nSam,myspace,sam,,,,\nRia,x,,,,,\n<b>Kim</b>,x,kim,,,,\n"
    response = upload(as_organizer, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 members with 2 handles; 2 new, 0 updated, 0 unchanged. 2 rows skipped." in page
    assert (
        "<li>line 3: &#x27;myspace&#x27; is not a platform; use one of x, mastodon, "
        "bluesky. (skipped)</li>" in page
    )
    assert "<li>line 4: The handle is empty. (skipped)</li>" in page
    assert "&lt;b&gt;Kim&lt;/b&gt;" in as_organizer.get("/accounts/hit-staff/").content.decode()
    assert sorted(Member.objects.values_list("name", flat=True)) == ["<b>Kim</b>", "Dana"]


def test_an_upload_it_cannot_read_stores_nothing(as_organizer):
    account_list_upsert(slug="hit-staff", name="HIT staff", kind="staff")
    response = upload(as_organizer, "name,handle\nDana,dana\n")
    errors = response.context["form"].errors["file"]
    assert errors == [
        "line 1: the header lacks platform, office, state, party, organization; the first line "
        "names the columns: name,platform,handle,office,state,party,organization (user_id "
        "optional). Nothing was stored."
    ]
    assert not Member.objects.exists()
    assert upload(as_organizer, HEADER, slug="no-such-list").status_code == 404

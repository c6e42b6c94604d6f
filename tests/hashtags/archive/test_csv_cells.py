"""CSV cells a spreadsheet will not run, read back by import_posts to exactly the text exported."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from hashtags.archive.cells import FORMULA_STARTS, cell_guard, cell_unguard
from hashtags.ingest import posts_upsert
from hashtags.models import Author, Post, TagSetRollup, TagSetRollupHour
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import post

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@x",
    "\tafter a tab",
    "\rafter a carriage return",
    "a bare\rcarriage return inside",
    "a CRLF\r\ninside, and a trailing one\r\n",
    "'a leading apostrophe",
    "'=an apostrophe before a formula",
    "''two apostrophes",
    "'",
    "ünïcödé ❤️ 漢字 #NHITweek",
    '=HYPERLINK("http://evil.example","click")',
]


@given(st.text())
def test_unguarding_a_guarded_cell_gives_back_any_text(text):
    assert cell_unguard(cell_guard(text)) == text


@given(st.text())
def test_a_guarded_cell_never_starts_a_formula(text):
    assert not cell_guard(text).startswith(FORMULA_STARTS)


def test_cells_that_need_no_guard_are_written_as_they_are():
    assert [cell_guard(v) for v in ("plain", "a=b", 12, None, "")] == ["plain", "a=b", "12", "", ""]
    assert cell_unguard("'plain") == "'plain"  # not a guard this writer adds: kept


@pytest.mark.django_db
def test_hostile_cells_survive_an_export_and_an_import_exactly(tmp_path):
    CampaignFactory(
        slug="week",
        start=datetime(2026, 9, 1, tzinfo=UTC),
        end=datetime(2026, 11, 1, tzinfo=UTC),
        tags=["NHITweek"],
    )
    posts = []
    for n, text in enumerate(HOSTILE, start=1):
        base = post(n, tags=("nhitweek",))
        author = replace(base.author, handle=f"@h{n}", name=text[:200])
        posts.append(replace(base, text=text, author=author, lang="-x", url="=u"))
    posts_upsert(posts=posts)
    fields = ("external_id", "text", "lang", "url", "author__handle", "author__name")
    before = sorted(Post.objects.values_list(*fields))
    target = tmp_path / "week.csv"
    call_command(
        "export_posts", "week", "--format", "csv", "--output", str(target), stdout=io.StringIO()
    )

    rows = list(csv.reader(io.StringIO(target.read_bytes().decode(), newline="")))
    assert len(rows) == 1 + len(HOSTILE)  # no carriage return split a row
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)

    TagSetRollup.objects.all().delete()
    TagSetRollupHour.objects.all().delete()
    Post.objects.all().delete()
    Author.objects.all().delete()
    out = io.StringIO()
    call_command("import_posts", str(target), "--format", "csv", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[-1] == (
        f"imported: read={len(HOSTILE)} new={len(HOSTILE)} duplicates=0 skipped=0"
    )
    assert sorted(Post.objects.values_list(*fields)) == before

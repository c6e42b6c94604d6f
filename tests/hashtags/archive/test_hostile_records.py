"""import_posts against hostile archives: every malformed record is one skipped, counted line."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from hashtags.archive import archive_import
from hashtags.archive.bounded import JSON_DEPTH_MAX, json_bounded
from hashtags.models import Post
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import ARCHIVE_RECORD

pytestmark = pytest.mark.django_db

GOOD = ARCHIVE_RECORD


def tweet(**fields) -> dict:
    return {"id": "2100237776057274369", "text": "#NHITweek", "author_id": "1", **fields}


def page(*tweets) -> bytes:
    return json.dumps({"data": list(tweets)}).encode()


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _import(path: Path, fmt: str) -> list[str]:
    out = io.StringIO()
    call_command("import_posts", str(path), "--format", fmt, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def _archive(tmp_path: Path, fmt: str, good: bytes, hostile: bytes) -> Path:
    path = tmp_path / f"hostile.{fmt}"
    path.write_bytes(good + b"\n" + hostile + b"\n" + good.replace(b'"9"', b'"8"') + b"\n")
    return path


HOSTILE_JSONL = {
    "nested 100000 deep": deep(100_000),
    "nested inside a record": json.dumps({**GOOD, "text": "x"}).encode()[:-1]
    + b', "extra": '
    + deep(5000)
    + b"}",
    "likes Infinity": json.dumps({**GOOD, "likes": 1}).encode().replace(b"1}", b"Infinity}"),
    "likes NaN": json.dumps({**GOOD, "likes": 1}).encode().replace(b"1}", b"NaN}"),
    "likes past bigint": json.dumps({**GOOD, "likes": 2**63}).encode(),
    "likes a fraction": json.dumps({**GOOD, "likes": 1.5}).encode(),
    "followers negative": json.dumps(
        {**GOOD, "author": {**GOOD["author"], "followers": -1}}
    ).encode(),
    "year 0 in UTC": json.dumps({**GOOD, "created_at": "0001-01-01T00:30:00+01:00"}).encode(),
    "year 10000 in UTC": json.dumps({**GOOD, "created_at": "9999-12-31T23:00:00-05:00"}).encode(),
    "an id longer than its column": json.dumps({**GOOD, "external_id": "1" * 256}).encode(),
    "mentions not a list": json.dumps({**GOOD, "mentions": "mention:bob"}).encode(),
    "a mention of no known role": json.dumps({**GOOD, "mentions": ["likes:bob"]}).encode(),
    "a mention naming nobody": json.dumps({**GOOD, "mentions": ["mention::"]}).encode(),
    "a mention with a space": json.dumps({**GOOD, "mentions": ["mention:bo b"]}).encode(),
    "a mention with a NUL": json.dumps({**GOOD, "mentions": ["mention:bob:1\x00"]}).encode(),
    "a mention longer than its column": json.dumps(
        {**GOOD, "mentions": ["mention::" + "1" * 256]}
    ).encode(),
    "a mention that is not text": json.dumps({**GOOD, "mentions": [{"handle": "bob"}]}).encode(),
}
HOSTILE_TWARC2 = {
    "nested 100000 deep": deep(100_000),
    "a metric of Infinity": page(tweet(public_metrics={"like_count": 1})).replace(
        b"1}", b"Infinity}"
    ),
    "a 40-digit id with no created_at": page(tweet(id="1" * 40)),
    "created_at past year 9999 in UTC": page(tweet(created_at="9999-12-31T23:00:00-05:00")),
    "created_at before year 1 in UTC": page(tweet(created_at="0001-01-01T00:00:00+00:01")),
    "followers of -Infinity": json.dumps(
        {
            "data": [tweet()],
            "includes": {"users": [{"id": "1", "username": "u", "public_metrics": {}}]},
        }
    )
    .encode()
    .replace(b'"public_metrics": {}', b'"public_metrics": {"followers_count": -Infinity}'),
    "a metric past bigint": page(tweet(public_metrics={"like_count": 2**64})),
    "a metric of 1e300": page(tweet(public_metrics={"like_count": 1e300})),
    "an id of other digits": page(tweet(id="١٢٣")),
}


@pytest.mark.parametrize("hostile", HOSTILE_JSONL.values(), ids=HOSTILE_JSONL.keys())
def test_a_hostile_jsonl_line_is_skipped_and_counted(tmp_path, hostile):
    path = _archive(tmp_path, "jsonl", json.dumps(GOOD).encode(), hostile)
    lines = _import(path, "jsonl")
    assert lines[-2:] == [
        "skipped lines: hostile.jsonl:2",
        "imported: read=2 new=2 duplicates=0 skipped=1",
    ]
    assert sorted(Post.objects.values_list("external_id", flat=True)) == ["8", "9"]


@pytest.mark.parametrize("hostile", HOSTILE_TWARC2.values(), ids=HOSTILE_TWARC2.keys())
def test_a_hostile_twarc2_page_is_skipped_and_counted(tmp_path, hostile):
    good = page(tweet(id="9", created_at="2026-09-16T14:58:01.000Z"))
    path = _archive(tmp_path, "twarc2", good, hostile)
    lines = _import(path, "twarc2")
    assert lines[-2:] == [
        "skipped lines: hostile.twarc2:2",
        "imported: read=2 new=2 duplicates=0 skipped=1",
    ]


def _csv_export(tmp_path: Path) -> Path:
    """A one-post csv as export_posts writes it, for rows to be edited into hostile ones."""
    CampaignFactory(
        slug="c",
        start=datetime(2026, 9, 1, tzinfo=UTC),
        end=datetime(2026, 10, 1, tzinfo=UTC),
        tags=["NHITweek"],
    )
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(GOOD) + "\n")
    _import(path, "jsonl")
    target = tmp_path / "one.csv"
    call_command(
        "export_posts", "c", "--format", "csv", "--output", str(target), stdout=io.StringIO()
    )
    Post.objects.all().delete()
    return target


@pytest.mark.parametrize(
    "edit",
    [
        lambda row: row.replace("2026-09-16T15:00:00+00:00", "9999-12-31T23:00:00-05:00"),
        lambda row: row.replace("2026-09-16T15:00:00+00:00", "0001-01-01T00:00:00+00:01"),
        lambda row: row.replace(",0,", f",{2**63},", 1),
        lambda row: row.replace(",9,", f",{'9' * 256},", 1),
    ],
    ids=["year 10000 in UTC", "year 0 in UTC", "a count past bigint", "an id past its column"],
)
def test_a_hostile_csv_row_is_skipped_and_counted(tmp_path, edit):
    target = _csv_export(tmp_path)
    header, row = target.read_text(encoding="utf-8").splitlines()
    assert edit(row) != row
    target.write_text("\r\n".join([header, row, edit(row), row.replace(",9,", ",8,", 1)]) + "\r\n")
    lines = _import(target, "csv")
    assert lines[-2:] == [
        "skipped lines: one.csv:3",
        "imported: read=2 new=2 duplicates=0 skipped=1",
    ]


def test_a_csv_saved_with_a_byte_order_mark_is_read(tmp_path):
    target = _csv_export(tmp_path)
    target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes())
    assert _import(target, "csv")[-1] == "imported: read=1 new=1 duplicates=0 skipped=0"


def test_the_years_edges_in_utc_are_imported(tmp_path):
    lines = [
        {**GOOD, "external_id": "first", "created_at": "0001-01-01T00:00:00+00:00"},
        {**GOOD, "external_id": "last", "created_at": "9999-12-31T23:59:59.999999+00:00"},
        {**GOOD, "external_id": "east", "created_at": "9999-12-31T23:59:00+00:00"},
    ]
    path = tmp_path / "edges.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert _import(path, "jsonl")[-1] == "imported: read=3 new=3 duplicates=0 skipped=0"
    assert Post.objects.get(external_id="first").created_at == datetime(1, 1, 1, tzinfo=UTC)


# --- bounds ------------------------------------------------------------------------------------


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ax\n'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=40,
)


@given(_JSON)
def test_any_json_within_the_depth_limit_reads_as_json_does(value):
    raw = json.dumps(value).encode()
    assert json_bounded(raw) == json.loads(raw)
    wide = json.dumps([value, list(range(40)), [[]] * 40]).encode()  # past the bracket count
    assert json_bounded(wide) == json.loads(wide)


def test_json_as_deep_as_the_limit_is_read_and_one_deeper_is_refused():
    assert json_bounded(deep(JSON_DEPTH_MAX)) is not None
    assert json_bounded(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[["}') is not None
    hidden = b'["\\\\", ' + deep(JSON_DEPTH_MAX - 1) + b', "\\\\\\"' + b"[" * 40 + b'"]'
    assert json_bounded(hidden) == json.loads(hidden)
    with pytest.raises(ValueError):
        json_bounded(deep(JSON_DEPTH_MAX + 1))
    with pytest.raises(ValueError):
        json_bounded(b"[" * 100_000)  # unbalanced: the parser would recurse before it failed


@pytest.mark.parametrize("fmt", ["jsonl", "twarc2", "csv"])
def test_a_record_over_the_limit_is_skipped_and_the_next_one_read(tmp_path, settings, fmt):
    settings.ARCHIVE_RECORD_MAX_BYTES = 1000
    good = json.dumps(GOOD).encode()
    if fmt == "twarc2":
        good = page(tweet(id="9", created_at="2026-09-16T14:58:01.000Z"))
    long = json.dumps({**GOOD, "external_id": "7", "text": "x" * 5000}).encode()
    lines = [good, long, good.replace(b'"9"', b'"8"')]
    if fmt == "csv":
        header, row = _csv_export(tmp_path).read_bytes().splitlines()
        lines = [header, row, row.replace(b",9,", b",7" + b"x" * 5000 + b",", 1), row]
    path = tmp_path / f"long.{fmt}"
    path.write_bytes(b"\n".join(lines) + b"\n")
    lines = _import(path, fmt)
    assert lines[-1].endswith("skipped=1")
    assert f"long.{fmt}:{3 if fmt == 'csv' else 2}" in lines[-2]


def test_a_50_mb_line_is_skipped_in_well_under_100_mb(tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as out:
        out.write(json.dumps(GOOD).encode() + b"\n")
        out.write(b'{"platform": "x", "text": "')
        for _ in range(50):
            out.write(b"x" * (1 << 20))
        out.write(b'"}\n')
    tracemalloc.start()
    try:
        result = archive_import(paths=[path], fmt="jsonl")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.read, result.skipped, result.skipped_at) == (1, 1, ["huge.jsonl:2"])
    assert peak < 40 * 1024 * 1024  # the 10 MB record limit and a 1 MB read-ahead buffer

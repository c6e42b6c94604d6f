"""import_posts and export_posts: archives stream in and out, counted exactly, never half-stored."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError

from hashtags.archive import archive_import
from hashtags.ingest import Prepared, batch_prepare, posts_upsert
from hashtags.models import (
    Author,
    ImportedSpan,
    Post,
    PostMention,
    TagSetRollup,
    TagSetRollupHour,
)
from hashtags.services import hashtag_get_or_create
from hashtags.sources.base import Mention
from tests.support.checks import links_count, rollups_exact, rollups_stored, tag_names
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import ARCHIVE_RECORD, T0, post

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ARCHIVES = FIXTURES / "archives"
TWARC2 = ARCHIVES / "search.twarc2.jsonl"


def _import(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_posts", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def _export(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_posts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def week():
    """NHIT Week with its three tags, around both the fixtures' posts and ingest_data's."""
    start = datetime(2026, 9, 13, 4, 0, tzinfo=UTC)
    return CampaignFactory(
        slug="nhit-week",
        start=start,
        end=start + timedelta(days=30),
        tags=["NHITweek", "HITworks", "IHeartHIT"],
    )


# The post columns snapshot() compares.
POST_ROW = (
    "platform",
    "external_id",
    "author__external_id",
    "text",
    "url",
    "created_at",
    "lang",
    "links",
    "likes",
    "reposts",
    "replies",
    "quotes",
    "is_repost",
    "repost_of",
    "reply_to",
    "quote_of",
    "conversation_id",
)


def snapshot() -> dict[str, list]:
    """Everything an import stores, by natural keys (ids and first-seen times differ)."""
    return {
        "posts": sorted(Post.objects.values_list(*POST_ROW)),
        "authors": sorted(
            Author.objects.values_list(
                "platform", "external_id", "handle", "name", "avatar_url", "url", "followers"
            )
        ),
        "rollups": sorted(rollups_stored().items()),
        "tagsets": sorted(Post.objects.values_list("external_id", "tagset__key")),
        "mentions": sorted(
            PostMention.objects.values_list(
                "post__external_id", "platform", "role", "handle", "uid"
            )
        ),
    }


def _empty_the_post_tables() -> None:
    TagSetRollup.objects.all().delete()
    TagSetRollupHour.objects.all().delete()
    Post.objects.all().delete()
    Author.objects.all().delete()


# --- twarc2 ------------------------------------------------------------------------------------


def test_a_twarc2_archive_with_repeats_and_bad_lines_is_counted_exactly(week):
    lines = _import(TWARC2, "--format", "twarc2", "--campaign", "nhit-week")
    # 8 tweets on 3 good pages, 6 distinct; line 2 is cut-off JSON, line 4 a lone tweet.
    assert lines[-1] == "imported: read=8 new=6 duplicates=2 skipped=2"
    assert lines[-2] == "skipped lines: search.twarc2.jsonl:2, search.twarc2.jsonl:4"
    assert "not linked: 1 post(s) carry none of the tracked hashtags" in lines
    assert Post.objects.count() == 6
    kickoff = Post.objects.get(external_id="2100237776057274369")
    assert (kickoff.likes, kickoff.reposts) == (61, 15)  # the later page's metrics
    assert Post.objects.get(external_id="2100240012345678849").likes == 20
    retweet = Post.objects.get(external_id="2100233292346298369")
    assert retweet.is_repost
    assert tag_names(retweet) == {"ihearthit", "nhitweek"}
    assert links_count() == 9
    # 5 posts (one carries no tracked tag) and 1 repost, each counted once in its tag set.
    assert sum(TagSetRollup.objects.values_list("posts", flat=True)) == 4
    assert sum(TagSetRollup.objects.values_list("reposts", flat=True)) == 1
    rollups_exact()
    assert Author.objects.get(external_id="3141592653").handle == "interopnurse"


def _spans_recorded() -> dict[tuple[str, str], tuple[datetime, datetime]]:
    rows = ImportedSpan.objects.values_list("platform", "hashtag__name", "start", "end")
    return {(platform, tag): (start, end) for platform, tag, start, end in rows}


def _spans_stored() -> dict[tuple[str, str], tuple[datetime, datetime]]:
    """From the first to the last stored post of each platform and tracked hashtag."""
    spans: dict[tuple[str, str], tuple[datetime, datetime]] = {}
    for stored in Post.objects.all():
        for tag in tag_names(stored):
            at = stored.created_at
            first, last = spans.get((stored.platform, tag), (at, at))
            spans[(stored.platform, tag)] = (min(first, at), max(last, at))
    return spans


def test_an_import_records_the_stretch_it_holds_of_each_platform_and_hashtag(week):
    _import(TWARC2, "--format", "twarc2")
    assert _spans_recorded() == _spans_stored()
    assert set(ImportedSpan.objects.values_list("label", flat=True)) == {"search.twarc2.jsonl"}
    assert ImportedSpan.objects.values("run").distinct().count() == 1


def test_a_post_the_database_refuses_is_not_claimed_as_imported(week, tmp_path):
    records = [
        {**ARCHIVE_RECORD, "external_id": str(n), "created_at": f"2026-09-16T1{n}:00:00+00:00"}
        for n in range(4)
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def store(*, posts, archive):
        batch = posts.posts if isinstance(posts, Prepared) else posts
        if any(p.external_id == "3" for p in batch):  # the latest post
            raise DataError("value too long")
        return posts_upsert(posts=posts, archive=archive)

    result = archive_import(paths=[path], fmt="jsonl", store=store)
    assert (result.new, result.skipped) == (3, 1)
    assert _spans_recorded() == {
        ("x", "nhitweek"): (
            datetime(2026, 9, 16, 10, tzinfo=UTC),
            datetime(2026, 9, 16, 12, tzinfo=UTC),
        )
    }


def test_importing_the_same_archive_twice_stores_nothing_new(week):
    _import(TWARC2, "--format", "twarc2")
    before = snapshot()
    lines = _import(TWARC2, "--format", "twarc2")
    assert lines[-1] == "imported: read=8 new=0 duplicates=8 skipped=2"
    assert snapshot() == before


def test_with_a_campaign_only_its_hashtags_are_linked(week):
    hashtag_get_or_create(tag="healthpolicy")  # tracked elsewhere, not by this campaign
    _import(TWARC2, "--format", "twarc2", "--campaign", "nhit-week")
    assert links_count("healthpolicy") == 0
    _import(TWARC2, "--format", "twarc2")  # without --campaign every known tag counts
    assert links_count("healthpolicy") == 1


def test_an_unknown_campaign_is_refused(week):
    with pytest.raises(CommandError, match="No campaign 'nope'"):
        _import(TWARC2, "--format", "twarc2", "--campaign", "nope")
    assert Post.objects.count() == 0


def test_a_missing_file_is_an_error_naming_it(week, tmp_path):
    missing = tmp_path / "gone.jsonl"
    with pytest.raises(CommandError, match=str(missing)):
        _import(TWARC2, missing, "--format", "twarc2")
    assert Post.objects.count() == 0


@pytest.mark.parametrize("fmt", ["twarc2", "jsonl", "csv"])
def test_an_empty_file_imports_nothing(week, tmp_path, fmt):
    empty = tmp_path / f"empty.{fmt}"
    empty.write_bytes(b"")
    assert _import(empty, "--format", fmt) == ["imported: read=0 new=0 duplicates=0 skipped=0"]


# --- round trips -------------------------------------------------------------------------------


def _store_a_week_of_posts() -> None:
    posts = [post(i, tags=("nhitweek", "hitworks"), likes=i, replies=1) for i in range(1, 6)]
    senator = Mention(role="mention", handle="senhealth", uid="1580000000000000001")
    posts[0] = replace(posts[0], mentions=(senator, Mention(role="mention", uid="42")))
    posts[1] = replace(posts[1], quote_of="p1", mentions=(Mention("quote", "user1", "101"),))
    # a reply that quotes
    posts[2] = replace(
        posts[2],
        reply_to="p1",
        quote_of="p2",
        mentions=(Mention("reply", "user1", "101"), Mention("quote", uid="146569971")),
    )
    # On Bluesky a mention is a DID; on Mastodon user@server.
    posts[3] = replace(
        post(4, tags=("nhitweek",), platform="bluesky"),
        mentions=(Mention("mention", uid="did:plc:senhelpcmte2x7kq4rw5vb3m"),),
    )
    posts[4] = replace(
        post(5, tags=("hitworks",), platform="mastodon"),
        mentions=(Mention("reply", handle="dr_lee@hachyderm.io"),),
    )
    posts += [
        replace(
            post(6, tags=("ihearthit",), is_repost=True, likes=3, author_n=2),
            mentions=(senator, Mention("repost", handle="healthitnerd")),
        )
    ]
    tricky = post(7, tags=("nhitweek",), likes=2)
    text = 'Quotes "and", commas, a tab\tand\na newline; ünïcödé ❤️ #NHITweek'
    posts.append(
        tricky.__class__(**{**tricky.__dict__, "text": text, "links": ("https://a.example/x",)})
    )
    posts_upsert(posts=posts)


@pytest.fixture(params=["page", "copy"])
def write_path(request, monkeypatch):
    """Which write path an import's batches take (on SQLite always the page path)."""
    if request.param == "copy":
        monkeypatch.setattr("hashtags.ingest.upsert.STAGED_MIN", 1)
    return request.param


def _without(path: Path, fmt: str, field: str) -> None:
    """Rewrite an export as one written before posts kept `field`: no such key or column."""
    text = path.read_text(encoding="utf-8")
    if fmt == "jsonl":
        records = [json.loads(line) for line in text.splitlines()]
        lines = [json.dumps({k: v for k, v in r.items() if k != field}) for r in records]
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return
    rows = list(csv.reader(io.StringIO(text, newline="")))
    drop = rows[0].index(field)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(r[:drop] + r[drop + 1 :] for r in rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    assert field not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("written", ["now", "before_quote_of", "before_mentions"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_imported_into_an_empty_database_gives_the_same_rows(
    week, tmp_path, fmt, written, write_path
):
    _store_a_week_of_posts()
    before = snapshot()
    target = tmp_path / f"week.{fmt}"
    out, _ = _export("nhit-week", "--format", fmt, "--output", target)
    assert out.strip() == f"exported: 7 posts to {target}"
    if written == "before_quote_of":  # an older export: the same rows, none of them quoting
        _without(target, fmt, "quote_of")
        at = POST_ROW.index("quote_of")
        before["posts"] = sorted((*row[:at], "", *row[at + 1 :]) for row in before["posts"])
    if written == "before_mentions":  # older still: the same posts, addressed to nobody
        _without(target, fmt, "mentions")
        before["mentions"] = []
    _empty_the_post_tables()
    lines = _import(target, "--format", fmt, "--campaign", "nhit-week")
    assert lines[-1] == "imported: read=7 new=7 duplicates=0 skipped=0"
    assert snapshot() == before


def test_a_twarc2_page_keeps_which_tweet_each_tweet_quotes(week, tmp_path, write_path):
    page = json.loads((FIXTURES / "x" / "search_quotes.json").read_text())
    archive = tmp_path / "quotes.twarc2.jsonl"
    archive.write_text(json.dumps({**page, "__twarc": {"version": "2.14.0"}}) + "\n")
    lines = _import(archive, "--format", "twarc2", "--campaign", "nhit-week")
    assert lines[-1] == "imported: read=3 new=3 duplicates=0 skipped=0"
    assert dict(Post.objects.values_list("external_id", "quote_of")) == {
        "2100238149350330369": "2100237776057274369",  # quotes the kickoff
        "2100238241625018369": "2100238149350330369",  # replies to the kickoff, quotes that quote
        "2100238266790842369": "",  # a retweet of the quote
    }


def test_an_export_writes_each_posts_mentions_as_role_handle_uid(week, tmp_path):
    _store_a_week_of_posts()
    jsonl, csv_file = tmp_path / "week.jsonl", tmp_path / "week.csv"
    _export("nhit-week", "--format", "jsonl", "--output", jsonl)
    _export("nhit-week", "--format", "csv", "--output", csv_file)

    records = {r["external_id"]: r for r in map(json.loads, jsonl.read_text().splitlines())}
    rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(csv_file.read_text()))}
    assert records["p1"]["mentions"] == ["mention::42", "mention:senhealth:1580000000000000001"]
    assert records["p3"]["mentions"] == ["quote::146569971", "reply:user1:101"]
    assert records["p6"]["mentions"][1] == "repost:healthitnerd"
    assert records["p4"]["mentions"] == [
        "mention::did:plc:senhelpcmte2x7kq4rw5vb3m"
    ]  # a Bluesky DID
    assert records["p5"]["mentions"] == ["reply:dr_lee@hachyderm.io"]
    assert records["p7"]["mentions"] == []
    assert rows["p3"]["mentions"] == "quote::146569971;reply:user1:101"
    assert rows["p7"]["mentions"] == ""


def test_a_twarc2_page_keeps_whom_each_tweet_is_addressed_to(week, tmp_path, write_path):
    lines = []
    for name in ("search_quotes.json", "search_addressees.json"):
        page = json.loads((FIXTURES / "x" / name).read_text())
        lines.append(json.dumps({**page, "__twarc": {"version": "2.14.0"}}))
    archive = tmp_path / "addressed.twarc2.jsonl"
    archive.write_text("\n".join(lines) + "\n")

    for _ in range(2):  # the second import stores nothing new, and no mention twice
        _import(archive, "--format", "twarc2", "--campaign", "nhit-week")

    got = snapshot()["mentions"]
    assert ("2100238266790842369", "x", "repost", "interopnurse", "3141592653") in got
    assert ("2100238241625018369", "x", "quote", "interopnurse", "3141592653") in got
    assert ("2100238199000000001", "x", "reply", "repinteroptx", "1580000000000000001") in got
    assert ("2100238200000000002", "x", "reply", "", "4400000000000000004") in got
    assert len(got) == len(set(got)) == 12  # 5 in the quotes, 7 in the other page


def test_the_export_holds_the_campaigns_posts_in_its_window_once_in_time_order(week):
    hashtag_get_or_create(tag="healthpolicy")
    posts_upsert(
        posts=[
            post(3, tags=("nhitweek", "hitworks", "healthpolicy")),
            post(1, tags=("ihearthit",)),
            post(2, tags=("healthpolicy",)),  # not one of the campaign's tags
            post(4, tags=("nhitweek",), at=week.end),  # the end is excluded
            post(5, tags=("nhitweek",), at=week.start),  # the start is included
        ]
    )
    assert links_count("healthpolicy") == 2
    out, err = _export("nhit-week", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["external_id"] for r in records] == ["p5", "p1", "p3"]
    assert records[2]["hashtags"] == ["hitworks", "nhitweek"]
    assert records[2]["author"]["handle"] == "user3"
    assert err.strip() == "exported: 3 posts"


def test_malformed_csv_rows_are_skipped_with_their_line_numbers(week, tmp_path):
    _store_a_week_of_posts()
    target = tmp_path / "week.csv"
    _export("nhit-week", "--format", "csv", "--output", target)
    _empty_the_post_tables()
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    header, good = lines[0], lines[1]
    bad_count = good.replace(",1,", ",lots,", 1)  # a count that is not a number
    assert bad_count != good
    short = "x,p99,2026-10-05T13:00:00+00:00\n"  # too few columns
    no_zone = good.replace("+00:00", "", 1).replace("p1,", "p98,", 1)
    target.write_text(header + short + bad_count + no_zone + good, encoding="utf-8")
    result = _import(target, "--format", "csv")
    assert result[-1] == "imported: read=1 new=1 duplicates=0 skipped=3"
    assert result[-2] == "skipped lines: week.csv:2, week.csv:3, week.csv:4"
    assert list(Post.objects.values_list("external_id", flat=True)) == ["p1"]


def test_malformed_jsonl_lines_are_skipped_and_the_rest_stored(week, tmp_path):
    good = ARCHIVE_RECORD
    lines = [
        json.dumps(good),
        json.dumps({**good, "external_id": "10", "likes": -1}),
        json.dumps({**good, "external_id": "11", "platform": "myspace"}),
        json.dumps({**good, "external_id": "12", "text": "nul \u0000 inside"}),
        json.dumps({**good, "external_id": "13", "hashtags": ["not a tag!"]}),
        json.dumps([good]),
    ]
    path = tmp_path / "posts.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "\xff"}\n')
    result = _import(path, "--format", "jsonl")
    assert result[-1] == "imported: read=1 new=1 duplicates=0 skipped=6"
    assert tag_names(Post.objects.get()) == {"nhitweek"}


# --- export errors -----------------------------------------------------------------------------


def test_an_export_of_an_unknown_campaign_leaves_no_file(week, tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="No campaign 'nope'"):
        _export("nope", "--format", "csv", "--output", target)
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_fails_half_way_leaves_no_file(week, tmp_path, monkeypatch):
    _store_a_week_of_posts()
    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n")

    def broken(*, rows, fmt, out):
        out.write('{"half": ')
        raise RuntimeError("disk full")

    monkeypatch.setattr("campaigns.management.commands.export_posts.archive_write", broken)
    with pytest.raises(RuntimeError):
        _export("nhit-week", "--format", "jsonl", "--output", target)
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_an_unknown_export_format_is_refused(week):
    with pytest.raises(CommandError, match="invalid choice"):
        _export("nhit-week", "--format", "xlsx")


# --- the staged archive path (COPY, hashtags.ingest.staged) -------------------------------------


def _staged():
    def store(*, posts):
        return posts_upsert(posts=batch_prepare(posts=posts, staged_min=1))

    return store


def test_the_staged_path_stores_exactly_what_posts_upsert_stores(week):
    hashtag_get_or_create(tag="healthpolicy")
    at = T0.replace(second=50)
    first = [post(i, tags=("nhitweek", "hitworks"), likes=i, at=at) for i in range(20)]
    first += [post(20, tags=("ihearthit", "nope"), is_repost=True, likes=9)]
    second = [post(i, tags=("nhitweek", "healthpolicy"), likes=100 + i) for i in range(10, 30)]
    second += [post(29, tags=("nhitweek",), likes=7)]  # a repeat inside the page: last wins
    results = {}
    snapshots = {}
    for name, store in (("upsert", posts_upsert), ("staged", _staged())):
        _empty_the_post_tables()
        results[name] = [
            (r.read, r.new, r.duplicates, r.new_links)
            for r in (store(posts=first), store(posts=second), store(posts=second))
        ]
        snapshots[name] = snapshot()
    assert results["staged"] == results["upsert"]
    assert snapshots["staged"] == snapshots["upsert"]
    assert results["upsert"][2][1] == 0

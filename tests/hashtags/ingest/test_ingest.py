"""posts_upsert stores each post once, keeps the tag-set rollups exact, and the cursor with it.

Every behaviour is checked on both write paths (the `path` fixture): polling pages (INSERT from
arrays) and archive batches (COPY into staging tables), and the two side by side.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL

from hashtags.ingest import batch_prepare, posts_upsert, prefetched
from hashtags.models import (
    Author,
    PollState,
    Post,
    PostMention,
    TagSet,
    TagSetRollup,
    TagSetRollupHour,
)
from hashtags.services import hashtag_get_or_create
from hashtags.sources.base import Mention
from hashtags.tagsets import tagset_key
from tests.support.checks import links_count, rollups_exact, rollups_stored, tag_names
from tests.support.factories import SourceFactory
from tests.support.ingest_data import T0, author, post
from tests.support.together import run_together

pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("path")]


@pytest.fixture
def tags(db):
    return {name: hashtag_get_or_create(tag=name) for name in ("NHITweek", "HITworks", "IHeartHIT")}


def rollup_totals():
    return sorted(rollups_stored().items())


def posts_per_tagset(*names):
    """Posts counted in the minute rows, per tag set (named by its hashtags)."""
    names_by_id = dict(TagSet.objects.values_list("pk", "key"))
    out = {}
    for tagset_id, posts in TagSetRollup.objects.values_list("tagset_id", "posts"):
        key = names_by_id[tagset_id]
        out[key] = out.get(key, 0) + posts
    return out


def key_of(*names):
    from hashtags.models import Hashtag

    return tagset_key(Hashtag.objects.filter(name__in=names).values_list("pk", flat=True))


def test_it_keeps_one_row_when_a_page_is_polled_twice(tags):
    page = [post(i, likes=i) for i in range(10)]
    first = posts_upsert(posts=page)
    rollups = rollup_totals()
    second = posts_upsert(posts=page)
    assert (first.new, first.duplicates) == (10, 0)
    assert (second.new, second.duplicates) == (0, 10)
    assert Post.objects.count() == 10
    assert links_count() == 10
    assert rollup_totals() == rollups
    assert sum(values[0] for (table, *_), values in rollups if table == "minute") == 10
    rollups_exact()


def test_a_post_with_two_campaign_tags_is_linked_to_both_and_counted_once_in_their_set(tags):
    posts_upsert(posts=[post(1, tags=("nhitweek", "ihearthit"))])
    assert tag_names(Post.objects.get()) == {"nhitweek", "ihearthit"}
    assert Post.objects.get().tagset.key == key_of("nhitweek", "ihearthit")
    assert posts_per_tagset() == {key_of("nhitweek", "ihearthit"): 1}
    assert TagSetRollupHour.objects.get().posts == 1


def test_untracked_tags_are_not_linked(tags):
    posts_upsert(posts=[post(1, tags=("nhitweek", "somethingelse")), post(2, tags=("other",))])
    assert tag_names(Post.objects.get(external_id="p1")) == {"nhitweek"}
    assert posts_per_tagset() == {key_of("nhitweek"): 1}
    assert Post.objects.get(external_id="p2").tagset is None
    rollups_exact()


def test_refreshed_metrics_reach_the_rollups_as_their_difference(tags):
    posts_upsert(posts=[post(1, likes=2), post(2, likes=1)])
    posts_upsert(posts=[post(1, likes=50, replies=3)])
    stored = Post.objects.get(external_id="p1")
    assert (stored.likes, stored.replies) == (50, 3)
    for model in (TagSetRollup, TagSetRollupHour):
        row = model.objects.get()
        assert (row.posts, row.likes, row.replies) == (2, 51, 3)
    posts_upsert(posts=[post(1, likes=40)])
    assert TagSetRollup.objects.get().likes == 41
    rollups_exact()


def test_a_post_seen_later_with_another_tracked_tag_moves_to_the_larger_set(tags):
    posts_upsert(posts=[post(1, tags=("nhitweek",), likes=4), post(2, tags=("nhitweek",))])
    result = posts_upsert(posts=[post(1, tags=("hitworks",), likes=6)])
    assert result.new_links == {tags["HITworks"].pk: 1}
    assert Post.objects.get(external_id="p1").tagset.key == key_of("nhitweek", "hitworks")
    assert posts_per_tagset() == {key_of("nhitweek"): 1, key_of("nhitweek", "hitworks"): 1}
    rollups_exact()


def test_reposts_are_counted_as_reposts_not_posts(tags):
    posts_upsert(posts=[post(1), post(2, is_repost=True, likes=99)])
    for model in (TagSetRollup, TagSetRollupHour):
        rollup = model.objects.get()
        assert (rollup.posts, rollup.reposts, rollup.likes) == (1, 1, 0)


def test_rollups_bucket_by_utc_minute(tags):
    at = T0.replace(second=59)
    posts_upsert(posts=[post(1, at=at), post(2, at=at + timedelta(seconds=1))])
    minutes = sorted(TagSetRollup.objects.values_list("minute", "posts"))
    assert minutes == [(T0, 1), (T0 + timedelta(minutes=1), 1)]
    assert list(TagSetRollupHour.objects.values_list("hour", "posts")) == [(T0, 2)]


def test_the_posts_a_post_answers_and_quotes_are_stored_and_kept_when_it_is_seen_again(tags):
    answer = replace(post(2), reply_to="p1", quote_of="p1")
    posts_upsert(posts=[post(1), answer, replace(post(3), quote_of="p2")])
    stored = dict(Post.objects.values_list("external_id", "quote_of"))
    assert stored == {"p1": "", "p2": "p1", "p3": "p2"}
    # A metrics refresh or a later poll updates the metrics only, as for the parent it answers.
    posts_upsert(posts=[replace(answer, reply_to="", quote_of="", likes=5)])
    again = Post.objects.get(external_id="p2")
    assert (again.reply_to, again.quote_of, again.likes) == ("p1", "p1", 5)


def test_repeats_inside_one_page_are_stored_once_with_the_latest_metrics(tags):
    result = posts_upsert(posts=[post(1, likes=1), post(1, likes=5)])
    assert (result.read, result.new) == (1, 1)
    assert Post.objects.get().likes == 5


def test_authors_are_stored_once_and_followers_updated(tags):
    posts_upsert(posts=[post(1, author_n=1), post(2, author_n=1)])
    assert Author.objects.count() == 1
    again = post(3, author_n=1)
    bigger = replace(again, author=replace(again.author, followers=5000))
    posts_upsert(posts=[bigger])
    assert Author.objects.get().followers == 5000


def test_the_cursor_is_saved_with_its_page(tags):
    source = SourceFactory()
    posts_upsert(posts=[post(1)], source=source, cursor={"since_id": "1"})
    assert PollState.objects.get(source=source).cursor == {"since_id": "1"}


def test_a_failing_page_saves_neither_posts_nor_cursor(tags):
    source = SourceFactory()
    posts_upsert(posts=[post(1)], source=source, cursor={"since_id": "1"})
    broken = replace(post(2), created_at=None)
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the row
        posts_upsert(posts=[post(3), broken], source=source, cursor={"since_id": "3"})
    assert PollState.objects.get(source=source).cursor == {"since_id": "1"}
    assert set(Post.objects.values_list("external_id", flat=True)) == {"p1"}


@pytest.mark.postgres_only("two writers at once: PostgreSQL's row locks and deadlock retry")
@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_overlapping_pages_at_once_match_one_worker():
    for name in ("NHITweek", "HITworks"):
        hashtag_get_or_create(tag=name)
    pages = [
        [post(i, tags=("nhitweek", "hitworks"), likes=1) for i in range(0, 300)],
        [post(i, tags=("nhitweek", "hitworks"), likes=1) for i in range(150, 450)],
    ]

    def work(page):
        for _ in range(3):
            posts_upsert(posts=page)

    assert run_together(*(lambda p=p: work(p) for p in pages)) == []
    assert Post.objects.count() == 450
    assert links_count() == 900
    assert posts_per_tagset() == {key_of("nhitweek", "hitworks"): 450}
    rollups_exact()
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_a_page_worker_and_an_archive_worker_storing_the_same_posts_at_once_match_one_worker():
    for name in ("NHITweek", "HITworks"):
        hashtag_get_or_create(tag=name)
    archive = [post(i, tags=("nhitweek", "hitworks"), likes=2) for i in range(1200)]
    addressed = (Mention("mention", "senhealth", "158"), Mention("reply", "senhealth", "158"))
    archive = [replace(p, mentions=addressed) for p in archive]
    pages = [archive[i : i + 100] for i in range(600, 1200, 100)]
    pages += [[post(i, tags=("nhitweek",), likes=3) for i in range(1200, 1300)]]

    def work(batches, staged_min):
        for _ in range(2):
            for batch in batches:
                posts_upsert(posts=batch_prepare(posts=batch, staged_min=staged_min))

    assert run_together(lambda: work([archive], 1000), lambda: work(pages, 10**9)) == []
    assert Post.objects.count() == 1300
    assert links_count() == 2500
    assert posts_per_tagset() == {key_of("nhitweek", "hitworks"): 1200, key_of("nhitweek"): 100}
    rollups_exact()
    assert set(Post.objects.values_list("likes", flat=True)) == {2, 3}
    # Each stored post's mentions once, whichever worker stored it.
    assert PostMention.objects.count() == 2400
    assert set(PostMention.objects.values_list("post_id", flat=True)) == set(
        Post.objects.filter(external_id__in=[p.external_id for p in archive]).values_list(
            "id", flat=True
        )
    )


def _versions(model):
    """Each row's id and the transaction that wrote its current version (xmin)."""
    return list(model.objects.annotate(v=RawSQL("xmin::text", ())).values_list("id", "v"))


@pytest.mark.postgres_only("reads xmin, PostgreSQL's row version")
def test_rows_that_would_not_change_are_not_written_again(tags):
    page = [replace(post(i, likes=i, author_n=i % 3), quote_of=f"p{i - 1}") for i in range(10)]
    posts_upsert(posts=page, now=T0)
    posts, authors = _versions(Post), _versions(Author)
    rollups = _versions(TagSetRollup), _versions(TagSetRollupHour)
    # Seen again with the same metrics: nothing to write, whatever else the platform now says.
    page = [replace(p, quote_of="") for p in page]
    again = posts_upsert(posts=page, now=T0 + timedelta(hours=1))
    assert (again.new, again.duplicates) == (0, 10)
    assert _versions(Post) == posts
    assert _versions(Author) == authors
    assert (_versions(TagSetRollup), _versions(TagSetRollupHour)) == rollups
    assert set(Post.objects.values_list("metrics_updated_at", flat=True)) == {T0}
    assert set(Author.objects.values_list("updated_at", flat=True)) == {T0}


def test_changed_metrics_and_authors_are_written_with_the_time_they_changed(tags):
    posts_upsert(posts=[post(1, likes=1), post(2, likes=1)], now=T0)
    changed = replace(post(2, likes=9), author=replace(post(2).author, followers=7))
    posts_upsert(posts=[post(1, likes=1), changed], now=T0 + timedelta(hours=1))
    stamps = dict(Post.objects.values_list("external_id", "metrics_updated_at"))
    assert stamps == {"p1": T0, "p2": T0 + timedelta(hours=1)}
    assert Author.objects.get(external_id="a2").updated_at == T0 + timedelta(hours=1)
    assert Author.objects.get(external_id="a1").updated_at == T0


def test_text_of_any_shape_is_stored_as_given(tags):
    odd = [
        'quotes " and "" and \\ backslashes, commas',
        "lines\n\\.\nand\r\nmore\ttabs",
        "\\.",
        "NULL",
        "",
        "ünïcødé 🩺 #NHITweek",
    ]
    page = [
        replace(
            post(i, tags=("nhitweek", "null")),
            text=value,
            url=value,
            links=(value,) if value else (),
            reply_to=value,
            quote_of=value,
            author=replace(post(i).author, name=value, handle=value),
        )
        for i, value in enumerate(odd)
    ]
    hashtag_get_or_create(tag="null")
    posts_upsert(posts=page)
    stored = {p.external_id: p for p in Post.objects.select_related("author")}
    for i, value in enumerate(odd):
        got = stored[f"p{i}"]
        assert (got.text, got.url, got.reply_to, got.quote_of, got.author.name) == (value,) * 5
        assert got.links == ([value] if value else [])
    assert links_count("null") == len(odd)


def test_prefetched_hands_on_the_producers_error_and_stops_it_when_left_early():
    def broken():
        yield 1
        raise ValueError("bad archive")

    with pytest.raises(ValueError, match="bad archive"):
        list(prefetched(broken()))
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    for item in prefetched(endless()):
        if item == 3:
            break
    assert len(produced) <= 6  # one batch ahead, not the whole stream


def test_an_unknown_follower_count_keeps_the_stored_one_on_both_paths(tags, path):
    known = post(1, author_n=1)  # author a1 with 100 followers
    posts_upsert(posts=[known])
    unknown = author(1, followers=None)
    fresh = author(2, followers=None)  # never seen: 0 until a source knows
    later = [
        replace(post(2), author=replace(unknown, name="Renamed")),
        replace(post(3), author=fresh),
    ]
    posts_upsert(posts=later)
    stored = {a.external_id: (a.name, a.followers) for a in Author.objects.all()}
    assert stored == {"a1": ("Renamed", 100), "a2": ("User 2", 0)}
    posts_upsert(posts=[replace(post(4), author=author(2, followers=7))])
    assert Author.objects.get(external_id="a2").followers == 7
    posts_upsert(posts=[replace(post(5), author=author(2, followers=None))])  # nothing new
    assert Author.objects.get(external_id="a2").followers == 7


def test_stored_times_are_found_by_the_orm_at_their_exact_instant(tags):
    """On SQLite the page path writes times with its own INSERT; they must read as the ORM
    writes them (UTC, no offset), or its lookups miss them: an exact instant, or a time given
    at another offset."""
    at = T0 + timedelta(seconds=1, microseconds=500)
    later = (T0 + timedelta(minutes=30)).astimezone(timezone(timedelta(hours=2)))
    posts_upsert(posts=[post(1, at=at), post(2, at=later)])
    assert list(Post.objects.filter(created_at=at).values_list("external_id", flat=True)) == ["p1"]
    assert Post.objects.filter(created_at__lte=at).count() == 1
    assert Post.objects.filter(created_at__lt=T0 + timedelta(hours=1)).count() == 2
    assert Post.objects.filter(created_at__gt=T0 + timedelta(hours=1)).count() == 0
    assert TagSetRollup.objects.filter(minute=T0).count() == 1
    assert TagSetRollup.objects.filter(minute=T0 + timedelta(minutes=30)).count() == 1
    assert TagSetRollupHour.objects.filter(hour=T0).count() == 1

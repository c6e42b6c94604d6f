"""The tag-set rollups stay equal to a recount from the posts, whatever happens to them.

Mixed sequences of new posts, re-polls with changed metrics, tag sets that grow and metric
refreshes go through both write paths (polling pages and COPY batches, the `path` fixture), and
two workers at once; the repair command recomputes the same rows; posts_stored is sent inside
the storing transaction with the new posts only.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from hashtags.ingest import batch_prepare, posts_upsert
from hashtags.models import Post, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.refresh import metrics_refresh
from hashtags.services import hashtag_get_or_create
from hashtags.signals import posts_stored
from hashtags.tagsets import (
    hour_span,
    rollup_spans,
    tagset_hashtag_ids,
    tagset_key,
    tagsets_meeting,
)
from tests.hashtags.test_refresh import LookupClient
from tests.support.checks import (
    links_count,
    post_links,
    rollups_exact,
    rollups_stored,
    tagsets_holding,
)
from tests.support.factories import SourceFactory
from tests.support.ingest_data import T0, post
from tests.support.together import run_together

pytestmark = pytest.mark.both_databases

TAGS = ("nhitweek", "hitworks", "ihearthit")


@pytest.fixture
def tags(db):
    return {name: hashtag_get_or_create(tag=name).pk for name in TAGS}


def random_post(rng: random.Random, n: int, *, platform: str = "x"):
    """Post n, with random tags (sometimes untracked only), metrics and time."""
    chosen = tuple(rng.sample((*TAGS, "untracked"), rng.randint(1, 3)))
    return post(
        n,
        tags=chosen,
        platform=platform,
        at=T0 + timedelta(minutes=rng.randint(0, 300), seconds=rng.randint(0, 59)),
        likes=rng.randint(0, 40),
        reposts=rng.randint(0, 5),
        replies=rng.randint(0, 5),
        is_repost=rng.random() < 0.15,
    )


def mutated(rng: random.Random, p):
    """The same post seen again: other metrics, maybe one more tag, maybe fewer tags."""
    extra = tuple(t for t in TAGS if rng.random() < 0.3)
    shown = p.hashtags[: rng.randint(0, len(p.hashtags))]  # a later copy may show fewer
    return replace(
        p,
        hashtags=tuple(dict.fromkeys(shown + extra)),
        likes=max(0, p.likes + rng.randint(-3, 20)),
        replies=p.replies + rng.randint(0, 2),
        quotes=rng.randint(0, 3),
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_mixed_operations_keep_the_rollups_equal_to_a_recount(tags, path, seed):
    rng = random.Random(seed)
    known = {}
    carried: dict[str, set[str]] = {}  # external id -> every tracked tag any copy showed
    for round_ in range(6):
        page = []
        for n in rng.sample(range(400), 120):
            if n in known and rng.random() < 0.6:
                known[n] = mutated(rng, known[n])
            elif n not in known:
                known[n] = random_post(rng, n, platform=rng.choice(["x", "bluesky"]))
            page.append(known[n])
            shown = carried.setdefault(known[n].external_id, set())
            shown.update(t for t in known[n].hashtags if t in TAGS)
        posts_upsert(posts=page)
        rollups_exact()
        if round_ % 2:
            posts_upsert(posts=page[: len(page) // 2])  # a re-poll of part of it: no change
            rollups_exact()
    stored = {(p.platform, p.external_id) for p in known.values()}
    assert set(Post.objects.values_list("platform", "external_id")) == stored
    names = {pk: name for name, pk in tags.items()}
    tagged = {
        ext: {names[h] for h in tagset_hashtag_ids(key or "")}
        for ext, key in Post.objects.values_list("external_id", "tagset__key")
    }
    assert tagged == carried  # a post's tag set: every tracked tag any of its copies carried
    assert sum(r.posts + r.reposts for r in TagSetRollup.objects.all()) == (
        Post.objects.exclude(tagset=None).count()
    )


def test_a_refresh_adds_the_difference_and_a_refresh_without_change_adds_nothing(tags, path):
    source = SourceFactory(platform="x")
    first = [post(n, likes=n, tags=("nhitweek", "hitworks")[: 1 + n % 2]) for n in range(30)]
    posts_upsert(posts=first, source=source, now=T0)
    fresh = {p.external_id: replace(p, likes=p.likes * 3, quotes=1) for p in first}
    client = LookupClient(current=fresh)
    ids = list(Post.objects.values_list("pk", flat=True))
    later = lambda: T0 + timedelta(hours=2)  # noqa: E731
    result = metrics_refresh(
        source_id=source.pk, post_ids=ids, client_factory=lambda s: client, now=later
    )
    assert result.refreshed == 30
    assert sum(TagSetRollup.objects.values_list("likes", flat=True)) == 3 * sum(range(30))
    assert sum(TagSetRollupHour.objects.values_list("quotes", flat=True)) == 30
    rollups_exact()
    before = rollups_stored()
    metrics_refresh(
        source_id=source.pk,
        post_ids=ids,
        client_factory=lambda s: client,
        now=lambda: T0 + timedelta(hours=4),
        min_age=timedelta(),
    )
    assert rollups_stored() == before


def test_the_same_page_twice_changes_nothing(tags, path):
    rng = random.Random(7)
    page = [random_post(rng, n) for n in range(50)]
    posts_upsert(posts=page)
    grown = [mutated(rng, p) for p in page]
    posts_upsert(posts=grown)
    before = (rollups_stored(), post_links())
    tagsets = sorted(Post.objects.values_list("pk", "tagset_id"))
    again = posts_upsert(posts=grown)
    assert (again.new, again.duplicates, again.new_links) == (0, 50, {})
    assert before == (rollups_stored(), post_links())
    assert sorted(Post.objects.values_list("pk", "tagset_id")) == tagsets
    rollups_exact()


def test_a_grown_tag_set_moves_the_post_and_its_engagement(tags, path):
    posts_upsert(posts=[post(1, tags=("nhitweek",), likes=5, replies=2)])
    only = TagSet.objects.get(key=tagset_key([tags["nhitweek"]]))
    posts_upsert(posts=[post(1, tags=("ihearthit",), likes=8, replies=2)])
    both = TagSet.objects.get(key=tagset_key([tags["nhitweek"], tags["ihearthit"]]))
    assert Post.objects.get().tagset_id == both.pk
    for model in (TagSetRollup, TagSetRollupHour):
        rows = {r.tagset_id: (r.posts, r.likes, r.replies) for r in model.objects.all()}
        assert rows == {only.pk: (0, 0, 0), both.pk: (1, 8, 2)}
    rollups_exact()


@pytest.mark.postgres_only("two writers at once: PostgreSQL's row locks and deadlock retry")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("staged_min", [1000, 10**9])
def test_two_workers_growing_and_refreshing_the_same_posts_at_once_match_one(staged_min):
    for name in TAGS:
        hashtag_get_or_create(tag=name)
    base = [post(i, tags=("nhitweek",), likes=1) for i in range(1200)]
    posts_upsert(posts=base[::2])
    pages = [
        [replace(p, hashtags=("nhitweek", "hitworks"), likes=5) for p in base],
        [replace(p, hashtags=("ihearthit",), likes=5) for p in reversed(base)],
    ]

    def work(page):
        for _ in range(2):
            for start in range(0, len(page), 600):
                part = page[start : start + 600]
                posts_upsert(posts=batch_prepare(posts=part, staged_min=staged_min))

    assert run_together(*(lambda p=p: work(p) for p in pages)) == []
    assert connection.vendor == "postgresql"
    assert Post.objects.count() == 1200
    assert links_count() == 3600
    rollups_exact()
    keys = set(Post.objects.values_list("tagset__key", flat=True))
    assert len(keys) == 1  # every post carries all three tags now
    assert sum(TagSetRollup.objects.values_list("likes", flat=True)) == 1200 * 5


def test_rebuild_rollups_repairs_what_was_broken(tags):
    rng = random.Random(3)
    posts_upsert(posts=[random_post(rng, n) for n in range(80)])
    posts_upsert(posts=[mutated(rng, random_post(random.Random(3), n)) for n in range(40)])
    right = rollups_stored()
    TagSetRollup.objects.filter(pk__in=TagSetRollup.objects.values("pk")[:5]).delete()
    TagSetRollupHour.objects.update(likes=0)
    TagSetRollup.objects.filter(pk__in=TagSetRollup.objects.values("pk")[5:9]).update(posts=99)
    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert out.getvalue().startswith("rebuilt: posts=")
    assert rollups_stored() == right
    rollups_exact()
    call_command("rebuild_rollups", stdout=io.StringIO())  # twice: the same rows
    assert rollups_stored() == right


def test_posts_stored_is_sent_inside_the_transaction_with_the_new_posts_only(tags, path):
    calls = []

    def receiver(sender, post_ids, hashtag_ids, **kwargs):
        stored = set(Post.objects.filter(pk__in=post_ids).values_list("external_id", flat=True))
        calls.append((connection.in_atomic_block, stored, sorted(hashtag_ids)))

    posts_upsert(posts=[post(1)])
    posts_stored.connect(receiver)
    try:
        posts_upsert(posts=[post(1, likes=3), post(2, tags=("hitworks",)), post(3)])
        posts_upsert(posts=[post(2, likes=9)])  # nothing new: no signal
    finally:
        posts_stored.disconnect(receiver)
    assert calls == [(True, {"p2", "p3"}, sorted([tags["nhitweek"], tags["hitworks"]]))]


def test_a_receiver_that_fails_rolls_the_page_back(tags, path):
    def receiver(**kwargs):
        raise RuntimeError("moderation broke")

    posts_stored.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            posts_upsert(posts=[post(1), post(2)])
    finally:
        posts_stored.disconnect(receiver)
    assert not Post.objects.exists()
    assert not TagSetRollup.objects.exists()


def test_tagsets_meeting_finds_every_set_holding_a_hashtag(db):
    sets = {
        key: TagSet.objects.create(key=key).pk for key in ("1", "1,12", "2,21", "12", "3,12,31")
    }
    assert tagsets_meeting([12]) == {sets["1,12"]: [12], sets["12"]: [12], sets["3,12,31"]: [12]}
    assert tagsets_meeting([1, 2]) == {sets["1"]: [1], sets["1,12"]: [1], sets["2,21"]: [2]}
    assert tagsets_holding(31) == [sets["3,12,31"]]
    assert tagsets_meeting([]) == {}


def test_hour_span_is_the_whole_utc_hours_inside_a_window():
    assert hour_span(T0 + timedelta(minutes=5), T0 + timedelta(hours=3, minutes=1)) == (
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=3),
    )
    assert hour_span(T0, T0 + timedelta(hours=1)) == (T0, T0 + timedelta(hours=1))
    assert hour_span(T0 + timedelta(minutes=1), T0 + timedelta(minutes=59)) is None


def test_an_author_left_out_as_sent_before_but_never_stored_is_sent_again(tags):
    sent: dict = {}
    first = [post(n, author_n=n) for n in range(1000)]
    batch_prepare(posts=first, authors_sent=sent)  # its batch fails: never stored
    second = [post(n, author_n=n - 1000) for n in range(1000, 2000)]  # the same authors
    prepared = batch_prepare(posts=second, authors_sent=sent)
    assert prepared.staged.authors == ""  # all left out as sent
    result = posts_upsert(posts=prepared)
    assert result.new == 1000
    assert Post.objects.count() == 1000
    rollups_exact()


def test_rollup_spans_read_hour_rows_inside_and_minute_rows_at_the_edges():
    start, end = T0 + timedelta(minutes=5), T0 + timedelta(hours=3, minutes=1)
    spans = rollup_spans(start, end)
    assert spans.hours == (T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    assert spans.minutes == ((start, T0 + timedelta(hours=1)), (T0 + timedelta(hours=3), end))
    assert spans.has_hours
    # Minute rows only: the same shape, with an empty hour range and an empty second edge.
    only = rollup_spans(start, end, minutes_only=True)
    assert (only.minutes, only.hours, only.has_hours) == (
        ((start, end), (end, end)),
        (end, end),
        False,
    )
    short = rollup_spans(T0 + timedelta(minutes=1), T0 + timedelta(minutes=59))
    assert not short.has_hours

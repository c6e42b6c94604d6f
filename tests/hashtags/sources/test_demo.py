"""The demo source behaves like a real network: deterministic, time-shaped, resumable by cursor."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from hashtags.models import Source
from hashtags.normalize import hashtag_normalize
from hashtags.sources.base import SourceError
from hashtags.sources.demo import PAGE_SIZE, DemoClient, client_for

EASTERN = ZoneInfo("America/New_York")
TAGS = ["nhitweek", "hitworks", "ihearthit"]
# A Tuesday of NHIT Week: a chat day, so the chat spike is at 14:00 Eastern.
TUESDAY = datetime(2026, 9, 15, tzinfo=EASTERN)
HASHTAG = re.compile(r"#(\w+)")


def client(*, now: datetime, **kwargs) -> DemoClient:
    return DemoClient(seed=kwargs.pop("seed", 7), now=lambda: now, **kwargs)


def posts_of(pages) -> list:
    return [post for page in pages for post in page.posts]


def day_of_posts(demo: DemoClient, *, hashtags: list[str], day: datetime) -> list:
    minutes = (day + timedelta(minutes=m) for m in range(24 * 60))
    return [post for m in minutes for post in demo.minute_posts(hashtags=hashtags, minute=m)]


def test_the_same_seed_and_minute_give_the_same_posts_and_another_seed_does_not():
    minute = TUESDAY + timedelta(hours=9, minutes=30)
    hour = [minute + timedelta(minutes=m) for m in range(60)]
    first = DemoClient(seed=7)
    again = DemoClient(seed=7)
    other = DemoClient(seed=8)

    posts = [p for m in hour for p in first.minute_posts(hashtags=TAGS, minute=m)]
    assert posts
    assert posts == [p for m in hour for p in again.minute_posts(hashtags=TAGS, minute=m)]
    assert [(p.external_id, p.text) for p in posts] != [
        (p.external_id, p.text) for m in hour for p in other.minute_posts(hashtags=TAGS, minute=m)
    ]


def test_nights_are_quiet_mornings_busy_and_the_chat_spikes():
    posts = day_of_posts(DemoClient(seed=7), hashtags=TAGS, day=TUESDAY)
    per_hour = Counter(p.created_at.astimezone(EASTERN).hour for p in posts)
    night = sum(per_hour[h] for h in range(6)) / 6
    morning = sum(per_hour[h] for h in range(8, 11)) / 3

    assert night * 8 < morning
    assert per_hour[14] > 2.5 * max(per_hour[h] for h in (9, 13, 15, 16))
    chat = [p for p in posts if p.created_at.astimezone(EASTERN).hour == 14]
    questions = [p for p in chat if re.match(r"Q\d: ", p.text) and not p.is_repost]
    assert [q.text[:2] for q in questions] == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    answers = [p for p in chat if p.text.startswith("A1: ") and not p.is_repost]
    assert answers
    assert {a.reply_to for a in answers} == {questions[0].external_id}


def test_a_day_without_a_chat_has_no_spike():
    wednesday = TUESDAY + timedelta(days=1)
    posts = day_of_posts(DemoClient(seed=7), hashtags=TAGS, day=wednesday)
    per_hour = Counter(p.created_at.astimezone(EASTERN).hour for p in posts)

    assert per_hour[14] < 1.5 * per_hour[9]
    assert not any(re.match(r"[QA]\d: ", p.text) for p in posts)


def test_a_fresh_source_backfills_only_the_window():
    now = TUESDAY + timedelta(hours=11, minutes=20, seconds=42)
    pages = list(client(now=now, backfill=timedelta(hours=2)).fetch(hashtags=TAGS, cursor={}))
    posts = posts_of(pages)

    assert posts
    # Only complete minutes: the two hours before the minute that is still running.
    this_minute = now.replace(second=0)
    assert this_minute - timedelta(hours=2) <= min(p.created_at for p in posts)
    assert max(p.created_at for p in posts) < this_minute
    reached = datetime.fromisoformat(pages[-1].cursor["minute"])
    assert reached == this_minute - timedelta(minutes=1)


def test_pages_hold_at_most_a_hundred_posts_oldest_first():
    now = TUESDAY + timedelta(hours=15)
    pages = list(client(now=now).fetch(hashtags=TAGS, cursor={}))
    posts = posts_of(pages)

    assert len(pages) > 3
    assert all(0 < len(page.posts) <= PAGE_SIZE for page in pages)
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    assert len({p.external_id for p in posts}) == len(posts)
    for page, following in pairwise(pages):
        reached = datetime.fromisoformat(page.cursor["minute"])
        assert page.oldest_at <= page.newest_at < reached + timedelta(minutes=1)
        assert following.oldest_at >= reached + timedelta(minutes=1)


def test_resuming_from_the_first_page_yields_the_rest_exactly_once():
    now = TUESDAY + timedelta(hours=15)
    everything = [p.external_id for p in posts_of(client(now=now).fetch(hashtags=TAGS, cursor={}))]

    first = next(iter(client(now=now).fetch(hashtags=TAGS, cursor={})))
    rest = posts_of(client(now=now).fetch(hashtags=TAGS, cursor=first.cursor))

    assert [p.external_id for p in first.posts] + [p.external_id for p in rest] == everything


def test_a_later_poll_brings_only_the_new_minutes_and_an_early_one_brings_nothing():
    now = TUESDAY + timedelta(hours=9, minutes=0, seconds=30)
    cursor = list(client(now=now).fetch(hashtags=TAGS, cursor={}))[-1].cursor

    assert list(client(now=now + timedelta(seconds=20)).fetch(hashtags=TAGS, cursor=cursor)) == []
    later = list(client(now=now + timedelta(minutes=10)).fetch(hashtags=TAGS, cursor=cursor))
    posts = posts_of(later)
    assert posts
    assert all(
        datetime.fromisoformat(cursor["minute"]) + timedelta(minutes=1) <= p.created_at
        for p in posts
    )
    reached = datetime.fromisoformat(later[-1].cursor["minute"])
    assert reached == TUESDAY + timedelta(hours=9, minutes=9)


def test_a_long_pause_catches_up_a_bounded_window_with_a_warning():
    now = TUESDAY + timedelta(hours=12)
    stale = {"minute": (now - timedelta(days=3)).isoformat()}
    pages = list(
        client(now=now, backfill=timedelta(hours=1), max_catch_up=timedelta(hours=3)).fetch(
            hashtags=TAGS, cursor=stale
        )
    )

    assert min(p.created_at for p in posts_of(pages)) >= now - timedelta(hours=3)
    assert "Skipped" in pages[0].warnings[0]


def test_an_unreadable_cursor_starts_again_from_the_backfill_with_a_warning():
    now = TUESDAY + timedelta(hours=10)
    pages = list(
        client(now=now, backfill=timedelta(minutes=30)).fetch(
            hashtags=TAGS, cursor={"minute": "yesterday"}
        )
    )

    assert min(p.created_at for p in posts_of(pages)) >= now - timedelta(minutes=30)
    assert pages[0].warnings


def test_posts_carry_only_requested_tags_and_show_them_in_their_text():
    requested = ["nhitweek", "ihearthit"]
    posts = posts_of(client(now=TUESDAY + timedelta(hours=16)).fetch(hashtags=requested, cursor={}))

    assert any(len(p.hashtags) > 1 for p in posts)
    assert any("#NHITweek" in p.text for p in posts)
    assert any("#IHeartHIT" in p.text for p in posts)
    for post in posts:
        assert post.hashtags
        assert set(post.hashtags) <= set(requested)
        assert all(hashtag_normalize(tag) == tag for tag in post.hashtags)
        in_text = [hashtag_normalize(tag) for tag in HASHTAG.findall(post.text)]
        assert set(in_text) == set(post.hashtags)
        assert all(link.startswith("https://") and link in post.text for link in post.links)


def test_reposts_point_at_posts_that_exist_earlier():
    demo = client(now=TUESDAY + timedelta(hours=12))
    posts = posts_of(demo.fetch(hashtags=TAGS, cursor={}))
    reposts = [p for p in posts if p.is_repost]

    assert len(reposts) > 10
    for repost in reposts:
        minute = datetime.strptime(repost.repost_of.split("-")[-2], "%Y%m%d%H%M").replace(
            tzinfo=UTC
        )
        assert minute < repost.created_at.replace(second=0)
        originals = {p.external_id: p for p in demo.minute_posts(hashtags=TAGS, minute=minute)}
        original = originals[repost.repost_of]
        assert not original.is_repost
        assert (repost.text, repost.hashtags) == (original.text, original.hashtags)


def test_authors_are_a_stable_cast_and_engagement_is_heavy_tailed():
    posts = day_of_posts(DemoClient(seed=7), hashtags=TAGS, day=TUESDAY)
    authors = {p.author.handle: p.author for p in posts}
    likes = sorted(p.likes for p in posts if not p.is_repost)
    regulars = {a for a in authors if not re.search(r"_\d{6}$", a)}
    newcomers = set(authors) - regulars  # the chat's: someone only that day

    assert 35 <= len(regulars) <= 45
    assert 1 <= len(newcomers) <= 12
    assert all(a.endswith(f"_{TUESDAY:%y%m%d}") for a in newcomers)
    assert all(p.author == authors[p.author.handle] for p in posts)
    assert likes[len(likes) // 2] * 20 < likes[-1]


def test_streams_for_different_tags_never_share_ids():
    now = TUESDAY + timedelta(hours=10)
    ids = {
        tag: {p.external_id for p in posts_of(client(now=now).fetch(hashtags=[tag], cursor={}))}
        for tag in TAGS
    }

    assert all(ids.values())
    assert not ids["nhitweek"] & ids["hitworks"]
    assert not ids["nhitweek"] & ids["ihearthit"]


def test_an_invalid_hashtag_is_a_permanent_error():
    with pytest.raises(SourceError) as caught:
        list(client(now=TUESDAY).fetch(hashtags=["no spaces"], cursor={}))

    assert caught.value.permanent


def test_client_for_builds_a_demo_client_and_refuses_other_platforms():
    assert isinstance(client_for(Source(platform="demo")), DemoClient)
    with pytest.raises(SourceError) as caught:
        client_for(Source(platform="x"))
    assert caught.value.permanent


def test_no_hashtags_means_no_pages():
    assert list(client(now=TUESDAY).fetch(hashtags=[], cursor={})) == []

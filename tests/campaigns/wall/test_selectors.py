"""The event wall's JSON: what shows in what order, what each item carries, how fresh and cheap."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.curation.services import story_curate
from campaigns.models import Story
from campaigns.wall.selectors import campaign_wall
from hashtags.ingest import posts_upsert
from hashtags.models import Author, Post, TagSet, TagSetRollup, TagSetRollupHour
from hashtags.tagsets import tagset_key
from tests.support.factories import CampaignFactory
from tests.support.ingest_data import post
from tests.support.wall_data import EMAIL, act, keys, store, story, wall_json

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]


# --- What shows, in what order -------------------------------------------------------------------


def test_pinned_items_come_first_in_pin_order_then_featured_and_stories_newest_first(
    client, public_campaign, curator
):
    c = public_campaign
    a, b, d, e, f = store(c, 1, 2, 3, 4, 5)
    for pk in (a, b, d):
        act(c, curator, pk, "feature")
    act(c, curator, e, "pin", position=1)
    act(c, curator, f, "pin", position=1)  # f before e now
    old_story = story(c, "Olga", minutes=0)
    new_story = story(c, "Nina", minutes=150)  # newer than every post
    pinned_story = story(c, "Pia", minutes=-30)
    story_curate(campaign=c, story_id=pinned_story.pk, action="pin", actor=curator, position=1)

    assert keys(wall_json(client, c)) == [
        f"post-{f}",  # pin 1: the post before the story of the same rank
        f"story-{pinned_story.pk}",  # story pin 1
        f"post-{e}",  # pin 2
        f"story-{new_story.pk}",
        f"post-{d}",
        f"post-{b}",
        f"post-{a}",
        f"story-{old_story.pk}",
    ]


def test_hidden_unfeatured_new_posts_and_unapproved_stories_never_show(
    client, public_campaign, curator
):
    c = public_campaign
    shown, hidden, unfeatured, approved_only, untouched = store(c, 1, 2, 3, 4, 5)
    act(c, curator, shown, "feature")
    act(c, curator, hidden, "pin", position=1)
    act(c, curator, hidden, "hide")
    act(c, curator, unfeatured, "feature")
    act(c, curator, unfeatured, "unfeature")
    act(c, curator, approved_only, "approve")
    story(c, "New", status=Story.Status.NEW)
    story(c, "Hidden", status=Story.Status.HIDDEN)

    assert keys(wall_json(client, c)) == [f"post-{shown}"]
    for url in (f"/c/{c.slug}/wall/", f"/c/{c.slug}/embed/featured/"):
        html = client.get(url).content.decode()
        assert f'"post-{hidden}"' not in html and f'"post-{untouched}"' not in html


def test_the_wall_is_bounded(client, public_campaign, curator):
    c = public_campaign
    Story.objects.bulk_create(
        [
            Story(
                campaign=c,
                name=f"S{i}",
                role="other",
                email=EMAIL,
                text="x",
                consent=True,
                status=Story.Status.APPROVED,
                created_at=c.start,
            )
            for i in range(60)
        ]
    )
    assert len(wall_json(client, c)["items"]) == 50


def test_items_carry_what_the_screen_shows_in_the_campaign_zone(client, public_campaign, curator):
    c = public_campaign
    (pk,) = store(c, 1)
    Author.objects.update(name="Ada Lovelace", avatar_url="https://cdn.example/ada.png")
    act(c, curator, pk, "feature")
    s = story(c, "Ümit Öz", link="https://example.org/story", role=Story.Role.PATIENT)
    post_item, story_item = sorted(wall_json(client, c)["items"], key=lambda i: i["kind"])
    created = Post.objects.get(pk=pk).created_at.astimezone(c.tz)
    assert post_item["created_at"] == created.isoformat()
    assert post_item["author"] == {
        "name": "Ada Lovelace",
        "handle": "user1",
        "initials": "AL",
        "url": "",
    }
    assert post_item["platform_label"] == "X" and post_item["url"] == "https://example.org/p/1"
    assert story_item["name"] == "Ümit Öz" and story_item["initials"] == "ÜÖ"
    assert story_item["role"] == "Patient or caregiver"
    assert story_item["url"] == "https://example.org/story"
    assert "avatar" not in json.dumps(post_item)  # remote images are never loaded
    assert str(s.pk) == str(story_item["id"])


def test_a_post_shows_the_campaign_hashtags_it_carries_in_campaign_order_and_colours(
    client, public_campaign, curator
):
    c = public_campaign
    CampaignFactory(slug="other", tags=["HealthIT"])  # tracked, but for another campaign
    at = c.start + timedelta(hours=1)
    tags = ("ihearthit", "healthit", "nottracked", "nhitweek")
    posts_upsert(posts=[post(1, tags=tags, at=at), post(2, tags=("hitworks",), at=at)])
    both, one = (Post.objects.get(external_id=f"p{n}") for n in (1, 2))
    assert len(both.tagset.key.split(",")) == 3  # NHITweek, IHeartHIT and HealthIT
    act(c, curator, both.pk, "feature")
    act(c, curator, one.pk, "pin", position=1)
    story(c, "Dana")
    colour = {ln.hashtag.display: ln.color for ln in c.campaign_hashtags.select_related("hashtag")}

    items = {item["key"]: item for item in wall_json(client, c)["items"]}
    assert items[f"post-{both.pk}"]["hashtags"] == [
        {"tag": "NHITweek", "color": colour["NHITweek"]},
        {"tag": "IHeartHIT", "color": colour["IHeartHIT"]},
    ]
    assert items[f"post-{one.pk}"]["hashtags"] == [{"tag": "HITworks", "color": colour["HITworks"]}]
    (story_item,) = (item for item in items.values() if item["kind"] == "story")
    assert story_item["hashtags"] == []
    # The header and the chips name a tag alike: its display form, the '#' added on screen.
    assert {t["tag"] for t in wall_json(client, c)["hashtags"]} == set(colour)


def test_the_answer_carries_the_hashtags_in_their_colours_and_the_live_count(
    client, public_campaign
):
    c = public_campaign
    links = list(c.campaign_hashtags.select_related("hashtag"))
    answer = wall_json(client, c)
    assert answer["hashtags"] == [{"tag": ln.hashtag.display, "color": ln.color} for ln in links]
    assert answer["count"]["value"] == 0 and answer["count"]["label"] == "posts"

    one, two = links[0].hashtag_id, links[1].hashtag_id
    both = TagSet.objects.create(key=tagset_key([one, two]))
    alone = TagSet.objects.create(key=tagset_key([two]))
    hour = c.start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    TagSetRollupHour.objects.create(tagset=both, platform="x", hour=hour, posts=7, reposts=3)
    # Minute rows cover every minute, hour rows the whole hours: the same posts, counted once.
    TagSetRollup.objects.create(tagset=alone, platform="bluesky", minute=hour, posts=5, reposts=1)
    TagSetRollupHour.objects.create(tagset=alone, platform="bluesky", hour=hour, posts=5, reposts=1)
    # Before the campaign opened: not counted.
    TagSetRollup.objects.create(
        tagset=alone, platform="x", minute=c.start - timedelta(hours=2), posts=100
    )
    from hashtags.generation import generation_bump

    generation_bump(hashtag_ids=[one])
    count = wall_json(client, c)["count"]
    assert (count["value"], count["reposts"]) == (12, 4)


# --- Freshness and cost -----------------------------------------------------------------------


def test_a_curation_action_refreshes_the_cached_answer(
    client, public_campaign, curator, django_capture_on_commit_callbacks
):
    c = public_campaign
    a, b = store(c, 1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, a, "feature")
    assert keys(wall_json(client, c)) == [f"post-{a}"]
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, b, "feature")
    assert keys(wall_json(client, c)) == [f"post-{b}", f"post-{a}"]
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, b, "hide")
    assert keys(wall_json(client, c)) == [f"post-{a}"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["api/wall", "wall/", "embed/featured/"])
def test_the_query_count_does_not_grow_with_the_items(client, public_campaign, curator, path):
    c = public_campaign
    url = f"/c/{c.slug}/{path}"
    few = store(c, 1, 2)
    for pk in few:
        act(c, curator, pk, "feature")
    story(c)
    client.get(url)
    cached = _queries(client, url)
    from django.core.cache import cache

    cache.clear()
    with_few = _queries(client, url)
    for pk in store(c, *range(3, 23)):
        act(c, curator, pk, "feature")
    for i in range(10):
        story(c, f"S{i}")
    cache.clear()
    with_many = _queries(client, url)
    assert len(wall_json(client, c)["items"]) == 33
    assert with_many == with_few
    assert cached < with_few


def test_the_answer_costs_six_queries_whatever_the_number_of_items(
    public_campaign, curator, django_assert_num_queries
):
    c = public_campaign
    for pk in store(c, *range(1, 21)):
        act(c, curator, pk, "feature")
    for i in range(5):
        story(c, f"S{i}")
    # The hashtags, the live count, the posts, the stories, and two for every post's hashtags
    # (tag_labels: the campaign's hashtags, then the tag sets meeting them).
    with django_assert_num_queries(6):
        answer = campaign_wall(campaign=c)
    posts = [item for item in answer["items"] if item["kind"] == "post"]
    assert len(answer["items"]) == 25 and len(posts) == 20
    assert all(item["hashtags"][0]["tag"] == "NHITweek" for item in posts)

"""Cached answers never outlive the curation they were built on, even across a cache outage."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.support.wall_data import act, keys, store, wall_json

pytestmark = pytest.mark.django_db

CACHE_METHODS = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many")


class CacheOutage:
    """Every call on the default cache raises as a stopped Redis does, until `end()`."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.backend = caches["default"]

    def begin(self) -> None:
        def down(*args, **kwargs):
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Refused.")

        for name in CACHE_METHODS:
            self.monkeypatch.setattr(self.backend, name, down)

    def end(self) -> None:
        self.monkeypatch.undo()


def _top_ids(client, campaign) -> list[int]:
    response = client.get(f"/c/{campaign.slug}/api/top-posts")
    assert response.status_code == 200, response.content
    return [p["id"] for p in response.json()["posts"]]


def test_a_post_hidden_while_the_cache_is_down_is_gone_from_top_posts_and_the_wall_after(
    client, public_campaign, curator, monkeypatch, django_capture_on_commit_callbacks
):
    c = public_campaign
    shown, hidden = store(c, 1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, shown, "feature")
        act(c, curator, hidden, "feature")
    # Both answers are cached with the post in them.
    assert hidden in _top_ids(client, c)
    assert f"post-{hidden}" in keys(wall_json(client, c))
    assert client.get(f"/c/{c.slug}/api/top-posts")["X-Dashboard-Cache"] == "hit"

    outage = CacheOutage(monkeypatch)
    outage.begin()
    with django_capture_on_commit_callbacks(execute=True):
        act(c, curator, hidden, "hide")  # saved; the generation bump fails
    assert hidden not in _top_ids(client, c)  # computed without the cache meanwhile
    outage.end()

    assert hidden not in _top_ids(client, c)
    assert shown in _top_ids(client, c)
    assert f"post-{hidden}" not in keys(wall_json(client, c))
    assert f"post-{shown}" in keys(wall_json(client, c))


def test_an_unchanged_campaign_is_still_answered_from_the_cache(client, public_campaign):
    store(public_campaign, 1)
    first = client.get(f"/c/{public_campaign.slug}/api/top-posts")
    again = client.get(f"/c/{public_campaign.slug}/api/top-posts")
    assert (first["X-Dashboard-Cache"], again["X-Dashboard-Cache"]) == ("miss", "hit")

"""Each hashtag's poll log row says what happened to its own search: a page's warnings and a
search's failure are written on the rows of the tags they concern, not on every row."""

from __future__ import annotations

import pytest
import responses

from hashtags.models import PollLog
from hashtags.sources.base import Page, SourceError
from hashtags.sources.mastodon import MastodonClient
from tests.support.factories import SourceFactory
from tests.support.fake_clients import ScriptedClient, page_posts
from tests.support.mastodon_replay import SERVER, recorded, replay
from tests.support.polling_data import poll, tags_make

pytestmark = pytest.mark.both_databases


def _messages(source) -> dict[str, tuple[str, str]]:
    rows = PollLog.objects.filter(source=source).values_list("hashtag__name", "outcome", "message")
    return {name: (outcome, message) for name, outcome, message in rows}


def _page(n: int, tag: str, warnings: list[str]) -> Page:
    return Page(
        posts=page_posts(page=n, hashtags=[tag]),
        cursor={"page": n},
        warnings=warnings,
        hashtags=(tag,),
    )


def test_a_warning_of_one_hashtags_search_is_on_that_hashtags_row_only(source, tags):
    steps = [
        _page(1, "nhitweek", ["Bluesky stopped paging #nhitweek; older posts skipped."]),
        _page(2, "hitworks", []),
        _page(3, "ihearthit", ["skipped status 42: KeyError 'account'"]),
    ]
    result = poll(source, tags, ScriptedClient(steps))
    assert result.outcome == "ok"
    assert _messages(source) == {
        "nhitweek": ("ok", "Bluesky stopped paging #nhitweek; older posts skipped."),
        "hitworks": ("ok", ""),
        "ihearthit": ("ok", "skipped status 42: KeyError 'account'"),
    }
    # The poll's own summary still holds every warning, for the caller and the logs.
    assert "older posts skipped" in result.message and "status 42" in result.message


def test_a_warning_of_a_page_that_names_no_hashtag_is_every_rows(source, tags):
    page = Page(
        posts=page_posts(page=1, hashtags=list(tags)), cursor={"page": 1}, warnings=["odd page"]
    )
    poll(source, tags, ScriptedClient([page]))
    assert {message for _, message in _messages(source).values()} == {"odd page"}


def test_a_failed_search_names_its_reason_on_its_row_and_says_so_on_the_others(source, tags):
    reason = "Mastodon mastodon.social (#ihearthit): server error (503)."
    steps = [
        _page(1, "nhitweek", ["skipped status 7: KeyError 'id'"]),
        SourceError(reason, hashtags=("ihearthit",)),
    ]
    result = poll(source, tags, ScriptedClient(steps))
    assert result.outcome == "error"
    rows = _messages(source)
    assert rows["ihearthit"] == ("error", reason)
    assert rows["nhitweek"] == (
        "error",
        "skipped status 7: KeyError 'id'; Stopped by the error polling #IHeartHIT.",
    )
    assert rows["hitworks"] == ("error", "Stopped by the error polling #IHeartHIT.")
    assert not any(reason in message for name, (_, message) in rows.items() if name != "ihearthit")


def test_a_failure_of_the_whole_source_is_on_every_row(source, tags):
    reason = "X refused the bearer token (401 Unauthorized)"
    poll(source, tags, ScriptedClient([SourceError(reason, permanent=True)]))
    assert set(_messages(source).values()) == {("error", reason)}


def test_the_page_limit_note_is_on_every_row_as_it_stops_every_search(source, tags):
    steps = [_page(1, "nhitweek", []), _page(2, "hitworks", [])]
    poll(source, tags, ScriptedClient(steps), max_pages=1)
    assert {message for _, message in _messages(source).values()} == {
        "stopped after 1 pages; continues next poll"
    }


def test_a_mastodon_status_skipped_under_one_hashtag_is_named_on_that_row_only(db):
    """Through the real client: a status #nhitweek's timeline could not read."""
    tags = tags_make("NHITweek", "IHeartHIT")
    source = SourceFactory(platform="mastodon", base_url=SERVER)
    statuses = recorded("tag_nhitweek_latest")["response"]["body"]
    broken = {key: value for key, value in statuses[0].items() if key != "account"}
    with responses.RequestsMock() as rsps:
        replay(rsps, "instance_v2")
        replay(rsps, "tag_nhitweek_latest", body=[broken, *statuses[1:]])
        replay(rsps, "tag_ihearthit_empty")
        result = poll(source, tags, MastodonClient(base_url=SERVER))
    assert result.outcome == "ok"
    rows = _messages(source)
    assert rows["nhitweek"][1].startswith(f"skipped status {broken['id']}: ")
    assert rows["ihearthit"] == ("ok", "")

"""The sources list tells admins how each source is doing: its health (from its poll state and
its last poll's log) and its last error, escaped and shortened; filtered and sorted by health."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hashtags.health import SourceHealth, sources_with_health
from hashtags.models import PollLog, PollOutcome, PollState, Source
from tests.support.factories import HashtagFactory, SourceFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/hashtags/source/"
HOSTILE = "<script>alert(1)</script> refused: " + "very long reason " * 20


def _polled(source: Source, *outcomes: str, failures: int = 0, wait: int = 0) -> None:
    """Polls of `source` that ended with these outcomes, one a minute, the last one now."""
    now = timezone.now()
    hashtag = HashtagFactory()
    for age, outcome in enumerate(reversed(outcomes)):
        finished = now - timedelta(minutes=age)
        PollLog.objects.create(
            source=source,
            hashtag=hashtag,
            started_at=finished - timedelta(seconds=2),
            finished_at=finished,
            outcome=outcome,
        )
    PollState.objects.create(
        source=source,
        last_polled_at=now,
        failures=failures,
        next_poll_at=now + timedelta(seconds=wait),
    )


@pytest.fixture
def sources(db) -> dict[str, Source]:
    ok = SourceFactory(platform="demo")
    _polled(ok, PollOutcome.ERROR, PollOutcome.OK)
    failing = SourceFactory(
        platform="mastodon",
        base_url="https://failing.example",
        last_error=HOSTILE,
        last_error_at=timezone.now(),
    )
    _polled(failing, PollOutcome.OK, PollOutcome.ERROR, PollOutcome.ERROR, failures=2, wait=600)
    limited = SourceFactory(platform="x", last_error="X: rate limited (429)")
    _polled(limited, PollOutcome.OK, PollOutcome.RATE_LIMITED, wait=900)
    disabled = SourceFactory(
        platform="mastodon",
        base_url="https://gone.example",
        enabled=False,
        last_error="access refused (401); check MASTODON_ACCESS_TOKEN.",
    )
    _polled(disabled, PollOutcome.ERROR, failures=1)
    never = SourceFactory(platform="bluesky")
    PollState.objects.create(source=never)  # reserved by the scheduler, not polled yet
    return {
        "ok": ok,
        "failing": failing,
        "rate_limited": limited,
        "disabled": disabled,
        "never_polled": never,
    }


def _rows(html: str) -> dict[str, str]:
    """Each result row's text by the source's id."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html.split('id="result_list"', 1)[1], re.S)
    found = {}
    for row in rows:
        link = re.search(r'href="/admin/hashtags/source/(\d+)/change/', row)
        if link:
            found[link[1]] = row
    return found


def test_each_source_has_one_health_state(sources):
    health = dict(sources_with_health(Source.objects.all()).values_list("pk", "health"))
    assert health == {source.pk: state for state, source in sources.items()}
    assert set(health.values()) == set(SourceHealth.values)


def test_the_list_shows_each_sources_health_and_its_last_error(client, admin_user, sources):
    client.force_login(admin_user)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows(html)
    assert "Failing (2 in a row)" in rows[str(sources["failing"].pk)]
    assert "Rate limited until " in rows[str(sources["rate_limited"].pk)]
    assert ">OK<" in rows[str(sources["ok"].pk)]
    assert ">Disabled<" in rows[str(sources["disabled"].pk)]
    assert ">Never polled<" in rows[str(sources["never_polled"].pk)]
    failing = rows[str(sources["failing"].pk)]
    # Escaped, shortened in the cell, whole on hover.
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; refused: very long" in failing
    shown = re.search(r'class="source-error" title="[^"]*">([^<]*)</span>', failing)
    assert shown and len(shown[1]) < 200 and shown[1].endswith("…")
    assert "check MASTODON_ACCESS_TOKEN." in rows[str(sources["disabled"].pk)]


@pytest.mark.parametrize("state", SourceHealth.values)
def test_the_list_filters_by_health(client, admin_user, sources, state):
    client.force_login(admin_user)
    response = client.get(LIST, {"health": state})
    assert response.status_code == 200
    assert set(_rows(response.content.decode())) == {str(sources[state].pk)}


def test_a_health_filter_value_that_is_no_state_lists_every_source(client, admin_user, sources):
    client.force_login(admin_user)
    response = client.get(LIST, {"health": "<b>"})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert len(_rows(response.content.decode())) == len(sources)


def test_the_list_sorts_by_health_and_the_change_page_shows_it(client, admin_user, sources):
    client.force_login(admin_user)
    column = 1 + ["__str__", "health_state"].index("health_state")  # after the checkbox
    response = client.get(LIST, {"o": str(column)})
    assert response.status_code == 200
    assert len(_rows(response.content.decode())) == len(sources)
    page = client.get(f"{LIST}{sources['failing'].pk}/change/")
    assert page.status_code == 200
    assert "Failing (2 in a row)" in page.content.decode()

"""One client address for every limit (story form, login lockout, CSP reports), and what counts
as a call from this machine (the detailed /health/ answer)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from nhitweek.clients import client_address, is_local
from tests.support.stories import TEXT, story_data

PROXY = "HTTP_X_FORWARDED_FOR"


def _request(rf, **meta):
    return rf.get("/", **meta)


def test_without_a_proxy_the_address_is_the_connections_own(rf):
    request = _request(rf, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "203.0.113.5"


@override_settings(CLIENT_ADDRESS_HEADER=PROXY)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.1", "198.51.100.1"),
        ("1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1"),  # only the proxy's own last hop
        ("198.51.100.1:4711", "198.51.100.1"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("not-an-address", "10.0.0.2"),  # junk from a misconfigured proxy: the proxy's own
        ("", "10.0.0.2"),
    ],
)
def test_behind_the_proxy_the_address_is_the_last_hop_it_appended(rf, forwarded, expected):
    request = _request(rf, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_request_without_an_address_has_none(rf):
    request = _request(rf)
    del request.META["REMOTE_ADDR"]
    assert client_address(request) == ""


@pytest.mark.parametrize(
    ("meta", "local"),
    [
        ({"REMOTE_ADDR": "127.0.0.1"}, True),
        ({"REMOTE_ADDR": "::1"}, True),
        ({"REMOTE_ADDR": "::ffff:127.0.0.1"}, True),
        ({"REMOTE_ADDR": "203.0.113.5"}, False),
        ({"REMOTE_ADDR": "172.18.0.1"}, False),  # the Docker gateway is not this machine
        # A proxy on this machine forwarding a visitor: loopback, but not local.
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, False),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": "for=203.0.113.5"}, False),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.5"}, False),
        # A forwarded header never makes a call local.
        ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}, False),
        ({"REMOTE_ADDR": "garbage"}, False),
    ],
)
def test_a_call_is_local_only_from_loopback_and_not_forwarded(rf, meta, local):
    assert is_local(_request(rf, **meta)) is local


@pytest.mark.django_db
@override_settings(CLIENT_ADDRESS_HEADER=PROXY, STORIES_RATE_LIMIT=1)
def test_the_story_form_counts_the_same_proxy_given_address(client, public_campaign):
    def post(forwarded: str) -> int:
        url = f"/c/{public_campaign.slug}/stories/new/"
        meta = {"REMOTE_ADDR": "10.0.0.2", PROXY: forwarded}
        # A different story each time: the same one again would be refused as a duplicate.
        data = story_data(text=f"{TEXT} (sent via {forwarded})")
        return client.post(url, data, **meta).status_code

    assert post("1.1.1.1, 203.0.113.5") == 302
    # A made-up first entry does not make a new visitor; another last hop does.
    assert post("9.9.9.9, 203.0.113.5") == 429
    assert post("198.51.100.7") == 302

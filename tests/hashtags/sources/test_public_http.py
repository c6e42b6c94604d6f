"""Requests to other Mastodon servers connect only to public addresses, checked at connect time."""

from __future__ import annotations

import json
import logging
import socket

import pytest
import requests

from hashtags.sources import public_http
from hashtags.sources.mastodon import MastodonClient
from hashtags.sources.public_http import address_public, public_session
from tests.support.mastodon_replay import FIXTURES, REMOTE, SERVER
from tests.support.tls_origin import tls_origin

PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


class FakeDNS:
    """Answers for some names, in turn (the last one repeats); other names resolve for real."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[tuple[str, int]]]] = {}
        self.asked: list[str] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.asked.append(host)
        turns = self.answers[host]
        answer = turns.pop(0) if len(turns) > 1 else turns[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, p))
            for a, p in answer
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture
def loopback_is_public(monkeypatch):
    """The test server listens on 127.0.0.1; here, and only here, that counts as public."""
    monkeypatch.setattr(
        public_http, "address_public", lambda a: a == "127.0.0.1" or address_public(a)
    )


def bob_at_origin() -> dict:
    status = json.loads((FIXTURES / "tag_nhitweek_latest.json").read_text())
    status = status["response"]["body"][1]
    assert status["uri"] == REMOTE
    return {**status, "id": "113456789012345678", "favourites_count": 77}


def test_a_name_that_answers_inside_the_second_time_is_refused_with_no_connection(
    tmp_path, dns, caplog
):
    caplog.set_level(logging.INFO)
    with tls_origin("hachyderm.io", tmp_path, [bob_at_origin()]) as origin:
        # The check sees a public address; the connection's own look-up sees the loopback one.
        dns.answers["hachyderm.io"] = [[(PUBLIC, 443)], [("127.0.0.1", origin.port)]]

        found = MastodonClient(base_url=SERVER).lookup(external_ids=[REMOTE])

        assert origin.connections == []
    assert found == []
    assert dns.asked == ["hachyderm.io", "hachyderm.io"]
    assert (
        "https://hachyderm.io did not answer (refused: hachyderm.io resolves to an address "
        "that is not public (127.0.0.1))" in caplog.text
    )


def test_a_public_answer_is_asked_and_read(tmp_path, dns, monkeypatch, loopback_is_public):
    with tls_origin("hachyderm.io", tmp_path, [bob_at_origin()]) as origin:
        dns.answers["hachyderm.io"] = [[("127.0.0.1", origin.port)]]

        def trusting_the_test_server():
            session = public_session()
            session.verify = str(origin.certificate)
            return session

        monkeypatch.setattr(
            "hashtags.sources.mastodon_remote.public_session", trusting_the_test_server
        )
        found = MastodonClient(base_url=SERVER).lookup(external_ids=[REMOTE])

        assert len(origin.connections) == 1
        assert origin.requests == ["/api/v1/statuses?id%5B%5D=113456789012345678"]
    assert [(p.external_id, p.likes) for p in found] == [(REMOTE, 77)]


@pytest.mark.parametrize(
    "answer",
    [
        [("127.0.0.1", 443)],
        [(PUBLIC, 443), ("10.0.0.7", 443)],  # one inside is enough to refuse
        [("::ffff:127.0.0.1", 443)],
        [("169.254.169.254", 443)],
    ],
)
def test_the_session_refuses_a_name_resolving_inside_before_connecting(tmp_path, dns, answer):
    dns.answers["inside.example"] = [answer]
    with pytest.raises(requests.ConnectionError) as raised:
        public_session().get("https://inside.example/api/v1/statuses", timeout=5)
    assert "resolves to an address that is not public" in public_http.refusal_of(raised.value)


def test_tls_sends_and_verifies_the_host_name_not_the_address(
    tmp_path, dns, monkeypatch, loopback_is_public
):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # never used: no proxies
    with tls_origin("origin.example", tmp_path, {"ok": True}) as origin:
        dns.answers["origin.example"] = [[("127.0.0.1", origin.port)]]
        dns.answers["other.example"] = [[("127.0.0.1", origin.port)]]
        session = public_session()
        answer = session.get("https://origin.example/x", verify=str(origin.certificate), timeout=5)
        assert answer.json() == {"ok": True}
        with pytest.raises(requests.exceptions.SSLError):
            session.get("https://other.example/x", verify=str(origin.certificate), timeout=5)
        with pytest.raises(requests.exceptions.InvalidSchema):
            session.get(f"http://127.0.0.1:{origin.port}/x", timeout=5)
    assert origin.requests == ["/x"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        (PUBLIC, True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.7", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.251", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:10.0.0.7", False),
        ("64:ff9b::a00:7", False),  # NAT64 of 10.0.0.7
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_only_addresses_anyone_reaches_are_public(address, public):
    assert address_public(address) is public

"""/csp-report/ logs what browsers report, in both report formats, and nothing else: POST only,
no CSRF token needed, a capped body, a per-address rate limit, and never an error on junk."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

URL = reverse("csp_report")
ADDRESS = "203.0.113.40"

# What Chromium posts: report-uri as application/csp-report, report-to as a Reporting API batch.
REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://nhitweek.example.org/c/nhit-week-2026/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; script-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://nhitweek.example.org/c/nhit-week-2026/",
        "status-code": 200,
        "script-sample": "",
    }
}
REPORT_TO_BODY = [
    {
        "age": 10,
        "type": "csp-violation",
        "url": "https://nhitweek.example.org/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "https://nhitweek.example.org/",
            "effectiveDirective": "img-src",
            "blockedURL": "https://tracker.example.net/pixel.gif",
            "disposition": "enforce",
            "sourceFile": "https://nhitweek.example.org/static/js/wall.js",
            "lineNumber": 40,
            "statusCode": 200,
        },
    },
    {"age": 3, "type": "deprecation", "url": "https://nhitweek.example.org/", "body": {}},
]


def _post(client, body, content_type="application/csp-report", address=ADDRESS):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(URL, data, content_type=content_type, REMOTE_ADDR=address)


def _violations(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "nhitweek.csp" and r.levelno == logging.WARNING
    ]


def test_a_report_uri_report_is_logged_at_warning(client, caplog):
    with caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        response = _post(client, REPORT_URI_BODY)
    assert response.status_code == 204
    [line] = _violations(caplog)
    assert "directive=script-src-elem" in line
    assert "blocked=inline" in line
    assert "document=https://nhitweek.example.org/c/nhit-week-2026/" in line
    assert "line=12" in line
    assert "original-policy" not in line and "default-src" not in line


def test_a_report_to_batch_logs_each_csp_violation_and_skips_other_reports(client, caplog):
    with caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        response = _post(client, REPORT_TO_BODY, content_type="application/reports+json")
    assert response.status_code == 204
    [line] = _violations(caplog)
    assert "directive=img-src" in line
    assert "blocked=https://tracker.example.net/pixel.gif" in line
    assert "source=https://nhitweek.example.org/static/js/wall.js" in line


def test_it_needs_no_csrf_token_but_takes_only_post(caplog):
    client = Client(enforce_csrf_checks=True)
    assert _post(client, REPORT_URI_BODY).status_code == 204
    assert client.get(URL).status_code == 405
    assert client.head(URL).status_code == 405


def test_a_hostile_report_stays_on_one_short_line(client, caplog):
    body = {"csp-report": {"blocked-uri": "x\nWARNING forged line\r" + "y" * 5000}}
    with caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        assert _post(client, body).status_code == 204
    [line] = _violations(caplog)
    assert "\n" not in line and "\r" not in line
    assert len(line) < 1000


def test_a_body_over_the_cap_is_refused_with_413_and_not_logged(client, caplog):
    padding = "a" * settings.CSP_REPORT_MAX_BYTES
    body = {"csp-report": {"blocked-uri": "inline", "script-sample": padding}}
    with caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        assert _post(client, body).status_code == 413
    assert _violations(caplog) == []


def test_a_body_just_under_the_cap_is_taken(client):
    body = {"csp-report": {"blocked-uri": "inline", "script-sample": ""}}
    room = settings.CSP_REPORT_MAX_BYTES - len(json.dumps(body))
    body["csp-report"]["script-sample"] = "a" * room
    assert len(json.dumps(body)) == settings.CSP_REPORT_MAX_BYTES
    assert _post(client, body).status_code == 204


def test_past_the_rate_limit_an_address_gets_429_and_others_do_not(client, caplog):
    limit = settings.CSP_REPORT_RATE_LIMIT
    with caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        codes = [_post(client, REPORT_URI_BODY).status_code for _ in range(limit + 3)]
    assert codes == [204] * limit + [429] * 3
    assert len(_violations(caplog)) == limit
    assert _post(client, REPORT_URI_BODY, address="198.51.100.41").status_code == 204


def test_junk_counts_against_the_rate_limit_too(client):
    limit = settings.CSP_REPORT_RATE_LIMIT
    codes = [_post(client, b"junk").status_code for _ in range(limit + 1)]
    assert codes == [400] * limit + [429]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"\xff\xfe\x00junk",
        b"null",
        b'"a string"',
        b"12",
        b"[]",
        b'{"csp-report": 5}',
        b'{"csp-report": [1, 2]}',
        b'[{"type": "csp-violation", "body": "x"}]',
        b"[" * 4000 + b"]" * 4000,
        b'{"a": ' * 1000 + b"1" + b"}" * 1000,
        b"NaN",
    ],
    ids=lambda body: repr(body[:20]),
)
def test_junk_is_refused_with_400_never_an_error(client, body):
    assert _post(client, body, content_type="application/json").status_code == 400


def test_with_the_cache_down_reports_are_dropped_without_an_error(client, caplog):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING, logger="nhitweek.csp"):
        assert _post(client, REPORT_URI_BODY).status_code == 503
    assert _violations(caplog) == []

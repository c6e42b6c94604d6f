"""/health/ tells a load balancer and an operator what works: database, cache, broker, worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from hashtags.models import Heartbeat
from hashtags.services import heartbeat_record

pytestmark = [pytest.mark.both_databases, pytest.mark.django_db]

URL = "/health/"
CHECKS = {"database", "cache", "broker", "worker"}
AFAR = "203.0.113.50"
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def _get(client):
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


@pytest.mark.postgres_only(
    "expects the PostgreSQL test settings (PostgreSQL, Redis cache and broker)"
)
def test_it_reports_each_check_and_is_degraded_without_a_heartbeat(client):
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert set(body["checks"]) == CHECKS
    assert all(body["checks"][name]["ok"] for name in ("database", "cache", "broker"))
    assert body["checks"]["database"]["vendor"] == "postgresql"
    assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert body["checks"]["broker"]["transport"] == "redis"
    worker = body["checks"]["worker"]
    assert worker["ok"] is False
    assert worker["last_heartbeat"] is None
    assert worker["stale_after"] == settings.HEARTBEAT_INTERVAL_SECONDS * 3


def test_it_is_ok_after_a_worker_heartbeat(client):
    heartbeat_record(name="worker@host-1")
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    worker = body["checks"]["worker"]
    assert worker["ok"] is True
    assert worker["worker"] == "worker@host-1"
    assert 0 <= worker["age_seconds"] < 5


def test_it_is_degraded_when_the_heartbeat_is_older_than_three_intervals(client):
    limit = settings.HEARTBEAT_INTERVAL_SECONDS * 3
    Heartbeat.objects.create(
        name="worker@gone", seen_at=timezone.now() - timedelta(seconds=limit + 5)
    )
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] > limit


def test_it_reads_the_newest_heartbeat_of_many_workers(client):
    limit = settings.HEARTBEAT_INTERVAL_SECONDS * 3
    Heartbeat.objects.create(name="worker@old", seen_at=timezone.now() - timedelta(hours=1))
    Heartbeat.objects.create(
        name="worker@new", seen_at=timezone.now() - timedelta(seconds=limit - 10)
    )
    _, body = _get(client)
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["worker"] == "worker@new"


def test_recording_a_heartbeat_twice_keeps_one_row_per_worker():
    first = heartbeat_record(name="worker@host-1")
    second = heartbeat_record(name="worker@host-1")
    assert Heartbeat.objects.count() == 1
    assert second.seen_at >= first.seen_at


def test_it_is_down_with_503_when_the_cache_is_unreachable(client):
    heartbeat_record(name="worker@host-1")
    with override_settings(CACHES=UNREACHABLE):
        response, body = _get(client)
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["checks"]["cache"]["ok"] is False
    assert "Error" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_it_is_never_cached_and_refuses_other_methods(client):
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"]
    assert client.post(URL).status_code == 405
    assert client.put(URL).status_code == 405


def test_head_answers_like_get_without_a_body(client):
    heartbeat_record(name="worker@host-1")
    got = client.get(URL)
    head = client.head(URL)
    assert head.status_code == got.status_code == 200
    assert head["Content-Type"] == "application/json"
    assert "no-cache" in head["Cache-Control"]
    assert head.content == b""


def test_head_says_503_when_the_cache_is_unreachable(client):
    with override_settings(CACHES=UNREACHABLE):
        assert client.head(URL, REMOTE_ADDR=AFAR).status_code == 503


# --- Who sees the details ------------------------------------------------------------------------
# Django's test client calls from 127.0.0.1, as the container's probe does: the tests above get
# the details. A caller from elsewhere gets only the status.


def test_an_anonymous_caller_from_elsewhere_gets_only_the_status(client):
    heartbeat_record(name="worker@host-1")
    response = client.get(URL, REMOTE_ADDR=AFAR)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_degraded_site_is_ok_to_an_anonymous_caller(client):
    """Only a missing worker heartbeat: the site serves, and who runs the worker stays ours."""
    response = client.get(URL, REMOTE_ADDR=AFAR)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_anonymous_caller_learns_no_error_text_when_a_check_fails(client):
    with override_settings(CACHES=UNREACHABLE):
        response = client.get(URL, REMOTE_ADDR=AFAR)
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_a_forwarded_call_through_a_proxy_on_this_machine_gets_only_the_status(client):
    response = client.get(URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=AFAR)
    assert response.json() == {"status": "ok"}


def test_staff_from_elsewhere_get_the_details(client, admin_user):
    heartbeat_record(name="worker@host-1")
    client.force_login(admin_user)
    body = client.get(URL, REMOTE_ADDR=AFAR).json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    assert body["checks"]["worker"]["worker"] == "worker@host-1"


def test_a_signed_in_user_without_staff_gets_only_the_status(client, outsider):
    client.force_login(outsider)
    assert set(client.get(URL, REMOTE_ADDR=AFAR).json()) == {"status"}


def test_it_needs_no_login(client):
    response, body = _get(client)
    assert response.status_code == 200
    assert "status" in body

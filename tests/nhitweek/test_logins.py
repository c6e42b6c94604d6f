"""Password guessing on /login/ and /admin/login/ is stopped (django-axes): the account and the
address lock, the lock outlasts the right password until the cool-off ends, the lockout page
never errors, and an admin lifts a lock with a management command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "203.0.113.10"  # the guesser's address
ELSEWHERE = "198.51.100.20"
LIMIT = settings.AXES_FAILURE_LIMIT
CACHE_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def _login(client, username, password, address=HOME, url="/login/", **extra):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _guess(client, username, times, address=HOME, url="/login/"):
    return [_login(client, username, "wrong-guess", address, url).status_code for _ in range(times)]


def _time_passes(delta: timedelta) -> None:
    """Every recorded attempt moves delta into the past (axes reads the clock, we move them)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= delta
        attempt.save(update_fields=["attempt_time"])


def _cool_off_passes() -> None:
    _time_passes(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))


def _signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_thirty_wrong_passwords_lock_the_account_and_the_address(client, organizer, curator):
    codes = _guess(client, organizer.username, 30)
    # The form answers each wrong password until the limit; from the limit on, the lock does.
    assert codes == [200] * (LIMIT - 1) + [429] * (30 - LIMIT + 1)
    # The account is locked from any address, even with its right password ...
    assert _login(client, organizer.username, PASSWORD, address=ELSEWHERE).status_code == 429
    # ... and the address for any account.
    assert _login(client, curator.username, PASSWORD, address=HOME).status_code == 429
    assert not _signed_in(client, organizer) and not _signed_in(client, curator)
    # Nobody else is: another account from another address signs in.
    assert _login(client, curator.username, PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_right_password_still_waits_out_the_cool_off(client, organizer):
    _guess(client, organizer.username, LIMIT)
    response = _login(client, organizer.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert not _signed_in(client, organizer)
    _cool_off_passes()
    assert _login(client, organizer.username, PASSWORD).status_code == 302
    assert _signed_in(client, organizer)
    # The right password forgot the failures: a typo now is just a typo.
    assert not AccessAttempt.objects.filter(username=organizer.username).exists()


def test_attempts_while_locked_neither_extend_the_lock_nor_grow_its_record(client, organizer):
    _guess(client, organizer.username, LIMIT)
    [attempt] = AccessAttempt.objects.all()
    stored = len(attempt.post_data)
    # A bot hammering the lock: every answer is the lockout page, and nothing more is stored.
    assert set(_guess(client, organizer.username, 40)) == {429}
    attempt.refresh_from_db()
    assert (attempt.failures_since_start, len(attempt.post_data)) == (LIMIT, stored)
    _time_passes(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    response = _login(client, organizer.username, PASSWORD)
    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 60  # the minute the lock has left
    _time_passes(timedelta(minutes=1, seconds=1))
    assert _login(client, organizer.username, PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_forgets_the_typos(client, organizer):
    assert _guess(client, organizer.username, LIMIT - 1) == [200] * (LIMIT - 1)
    assert _login(client, organizer.username, PASSWORD).status_code == 302
    client.post("/logout/")
    assert _guess(client, organizer.username, LIMIT - 1) == [200] * (LIMIT - 1)


def test_the_lockout_page_says_when_to_try_again_and_how_an_admin_unlocks(client, organizer):
    _guess(client, organizer.username, LIMIT - 1)
    response = _login(client, organizer.username, "wrong-guess")
    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert 'class="site-header"' in body  # the site's own look (base.html)
    assert "Too many login attempts" in body
    assert f"for {settings.AXES_COOLOFF_TIME.total_seconds() / 60:.0f} minutes" in body
    assert "Try again after" in body and "UTC" in body
    assert "manage.py axes_reset_username USERNAME" in body
    assert organizer.username not in body  # the page does not confirm which account exists


def test_the_admin_login_locks_too_and_shares_the_count(client, admin_user):
    half = LIMIT // 2
    assert _guess(client, admin_user.username, half) == [200] * half
    rest = _guess(client, admin_user.username, LIMIT - half, url="/admin/login/")
    assert rest[-1] == 429 and set(rest[:-1]) <= {200}
    response = _login(client, admin_user.username, PASSWORD, url="/admin/login/")
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert not _signed_in(client, admin_user)


def test_a_lockout_never_errors_with_the_cache_down(client, organizer):
    with override_settings(CACHES=CACHE_DOWN):
        codes = _guess(client, organizer.username, LIMIT + 2)
        assert codes == [200] * (LIMIT - 1) + [429] * 3
        assert _login(client, organizer.username, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "data",
    [
        {"username": "x" * 5000, "password": "wrong"},
        {"username": "olivia\x00", "password": "wrong"},
        {"username": "olivia", "password": "wrong\x00" * 100},
        {"username": "olivia"},
        {},
        {"username": ["olivia", "carlos"], "password": "wrong"},
    ],
    ids=["long-name", "nul-in-name", "nul-in-password", "no-password", "empty", "repeated"],
)
def test_hostile_login_posts_never_error_before_or_during_a_lockout(client, organizer, data):
    for url in ("/login/", "/admin/login/"):
        assert client.post(url, data, REMOTE_ADDR=HOME).status_code in (200, 429)
    _guess(client, organizer.username, LIMIT)
    for url in ("/login/", "/admin/login/"):
        assert client.post(url, data, REMOTE_ADDR=HOME).status_code in (200, 429)


def test_an_admin_unlocks_an_account_with_the_management_command(client, organizer):
    _guess(client, organizer.username, LIMIT)
    assert _login(client, organizer.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", organizer.username)
    assert _login(client, organizer.username, PASSWORD).status_code == 302
    assert _signed_in(client, organizer)


def test_axes_reset_lifts_every_lock(client, organizer, curator):
    _guess(client, organizer.username, LIMIT)
    _guess(client, "nobody", LIMIT, address=ELSEWHERE)
    call_command("axes_reset")
    assert _login(client, organizer.username, PASSWORD).status_code == 302
    assert _login(client, curator.username, PASSWORD, address=ELSEWHERE).status_code == 302


@override_settings(CLIENT_ADDRESS_HEADER="HTTP_X_FORWARDED_FOR")
def test_behind_the_proxy_the_lock_counts_the_address_the_proxy_saw(client, organizer, curator):
    """A guesser cannot dodge the address lock by sending a made-up X-Forwarded-For entry."""
    for n in range(LIMIT):
        _login(
            client,
            f"user{n}",
            "wrong-guess",
            address="10.0.0.2",  # our proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HOME}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    proxied = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"192.0.2.99, {HOME}"}
    assert _login(client, curator.username, PASSWORD, **proxied).status_code == 429
    other = {"address": "10.0.0.2", "HTTP_X_FORWARDED_FOR": ELSEWHERE}
    assert _login(client, curator.username, PASSWORD, **other).status_code == 302


def test_the_admin_role_sees_the_locks_in_the_admin_and_organizers_do_not(
    client, admin_user, organizer
):
    _guess(client, "nobody", LIMIT)
    url = "/admin/axes/accessattempt/"
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "nobody" in response.content.decode()
    client.force_login(organizer)
    assert client.get(url).status_code == 403

"""Error reporting: off without SENTRY_DSN; with it, errors only (no PII, locals or bodies).

Each case runs in its own process with the production settings, so the SDK's global client and
its patched integrations never leak into other tests; no event is sent anywhere.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DSN = "https://public@sentry.example.invalid/1"
_REPORT_CLIENT = """
import json, sys, django
django.setup()
from django.conf import settings
settings.SENTRY_DSN
loaded = "sentry_sdk" in sys.modules
import sentry_sdk
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "loaded_before_asked": loaded,
    "active": client.is_active(),
    "integrations": sorted(name for name in ("django", "celery") if client.get_integration(name)),
    **{key: options.get(key) for key in (
        "dsn", "send_default_pii", "include_local_variables", "max_request_body_size",
        "environment", "release",
    )},
}))
"""
_CAPTURE_ONE_ERROR = """
import json, os, sentry_sdk
from sentry_sdk.transport import Transport
from nhitweek.sentry import sentry_options

sent = []

class Keep(Transport):
    def capture_envelope(self, envelope):
        sent.append(envelope.get_event())

sentry_sdk.init(**sentry_options(dsn=%r), transport=Keep)
sentry_sdk.set_user({"email": "organizer@example.org", "ip_address": "{{auto}}"})

def poll(access_token):
    raise RuntimeError("the platform refused")

try:
    # From the environment, as a real token is: the frame's source lines (which Python 3.13
    # keeps even for -c code) must not be what carries it.
    poll(os.environ["PLATFORM_TOKEN"])
except RuntimeError:
    sentry_sdk.capture_exception()
sentry_sdk.flush()
print(json.dumps(sent[0]))
"""


def run(script: str, tmp_path: Path, **env: str) -> dict:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    production = {
        "DJANGO_SETTINGS_MODULE": "nhitweek.settings.production",
        "NHITWEEK_VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "nhitweek.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_nothing_is_initialised_without_sentry_dsn(tmp_path) -> None:
    report = run(_REPORT_CLIENT, tmp_path)
    assert report["loaded_before_asked"] is False
    assert report["active"] is False


def test_with_sentry_dsn_it_reports_through_django_and_celery_without_pii(tmp_path) -> None:
    report = run(
        _REPORT_CLIENT,
        tmp_path,
        SENTRY_DSN=DSN,
        SENTRY_ENVIRONMENT="staging",
        SENTRY_RELEASE="nhitweek@2026.9.1",
    )
    assert report == {
        "loaded_before_asked": True,
        "active": True,
        "integrations": ["celery", "django"],
        "dsn": DSN,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "environment": "staging",
        "release": "nhitweek@2026.9.1",
    }


def test_a_reported_error_carries_no_local_values_and_no_client_address(tmp_path) -> None:
    event = run(_CAPTURE_ONE_ERROR % DSN, tmp_path, PLATFORM_TOKEN="secret-access-token")
    (exception,) = event["exception"]["values"]
    assert exception["value"] == "the platform refused"
    frames = exception["stacktrace"]["frames"]
    assert [frame for frame in frames if frame.get("function") == "poll"]
    assert not [frame for frame in frames if "vars" in frame]
    assert "secret-access-token" not in json.dumps(event)
    assert "ip_address" not in json.dumps(event.get("user", {}))

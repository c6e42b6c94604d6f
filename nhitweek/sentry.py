"""Optional error reporting to Sentry: the production settings turn it on when SENTRY_DSN is set.

What leaves the site is the error and its stack trace, never who sent the request (no user, no
IP address, no cookies), what they sent (no request bodies) or the values in the failing frames
(which may hold tokens, e-mail addresses or story text).
"""

from __future__ import annotations

from typing import Any


def sentry_options(*, dsn: str, environment: str = "", release: str = "") -> dict[str, Any]:
    """sentry_sdk.init's keyword arguments for this site; empty names keep Sentry's defaults."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {
        "dsn": dsn,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
    }
    if environment:
        options["environment"] = environment
    if release:
        options["release"] = release
    return options


def sentry_init(*, dsn: str, environment: str = "", release: str = "") -> None:
    """Start reporting errors to the project `dsn` names."""
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn=dsn, environment=environment, release=release))

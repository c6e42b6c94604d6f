"""What django-axes asks of us (settings/base.py): the username it counts, the lockout page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

# axes stores the attempted username in a 255-character column; no real username is longer
# (Django allows 150), so a longer one is cut rather than turning the login into an error.
USERNAME_STORED_MAX = 255


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login tried, as axes counts and stores it."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = credentials.get(field) if credentials else request.POST.get(field)
    return None if value is None else str(value)[:USERNAME_STORED_MAX]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """HTTP 429 in the site's look: when to try again, and how an admin unlocks sooner."""
    cool_off = settings.AXES_COOLOFF_TIME
    # Each attempt while locked restarts the wait, so it ends one cool-off from now.
    retry_at = timezone.now() + cool_off
    response = render(
        request,
        "registration/locked_out.html",
        {
            "cool_off_minutes": max(1, round(cool_off.total_seconds() / 60)),
            "retry_at": retry_at,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response

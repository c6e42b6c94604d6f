"""What django-axes asks of us (settings/base.py): the username it counts, the lockout page."""

from __future__ import annotations

import math
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .clients import client_address

# axes stores the attempted username in a 255-character column; no real username is longer
# (Django allows 150), so a longer one is cut rather than turning the login into an error.
USERNAME_STORED_MAX = 255


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login tried, as axes counts and stores it."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = credentials.get(field) if credentials else request.POST.get(field)
    return None if value is None else str(value)[:USERNAME_STORED_MAX]


def lock_ends(*, username: str | None, address: str) -> datetime:
    """When the locks on this account and this address have both run out: one cool-off after
    the last failure still counted (attempts while locked are not recorded)."""
    now = timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME
    matching = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        matching |= Q(username=username)
    last = (
        AccessAttempt.objects.filter(matching, attempt_time__gte=now - cool_off)
        .aggregate(last=Max("attempt_time"))
        .get("last")
    )
    return (last or now) + cool_off


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """HTTP 429 in the site's look: when to try again, and how an admin unlocks sooner."""
    cool_off = settings.AXES_COOLOFF_TIME
    retry_at = lock_ends(
        username=attempted_username(request, credentials), address=client_address(request)
    )
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
    wait = math.ceil((retry_at - timezone.now()).total_seconds())
    response["Retry-After"] = str(max(1, wait))
    response["Cache-Control"] = "no-store"
    return response

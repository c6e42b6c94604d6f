"""Response headers Django has no setting for."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# No page of ours uses these browser features; say so, so an injected frame cannot either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def permissions_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def reporting_endpoints(get_response: Callable[[HttpRequest], HttpResponse]):
    """Names the endpoint the policy's report-to directive sends violations to."""
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    header = f'{directives["report-to"]}="{directives["report-uri"][0]}"'

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Content-Security-Policy" in response:
            response.headers.setdefault("Reporting-Endpoints", header)
        return response

    return middleware

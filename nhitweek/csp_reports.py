"""/csp-report/: browsers post Content-Security-Policy violations here; each is logged at WARNING.

Anyone may post, so a body takes at most CSP_REPORT_MAX_BYTES (413 beyond), a client address
at most CSP_REPORT_RATE_LIMIT reports a minute (429 beyond), and only the few fields that say
what was blocked where reach the log, each cut short and on one line.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from .clients import client_address, client_hits

logger = logging.getLogger("nhitweek.csp")

RATE_WINDOW_SECONDS = 60
REPORTS_PER_BODY = 10  # a Reporting API batch may hold several; more is not a browser
FIELD_MAX = 200
# What each logged field is called in a report-uri body ("csp-report") and a report-to one.
FIELDS = (
    ("directive", ("effective-directive", "violated-directive"), ("effectiveDirective",)),
    ("blocked", ("blocked-uri",), ("blockedURL",)),
    ("document", ("document-uri",), ("documentURL",)),
    ("source", ("source-file",), ("sourceFile",)),
    ("line", ("line-number",), ("lineNumber",)),
    ("disposition", ("disposition",), ("disposition",)),
)


def _reports(data: Any) -> list[tuple[dict, int]]:
    """(body, which names it uses: 0 report-uri's, 1 report-to's) of each violation in data."""
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [(data["csp-report"], 0)]
    if isinstance(data, list):
        return [
            (item["body"], 1)
            for item in data[:REPORTS_PER_BODY]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _field(body: dict, names: tuple[str, ...]) -> str:
    for name in names:
        value = body.get(name)
        if value not in (None, ""):
            # One line per report whatever a hostile body holds: no control characters.
            text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
            return text[:FIELD_MAX]
    return "-"


@csrf_exempt  # browsers post reports without our token
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    try:
        hits = client_hits(
            key=f"csp-report:{client_address(request)}", window_seconds=RATE_WINDOW_SECONDS
        )
        if hits > settings.CSP_REPORT_RATE_LIMIT:
            return HttpResponse(status=429, headers={"Retry-After": str(RATE_WINDOW_SECONDS)})
    except (RedisError, OSError):
        # Without the counter a flood cannot be told from a page: drop the report unlogged.
        return HttpResponse(status=503)
    limit = settings.CSP_REPORT_MAX_BYTES
    body = request.read(limit + 1)  # never more than the cap, whatever Content-Length says
    if len(body) > limit:
        return HttpResponse(status=413)
    try:
        reports = _reports(json.loads(body))
    except (ValueError, RecursionError):
        return HttpResponse(status=400)
    if not reports:
        return HttpResponse(status=400)
    for report, kind in reports:
        logger.warning(
            "csp violation: %s",
            " ".join(f"{name}={_field(report, names[kind])}" for name, *names in FIELDS),
        )
    return HttpResponse(status=204)

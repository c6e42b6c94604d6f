"""/health/: database, cache, broker and the age of the last worker heartbeat, as JSON.

HTTP 503 when the database, the cache or the broker cannot be reached (the site cannot do its
work); 200 with status "degraded" when only the worker heartbeat is missing or stale, so the web
container stays healthy while workers restart. Only staff and calls from this machine (the
container's own probe) see the checks; anyone else gets {"status": "ok"} or {"status": "error"}
with the same HTTP status, since error texts and worker host names help an attacker.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hashtags.models import Heartbeat

from .clients import is_local


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer here
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict:
    from nhitweek.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"transport": str(app.conf.broker_url).split(":", 1)[0]}


def _worker() -> dict:
    beat = Heartbeat.objects.order_by("-seen_at").first()
    limit = settings.HEARTBEAT_INTERVAL_SECONDS * 3
    if beat is None:
        return {"ok": False, "last_heartbeat": None, "age_seconds": None, "stale_after": limit}
    age = (timezone.now() - beat.seen_at).total_seconds()
    return {
        "ok": age <= limit,
        "last_heartbeat": beat.seen_at.isoformat(),
        "age_seconds": round(age, 1),
        "stale_after": limit,
        "worker": beat.name,
    }


def _may_see_details(request: HttpRequest) -> bool:
    if is_local(request):
        return True
    try:
        return bool(request.user.is_staff)
    except Exception:  # noqa: BLE001 - a session the database cannot read is nobody's
        return False


@never_cache
@require_safe  # HEAD answers as GET does, without the body
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    worker = _timed(_worker)
    checks["worker"] = worker
    essential_ok = all(checks[name]["ok"] for name in ("database", "cache", "broker"))
    if not essential_ok:
        status, code = "down", 503
    elif not worker["ok"]:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    if not _may_see_details(request):
        return JsonResponse({"status": "ok" if code == 200 else "error"}, status=code)
    return JsonResponse({"status": status, "checks": checks}, status=code)

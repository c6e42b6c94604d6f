"""Health probe for the web container: the slim image has no curl, so the standard library asks.

Exits 0 only when GET /health/ answers HTTP 200 ("ok" or "degraded"); a 503 (database, cache or
broker down), a redirect or no answer at all exits 1. It sends the first ALLOWED_HOSTS entry as
the Host header, so a production host list without 127.0.0.1 does not turn the probe into a 400.
"""

from __future__ import annotations

import http.client
import json
import os
import sys


def host_header(*, allowed_hosts: str) -> str:
    """The first host Django accepts; a leading dot (any subdomain) becomes the bare domain."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def probe(*, port: int, path: str, host: str, timeout: float) -> tuple[int, str]:
    """One GET; redirects are returned, not followed, so an HTTPS redirect counts as failure."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host, "Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read(4096).decode("utf-8", "replace")
    finally:
        connection.close()


def summary(*, body: str) -> str:
    """The overall status and the failing checks, short enough for `docker inspect` to show."""
    try:
        data = json.loads(body)
        failing = [name for name, check in data.get("checks", {}).items() if not check.get("ok")]
        return f"{data.get('status')} failing={','.join(failing) or '-'}"
    except (ValueError, AttributeError):
        return body[:200]


def main() -> int:
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    host = host_header(allowed_hosts=os.environ.get("ALLOWED_HOSTS", ""))
    try:
        status, body = probe(port=port, path="/health/", host=host, timeout=5.0)
    except OSError as exc:
        print(f"no answer on 127.0.0.1:{port}: {exc}")
        return 1
    print(f"HTTP {status} {summary(body=body)}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())

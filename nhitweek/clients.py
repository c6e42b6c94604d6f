"""Who is calling and how often: the client's address as every limit counts it, a fixed-window
counter for those limits, and whether a call is local.

One address for the story form's limit, the login lockout (django-axes) and the CSP report
limit, so a visitor behind our proxy is one visitor to all three.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# Headers a proxy adds when it forwards a request; a loopback call carrying one came from afar.
_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _ip_or_empty(value: str) -> str:
    """The address in value ("1.2.3.4", "1.2.3.4:80", "[::1]:80"), normalised; else ""."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return ""


def client_address(request: HttpRequest) -> str:
    """The visitor's address: behind our own proxy the last hop it appended to
    CLIENT_ADDRESS_HEADER, else REMOTE_ADDR; "" when neither holds an address."""
    header = settings.CLIENT_ADDRESS_HEADER
    forwarded = request.META.get(header, "") if header else ""
    if forwarded:
        # Only the last entry is the proxy's own: earlier ones are whatever the client sent.
        address = _ip_or_empty(forwarded.split(",")[-1])
        if address:
            return address
    return _ip_or_empty(request.META.get("REMOTE_ADDR", ""))


def is_local(request: HttpRequest) -> bool:
    """A call from this machine itself (a container's health probe), not one a proxy on this
    machine forwarded: REMOTE_ADDR is loopback and no forwarding header is present."""
    address = _ip_or_empty(request.META.get("REMOTE_ADDR", ""))
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if not ip.is_loopback:
        return False
    header = settings.CLIENT_ADDRESS_HEADER
    return not any(request.META.get(name) for name in (*_FORWARDING_HEADERS, header) if name)


def client_hits(*, key: str, window_seconds: int) -> int:
    """Count one hit under key in a fixed window and return the window's count so far; the
    cache's own errors reach the caller, which decides what an outage means."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1

"""HTTPS to servers that strangers name (the origins of other Mastodon servers' statuses), with
the address checked when the connection is made, so a name that changes its answer between a
check and the connect (DNS rebinding) still cannot lead inside.

public_session() is a requests.Session whose every connection resolves the host name once,
refuses it unless every address is public (address_public), and connects to a checked address;
TLS still sends the host name (SNI) and verifies the certificate against it. It speaks https
only, follows no redirect, and takes no proxy or .netrc credentials from the environment (a
proxy would make the connection itself, unchecked).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; so does 6to4 (sixtofour).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_public(address: str) -> bool:
    """Whether anyone on the internet reaches this address: not loopback, private, link-local,
    reserved or multicast, nor an IPv6 address wrapping such an IPv4 one."""
    ip = ipaddress.ip_address(address.split("%")[0])
    seen: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        seen += [wrapped for wrapped in (ip.ipv4_mapped, ip.sixtofour) if wrapped is not None]
        if ip in _NAT64:
            seen.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(a.is_global and not a.is_multicast for a in seen)


def resolve(host: str, port: int) -> list[tuple[str, int]]:
    """The (address, port) pairs a name resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys((str(info[4][0]), int(info[4][1])) for info in infos))


def refusals(addresses: list[str]) -> list[str]:
    """The addresses of these that are not public, sorted ([] when every one is)."""
    return sorted(a for a in set(addresses) if not address_public(a))


class AddressNotPublic(NewConnectionError):
    """The host name resolved to an address that is not public: no connection was made."""

    def __init__(self, conn: Any, why: str) -> None:
        self.why = why
        super().__init__(conn, why)


class _CheckedConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        try:
            answers = resolve(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        inside = refusals([address for address, _ in answers])
        if inside or not answers:
            raise AddressNotPublic(
                self,
                f"{self.host} resolves to an address that is not public ({', '.join(inside)})",
            )
        failure: OSError | None = None
        for address, port in answers:
            try:  # an address literal: create_connection resolves nothing more
                return connection.create_connection(
                    (address, port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
            except OSError as exc:
                failure = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _CheckedPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedConnection


class PublicAddressAdapter(HTTPAdapter):
    """A transport adapter whose https connections go only to public addresses (see above)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A dict of our own: the pool manager's default is shared by every PoolManager.
        self.poolmanager.pool_classes_by_scheme = {"https": _CheckedPool}

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        raise requests.exceptions.InvalidProxyURL("no proxy for requests to named servers")


def public_session() -> requests.Session:
    """A session for https requests to servers strangers name; the caller sets the timeout."""
    session = requests.Session()
    session.trust_env = False  # no proxy, no .netrc credentials from the environment
    session.max_redirects = 0  # a redirect could lead anywhere, plain http included
    for prefix in list(session.adapters):
        session.adapters.pop(prefix).close()
    session.mount("https://", PublicAddressAdapter())
    return session


def refusal_of(exc: BaseException) -> str:
    """The AddressNotPublic message somewhere in an error's chain (requests and Mastodon.py
    wrap it), or ""."""
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, AddressNotPublic):
            return current.why
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += list(current.args)
    return ""

"""The address of the person on the other end of a request, behind the proxy or not.

``REMOTE_ADDR`` is the peer of the TCP connection: behind the reverse proxy the
README requires, that is the proxy, the same for every citizen. The proxy adds
the address it saw to ``X-Forwarded-For``, but anyone can send that header, so it
is read only when ``REMOTE_ADDR`` is a proxy the operator declared trusted:

- ``TRUSTED_PROXIES`` (env ``DJANGO_TRUSTED_PROXIES``): addresses or networks
  (CIDR) of the proxies. When the peer is one of them, the client is the
  right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy.
- ``TRUSTED_PROXY_COUNT`` (env ``DJANGO_TRUSTED_PROXY_COUNT``): the number of
  proxies in front of the application, for when their addresses are not fixed;
  the client is then the N-th address from the right of ``X-Forwarded-For``.
  With ``TRUSTED_PROXIES`` also set, the count applies only to requests whose
  peer is a trusted proxy.

Both default to none: ``X-Forwarded-For`` is ignored and a spoofed one changes
nothing (the lockout of django-axes and the rate limits key on ``REMOTE_ADDR``).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values, *, setting: str = "DJANGO_TRUSTED_PROXIES"):
    """Addresses and CIDR networks, or ImproperlyConfigured naming the bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: {value!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/24)"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]):
    return parse_networks(values)


def parse_address(value: str) -> Address | None:
    """One address as a proxy writes it (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``), or None."""
    value = value.strip().strip('"')
    if value.startswith("["):  # [v6] or [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as a string (``REMOTE_ADDR`` unless a trusted proxy forwarded it).

    Also ``AXES_CLIENT_IP_CALLABLE``, so that the lockout counts the real client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    peer = parse_address(remote)
    if peer is None:
        return remote
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if not networks and count <= 0:
        return str(peer)
    if networks and not _trusted(peer, networks):
        return str(peer)  # not from a trusted proxy: its X-Forwarded-For is the client's word
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if not forwarded:
        return str(peer)
    if count > 0:
        # the N-th from the right; fewer entries than proxies: the left-most, which a
        # proxy of the chain wrote (DRF's NUM_PROXIES reads it the same way)
        address = parse_address(forwarded[-min(count, len(forwarded))])
        return str(address) if address is not None else str(peer)
    nearest = peer
    for part in reversed(forwarded):
        address = parse_address(part)
        if address is None:
            # a trusted proxy writes addresses; garbage here was written by the client
            return str(nearest)
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy: the left-most is the client


def rate_key(address: str) -> str:
    """The bucket an address counts in: itself for IPv4, its /64 for IPv6 (one subscriber
    usually holds a whole /64, so counting single IPv6 addresses would limit nothing)."""
    parsed = parse_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed) if parsed is not None else (address or "unknown")

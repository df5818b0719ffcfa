"""Which client a request comes from, for the sign-in throttle (and only for it).

A browser's address is the peer of its connection, unless that peer is a reverse proxy the deployer trusts
(``REPLYCOACH_TRUSTED_PROXIES``: addresses or networks, comma-separated): then the address is the nearest
one in ``X-Forwarded-For`` that is not a trusted proxy, read from the right, since a client can write
anything at the left of that header but cannot forge what the trusted proxies appended. Without trusted
proxies the header is ignored, so nobody can pick their own throttle key by sending it.

Streamlit reports no address for connections from the machine itself (``st.context.ip_address`` is None
then): they count as ``127.0.0.1``, which is also what a reverse proxy on the same machine looks like.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

LOOPBACK = "127.0.0.1"


def _networks(trusted: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in trusted:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"REPLYCOACH_TRUSTED_PROXIES: {entry!r} is not an address or network (e.g. 10.0.0.5, 10.0.0.0/24)"
            ) from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(peer: str | None, trusted: Iterable[str]) -> bool:
    """Whether ``peer`` (None: this machine) is one of the trusted reverse proxies."""
    address = _address(peer or LOOPBACK)
    return address is not None and any(address in network for network in _networks(trusted))


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: Iterable[str]) -> str:
    """The client's address: ``peer`` (None: this machine) unless trusted proxies stand in between.

    ``forwarded_for`` are the ``X-Forwarded-For`` header values in the order received."""
    trusted = tuple(trusted)
    _networks(trusted)  # a mistyped setting is an error on every request, not only behind a proxy
    current = peer or LOOPBACK
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    while hops and is_trusted_proxy(current, trusted):
        current = hops.pop()
    return current

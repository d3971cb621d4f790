"""Who a request comes from, for rate limits: the peer address, or behind trusted proxies the client
they name in X-Forwarded-For.

Without configuration only the TCP peer counts (X-Forwarded-For is ignored: anyone can write it).
With `trusted_proxies` (CIDR networks of the operator's own reverse proxies) the header is read from
the right, skipping trusted hops, and the first untrusted address is the client; a header that does
not parse falls back to the peer. Behind a proxy with no trusted list every client shares the proxy's
bucket, which is why the list exists.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_HOPS = 16  # a longer chain is not one the operator's proxies wrote


@dataclass(frozen=True)
class ClientAddress:
    """Resolves a request's client address given the trusted proxy networks."""

    trusted_proxies: tuple[IpNetwork, ...] = ()

    @classmethod
    def from_strings(cls, networks: Iterable[str]) -> ClientAddress:
        """From CIDR strings (`"10.0.0.0/8"`, `"127.0.0.1"`); ValueError for one that does not parse."""
        return cls(tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()))

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)

    def resolve(self, remote_addr: str | None, forwarded_for: str | None) -> str:
        """The client's address for rate limiting (`remote_addr` unless it is a trusted proxy)."""
        peer = remote_addr or "unknown"
        if not self.trusted_proxies or not forwarded_for or not self._trusted(peer):
            return peer
        hops = [h.strip() for h in forwarded_for.split(",")]
        if len(hops) > MAX_FORWARDED_HOPS:
            hops = hops[-MAX_FORWARDED_HOPS:]
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return peer  # a malformed header: trust nothing in it
            if not self._trusted(hop):
                return hop
        return peer

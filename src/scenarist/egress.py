"""Where outgoing connections may go (contract section 9).

``EgressPolicy`` decides, from Settings, which addresses modules may reach;
``EgressGuard`` applies it for modules that open their own sockets (FTP,
SMTP, databases: ``ctx.egress.resolve(host, port)``); the HTTP transport
(``scenarist.transport``) applies the same policy inside aiohttp's resolver.

Refused, unless ``SCENARIST_EGRESS_ALLOW`` allows them:

* private networks (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10),
  loopback (127/8, ::1), link-local (169.254/16 with the cloud metadata
  address, fe80::/10), multicast, unspecified (0/8, ::), carrier-grade NAT
  (100.64/10), reserved, documentation and broadcast ranges, and anything
  else Python's ``ipaddress`` does not call global;
* the same addresses spelt inside IPv6: IPv4-mapped (``::ffff:127.0.0.1``,
  which is the same destination and so is also *allowed* by an IPv4 entry),
  IPv4-compatible, 6to4, Teredo and NAT64 (refused when the IPv4 address
  they carry is refused; an allow entry must name the IPv6 address itself).

The check runs after DNS, on every address a name resolves to. A name that
resolves to some refused and some allowed addresses is reached on the
allowed ones only; it is refused when none is allowed. Callers connect to
the addresses returned by the check, never to the name again, so DNS cannot
answer differently between the check and the connection.

``SCENARIST_EGRESS_ALLOW`` is a comma-separated list of CIDRs, addresses and
host names (``*.example.com`` matches the sub-domains of example.com). An
allowed host name is reached on whatever it resolves to. ``make run`` sets
``127.0.0.0/8,::1`` so that local demos can call local servers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scenarist.sdk import ConnectionError

if TYPE_CHECKING:
    from scenarist.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESS = ipaddress.IPv4Address("169.254.169.254")

_REFUSED: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(cidr), reason)
    for cidr, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.169.254/32", "the cloud metadata address"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "reserved for documentation"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved for benchmarks"),
        ("198.51.100.0/24", "reserved for documentation"),
        ("203.0.113.0/24", "reserved for documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "private (local NAT64)"),
        ("100::/64", "reserved (discard)"),
        ("2001:db8::/32", "reserved for documentation"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private (site-local)"),
        ("ff00::/8", "multicast"),
    )
)
"""Refused ranges with the reason a refusal names; the first match wins."""

_EMBEDDING: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv6Network("::/96"), "IPv4-compatible"),
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), "IPv4-translated"),
    (ipaddress.IPv6Network("64:ff9b::/96"), "NAT64"),
)
"""IPv6 ranges that carry an IPv4 address in their last 32 bits."""

_NUMERIC = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


class EgressRefused(OSError):
    """Refused by the egress policy.

    An ``OSError`` so that aiohttp treats a refusal in its resolver like a failed lookup.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(f"refused by the egress policy: {detail}")


def parse_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form the C library accepts, or None for a name.

    Catches the old numeric spellings (``2130706433``, ``0x7f000001``, ``127.1``,
    ``0177.0.0.1``) that ``socket`` would quietly turn into 127.0.0.1.
    """
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not _NUMERIC.fullmatch(text):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def looks_numeric(host: str) -> bool:
    """Whether aiohttp would connect to ``host`` as an address, without asking a resolver."""
    return ":" in host or host.replace(".", "").isdigit()


def _normal_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def _unmapped(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address is the IPv4 address itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _embedded(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries (6to4, Teredo, NAT64...), with the kind of carrier."""
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    for network, kind in _EMBEDDING:
        if address in network:
            return kind, ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def classify(address: IPAddress) -> str | None:
    """Why ``address`` is refused by default (``"loopback"``...), or None when it is public."""
    plain = _unmapped(address)
    if plain is not address:
        reason = classify(plain)
        return f"{reason} (IPv4-mapped {plain})" if reason else None
    for network, reason in _REFUSED:
        if address.version == network.version and address in network:
            return reason
    if isinstance(address, ipaddress.IPv6Address):
        carried = _embedded(address)
        if carried is not None:
            kind, inner = carried
            reason = classify(inner)
            return f"{reason} ({kind} {inner})" if reason else None
    return None if address.is_global else "not globally routable"


@dataclass(frozen=True)
class EgressPolicy:
    """Which outgoing addresses are allowed, and how outgoing traffic leaves (built from Settings)."""

    allow_networks: tuple[IPNetwork, ...] = ()
    """Networks reached even when refused by default (``SCENARIST_EGRESS_ALLOW`` CIDRs and addresses)."""
    allow_hosts: frozenset[str] = frozenset()
    """Host names reached on whatever they resolve to; ``*.example.com`` matches sub-domains."""
    proxy: str | None = None
    """Every outgoing HTTP request goes through this proxy URL (``SCENARIST_EGRESS_PROXY``)."""
    source_address: str | None = None
    """Outgoing sockets bind to this local address (``SCENARIST_EGRESS_SOURCE_ADDRESS``)."""

    @classmethod
    def parse(cls, allow: str = "", *, proxy: str | None = None, source_address: str | None = None) -> EgressPolicy:
        """A policy from the comma-separated allow list; a malformed CIDR raises ``ValueError``."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for entry in (item.strip() for item in allow.split(",")):
            if not entry:
                continue
            if "/" in entry or parse_address(entry) is not None:
                networks.append(_network(entry))
            else:
                hosts.add(_normal_host(entry))
        if source_address is not None:
            ipaddress.ip_address(source_address)
        return cls(tuple(networks), frozenset(hosts), proxy or None, source_address or None)

    @classmethod
    def from_settings(cls, settings: Settings) -> EgressPolicy:
        return cls.parse(settings.egress_allow, proxy=settings.egress_proxy,
                         source_address=settings.egress_source_address)

    @property
    def family(self) -> socket.AddressFamily:
        """The only address family outgoing sockets can use (that of the source address), else any."""
        if self.source_address is None:
            return socket.AF_UNSPEC
        return socket.AF_INET6 if ipaddress.ip_address(self.source_address).version == 6 else socket.AF_INET

    @property
    def proxy_host(self) -> str | None:
        """The proxy's host name: always reachable, even on a private address."""
        if self.proxy is None:
            return None
        return _normal_host(urlsplit(self.proxy).hostname or "") or None

    def host_allowed(self, host: str) -> bool:
        name = _normal_host(host)
        return name in self.allow_hosts or any(
            pattern.startswith("*.") and name.endswith(pattern[1:]) for pattern in self.allow_hosts
        )

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why the policy refuses ``address`` (``"127.0.0.1 is loopback"``), or None when allowed."""
        parsed = ipaddress.ip_address(address) if isinstance(address, str) else address
        plain = _unmapped(parsed)
        if any(plain.version == net.version and plain in net for net in self.allow_networks):
            return None
        reason = classify(parsed)
        return f"{address} is {reason}" if reason else None

    def check_host(self, host: str) -> IPAddress | None:
        """Check a URL's host before any lookup: an address is checked here, a name returns None.

        Raises ``EgressRefused`` for a refused address and for a host that looks numeric but
        is no address (aiohttp would hand it to the C library, which might read it as one).
        """
        if self.host_allowed(host):
            return None
        address = parse_address(host)
        if address is None:
            if looks_numeric(host):
                raise EgressRefused(f"{host!r} is not a valid address")
            return None
        reason = self.refusal(address)
        if reason:
            raise EgressRefused(reason)
        return address

    def select(self, host: str, addresses: Sequence[str]) -> list[str]:
        """The addresses of ``host`` that may be reached, in order; ``EgressRefused`` when none may."""
        if self.host_allowed(host):
            return list(addresses)
        reasons = {address: self.refusal(address) for address in addresses}
        allowed = [address for address, reason in reasons.items() if reason is None]
        if allowed:
            return allowed
        refused = "; ".join(reason for reason in reasons.values() if reason)
        if parse_address(host) is not None:
            raise EgressRefused(refused)
        raise EgressRefused(f"{host} resolves only to refused addresses ({refused})")


def _network(entry: str) -> IPNetwork:
    address = parse_address(entry)
    if address is not None:
        return ipaddress.ip_network(address)
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError as exc:
        raise ValueError(f"SCENARIST_EGRESS_ALLOW: {entry!r} is not a valid network: {exc}") from exc


async def lookup(host: str, port: int, family: int = socket.AF_UNSPEC) -> list[str]:
    """Every address ``host`` resolves to for a TCP connection, without blocking the loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class EgressGuard:
    """The ``Egress`` that runs get as ``ctx.egress``: resolve, check, and say where to bind.

    Modules that open their own sockets call ``await ctx.egress.resolve(host, port)``,
    connect to the address it returns, and bind to ``ctx.egress.source_address`` when set.
    """

    def __init__(self, policy: EgressPolicy | None = None) -> None:
        self.policy = policy or EgressPolicy()

    @classmethod
    def from_settings(cls, settings: Settings) -> EgressGuard:
        return cls(EgressPolicy.from_settings(settings))

    @property
    def source_address(self) -> str | None:
        """Bind outgoing sockets here (``(source_address, 0)``) when set: the address customers whitelist."""
        return self.policy.source_address

    async def resolve(self, host: str, port: int) -> str:
        """The first allowed address of ``host``; ``ConnectionError`` when refused or unresolvable."""
        try:
            addresses = await lookup(host, port, self.policy.family)
            return self.policy.select(host, addresses)[0]
        except EgressRefused as exc:
            raise ConnectionError(str(exc)) from exc
        except OSError as exc:
            raise ConnectionError(f"{host} cannot be resolved: {exc}") from exc

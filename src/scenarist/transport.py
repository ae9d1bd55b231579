"""The one outgoing HTTP transport: httpx's API on aiohttp's connection pool.

Modules see an ``httpx.AsyncClient`` (auth flows, redirects, MockTransport in
tests); the bytes travel through aiohttp. Measured here against a local sink
with 16 requests in flight: httpx's own pool (httpcore) cost about 1,100 µs of
CPU per request, aiohttp about 80 µs; through this transport httpx's client
layer adds little on top. Redirects are followed by httpx, so every hop comes
back through ``handle_async_request``.

The egress policy (``scenarist.egress``) is enforced on every hop: an address
in the URL is checked before the request, and a name is checked inside
aiohttp's resolver (``PolicyResolver``), which hands the connector only the
allowed addresses it resolved, so DNS cannot answer differently between the
check and the connection. Refusals are ``httpx.ConnectError``s. With
``SCENARIST_EGRESS_PROXY`` every request goes through the proxy (reachable even
on a private address); the proxy resolves the target's name itself, so a name
is checked on what it resolves to here, and left to the proxy's own rules
when it does not resolve here. ``SCENARIST_EGRESS_SOURCE_ADDRESS`` binds every
outgoing socket, the proxy's included.
"""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult

from scenarist.egress import EgressGuard, EgressPolicy, EgressRefused, lookup

_HOP_BY_HOP = frozenset({b"transfer-encoding", b"connection", b"keep-alive"})
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV


class PolicyResolver(AbstractResolver):
    """aiohttp's name lookups under the egress policy: only allowed addresses come out."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, family=family, flags=socket.AI_ADDRCONFIG
        )
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not found:
            raise OSError(f"{host} resolves to no address")
        is_proxy = host.rstrip(".").lower() == self._policy.proxy_host
        keep = set(found if is_proxy else self._policy.select(host, found))
        results: dict[str, ResolveResult] = {}
        for info in infos:
            address = str(info[4][0])
            if address in keep and address not in results:
                results[address] = ResolveResult(hostname=host, host=address, port=port, family=info[0],
                                                 proto=info[2], flags=_NUMERIC_FLAGS)
        return list(results.values())

    async def close(self) -> None:
        return None


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, policy: EgressPolicy | None = None, limit: int = 200, limit_per_host: int = 100) -> None:
        """``policy`` defaults to the refusing one: no private, loopback or link-local address."""
        self._policy = policy or EgressPolicy()
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            source = self._policy.source_address
            connector = aiohttp.TCPConnector(
                limit=self._limit, limit_per_host=self._limit_per_host, ttl_dns_cache=60,
                resolver=PolicyResolver(self._policy), family=self._policy.family,
                local_addr=(source, 0) if source else None,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, skip_auto_headers=("User-Agent", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def _check(self, url: httpx.URL) -> None:
        """Refuse a URL whose address the policy refuses before anything is sent (``EgressRefused``)."""
        address = self._policy.check_host(url.host)
        if address is None and self._policy.proxy and not self._policy.host_allowed(url.host):
            try:
                found = await lookup(url.host, url.port or 0)
            except OSError:
                return
            self._policy.select(url.host, found)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            await self._check(request.url)
        except EgressRefused as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        body = await request.aread()
        timeout = _timeout(request)
        try:
            async with self._client().request(
                request.method, str(request.url), headers=list(request.headers.multi_items()),
                data=body or None, allow_redirects=False, timeout=timeout, compress=None,
                proxy=self._policy.proxy,
            ) as answer:
                content = await answer.read()
                headers = [(k, v) for k, v in answer.raw_headers if k.lower() not in _HOP_BY_HOP]
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"timed out: {request.url.host}", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            refused = exc.os_error if isinstance(exc.os_error, EgressRefused) else None
            raise httpx.ConnectError(str(refused or exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.NetworkError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(answer.status, headers=headers, content=content, request=request,
                              extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    spec = request.extensions.get("timeout") or {}
    return aiohttp.ClientTimeout(
        total=None, connect=spec.get("connect"), sock_read=spec.get("read"), sock_connect=spec.get("connect"),
    )


def http_client(timeout: float = 40, *, egress: EgressGuard | None = None) -> httpx.AsyncClient:
    """The client every module gets as ``ctx.http`` (the caller closes it).

    It follows ``egress``'s policy, proxy and source address; without one, the refusing default.
    """
    policy = egress.policy if egress is not None else EgressPolicy()
    return httpx.AsyncClient(transport=AiohttpTransport(policy=policy), timeout=timeout)

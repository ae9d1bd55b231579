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

A request may carry its own client TLS context in the extension
``scenarist.ssl_context`` (``CLIENT_TLS``): a client certificate is per
connection, not per process. aiohttp keys its pool by that context, so a
connection opened with one certificate never carries a request for another.
A server that refuses the certificate in the handshake is a
``ClientCertificateRefused``.

Answers are streamed: ``client.send(request, stream=True)`` reads the body as
it arrives (a download can stop at its size limit); without ``stream`` httpx
reads it whole, as before.

Every body is capped while it streams, because httpx reads some bodies whole
before the caller sees them (a redirect's, when it follows one; a 401's, when
an auth flow retries): a redirect's body (301, 302, 303, 307, 308 with a
Location) at 1 MiB, since it is never the point; any other at the request's
``scenarist.max_answer_bytes`` extension (``ANSWER_LIMIT``), else 128 MiB.
The reader gets the bytes up to the cap, then ``AnswerTooLarge``; the rest
of the body is never read, and its connection is closed rather than pooled
(aiohttp has already pooled it, clean, if the whole body had arrived).
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import ssl
from collections.abc import AsyncIterator
from http.cookiejar import CookieJar, DefaultCookiePolicy

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult

from scenarist.egress import EgressGuard, EgressPolicy, EgressRefused, lookup
from scenarist.sdk._http import ANSWER_LIMIT, CLIENT_TLS, AnswerTooLarge, ClientCertificateRefused

_HOP_BY_HOP = frozenset({b"transfer-encoding", b"connection", b"keep-alive"})
_NUMERIC_FLAGS = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
_CHUNK_BYTES = 64 * 1024
MIB = 1024 * 1024
DEFAULT_ANSWER_BYTES = 128 * MIB
"""The cap for a request that sets none: above what any module keeps (a download stops at 100 MiB)."""
REDIRECT_ANSWER_BYTES = 1 * MIB
"""The cap for a redirect's body: nobody reads it, yet httpx reads it whole before following the redirect."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

_REFUSED_CERTIFICATE = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate",
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust the issuer of the client certificate",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server refused the client certificate",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "the server does not support the client certificate",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "the server refused the client certificate",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "the server says the client certificate has expired",
    "SSLV3_ALERT_CERTIFICATE_REVOKED": "the server says the client certificate is revoked",
    "TLSV1_ALERT_ACCESS_DENIED": "the server denied access to the client certificate",
}
"""TLS alerts a server sends about the client's certificate (OpenSSL's reason names), in words."""


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
        try:
            answer = await self._client().request(
                request.method, str(request.url), headers=list(request.headers.multi_items()),
                data=body or None, allow_redirects=False, timeout=_timeout(request), compress=None,
                proxy=self._policy.proxy, ssl=_client_tls(request),
            )
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"timed out: {request.url.host}", request=request) from exc
        except aiohttp.ClientError as exc:
            raise _connect_error(exc, request) from exc
        headers = [(k, v) for k, v in answer.raw_headers if k.lower() not in _HOP_BY_HOP]
        stream = _AnswerStream(answer, request, _answer_limit(answer, request))
        return httpx.Response(answer.status, headers=headers, stream=stream, request=request,
                              extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class _AnswerStream(httpx.AsyncByteStream):
    """An aiohttp answer's body as httpx reads it: chunk by chunk, at most ``limit`` bytes, read errors as httpx's."""

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request, limit: int) -> None:
        self._answer = answer
        self._request = request
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received, limit = 0, self._limit
        try:
            async for chunk in self._answer.content.iter_chunked(_CHUNK_BYTES):
                received += len(chunk)
                if received > limit:
                    self._answer.close()
                    if keep := len(chunk) - (received - limit):
                        yield chunk[:keep]
                    raise self._too_large()
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"timed out reading: {self._request.url.host}", request=self._request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=self._request) from exc

    def _too_large(self) -> AnswerTooLarge:
        status, limit = self._answer.status, self._limit
        what = f"the HTTP {status} redirect's body" if _is_redirect(self._answer) else f"the HTTP {status} answer"
        return AnswerTooLarge(f"{what} is larger than {limit} bytes; reading stopped there", limit=limit,
                              request=self._request)

    async def aclose(self) -> None:
        """Give the connection back to the pool (or close it, when the body was not read to its end)."""
        self._answer.release()


def _answer_limit(answer: aiohttp.ClientResponse, request: httpx.Request) -> int:
    """The cap on the answer's body: a redirect's own, else the request's, else the default."""
    if _is_redirect(answer):
        return REDIRECT_ANSWER_BYTES
    limit = request.extensions.get(ANSWER_LIMIT)
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else DEFAULT_ANSWER_BYTES


def _is_redirect(answer: aiohttp.ClientResponse) -> bool:
    """The answer sends the client elsewhere, as httpx decides it (``Response.has_redirect_location``)."""
    return answer.status in _REDIRECTS and "Location" in answer.headers


def _client_tls(request: httpx.Request) -> ssl.SSLContext | bool:
    """The request's own TLS context, else True: aiohttp's default, verified one."""
    context = request.extensions.get(CLIENT_TLS)
    return context if isinstance(context, ssl.SSLContext) else True


def _connect_error(exc: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    """The httpx error for an aiohttp failure before the answer; egress and TLS refusals say what happened."""
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, EgressRefused):
        return httpx.ConnectError(str(exc.os_error), request=request)
    alert = _tls_alert(exc)
    if alert in _REFUSED_CERTIFICATE:
        return ClientCertificateRefused(f"{_REFUSED_CERTIFICATE[alert]} (TLS alert {alert})", request=request)
    if alert is not None:
        return httpx.ConnectError(f"the server refused the TLS handshake (TLS alert {alert}); it may require a "
                                  "client certificate, or share no TLS version or cipher with us", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(_cannot_connect(exc, request), request=request)
    if request.url.scheme == "https" and _dropped(exc):
        return httpx.NetworkError(f"the server closed the TLS connection without answering ({type(exc).__name__}); "
                                  "a server that requires a client certificate does so when it refuses one",
                                  request=request)
    return httpx.NetworkError(f"{type(exc).__name__}: {exc}", request=request)


def _cannot_connect(exc: aiohttp.ClientConnectorError, request: httpx.Request) -> str:
    """Why no connection was made, in words, without aiohttp's ``ssl:default`` (which a plain ``http://``
    request has nothing to do with); a TLS failure says it was one."""
    where = f"{exc.host}:{exc.port}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {where} was refused: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"the TLS handshake with {where} failed: {_os_reason(exc.os_error)}"
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return f"cannot connect to the proxy {where}: {_os_reason(exc.os_error)}"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve {exc.host}: {_os_reason(exc.os_error)}"
    over = " over TLS" if request.url.scheme == "https" else ""
    return f"cannot connect to {where}{over}: {_os_reason(exc.os_error)}"


def _os_reason(error: OSError) -> str:
    """An ``OSError`` in words: its errno's description (``Connection refused``), else its message."""
    if error.errno is not None and error.errno > 0:
        return os.strerror(error.errno)
    return str(error.strerror or error or type(error).__name__)


def _dropped(exc: aiohttp.ClientError) -> bool:
    """The server closed or reset the connection before answering."""
    return isinstance(exc, aiohttp.ServerDisconnectedError) or isinstance(exc.__cause__, ConnectionResetError) or (
        isinstance(exc, aiohttp.ClientOSError) and exc.errno == errno.ECONNRESET)


def _tls_alert(exc: BaseException) -> str | None:
    """The TLS alert the server sent (OpenSSL's reason, ``TLSV1_ALERT_UNKNOWN_CA``), when that is what failed."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        reason = getattr(current, "reason", None) if isinstance(current, ssl.SSLError) else None
        if isinstance(reason, str) and "_ALERT_" in reason:
            return reason
        linked = (getattr(current, "os_error", None), current.__cause__, current.__context__)
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return None


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
    return httpx.AsyncClient(transport=AiohttpTransport(policy=policy), timeout=timeout, cookies=_no_cookies())


def _no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing. The client is shared by every scenario of every account: a cookie one
    response set must not ride along on another scenario's request (a request sends the cookies its own
    headers name, and a step that needs a session reads the answer's ``Set-Cookie`` and maps it)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # used as it is (httpx copies a Cookies)

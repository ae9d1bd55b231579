"""The outgoing transport's own behaviour: streamed answers, their size caps, read failures, per-request TLS contexts.

The egress policy through this transport is tested in ``test_egress.py``;
client certificates end to end in ``tests/apps/test_http_client_cert.py``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from aiohttp import web

from scenarist.egress import EgressGuard, EgressPolicy
from scenarist.transport import (
    ANSWER_LIMIT,
    CLIENT_TLS,
    MIB,
    REDIRECT_ANSWER_BYTES,
    AnswerTooLarge,
    http_client,
)

LOOPBACK = EgressGuard(EgressPolicy.parse("127.0.0.0/8,::1"))
CHUNK = b"x" * 65536
BIG = 64 * len(CHUNK)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """``/big`` answers 64 chunks of 64 KiB; ``/small`` answers "ok"; ``/peer`` answers the client's port in
    X-Peer, and with ``endless`` a body that never ends; ``/endless-redirect`` is a 302 whose body never ends,
    ``/padded-redirect`` one with a 5,000-byte body (both to ``/small``); ``/sent`` tells how many bytes the
    endless redirect got out."""
    sent = [0]

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(64):
                await response.write(CHUNK)
        except (ConnectionError, OSError):
            pass
        return response

    async def small(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def peer(request: web.Request) -> web.StreamResponse:
        headers = {"X-Peer": str(request.transport.get_extra_info("peername")[1] if request.transport else 0)}
        if "endless" not in request.query:
            return web.Response(text="ok", headers=headers)
        response = web.StreamResponse(headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(CHUNK)
        except (ConnectionError, OSError):
            return response

    async def endless_redirect(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=302, headers={"Location": "/small"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(CHUNK)
                sent[0] += len(CHUNK)
        except (ConnectionError, OSError):
            return response

    async def padded_redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, body=b"r" * 5000, headers={"Location": "/small"})

    async def count(request: web.Request) -> web.Response:
        return web.Response(text=str(sent[0]))

    async def login(request: web.Request) -> web.Response:
        response = web.Response(text="logged in")
        response.set_cookie("sid", "tenant-a-secret", path="/")
        return response

    async def echo_cookie(request: web.Request) -> web.Response:
        return web.Response(text=request.headers.get("Cookie", ""))

    application = web.Application()
    application.add_routes([
        web.get("/big", big), web.get("/small", small), web.get("/peer", peer), web.get("/sent", count),
        web.get("/endless-redirect", endless_redirect), web.get("/padded-redirect", padded_redirect),
        web.get("/login", login), web.get("/cookie", echo_cookie),
    ])  # fmt: skip
    runner = web.AppRunner(application, handle_signals=False, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        await web.SockSite(runner, sock).start()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
        sock.close()


async def test_a_cookie_one_answer_set_is_not_sent_on_a_later_request(server: str) -> None:
    """The client is shared by every scenario of every account: it keeps no cookie."""
    async with http_client(egress=LOOPBACK) as client:
        first = await client.get(f"{server}/login")
        assert first.cookies.get("sid") == "tenant-a-secret"  # the answer still shows it, for a step to map
        assert (await client.get(f"{server}/cookie")).text == ""
        named = await client.get(f"{server}/cookie", headers={"Cookie": "sid=mine"})
        assert named.text == "sid=mine"  # a request sends what its own headers name


async def test_a_streamed_answer_arrives_in_chunks(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client, client.stream("GET", f"{server}/big") as answer:
        sizes = [len(chunk) async for chunk in answer.aiter_raw()]
    assert sum(sizes) == 64 * len(CHUNK)
    assert len(sizes) > 1


async def test_a_streamed_answer_closed_early_leaves_the_client_usable(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client:
        async with client.stream("GET", f"{server}/big") as answer:
            first = await anext(answer.aiter_raw())
        assert first
        assert (await client.get(f"{server}/small")).text == "ok"


async def test_an_answer_read_whole_is_as_before(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client:
        answer = await client.get(f"{server}/big")
    assert len(answer.content) == 64 * len(CHUNK)


async def test_an_answer_over_the_requested_cap_is_refused(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/big", extensions={ANSWER_LIMIT: 100_000})
        with pytest.raises(AnswerTooLarge, match="HTTP 200 answer is larger than 100000 bytes") as caught:
            await client.send(request)
    assert caught.value.limit == 100_000
    assert caught.value.request.url == request.url


async def test_the_cap_is_an_httpx_error_that_is_not_a_transport_failure(server: str) -> None:
    """Callers that retry network failures (``TransportError``) do not retry it; those that map any httpx error do."""
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/big", extensions={ANSWER_LIMIT: 100_000})
        with pytest.raises(httpx.DecodingError) as caught:
            await client.send(request)
    assert not isinstance(caught.value, httpx.TransportError)


async def test_a_streamed_reader_gets_every_byte_up_to_the_cap_then_the_error(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/big", extensions={ANSWER_LIMIT: 100_000})
        answer = await client.send(request, stream=True)
        received = 0
        with pytest.raises(AnswerTooLarge):
            async for chunk in answer.aiter_raw():
                received += len(chunk)
        await answer.aclose()
    assert received == 100_000


async def test_an_answer_of_exactly_the_cap_is_read_whole(server: str) -> None:
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/big", extensions={ANSWER_LIMIT: BIG})
        assert len((await client.send(request)).content) == BIG


@pytest.mark.parametrize("limit", ["100", True, 0, -1, None])
async def test_a_cap_that_is_not_a_positive_int_is_ignored(server: str, limit: object) -> None:
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/big", extensions={ANSWER_LIMIT: limit})
        assert len((await client.send(request)).content) == BIG


async def test_a_redirect_with_an_endless_body_stops_at_the_redirect_cap(server: str) -> None:
    """httpx reads a redirect's body whole before following it: the cap is what stops it, long before the timeout."""
    async with http_client(egress=LOOPBACK) as client:
        with pytest.raises(AnswerTooLarge, match="HTTP 302 redirect's body is larger than 1048576 bytes") as caught:
            await client.get(f"{server}/endless-redirect", follow_redirects=True, timeout=60)
        sent = int((await client.get(f"{server}/sent")).text)
    assert caught.value.limit == REDIRECT_ANSWER_BYTES
    assert sent < 32 * MIB, "the endless body was read well past the cap"


async def test_a_small_requested_cap_does_not_apply_to_a_redirect(server: str) -> None:
    """A redirect's body has its own cap: a download limited to a few bytes still follows a redirect with a page."""
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/padded-redirect", extensions={ANSWER_LIMIT: 10})
        answer = await client.send(request, follow_redirects=True)
    assert answer.text == "ok"
    assert len(answer.history[0].content) == 5000


async def test_a_pooled_connection_is_reused_after_a_whole_answer(server: str) -> None:
    """The premise of the next test: the pool hands the same connection back."""
    async with http_client(egress=LOOPBACK) as client:
        first = (await client.get(f"{server}/peer")).headers["x-peer"]
        assert (await client.get(f"{server}/peer")).headers["x-peer"] == first


async def test_an_answer_over_its_cap_closes_its_connection(server: str) -> None:
    """The rest of the body is still coming: the connection cannot carry another request, and is not pooled."""
    async with http_client(egress=LOOPBACK) as client:
        first = (await client.get(f"{server}/peer")).headers["x-peer"]
        request = client.build_request("GET", f"{server}/peer?endless=1", extensions={ANSWER_LIMIT: 100_000})
        answer = await client.send(request, stream=True)
        assert answer.headers["x-peer"] == first
        with pytest.raises(AnswerTooLarge):
            await answer.aread()
        await answer.aclose()
        assert (await client.get(f"{server}/peer")).headers["x-peer"] != first


async def test_a_body_cut_short_is_a_read_error() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        await writer.drain()
        writer.close()

    async with _raw_server(cut) as url, http_client(egress=LOOPBACK) as client:
        with pytest.raises(httpx.ReadError):
            await client.get(url)


async def test_a_tls_context_that_is_not_an_ssl_context_is_ignored(server: str) -> None:
    """Only an ``ssl.SSLContext`` in the extension changes how the transport connects."""
    async with http_client(egress=LOOPBACK) as client:
        request = client.build_request("GET", f"{server}/small", extensions={CLIENT_TLS: "not a context"})
        assert (await client.send(request)).text == "ok"


@asynccontextmanager
async def _raw_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A bare asyncio TCP server on loopback running ``handler``; its http:// URL."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    finally:
        server.close()
        await server.wait_closed()

"""The outgoing transport's own behaviour: streamed answers, read failures, per-request TLS contexts.

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
from scenarist.transport import CLIENT_TLS, http_client

LOOPBACK = EgressGuard(EgressPolicy.parse("127.0.0.0/8,::1"))
CHUNK = b"x" * 65536


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """``/big`` answers 64 chunks of 64 KiB; ``/small`` answers "ok"."""

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

    application = web.Application()
    application.add_routes([web.get("/big", big), web.get("/small", small)])
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

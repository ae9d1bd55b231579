"""``http.download`` against a real local server: the file, its name, the size limit, text, errors."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from pydantic import ValidationError

from scenarist.apps.http import DOWNLOAD, DownloadParams, app
from scenarist.apps.http._disposition import disposition_name, file_name
from scenarist.egress import EgressGuard, EgressPolicy
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RateLimitError,
)
from scenarist.transport import http_client as client_with
from tests.apps.conftest import make_context

KIB = 1024
MIB = 1024 * KIB
BINARY = bytes(range(256)) * 64
TOKEN = "tok-download"


@dataclass
class FileServer:
    """Where the server listens, and the requests it received (method, headers, body)."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the test ends: handlers that stall give up then."""
    sent: int = 0
    """Bytes of the endless redirect's body that got out (written to the socket)."""


def _routes(server: FileServer) -> list[web.RouteDef]:
    async def record(request: web.Request) -> None:
        body = await request.read()
        headers = {name.lower(): value for name, value in request.headers.items()}
        server.received.append({"method": request.method, "headers": headers, "body": body.decode()})

    async def binary(request: web.Request) -> web.Response:
        await record(request)
        return web.Response(body=BINARY, content_type="application/octet-stream")

    async def named(request: web.Request) -> web.Response:
        headers = {"Content-Disposition": request.query["cd"]} if "cd" in request.query else {}
        return web.Response(body=b"x", headers=headers, content_type="text/plain")

    async def text(request: web.Request) -> web.Response:
        body = bytes.fromhex(request.query["hex"])
        return web.Response(body=body, headers={"Content-Type": request.query.get("type", "text/plain")})

    async def declared(request: web.Request) -> web.StreamResponse:
        """Declares a gigabyte, sends a little, then waits: only a client that reads would notice."""
        response = web.StreamResponse(headers={"Content-Length": str(1024**3), "Content-Type": "video/mp4"})
        await response.prepare(request)
        await response.write(b"\0" * KIB)
        await server.done.wait()
        return response

    async def endless(request: web.Request) -> web.StreamResponse:
        """Chunked, no length, never ending (for any status)."""
        response = web.StreamResponse(status=int(request.query.get("status", "200")))
        response.content_type = "application/octet-stream"
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(b"\1" * 64 * KIB)
        except (ConnectionError, OSError):
            return response

    async def zipped(request: web.Request) -> web.Response:
        size = int(request.query.get("size", "1000"))
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/csv"}
        return web.Response(body=gzip.compress(b"a" * size), headers=headers)

    async def status(request: web.Request) -> web.Response:
        headers = {"Retry-After": "7"} if request.match_info["code"] == "429" else {}
        return web.Response(status=int(request.match_info["code"]), text="nope " * 100, headers=headers)

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/files/final.csv")

    async def endless_redirect(request: web.Request) -> web.StreamResponse:
        """A 302 whose body never ends: httpx reads a redirect's body whole before following it."""
        response = web.StreamResponse(status=302, headers={"Location": "/files/final.csv"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(b"\2" * 64 * KIB)
                server.sent += 64 * KIB
        except (ConnectionError, OSError):
            return response

    async def padded_redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, body=b"moved " * 4000, headers={"Location": "/files/final.csv"})

    async def slow(request: web.Request) -> web.Response:
        await server.done.wait()
        return web.Response(text="late")

    async def bearer(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401, text="who are you?")
        return web.Response(body=b"secret file", content_type="application/pdf")

    return [
        web.route("*", "/files/{name}", binary), web.get("/named/{tail:.*}", named), web.get("/text", text),
        web.get("/declared", declared), web.get("/endless", endless), web.get("/zipped", zipped),
        web.get("/status/{code}", status), web.get("/redirect", redirect), web.get("/slow", slow),
        web.get("/auth/bearer", bearer), web.get("/endless-redirect", endless_redirect),
        web.get("/padded-redirect", padded_redirect),
    ]  # fmt: skip


@pytest.fixture
async def files() -> AsyncIterator[FileServer]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = FileServer(url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    application = web.Application()
    application.add_routes(_routes(server))
    runner = web.AppRunner(application, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        yield server
    finally:
        server.done.set()
        await runner.cleanup()
        sock.close()


@pytest.fixture
def download(run_module: Any, files: FileServer) -> Any:
    """``await download("/files/a.bin", max_bytes=..., connection=...)``: run http.download on the server."""

    async def call(path: str, connection: Any = None, **params: Any) -> dict[str, Any]:
        result = await run_module(DOWNLOAD, {"url": files.url + path, **params}, connection=connection)
        assert isinstance(result, dict)
        return result

    return call


# --- the module, described as data --------------------------------------------------------------


def test_the_app_offers_the_download_with_every_http_connection_type() -> None:
    assert app.module("download") is DOWNLOAD
    assert DOWNLOAD.kind == "action"
    assert DOWNLOAD.connection_types == tuple(ct.key for ct in app.connection_types)


def test_every_param_has_a_description_and_an_example() -> None:
    properties = DOWNLOAD.params_schema()["properties"]
    assert {"method", "url", "headers", "query", "timeout_seconds", "as_text", "max_bytes"} <= set(properties)
    for name, schema in properties.items():
        assert schema.get("description") and schema.get("examples"), name


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "BREW"])
def test_methods_that_bring_no_file_are_refused(method: str) -> None:
    with pytest.raises(ValidationError, match="method"):
        DownloadParams.model_validate({"url": "http://x.test", "method": method})


@pytest.mark.parametrize("max_bytes", [0, 100 * 1024 * 1024 + 1])
def test_max_bytes_is_between_one_byte_and_100_mib(max_bytes: int) -> None:
    with pytest.raises(ValidationError, match="max_bytes"):
        DownloadParams.model_validate({"url": "http://x.test", "max_bytes": max_bytes})


def test_the_default_limit_is_10_mib() -> None:
    assert DownloadParams.model_validate({"url": "http://x.test"}).max_bytes == 10 * 1024 * 1024


# --- the file -----------------------------------------------------------------------------------


async def test_binary_content_round_trips_as_base64(download: Any) -> None:
    out = await download("/files/report.bin")
    assert base64.b64decode(out["content"]) == BINARY
    assert out["encoding"] == "base64"
    assert out["size"] == len(BINARY)
    assert out["content_type"] == "application/octet-stream"
    assert out["file_name"] == "report.bin"
    assert out["status"] == 200


async def test_the_download_asks_for_the_file_uncompressed(download: Any, files: FileServer) -> None:
    await download("/files/report.bin")
    assert files.received[-1]["headers"]["accept-encoding"] == "identity"


async def test_given_headers_win_over_the_defaults(download: Any, files: FileServer) -> None:
    await download("/files/report.bin", headers={"accept-encoding": "gzip", "X-Trace": "1"})
    assert files.received[-1]["headers"]["accept-encoding"] == "gzip"
    assert files.received[-1]["headers"]["x-trace"] == "1"


async def test_another_method_and_a_body_can_be_sent(download: Any, files: FileServer) -> None:
    out = await download("/files/export.bin", method="post", json={"report": "q3"})
    assert out["size"] == len(BINARY)
    assert files.received[-1]["method"] == "POST"
    assert json.loads(files.received[-1]["body"]) == {"report": "q3"}


async def test_a_compressed_answer_is_decoded_and_its_decoded_size_counts(download: Any) -> None:
    out = await download("/zipped?size=5000", as_text=True)
    assert out["content"] == "a" * 5000 and out["size"] == 5000
    assert out["content_type"] == "text/csv"


async def test_redirects_are_followed_and_the_final_url_names_the_file(download: Any) -> None:
    out = await download("/redirect")
    assert out["file_name"] == "final.csv"


async def test_an_unfollowed_redirect_is_not_a_file(download: Any) -> None:
    with pytest.raises(DataError, match=r"redirects to /files/final\.csv"):
        await download("/redirect", follow_redirects=False)


# --- the file name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/named/x?cd=attachment%3B%20filename%3D%22plain.txt%22", "plain.txt"),
        ("/named/x?cd=attachment%3B%20filename%2A%3DUTF-8%27%27%25E2%2582%25AC%2520rates.pdf", "€ rates.pdf"),
        ("/named/x?cd=inline", "x"),
        ("/named/r%C3%A9sum%C3%A9.pdf", "résumé.pdf"),
        ("/named/", "download"),
    ],
)
async def test_the_file_name_comes_from_the_header_else_the_url(download: Any, path: str, expected: str) -> None:
    assert (await download(path))["file_name"] == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=report.pdf", "report.pdf"),
        ("ATTACHMENT; FILENAME=report.pdf", "report.pdf"),
        ('attachment; filename="a \\"quoted\\" name.txt"', 'a "quoted" name.txt'),
        ('attachment; filename="semi;colon.txt"', "semi;colon.txt"),
        ("attachment; filename*=UTF-8''%e2%82%ac%20rates.pdf", "€ rates.pdf"),
        ('attachment; filename="fallback.pdf"; filename*=UTF-8\'\'%e2%82%ac.pdf', "€.pdf"),
        ("attachment; filename*=UTF-8''%e2%82%ac.pdf; filename=\"fallback.pdf\"", "€.pdf"),
        ("attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "£ rates.txt"),
        ("attachment; filename*=UTF-8''%ff%fe.txt; filename=ok.txt", "ok.txt"),
        ("attachment; filename*=x-unknown''a.txt; filename=ok.txt", "ok.txt"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\temp\\\\evil.exe"', "evil.exe"),
        ('attachment; filename="bell\x07.txt"', "bell.txt"),
        ('attachment; filename=".."', None),
        ("attachment", None),
        ("", None),
    ],
)
def test_content_disposition_names_per_rfc_6266(header: str, expected: str | None) -> None:
    assert disposition_name(header) == expected


def test_without_a_usable_name_the_file_is_called_download() -> None:
    assert file_name('attachment; filename=".."', httpx.URL("https://x.test/")) == "download"
    assert file_name(None, httpx.URL("https://x.test/a/b.zip?sig=1")) == "b.zip"


# --- the size limit -----------------------------------------------------------------------------


async def test_a_declared_length_over_the_limit_is_refused_before_reading(download: Any) -> None:
    with pytest.raises(DataError, match=r"1073741824 bytes, over max_bytes \(1048576 bytes\)"):
        await download("/declared", max_bytes=1024 * 1024, timeout_seconds=5)


async def test_an_endless_chunked_answer_stops_at_the_limit(download: Any) -> None:
    with pytest.raises(DataError, match=r"larger than max_bytes \(100000 bytes\)"):
        await download("/endless", max_bytes=100_000, timeout_seconds=5)


async def test_a_compressed_answer_over_the_limit_once_decoded_is_refused(download: Any) -> None:
    with pytest.raises(DataError, match="larger than max_bytes"):
        await download("/zipped?size=2000000", max_bytes=1_000_000)


async def test_a_file_of_exactly_the_limit_is_accepted(download: Any) -> None:
    assert (await download("/files/a.bin", max_bytes=len(BINARY)))["size"] == len(BINARY)
    with pytest.raises(DataError, match="max_bytes"):
        await download("/files/a.bin", max_bytes=len(BINARY) - 1)


async def test_a_redirect_with_an_endless_body_fails_fast_without_filling_memory(
    download: Any, files: FileServer
) -> None:
    """The redirect's own cap stops httpx reading its body: a data error naming it, long before the timeout."""
    with pytest.raises(DataError, match=r"HTTP 302 redirect's body is larger than 1048576 bytes"):
        await download("/endless-redirect", timeout_seconds=120)
    assert files.sent < 32 * MIB, f"{files.sent} bytes of the redirect's body were sent"


async def test_a_redirect_body_is_not_held_to_max_bytes(download: Any) -> None:
    """A redirect's page (24,000 bytes here) is capped as a redirect, not as the file it leads to."""
    assert (await download("/padded-redirect", max_bytes=len(BINARY)))["size"] == len(BINARY)


async def test_an_error_answer_is_quoted_whatever_max_bytes(download: Any) -> None:
    with pytest.raises(DataError, match=r"HTTP 404.*nope"):
        await download("/status/404", max_bytes=10)


async def test_an_endless_error_answer_under_a_tiny_limit_is_still_its_status_error(download: Any) -> None:
    with pytest.raises(ConnectionError, match="HTTP 500"):
        await download("/endless?status=500", max_bytes=10, timeout_seconds=5)


async def test_the_connection_stays_usable_after_a_refused_download(download: Any) -> None:
    with pytest.raises(DataError):
        await download("/endless", max_bytes=10)
    assert (await download("/files/a.bin"))["size"] == len(BINARY)


# --- text ---------------------------------------------------------------------------------------


async def test_as_text_returns_utf8_text(download: Any) -> None:
    out = await download(f"/text?hex={'žluťoučký kůň'.encode().hex()}", as_text=True)
    assert out["content"] == "žluťoučký kůň" and out["encoding"] == "text"
    assert out["size"] == len("žluťoučký kůň".encode())


async def test_as_text_uses_the_declared_charset(download: Any) -> None:
    out = await download(f"/text?hex={'£5'.encode('latin-1').hex()}&type=text/plain;charset=ISO-8859-1", as_text=True)
    assert out["content"] == "£5"


async def test_as_text_drops_a_utf8_byte_order_mark(download: Any) -> None:
    with_bom = "\ufeffa,b".encode().hex()
    out = await download(f"/text?hex={with_bom}&type=text/csv", as_text=True)
    assert out["content"] == "a,b"


async def test_as_text_with_a_body_that_is_not_utf8_is_a_data_error(download: Any) -> None:
    with pytest.raises(DataError, match="not utf-8 text"):
        await download("/text?hex=ff00fe41&type=application/octet-stream", as_text=True)


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [(404, DataError), (401, AuthenticationError), (403, AuthenticationError), (500, ConnectionError),
     (429, RateLimitError)],
)
async def test_error_statuses_map_as_in_http_request(download: Any, code: int, error: type[Exception]) -> None:
    with pytest.raises(error, match=f"HTTP {code}.*nope"):
        await download(f"/status/{code}")


async def test_a_rate_limit_carries_its_delay(download: Any) -> None:
    with pytest.raises(RateLimitError) as caught:
        await download("/status/429")
    assert caught.value.retry_after == 7


async def test_an_endless_error_answer_is_read_only_for_its_message(download: Any) -> None:
    with pytest.raises(ConnectionError, match="HTTP 500"):
        await download("/endless?status=500", timeout_seconds=5)


async def test_a_slow_server_is_a_timeout(download: Any) -> None:
    with pytest.raises(ModuleTimeoutError, match=r"within 0\.3 s"):
        await download("/slow", timeout_seconds=0.3)


async def test_a_body_cut_short_is_a_connection_error(run_module: Any) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(cut, "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/cut.bin"
        with pytest.raises(ConnectionError, match="ReadError"):
            await run_module(DOWNLOAD, {"url": url})
    finally:
        server.close()
        await server.wait_closed()


async def test_a_connection_puts_its_credentials_on_the_request(download: Any) -> None:
    out = await download("/auth/bearer", connection={"type": "http.bearer", "fields": {"token": TOKEN}})
    assert base64.b64decode(out["content"]) == b"secret file"
    assert out["content_type"] == "application/pdf"
    with pytest.raises(AuthenticationError):
        await download("/auth/bearer", connection={"type": "http.bearer", "fields": {"token": "wrong"}})


async def test_the_egress_policy_applies(files: FileServer) -> None:
    async with client_with(egress=EgressGuard(EgressPolicy())) as refusing:
        ctx = make_context(refusing, "http.download")
        with pytest.raises(ConnectionError, match="refused by the egress policy"):
            await DOWNLOAD.run(ctx, DownloadParams.model_validate({"url": f"{files.url}/files/a.bin"}))
    assert files.received == []


async def test_a_url_that_is_not_http_is_a_configuration_error(module_context: Any) -> None:
    params = DownloadParams.model_construct(url="ftp://x.test/a", method="GET", headers={}, query={},
                                            json_body=None, form=None, body=None, timeout_seconds=5)
    with pytest.raises(InvalidConfigurationError, match="http:// or https://"):
        await DOWNLOAD.run(module_context("http.download"), params)

"""``http.request`` against a real local server: requests, answers, errors, auth."""

from __future__ import annotations

import base64
import gzip
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiohttp import web
from pydantic import ValidationError

from scenarist.apps.http import REQUEST, RequestParams, app
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RateLimitError,
)

MIB = 1024 * 1024


@pytest.fixture
def send(run_module: Any, http_server: Any) -> Any:
    """``await send("/echo", method=..., connection=...)``: run http.request on the server."""

    async def call(path: str, connection: Any = None, **params: Any) -> dict[str, Any]:
        result = await run_module(
            REQUEST, {"url": http_server.url + path, **params}, connection=connection
        )
        assert isinstance(result, dict)
        return result

    return call


# --- the app, described as data ---------------------------------------------


def test_app_declares_the_request_action_and_its_connection_types() -> None:
    assert app.key == "http"
    assert app.module("request") is REQUEST
    assert REQUEST.kind == "action"
    assert REQUEST.connection_types == (
        "http.basic", "http.bearer", "http.api_key", "http.oauth2", "http.client_certificate",
    )  # fmt: skip
    secrets = {ct.key: ct.secret_fields for ct in app.connection_types}
    assert secrets == {
        "http.basic": ("password",),
        "http.bearer": ("token",),
        "http.api_key": ("value",),
        "http.oauth2": ("client_secret",),
        "http.client_certificate": ("private_key", "passphrase"),
    }


def test_every_param_has_a_description_and_an_example() -> None:
    properties = REQUEST.params_schema()["properties"]
    assert set(properties) == {
        "method", "url", "headers", "query", "json", "form", "body",
        "timeout_seconds", "parse_response", "throw_on_http_error", "follow_redirects", "max_bytes",
    }  # fmt: skip
    for name, schema in properties.items():
        assert schema.get("description"), name
        assert schema.get("examples"), name


def test_connection_fields_have_descriptions_and_examples() -> None:
    for ct in app.connection_types:
        for name, schema in ct.fields.model_json_schema()["properties"].items():
            assert schema.get("description") and schema.get("examples"), (ct.key, name)


# --- params validation --------------------------------------------------------


def test_method_defaults_to_get_and_accepts_any_case() -> None:
    assert RequestParams.model_validate({"url": "http://x.test"}).method == "GET"
    assert RequestParams.model_validate({"url": "http://x.test", "method": "pAtCh"}).method == (
        "PATCH"
    )


def test_unknown_method_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="method"):
        RequestParams.model_validate({"url": "http://x.test", "method": "BREW"})


@pytest.mark.parametrize("url", ["ftp://x.test/file", "file:///etc/passwd", "x.test/path", ""])
def test_url_must_be_http_or_https(url: str) -> None:
    with pytest.raises(ValidationError, match="http:// or https://"):
        RequestParams.model_validate({"url": url})


def test_params_dump_under_their_public_names() -> None:
    params = RequestParams.model_validate({"url": "http://x.test", "json": {"a": 1}})
    assert params.model_dump()["json"] == {"a": 1}


def test_url_is_required() -> None:
    with pytest.raises(ValidationError, match="url"):
        RequestParams.model_validate({})


@pytest.mark.parametrize(
    "bodies",
    [
        {"json": {"a": 1}, "form": {"a": "1"}},
        {"json": [1], "body": "raw"},
        {"form": {"a": 1}, "body": "raw"},
    ],
)
def test_more_than_one_body_is_a_validation_error(bodies: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="at most one of json, form and body"):
        RequestParams.model_validate({"url": "http://x.test", **bodies})


@pytest.mark.parametrize("max_bytes", [0, 32 * MIB + 1])
def test_max_bytes_is_between_one_byte_and_32_mib(max_bytes: int) -> None:
    with pytest.raises(ValidationError, match="max_bytes"):
        RequestParams.model_validate({"url": "http://x.test", "max_bytes": max_bytes})


def test_the_default_answer_limit_is_32_mib() -> None:
    assert RequestParams.model_validate({"url": "http://x.test"}).max_bytes == 32 * MIB


@pytest.mark.parametrize("timeout", [0, -1, 300.5])
def test_timeout_must_be_positive_and_at_most_300(timeout: float) -> None:
    with pytest.raises(ValidationError, match="timeout_seconds"):
        RequestParams.model_validate({"url": "http://x.test", "timeout_seconds": timeout})


def test_unknown_param_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="extra"):
        RequestParams.model_validate({"url": "http://x.test", "verb": "GET"})


async def test_bad_scheme_that_skipped_validation_is_a_configuration_error(
    module_context: Any,
) -> None:
    params = RequestParams.model_construct(url="gopher://x.test")
    with pytest.raises(InvalidConfigurationError, match="http:// or https://"):
        await REQUEST.run(module_context("http.request"), params)


# --- what is sent -------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_sends_the_method(send: Any, method: str) -> None:
    out = await send("/echo", method=method.lower())
    assert out["status"] == 200
    assert out["body"]["method"] == method


async def test_head_answers_without_a_body(send: Any) -> None:
    out = await send("/echo", method="HEAD")
    assert out["status"] == 200
    assert out["body"] is None
    assert out["headers"]["x-echo"] == "yes"


async def test_sends_headers_and_query(send: Any) -> None:
    out = await send(
        "/echo?keep=1",
        headers={"X-Trace": "abc"},
        query={"page": 2, "q": "a b&c", "open": True, "ratio": 0.5},
    )
    assert out["body"]["headers"]["x-trace"] == "abc"
    assert out["body"]["query"] == {
        "keep": "1", "page": "2", "q": "a b&c", "open": "true", "ratio": "0.5",
    }  # fmt: skip


async def test_sends_a_json_body(send: Any) -> None:
    out = await send("/echo", method="POST", json={"id": 7, "tags": ["a"], "ok": None})
    echoed = out["body"]
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["body"].replace(" ", "") == '{"id":7,"tags":["a"],"ok":null}'


async def test_sends_a_form_body(send: Any) -> None:
    out = await send("/echo", method="POST", form={"name": "Ada L", "age": 36, "admin": False})
    echoed = out["body"]
    assert echoed["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert echoed["body"] == "name=Ada+L&age=36&admin=false"


async def test_sends_a_raw_body_as_text_plain_by_default(send: Any) -> None:
    out = await send("/echo", method="PUT", body="<x>žluť</x>")
    echoed = out["body"]
    assert echoed["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert echoed["body"] == "<x>žluť</x>"


async def test_raw_body_keeps_a_given_content_type(send: Any) -> None:
    out = await send(
        "/echo", method="POST", body="<x/>", headers={"content-type": "application/xml"}
    )
    assert out["body"]["headers"]["content-type"] == "application/xml"


# --- what comes back ----------------------------------------------------------


async def test_answer_headers_are_lower_cased(send: Any) -> None:
    out = await send("/echo")
    assert out["headers"]["x-echo"] == "yes"
    assert out["headers"]["content-type"] == "application/json"
    assert all(name == name.lower() for name in out["headers"])


async def test_json_answer_is_parsed(send: Any) -> None:
    out = await send("/fixed/json-list")
    assert out["body"] == [1, 2, 3]
    assert "body_encoding" not in out


async def test_plus_json_answer_is_parsed(send: Any) -> None:
    assert (await send("/fixed/problem-json"))["body"] == {"title": "ok"}


async def test_json_answer_stays_text_without_parse_response(send: Any) -> None:
    out = await send("/fixed/json-list", parse_response=False)
    assert out["body"] == "[1, 2, 3]"


@pytest.mark.parametrize(
    ("kind", "text"),
    [("text", "plain words"), ("xml", "<a>1</a>"), ("untyped", "just text")],
)
async def test_textual_answer_is_text(send: Any, kind: str, text: str) -> None:
    out = await send(f"/fixed/{kind}")
    assert out["body"] == text
    assert "body_encoding" not in out


async def test_binary_answer_is_base64(send: Any) -> None:
    out = await send("/fixed/binary")
    assert out["body_encoding"] == "base64"
    assert base64.b64decode(out["body"]) == bytes(range(256))


async def test_empty_answer_has_no_body(send: Any) -> None:
    out = await send("/empty")
    assert out == {"status": 204, "headers": out["headers"], "body": None}


async def test_invalid_json_answer_is_a_data_error(send: Any) -> None:
    with pytest.raises(DataError, match=r"invalid JSON \(line 1, column"):
        await send("/fixed/bad-json")


async def test_follows_redirects_by_default(send: Any) -> None:
    out = await send("/redirect")
    assert out["status"] == 200
    assert out["body"]["path"] == "/echo"
    assert out["body"]["query"] == {"redirected": "1"}


async def test_returns_the_redirect_when_not_following(send: Any) -> None:
    out = await send("/redirect", follow_redirects=False)
    assert out["status"] == 302
    assert out["headers"]["location"] == "/echo?redirected=1"


async def test_redirect_loop_is_a_connection_error(send: Any) -> None:
    with pytest.raises(ConnectionError, match="too many redirects"):
        await send("/loop")


# --- error mapping ------------------------------------------------------------


async def test_429_is_a_rate_limit_with_retry_after_seconds(send: Any) -> None:
    with pytest.raises(RateLimitError, match="HTTP 429") as caught:
        await send("/status/429?retry_after=17")
    assert caught.value.retry_after == 17
    assert caught.value.retryable


async def test_429_retry_after_may_be_an_http_date(send: Any) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    with pytest.raises(RateLimitError) as caught:
        await send("/status/429", query={"retry_after": when})
    assert caught.value.retry_after is not None
    assert 100 <= caught.value.retry_after <= 120


async def test_429_without_retry_after_has_no_delay(send: Any) -> None:
    with pytest.raises(RateLimitError) as caught:
        await send("/status/429")
    assert caught.value.retry_after is None


@pytest.mark.parametrize("code", [500, 502, 503])
async def test_5xx_is_a_connection_error(send: Any, code: int) -> None:
    with pytest.raises(ConnectionError, match=f"HTTP {code}"):
        await send(f"/status/{code}")


@pytest.mark.parametrize("code", [401, 403])
async def test_401_and_403_are_authentication_errors(send: Any, code: int) -> None:
    with pytest.raises(AuthenticationError, match=f"HTTP {code}"):
        await send(f"/status/{code}")


@pytest.mark.parametrize("code", [400, 404, 409, 422])
async def test_other_4xx_are_data_errors(send: Any, code: int) -> None:
    with pytest.raises(DataError, match=f"HTTP {code}"):
        await send(f"/status/{code}", method="POST")


async def test_error_message_has_a_short_body_excerpt(send: Any) -> None:
    with pytest.raises(DataError) as caught:
        await send("/status/404")
    message = caught.value.message
    assert message.startswith("HTTP 404 Not Found: status 404 xxx")
    excerpt = message.split(": ", 1)[1]
    assert len(excerpt) <= 200


async def test_slow_answer_is_a_module_timeout(send: Any) -> None:
    with pytest.raises(ModuleTimeoutError, match=r"within 0\.2 s"):
        await send("/slow", query={"seconds": 1}, timeout_seconds=0.2)


async def test_unreachable_host_is_a_connection_error(run_module: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionError, match="ConnectError"):
        await run_module(REQUEST, {"url": f"http://127.0.0.1:{port}/"})


# --- connections ----------------------------------------------------------------


async def test_without_a_connection_the_auth_routes_refuse(send: Any) -> None:
    with pytest.raises(AuthenticationError, match="HTTP 401"):
        await send("/auth/bearer")


async def test_basic_connection(send: Any, http_server: Any) -> None:
    user, password = http_server.basic
    connection = {"type": "http.basic", "fields": {"username": user, "password": password}}
    out = await send("/auth/basic", connection=connection)
    assert out["body"]["authenticated"] is True


async def test_basic_connection_with_a_wrong_password_is_an_authentication_error(
    send: Any,
) -> None:
    connection = {"type": "http.basic", "fields": {"username": "ada", "password": "nope"}}
    with pytest.raises(AuthenticationError, match="HTTP 401"):
        await send("/auth/basic", connection=connection)


async def test_bearer_connection(send: Any, http_server: Any) -> None:
    connection = {"type": "http.bearer", "fields": {"token": http_server.bearer}}
    out = await send("/auth/bearer", connection=connection)
    assert out["body"]["authenticated"] is True


async def test_api_key_connection_in_a_header(send: Any, http_server: Any) -> None:
    name, value = http_server.api_key
    fields = {"name": name, "value": value, "placement": "header"}
    out = await send("/auth/key-header", connection={"type": "http.api_key", "fields": fields})
    assert out["body"]["authenticated"] is True


async def test_api_key_connection_in_the_query(send: Any, http_server: Any) -> None:
    _, value = http_server.api_key
    fields = {"name": "api_key", "value": value, "placement": "query"}
    out = await send(
        "/auth/key-query",
        connection={"type": "http.api_key", "fields": fields},
        query={"page": 1},
    )
    assert out["body"] == {"authenticated": True, "query": {"page": "1", "api_key": value}}


async def test_api_key_placement_defaults_to_header(send: Any, http_server: Any) -> None:
    name, value = http_server.api_key
    connection = {"type": "http.api_key", "fields": {"name": name, "value": value}}
    assert (await send("/auth/key-header", connection=connection))["status"] == 200


async def test_foreign_connection_type_is_a_configuration_error(send: Any) -> None:
    connection = {"type": "slack.oauth", "fields": {"token": "x"}}
    with pytest.raises(InvalidConfigurationError, match=r"slack\.oauth"):
        await send("/echo", connection=connection)


async def test_incomplete_connection_is_a_configuration_error_without_secrets(
    send: Any,
) -> None:
    connection = {"type": "http.basic", "fields": {"password": "hunter22"}}
    with pytest.raises(InvalidConfigurationError, match="username") as caught:
        await send("/echo", connection=connection)
    assert "hunter22" not in caught.value.message


# --- the size limit -------------------------------------------------------------


@pytest.fixture
async def streams() -> AsyncIterator[str]:
    """A server of large answers: ``/sized?n=`` (a Content-Length), ``/endless?status=`` (chunked, never ending;
    with 302, a redirect to ``/sized?n=2``), ``/zipped?size=`` (gzip)."""

    async def sized(request: web.Request) -> web.Response:
        return web.Response(body=b"s" * int(request.query["n"]), content_type="text/plain")

    async def endless(request: web.Request) -> web.StreamResponse:
        status = int(request.query.get("status", "200"))
        headers = {"Location": "/sized?n=2"} if status == 302 else {}
        response = web.StreamResponse(status=status, headers=headers)
        response.content_type = "text/plain"
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(b"e" * 65536)
        except (ConnectionError, OSError):
            return response

    async def zipped(request: web.Request) -> web.Response:
        body = gzip.compress(b"z" * int(request.query["size"]))
        return web.Response(body=body, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    application = web.Application()
    application.add_routes([web.get("/sized", sized), web.get("/endless", endless), web.get("/zipped", zipped)])
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


@pytest.fixture
def fetch(run_module: Any, streams: str) -> Any:
    """``await fetch("/endless", max_bytes=...)``: run http.request on the server of large answers."""

    async def call(path: str, **params: Any) -> dict[str, Any]:
        result = await run_module(REQUEST, {"url": streams + path, **params})
        assert isinstance(result, dict)
        return result

    return call


async def test_an_answer_over_max_bytes_is_a_data_error(fetch: Any) -> None:
    with pytest.raises(DataError, match=r"GET 127\.0\.0\.1 answered more than max_bytes \(1000 bytes\)"):
        await fetch("/sized?n=1001", max_bytes=1000)


async def test_an_answer_of_exactly_max_bytes_is_returned(fetch: Any) -> None:
    assert (await fetch("/sized?n=1000", max_bytes=1000))["body"] == "s" * 1000


async def test_an_endless_answer_stops_at_max_bytes(fetch: Any) -> None:
    with pytest.raises(DataError, match=r"more than max_bytes \(100000 bytes\)"):
        await fetch("/endless", max_bytes=100_000, timeout_seconds=60)


async def test_by_default_an_answer_stops_at_32_mib(fetch: Any) -> None:
    with pytest.raises(DataError, match=r"more than max_bytes \(33554432 bytes\)"):
        await fetch("/endless", timeout_seconds=60)


async def test_a_compressed_answer_counts_once_decoded(fetch: Any) -> None:
    """A few kilobytes of gzip that decode to a megabyte are a megabyte."""
    with pytest.raises(DataError, match=r"more than max_bytes \(100000 bytes\)"):
        await fetch("/zipped?size=1000000", max_bytes=100_000)
    assert (await fetch("/zipped?size=5000", max_bytes=5000))["body"] == "z" * 5000


async def test_an_endless_error_answer_is_read_only_for_its_message(fetch: Any) -> None:
    with pytest.raises(ConnectionError, match="HTTP 500 Internal Server Error: eee"):
        await fetch("/endless?status=500", max_bytes=10, timeout_seconds=60)


async def test_a_redirect_with_an_endless_body_is_a_data_error(fetch: Any) -> None:
    with pytest.raises(DataError, match=r"GET 127\.0\.0\.1: the HTTP 302 redirect's body is larger than 1048576"):
        await fetch("/endless?status=302", timeout_seconds=60)


async def test_an_unfollowed_redirect_is_held_to_the_redirect_cap(fetch: Any) -> None:
    with pytest.raises(DataError, match=r"redirect's body is larger than 1048576 bytes"):
        await fetch("/endless?status=302", follow_redirects=False, timeout_seconds=60)

"""Fixtures for app tests: a real local HTTP server and a RunContext factory."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from scenarist.egress import EgressGuard, EgressPolicy
from scenarist.engine.registry import Registry
from scenarist.sdk import App, ConnectionError, ModuleHarness, ModuleSpec, RunContext
from scenarist.transport import http_client as http_client_for_modules
from scenarist.types import JSON, Bundle, SystemClock
from tests.threaded_server import serving

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
BASIC_USER, BASIC_PASSWORD = "ada", "s3cret pass"
BEARER_TOKEN = "tok-123"
API_KEY_NAME, API_KEY_VALUE = "X-API-Key", "key-456"
LOOPBACK_ALLOWED = EgressGuard(EgressPolicy.parse("127.0.0.0/8,::1"))


async def echo(request: Request) -> Response:
    """Answer with what was received, as JSON."""
    body = (await request.body()).decode("utf-8")
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "headers": dict(request.headers),
            "query": dict(request.query_params),
            "body": body,
        },
        headers={"X-Echo": "yes"},
    )


async def status(request: Request) -> Response:
    """Answer with the status in the path; ``retry_after`` sets Retry-After."""
    code = int(request.path_params["code"])
    headers = {}
    if "retry_after" in request.query_params:
        headers["Retry-After"] = request.query_params["retry_after"]
    return PlainTextResponse(f"status {code} " + "x" * 500, status_code=code, headers=headers)


async def slow(request: Request) -> Response:
    """Answer after ``seconds`` seconds."""
    await asyncio.sleep(float(request.query_params.get("seconds", "1")))
    return PlainTextResponse("finally")


async def fixed(request: Request) -> Response:
    """Fixed bodies of various content types."""
    kind = request.path_params["kind"]
    bodies: dict[str, tuple[bytes, str | None]] = {
        "text": (b"plain words", "text/plain; charset=utf-8"),
        "bad-json": (b'{"broken": ', "application/json"),
        "problem-json": (b'{"title": "ok"}', "application/problem+json"),
        "json-list": (b"[1, 2, 3]", "application/json; charset=utf-8"),
        "xml": (b"<a>1</a>", "application/xml"),
        "binary": (bytes(range(256)), "application/octet-stream"),
        "untyped": (b"just text", None),
    }
    content, media = bodies[kind]
    response = Response(content, media_type=media)
    if media is None:
        del response.headers["content-type"]
    return response


async def empty(request: Request) -> Response:
    """No content."""
    return Response(status_code=204)


async def redirect(request: Request) -> Response:
    """Send the client on to /echo."""
    return RedirectResponse("/echo?redirected=1", status_code=302)


async def loop(request: Request) -> Response:
    """Redirect to itself forever."""
    return RedirectResponse("/loop", status_code=302)


def _guarded(check: Callable[[Request], bool]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if not check(request):
            return PlainTextResponse("who are you?", status_code=401)
        return JSONResponse({"authenticated": True, "query": dict(request.query_params)})

    return endpoint


def _basic_ok(request: Request) -> bool:
    token = base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
    return request.headers.get("authorization") == f"Basic {token}"


def build_server_app() -> Starlette:
    """The test server's routes."""
    return Starlette(
        routes=[
            Route("/echo", echo, methods=ALL_METHODS),
            Route("/status/{code:int}", status, methods=ALL_METHODS),
            Route("/slow", slow),
            Route("/fixed/{kind}", fixed),
            Route("/empty", empty),
            Route("/redirect", redirect),
            Route("/loop", loop),
            Route("/auth/basic", _guarded(_basic_ok)),
            Route(
                "/auth/bearer",
                _guarded(lambda r: r.headers.get("authorization") == f"Bearer {BEARER_TOKEN}"),
            ),
            Route(
                "/auth/key-header",
                _guarded(lambda r: r.headers.get(API_KEY_NAME) == API_KEY_VALUE),
            ),
            Route(
                "/auth/key-query",
                _guarded(lambda r: r.query_params.get("api_key") == API_KEY_VALUE),
            ),
        ]
    )


@dataclass(frozen=True)
class LocalServer:
    """Where the test server listens, and the credentials its /auth routes accept."""

    url: str
    basic: tuple[str, str] = (BASIC_USER, BASIC_PASSWORD)
    bearer: str = BEARER_TOKEN
    api_key: tuple[str, str] = (API_KEY_NAME, API_KEY_VALUE)


@pytest.fixture(scope="session")
def http_server() -> Iterator[LocalServer]:
    """A real uvicorn server on 127.0.0.1 with an ephemeral port."""
    with serving(build_server_app()) as url:
        yield LocalServer(url=url)


class RecordingEgress:
    """An egress guard that allows one address and remembers what it was asked."""

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.asked: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> str:
        self.asked.append((host, port))
        if self.address is None:
            raise ConnectionError(f"{host} is not an allowed destination")
        return self.address


class DictState:
    """A ScenarioState kept in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, JSON] = {}

    async def get(self, key: str) -> JSON:
        return self.values.get(key)

    async def set(self, key: str, value: JSON) -> None:
        self.values[key] = value


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """A real client, as the engine would give it to modules (loopback allowed: the test server is local)."""
    async with http_client_for_modules(egress=LOOPBACK_ALLOWED) as client:
        yield client


_REGISTRY = Registry.discover()


def make_context(
    client: httpx.AsyncClient, module: str, connection: Mapping[str, Any] | None = None
) -> RunContext:
    """A RunContext built the way the engine builds one (``ctx.auth`` from the connection type's factory)."""
    kind = _REGISTRY.connection_type(str(connection.get("type"))) if connection is not None else None
    auth = kind.auth(connection.get("fields") or {}) if connection is not None and kind and kind.auth else None
    return RunContext(
        execution_id="exec1",
        scenario_id="scen1",
        account_id="local",
        step_id="step1",
        module=module,
        clock=SystemClock(),
        http=client,
        state=DictState(),
        log=logging.getLogger("tests.apps"),
        connection=connection,
        auth=auth,
    )


RunModule = Callable[..., Awaitable[Bundle | list[Bundle]]]
MakeContext = Callable[..., RunContext]


@pytest.fixture
def module_context(http_client: httpx.AsyncClient) -> MakeContext:
    """Build a RunContext: ``module_context("http.request", connection=...)``."""

    def build(module: str, connection: Mapping[str, Any] | None = None) -> RunContext:
        return make_context(http_client, module, connection)

    return build


_APPS: dict[int, App] = {id(spec): app for app in _REGISTRY.apps.values() for spec in app.modules}


@pytest.fixture
def run_module(http_client: httpx.AsyncClient) -> RunModule:
    """Run a module with ``ModuleHarness``, as the engine runs it (params validated into a ``DataError``
    naming ``params.<field>``, the connection type's ``auth``), on the loopback-allowing client:
    ``await run_module(spec, params, connection=...)``; an action's bundle, a search's bundles."""

    async def call(
        spec: ModuleSpec, params: Mapping[str, Any], connection: Mapping[str, Any] | None = None
    ) -> Bundle | list[Bundle]:
        async with ModuleHarness(_APPS[id(spec)], http=http_client, clock=SystemClock()) as harness:
            bundles = await harness.run(spec.key, params, connection=connection)
        return bundles if spec.kind == "search" else bundles[0]

    return call

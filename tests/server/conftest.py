"""A running app (lifespan started) on a fresh SQLite data dir, and an HTTP client to it.

``client`` talks ASGI in-process (the transport does not matter there);
tests that need a real socket start ``scenarist serve`` themselves.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scenarist.server.app import create_app
from scenarist.settings import Settings
from scenarist.types import Clock

TEST_KEYS = "t1:" + base64.b64encode(bytes(range(32))).decode()
PASSWORD = "correct horse battery"
BASE_URL = "http://127.0.0.1:8000"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Loopback is an allowed egress destination: tests call local servers through modules."""
    return Settings(**{"data_dir": tmp_path / "data", "secret_keys": TEST_KEYS, "egress_allow": "127.0.0.0/8,::1",
                       **overrides})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """For tests that run on both stores: None, the embedded SQLite; else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_database_url")
    return url


@asynccontextmanager
async def served(tmp_path: Path, database_url: str | None, **overrides: Any,
                 ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """``running`` on the test's store (``database_url``)."""
    store = {"database_url": database_url} if database_url else {}
    async with running(tmp_path, **store, **overrides) as (app, client):
        yield app, client


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


async def register(client: httpx.AsyncClient, email: str = "ada@example.com") -> dict[str, str]:
    """Register and create an API token; the Authorization header that uses it."""
    answer = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    csrf = login.json()["csrf_token"]
    token = await client.post("/api/v1/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": csrf})
    assert token.status_code == 201, token.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {token.json()['token']}"}


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> dict[str, str]:
    return await register(client)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run the app's ASGI lifespan as a server does: startup, then shutdown on exit."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield app
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        stopped = await outbox.get()
        await task
        assert stopped["type"] == "lifespan.shutdown.complete", stopped


def client_to(app: FastAPI, *, ip: str = "127.0.0.1", base_url: str = BASE_URL) -> httpx.AsyncClient:
    """An in-process client whose requests come from ``ip``."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)), base_url=base_url)


@asynccontextmanager
async def running(tmp_path: Path, *, clock: Clock | None = None, base_url: str = BASE_URL,
                  **overrides: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A fresh app with these settings (and clock), run through its lifespan, and a client to it."""
    app = create_app(make_settings(tmp_path, **overrides), clock=clock)
    async with lifespan(app), client_to(app, base_url=base_url) as http:
        yield app, http


async def login(client: httpx.AsyncClient, email: str = "ada@example.com", **extra: Any) -> str:
    """Log in (the account must exist); the CSRF token. The session cookie stays in the client."""
    answer = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD, **extra})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf_token"]
    return csrf

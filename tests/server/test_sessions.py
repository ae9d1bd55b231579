"""Sessions: the cookie, its server-side record, idle and absolute timeouts (contract section 7)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.server.security import SESSION_COOKIE
from scenarist.settings import Settings
from scenarist.types import ManualClock
from tests.server.conftest import PASSWORD, login, register, running

API = "/api/v1"


def session_cookie(answer: httpx.Response) -> str:
    [cookie] = [c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    return cookie


async def login_answer(client: httpx.AsyncClient) -> httpx.Response:
    answer = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer


async def me(client: httpx.AsyncClient) -> int:
    return (await client.get(f"{API}/auth/me")).status_code


def test_defaults_are_20_minutes_idle_and_12_hours_in_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCENARIST_SESSION_IDLE_SECONDS", raising=False)
    monkeypatch.delenv("SCENARIST_SESSION_MAX_SECONDS", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.session_idle_seconds == 1200
    assert settings.session_max_seconds == 43200


# -- the cookie


async def test_cookie_attributes_over_http(client: httpx.AsyncClient) -> None:
    await register(client)
    cookie = session_cookie(await login_answer(client))
    value, *attributes = [part.strip() for part in cookie.split(";")]
    assert sorted(attributes) == ["HttpOnly", "Path=/", "SameSite=Lax"]
    assert len(value.split("=", 1)[1]) >= 43


async def test_cookie_is_secure_over_https(tmp_path: Path) -> None:
    async with running(tmp_path, base_url="https://127.0.0.1:8443") as (_, client):
        await register(client)
        cookie = session_cookie(await login_answer(client))
    assert sorted(part.strip() for part in cookie.split(";")[1:]) == ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]


async def test_cookie_is_secure_with_force_https(tmp_path: Path) -> None:
    async with running(tmp_path, force_https=True) as (_, client):
        await client.post(f"{API}/auth/register", json={"email": "ada@example.com", "password": PASSWORD})
        cookie = session_cookie(await login_answer(client))
    assert "Secure" in [part.strip() for part in cookie.split(";")]
    assert "Max-Age" not in cookie and "Expires" not in cookie


async def test_only_the_hash_of_the_session_id_is_stored(app: FastAPI, client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    session_id = client.cookies[SESSION_COOKIE]
    store = app.state.runtime.store
    assert await store.get_session(session_id) is None
    assert await store.get_session(hashlib.sha256(session_id.encode()).hexdigest()) is not None


# -- the session's life


async def test_every_login_issues_a_new_id_and_ends_the_old_session(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    first = client.cookies[SESSION_COOKIE]
    await login(client)
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert await me(client) == 200
    client.cookies.set(SESSION_COOKIE, first)
    assert await me(client) == 401


async def test_two_browsers_have_two_sessions(app: FastAPI, client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000")
    async with other:
        await login(other)
        assert other.cookies[SESSION_COOKIE] != client.cookies[SESSION_COOKIE]
        assert await me(client) == 200 and await me(other) == 200


async def test_session_is_dead_after_logout(app: FastAPI, client: httpx.AsyncClient) -> None:
    await register(client)
    csrf = await login(client)
    session_id = client.cookies[SESSION_COOKIE]
    answer = await client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 204
    assert "Max-Age=0" in session_cookie(answer)
    assert SESSION_COOKIE not in client.cookies
    client.cookies.set(SESSION_COOKIE, session_id)
    assert await me(client) == 401
    assert await app.state.runtime.store.get_session(hashlib.sha256(session_id.encode()).hexdigest()) is None


async def test_logout_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await register(client)
    await login(client)
    assert (await client.post(f"{API}/auth/logout")).status_code == 403
    assert await me(client) == 200


async def test_session_ends_after_the_idle_time(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, session_idle_seconds=100) as (_, client):
        await register(client)
        await login(client)
        for _ in range(3):
            clock.advance(99)
            assert await me(client) == 200
        clock.advance(101)
        assert await me(client) == 401


async def test_session_ends_after_the_absolute_lifetime_even_when_busy(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, session_idle_seconds=100, session_max_seconds=300) as (_, client):
        await register(client)
        await login(client)
        for _ in range(3):
            clock.advance(90)
            assert await me(client) == 200
        clock.advance(31)
        assert await me(client) == 401


async def test_a_dead_session_is_deleted_from_the_store(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, session_idle_seconds=100) as (app, client):
        await register(client)
        await login(client)
        id_hash = hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
        clock.advance(101)
        assert await me(client) == 401
        assert await app.state.runtime.store.get_session(id_hash) is None


async def test_last_seen_is_written_at_most_once_a_minute(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, client):
        await register(client)
        await login(client)
        store = app.state.runtime.store
        id_hash = hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
        created = (await store.get_session(id_hash)).last_seen_at
        clock.advance(59)
        await me(client)
        assert (await store.get_session(id_hash)).last_seen_at == created
        clock.advance(2)
        await me(client)
        assert (await store.get_session(id_hash)).last_seen_at == clock.now()


async def test_short_idle_time_refreshes_more_often(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock, session_idle_seconds=20) as (app, client):
        await register(client)
        await login(client)
        id_hash = hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
        clock.advance(2)
        await me(client)
        assert (await app.state.runtime.store.get_session(id_hash)).last_seen_at == clock.now()

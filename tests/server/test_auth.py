"""Accounts, login, API tokens and the login rate limits (contract sections 5 and 7)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scenarist.server.auth import AuthKit
from scenarist.server.security import EMAIL_COOKIE
from scenarist.types import ManualClock
from tests.server.conftest import PASSWORD, login, register, running

API = "/api/v1"


async def make_account(client: httpx.AsyncClient, email: str = "ada@example.com") -> httpx.Response:
    return await client.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})


# -- registration


async def test_register_answers_201_with_id_and_email(client: httpx.AsyncClient) -> None:
    answer = await make_account(client)
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "email"}
    assert body["email"] == "ada@example.com"


async def test_register_twice_is_409_whatever_the_letter_case(client: httpx.AsyncClient) -> None:
    await make_account(client)
    again = await make_account(client, "ADA@Example.com")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


async def test_short_password_is_422_with_its_path(client: httpx.AsyncClient) -> None:
    answer = await client.post(f"{API}/auth/register", json={"email": "ada@example.com", "password": "123456789"})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "password"


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.com", "ada@example", "a da@example.com", ""])
async def test_bad_email_is_422_with_its_path(client: httpx.AsyncClient, email: str) -> None:
    answer = await client.post(f"{API}/auth/register", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "email"


@pytest.mark.parametrize("body", [
    {"email": "ada@example.com", "password": PASSWORD, "admin": True},
    {"email": "ada@example.com", "password": 1234567890123},
    {"email": ["ada@example.com"], "password": PASSWORD},
    {"password": PASSWORD},
])
async def test_unknown_fields_and_wrong_types_are_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    answer = await client.post(f"{API}/auth/register", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid"


async def test_password_is_stored_as_argon2id_only(app: FastAPI, client: httpx.AsyncClient) -> None:
    await make_account(client)
    account = await app.state.runtime.store.get_account_by_email("ada@example.com")
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


# -- login


async def test_login_answers_a_csrf_token_and_a_session(client: httpx.AsyncClient) -> None:
    await make_account(client)
    answer = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert answer.status_code == 200
    assert set(answer.json()) == {"csrf_token"}
    assert len(answer.json()["csrf_token"]) >= 32
    me = await client.get(f"{API}/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"


async def test_login_accepts_the_email_in_another_letter_case(client: httpx.AsyncClient) -> None:
    await make_account(client)
    await login(client, "Ada@EXAMPLE.com")
    assert (await client.get(f"{API}/auth/me")).status_code == 200


@pytest.mark.parametrize("email,password", [("ada@example.com", "wrong password"), ("bob@example.com", PASSWORD)])
async def test_bad_credentials_are_401_and_set_no_session(client: httpx.AsyncClient, email: str,
                                                          password: str) -> None:
    await make_account(client)
    answer = await client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert "set-cookie" not in answer.headers
    assert (await client.get(f"{API}/auth/me")).status_code == 401


async def test_me_without_authentication_is_401(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{API}/auth/me")
    assert answer.status_code == 401
    assert answer.json() == {"error": {"code": "unauthorized", "message": "authentication required"}}


async def test_login_does_not_block_the_event_loop(client: httpx.AsyncClient) -> None:
    await make_account(client)
    gaps: list[float] = []

    async def tick() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - before)

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await login(client)
    took = time.perf_counter() - started
    ticker.cancel()
    assert len(gaps) >= 3
    assert max(gaps) < took / 2


# -- remembered e-mail


async def test_remember_email_sets_a_persistent_cookie_with_only_the_email(client: httpx.AsyncClient) -> None:
    await make_account(client)
    answer = await client.post(f"{API}/auth/login",
                               json={"email": "ada@example.com", "password": PASSWORD, "remember_email": True})
    [cookie] = [c for c in answer.headers.get_list("set-cookie") if c.startswith(EMAIL_COOKIE + "=")]
    assert cookie.split(";")[0] == f"{EMAIL_COOKIE}=ada@example.com"
    assert "Max-Age=31536000" in cookie


async def test_remembered_email_cookie_authenticates_nothing(client: httpx.AsyncClient) -> None:
    await make_account(client)
    await login(client, remember_email=True)
    remembered = client.cookies[EMAIL_COOKIE]
    client.cookies.clear()
    client.cookies.set(EMAIL_COOKIE, remembered)
    assert (await client.get(f"{API}/auth/me")).status_code == 401
    assert (await client.get(f"{API}/tokens")).status_code == 401


async def test_login_without_remember_email_forgets_it(client: httpx.AsyncClient) -> None:
    await make_account(client)
    await login(client, remember_email=True)
    answer = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD},
                               headers={"X-CSRF-Token": "not needed at login"})
    [cookie] = [c for c in answer.headers.get_list("set-cookie") if c.startswith(EMAIL_COOKIE + "=")]
    assert "Max-Age=0" in cookie
    assert EMAIL_COOKIE not in client.cookies


# -- API tokens


async def test_token_is_shown_once_and_authenticates(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    me = await client.get(f"{API}/auth/me", headers=auth)
    assert me.status_code == 200
    listed = (await client.get(f"{API}/tokens", headers=auth)).json()
    assert [set(t) for t in listed] == [{"id", "name", "created_at"}]
    assert listed[0]["name"] == "tests"


async def test_token_has_at_least_128_random_bits_and_is_stored_hashed(app: FastAPI,
                                                                        client: httpx.AsyncClient) -> None:
    auth = await register(client)
    first = (await client.post(f"{API}/tokens", json={"name": "a"}, headers=auth)).json()
    second = (await client.post(f"{API}/tokens", json={"name": "b"}, headers=auth)).json()
    assert first["token"] != second["token"]
    assert len(first["token"]) >= 32
    store = app.state.runtime.store
    record = await store.get_token_by_hash(hashlib.sha256(first["token"].encode()).hexdigest())
    assert record is not None and record.id == first["id"]
    assert first["token"] not in repr(await store.list_tokens(record.account_id))


async def test_deleted_token_no_longer_authenticates(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    made = (await client.post(f"{API}/tokens", json={"name": "temp"}, headers=auth)).json()
    temp = {"Authorization": f"Bearer {made['token']}"}
    assert (await client.get(f"{API}/auth/me", headers=temp)).status_code == 200
    assert (await client.delete(f"{API}/tokens/{made['id']}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/auth/me", headers=temp)).status_code == 401
    assert (await client.delete(f"{API}/tokens/{made['id']}", headers=auth)).status_code == 404


async def test_another_accounts_token_is_404(client: httpx.AsyncClient) -> None:
    ada = await register(client)
    bob = await register(client, "bob@example.com")
    [ada_token] = (await client.get(f"{API}/tokens", headers=ada)).json()
    answer = await client.delete(f"{API}/tokens/{ada_token['id']}", headers=bob)
    assert answer.status_code == 404
    assert (await client.get(f"{API}/auth/me", headers=ada)).status_code == 200


async def test_unknown_bearer_token_is_401(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{API}/tokens", headers={"Authorization": "Bearer scn_not-a-token"})
    assert answer.status_code == 401


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "x", "scopes": []}])
async def test_bad_token_requests_are_422(client: httpx.AsyncClient, auth: dict[str, str],
                                          body: dict[str, object]) -> None:
    assert (await client.post(f"{API}/tokens", json=body, headers=auth)).status_code == 422


# -- rate limits


async def test_failed_logins_per_email_are_limited_with_retry_after(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (_, client):
        await make_account(client)
        for _ in range(5):
            answer = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": "nope"})
            assert answer.status_code == 401
        limited = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "too_many_requests"
        assert 1 <= int(limited.headers["retry-after"]) <= 300
        clock.advance(int(limited.headers["retry-after"]))
        await login(client)


async def test_a_successful_login_resets_the_email_limit(tmp_path: Path) -> None:
    async with running(tmp_path, clock=ManualClock()) as (_, client):
        await make_account(client)
        for _ in range(4):
            await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": "nope"})
        await login(client)
        for _ in range(4):
            answer = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": "nope"})
            assert answer.status_code == 401


async def test_attempts_per_address_are_limited(tmp_path: Path) -> None:
    clock = ManualClock()
    async with running(tmp_path, clock=clock) as (app, client):
        app.state.auth_kit = AuthKit(clock, per_ip=3)
        for n in range(3):
            answer = await client.post(f"{API}/auth/login", json={"email": f"u{n}@example.com", "password": "nope"})
            assert answer.status_code == 401
        limited = await make_account(client, "new@example.com")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) == 60
        clock.advance(60)
        assert (await make_account(client, "new@example.com")).status_code == 201

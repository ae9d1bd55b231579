"""`POST /account/password`: the current password first, a strong new one, the other sessions end."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.server.conftest import PASSWORD, client_to, login, register

API = "/api/v1"
NEW = "a brand new passphrase"


async def test_the_password_changes_and_only_this_session_goes_on(app: FastAPI, client: httpx.AsyncClient) -> None:
    token = await register(client)
    csrf = await login(client)
    async with client_to(app, ip="127.0.0.2") as other:
        await login(other)
        assert (await other.get(f"{API}/auth/me")).status_code == 200
        changed = await client.post(f"{API}/account/password", headers={"X-CSRF-Token": csrf},
                                    json={"current_password": PASSWORD, "new_password": NEW})
        assert changed.status_code == 204, changed.text
        assert (await client.get(f"{API}/auth/me")).status_code == 200
        assert (await other.get(f"{API}/auth/me")).status_code == 401
    assert (await client.get(f"{API}/tokens", headers=token)).status_code == 200  # API tokens are not sessions
    client.cookies.clear()
    old = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post(f"{API}/auth/login", json={"email": "ada@example.com", "password": NEW})
    assert new.status_code == 200, new.text


async def test_a_wrong_current_password_changes_nothing(client: httpx.AsyncClient) -> None:
    await register(client)
    csrf = await login(client)
    wrong = await client.post(f"{API}/account/password", headers={"X-CSRF-Token": csrf},
                              json={"current_password": "not my password", "new_password": NEW})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["path"] == "current_password"
    assert (await client.get(f"{API}/auth/me")).status_code == 200
    client.cookies.clear()
    assert (await client.post(f"{API}/auth/login",
                              json={"email": "ada@example.com", "password": PASSWORD})).status_code == 200


async def test_a_weak_new_password_is_refused_with_its_field(client: httpx.AsyncClient) -> None:
    await register(client)
    csrf = await login(client)
    weak = await client.post(f"{API}/account/password", headers={"X-CSRF-Token": csrf},
                             json={"current_password": PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    assert weak.json()["error"]["path"] == "new_password"
    assert "10" in weak.json()["error"]["message"]


async def test_it_needs_a_login_and_the_csrf_token(client: httpx.AsyncClient) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert (await client.post(f"{API}/account/password", json=body)).status_code == 401
    await register(client)
    await login(client)
    assert (await client.post(f"{API}/account/password", json=body)).status_code == 403

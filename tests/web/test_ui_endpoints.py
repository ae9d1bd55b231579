"""The API the web UI needs: public settings, `/auth/me` with the CSRF token, the remembered e-mail."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from scenarist.settings import Settings
from tests.server.conftest import PASSWORD, make_settings

EMAIL = "grace@example.com"


async def log_in(client: httpx.AsyncClient, *, remember: bool) -> str:
    assert (await client.post("/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD})).status_code == 201
    answer = await client.post("/api/v1/auth/login",
                               json={"email": EMAIL, "password": PASSWORD, "remember_email": remember})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["csrf_token"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, session_idle_seconds=90, retention_runs_days=45, retention_notifications_days=3)


async def test_public_settings_need_no_login_and_follow_the_settings(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/public/settings")
    assert answer.status_code == 200
    assert answer.json() == {
        "retention_gateway_logs_days": 30, "retention_incomplete_days": 30, "retention_notifications_days": 3,
        "retention_activity_days": 30, "retention_runs_days": 45, "retention_access_log_days": 30,
        "session_idle_seconds": 90, "session_idle_minutes": 2, "session_max_seconds": 43200,
    }


async def test_me_answers_the_csrf_token_of_a_cookie_session(client: httpx.AsyncClient) -> None:
    csrf = await log_in(client, remember=False)
    me = (await client.get("/api/v1/auth/me")).json()
    assert me["email"] == EMAIL
    assert me["csrf_token"] == csrf


async def test_the_token_from_me_lets_a_reloaded_page_change_things(client: httpx.AsyncClient) -> None:
    await log_in(client, remember=False)
    csrf = (await client.get("/api/v1/auth/me")).json()["csrf_token"]
    answer = await client.post("/api/v1/tokens", json={"name": "cli"}, headers={"x-csrf-token": csrf})
    assert answer.status_code == 201


async def test_me_with_a_bearer_token_has_no_csrf_token(client: httpx.AsyncClient) -> None:
    csrf = await log_in(client, remember=False)
    token = (await client.post("/api/v1/tokens", json={"name": "t"}, headers={"x-csrf-token": csrf})).json()["token"]
    client.cookies.clear()
    me = await client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert "csrf_token" not in me.json()


async def test_me_without_a_session_is_401(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/auth/me")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"


async def test_remembered_answers_the_cookies_email(client: httpx.AsyncClient) -> None:
    csrf = await log_in(client, remember=True)
    assert (await client.post("/api/v1/auth/logout", headers={"x-csrf-token": csrf})).status_code == 204
    answer = await client.get("/api/v1/auth/remembered")
    assert answer.status_code == 200
    assert answer.json() == {"email": EMAIL}


async def test_remembered_is_204_without_the_cookie(client: httpx.AsyncClient) -> None:
    await log_in(client, remember=False)
    answer = await client.get("/api/v1/auth/remembered")
    assert answer.status_code == 204
    assert answer.content == b""


async def test_remembered_ignores_a_cookie_that_is_no_email(client: httpx.AsyncClient) -> None:
    client.cookies.set("scenarist_email", "<script>alert(1)</script>")
    assert (await client.get("/api/v1/auth/remembered")).status_code == 204

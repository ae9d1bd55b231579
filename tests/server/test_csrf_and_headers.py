"""CSRF protection, the Origin check and the security headers on every answer (contract sections 5, 7)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from scenarist.server.security import SESSION_COOKIE
from tests.server.conftest import PASSWORD, login, register, running

API = "/api/v1"
CROSS_SITE = {"Origin": "https://evil.example"}


def assert_security_headers(answer: httpx.Response) -> None:
    csp = answer.headers["content-security-policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert directives["default-src"] == "default-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"


# -- CSRF


async def logged_in(client: httpx.AsyncClient) -> str:
    await register(client)
    return await login(client)


async def test_cookie_post_without_csrf_token_is_403(client: httpx.AsyncClient) -> None:
    await logged_in(client)
    answer = await client.post(f"{API}/tokens", json={"name": "x"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert set(answer.json()) == {"error"}


async def test_cookie_post_with_a_wrong_csrf_token_is_403(client: httpx.AsyncClient) -> None:
    await logged_in(client)
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "guess"})
    assert answer.status_code == 403


async def test_another_sessions_csrf_token_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    await logged_in(client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as other:
        other_csrf = await login(other)
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": other_csrf})
    assert answer.status_code == 403


async def test_cookie_post_with_the_csrf_token_passes(client: httpx.AsyncClient) -> None:
    csrf = await logged_in(client)
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_every_state_changing_method_needs_the_token(client: httpx.AsyncClient, method: str) -> None:
    await logged_in(client)
    answer = await client.request(method, f"{API}/tokens/some-id")
    assert answer.status_code == 403


async def test_cookie_get_needs_no_csrf_token(client: httpx.AsyncClient) -> None:
    await logged_in(client)
    assert (await client.get(f"{API}/tokens")).status_code == 200


async def test_bearer_requests_need_no_csrf_token(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers=auth)
    assert answer.status_code == 201


async def test_a_bearer_header_does_not_lend_its_authority_to_a_cookie(client: httpx.AsyncClient) -> None:
    await logged_in(client)
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers={"Authorization": "Bearer nothing"})
    assert answer.status_code == 401


# -- Origin


async def test_cross_site_origin_is_refused_even_with_a_bearer_token(client: httpx.AsyncClient,
                                                                     auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers=auth | CROSS_SITE)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
async def test_cross_site_login_and_register_are_refused(client: httpx.AsyncClient, path: str) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    answer = await client.post(f"{API}{path}", json=body, headers=CROSS_SITE)
    assert answer.status_code == 403


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1:9000", "https://127.0.0.1:8000", "http://localhost:8000"])
async def test_other_origins_are_cross_site(client: httpx.AsyncClient, auth: dict[str, str], origin: str) -> None:
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers=auth | {"Origin": origin})
    assert answer.status_code == 403


async def test_own_origin_is_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/tokens", json={"name": "x"}, headers=auth | {"Origin": "http://127.0.0.1:8000"})
    assert answer.status_code == 201


async def test_public_url_origin_is_accepted(tmp_path: Path) -> None:
    async with running(tmp_path, public_url="https://flows.example.com/") as (_, client):
        answer = await client.post(f"{API}/auth/register", json={"email": "ada@example.com", "password": PASSWORD},
                                   headers={"Origin": "https://flows.example.com"})
    assert answer.status_code == 201


async def test_cross_site_reads_are_not_refused(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (await client.get(f"{API}/tokens", headers=auth | CROSS_SITE)).status_code == 200


async def test_webhooks_take_cross_site_requests_without_csrf(client: httpx.AsyncClient) -> None:
    await logged_in(client)
    answer = await client.post("/hooks/unknown-token", json={}, headers=CROSS_SITE)
    assert answer.status_code == 404
    assert SESSION_COOKIE in client.cookies


# -- headers


async def test_headers_on_a_200(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{API}/healthz")
    assert answer.status_code == 200
    assert_security_headers(answer)
    assert "strict-transport-security" not in answer.headers


async def test_headers_on_a_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/no/such/page")
    assert answer.status_code == 404
    assert_security_headers(answer)


async def test_headers_on_api_errors(client: httpx.AsyncClient) -> None:
    unauthorized = await client.get(f"{API}/auth/me")
    invalid = await client.post(f"{API}/auth/register", json={"email": "x"})
    assert (unauthorized.status_code, invalid.status_code) == (401, 422)
    assert_security_headers(unauthorized)
    assert_security_headers(invalid)


async def test_headers_on_the_middlewares_own_403(client: httpx.AsyncClient) -> None:
    answer = await client.post(f"{API}/auth/login", json={}, headers=CROSS_SITE)
    assert answer.status_code == 403
    assert_security_headers(answer)


async def test_headers_and_error_shape_on_an_unexpected_failure(app: FastAPI, client: httpx.AsyncClient) -> None:
    async def broken(request: Request) -> Response:
        raise RuntimeError("a bug")

    app.router.add_route("/broken", broken)
    answer = await client.get("/broken")
    assert answer.status_code == 500
    assert answer.json() == {"error": {"code": "internal", "message": "internal error"}}
    assert_security_headers(answer)


async def test_headers_on_a_webhook_answer(client: httpx.AsyncClient) -> None:
    """The tenant's content: sandboxed rather than the app's CSP (section 6; tests/server/test_hook_answers.py)."""
    answer = await client.post("/hooks/unknown-token", json={})
    assert answer.status_code == 404
    assert answer.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_api_answers_are_not_cached(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (await client.get(f"{API}/tokens", headers=auth)).headers["cache-control"] == "no-store"


async def test_hsts_with_force_https(tmp_path: Path) -> None:
    async with running(tmp_path, force_https=True) as (_, client):
        answers = [await client.get(f"{API}/healthz"), await client.get("/nowhere"), await client.post("/hooks/x")]
    for answer in answers:
        assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_hsts_when_the_request_came_over_https(tmp_path: Path) -> None:
    async with running(tmp_path, base_url="https://127.0.0.1:8443") as (_, client):
        answer = await client.get(f"{API}/healthz")
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"

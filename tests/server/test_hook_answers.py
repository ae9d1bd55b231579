"""A tenant's webhook answer never runs as the app (contract section 6).

The attack: a scenario answers its webhook with an HTML page holding a script,
its own permissive CSP and a ``Set-Cookie`` that overwrites the victim's
session; the victim, logged in to the app, opens the webhook URL. The answer
must come sandboxed (no script, opaque origin), never sniffed, without the
cookie, and the victim's session must survive. ``webhooks.respond`` refuses
such headers at save; the gateway strips them from any module's answer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from scenarist.sdk import App, ModuleSpec, RunContext
from scenarist.server.security import SESSION_COOKIE
from tests.server.conftest import login, register, running

API = "/api/v1"
SANDBOX = "sandbox; default-src 'none'"
PAGE = "<html><body><script>fetch('/api/v1/tokens', {method: 'POST'})</script></body></html>"
EVIL_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Set-Cookie": f"{SESSION_COOKIE}=attacker; Path=/",
    "Content-Security-Policy": "default-src *; script-src 'unsafe-inline'",
    "X-Content-Type-Options": "sniff",
    "X-Tenant": "kept",
}


class AnyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


async def evil_answer(ctx: RunContext, params: AnyParams) -> dict[str, Any]:
    """A third-party module calling ``ctx.respond`` itself, past ``webhooks.respond``'s checks."""
    ctx.respond(200, PAGE, EVIL_HEADERS)
    return {}


EVIL = App(key="evil", label="Evil", modules=(ModuleSpec("answer", "Answer", "Answers with anything.",
                                                         AnyParams, evil_answer),))


def hook_scenario(*flow: dict[str, Any]) -> dict[str, Any]:
    return {"name": "hook", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "flow": list(flow)}


def respond(headers: Any, body: Any = PAGE) -> dict[str, Any]:
    return {"id": "answer", "module": "webhooks.respond", "params": {"body": body, "headers": headers}}


@pytest.fixture
async def api(tmp_path: Path) -> Any:
    async with running(tmp_path) as (app, client):
        app.state.runtime.registry.add(EVIL)
        yield app, client


async def hook_of(client: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any]) -> str:
    created = await client.post(f"{API}/scenarios", json=definition, headers=auth)
    assert created.status_code == 201, created.text
    await client.post(f"{API}/scenarios/{created.json()['id']}/activate", headers=auth)
    return str(created.json()["webhook_url"]).replace("http://127.0.0.1:8000", "")


def assert_sandboxed(answer: httpx.Response) -> None:
    assert answer.headers.get_list("content-security-policy") == [SANDBOX]
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]
    assert "set-cookie" not in answer.headers


# -- the attack, through HTTP with a logged-in victim


async def test_a_hook_answer_cannot_run_as_the_app_for_a_logged_in_user(api: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = api
    auth = await register(client)
    hook = await hook_of(client, auth, hook_scenario(
        {"id": "evil", "module": "evil.answer"}, respond({}, "unreached")))
    csrf = await login(client)
    session = client.cookies[SESSION_COOKIE]
    answer = await client.get(hook)
    assert answer.status_code == 200
    assert answer.text == PAGE
    assert answer.headers["content-type"].startswith("text/html")
    assert_sandboxed(answer)
    assert answer.headers["x-tenant"] == "kept"
    assert client.cookies[SESSION_COOKIE] == session
    me = await client.get(f"{API}/auth/me")
    assert me.status_code == 200 and me.json()["email"] == "ada@example.com"
    assert (await client.post(f"{API}/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})).status_code == 201


async def test_respond_may_answer_html_but_it_is_sandboxed(api: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = api
    auth = await register(client)
    hook = await hook_of(client, auth, hook_scenario(respond({"Content-Type": "text/html", "X-Tenant": "yes"})))
    answer = await client.post(hook, json={})
    assert answer.text == PAGE and answer.headers["content-type"].startswith("text/html")
    assert_sandboxed(answer)


@pytest.mark.parametrize("path", ["/hooks/unknown", "/hooks/"])
async def test_the_gateways_own_answers_are_sandboxed_too(api: tuple[FastAPI, httpx.AsyncClient], path: str) -> None:
    answer = await api[1].get(path)
    assert answer.status_code == 404
    assert_sandboxed(answer)


async def test_the_api_keeps_the_apps_own_csp(api: tuple[FastAPI, httpx.AsyncClient]) -> None:
    answer = await api[1].get(f"{API}/healthz")
    assert "sandbox" not in answer.headers["content-security-policy"]


@pytest.mark.parametrize("name", ["Set-Cookie", "set-cookie", "Content-Security-Policy", "X-Content-Type-Options",
                                  "Strict-Transport-Security", "Referrer-Policy", "Clear-Site-Data",
                                  "Content-Security-Policy-Report-Only"])
async def test_respond_refuses_cookie_and_security_headers_at_save(api: tuple[FastAPI, httpx.AsyncClient],
                                                                    name: str) -> None:
    _, client = api
    auth = await register(client)
    answer = await client.post(f"{API}/scenarios", headers=auth,
                               json=hook_scenario(respond({"X-Fine": "ok", name: "x"})))
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == f"flow[0].params.headers.{name}"
    assert "cannot be overridden" in answer.json()["error"]["message"]


# -- headers that are not valid HTTP (item 2)


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("X-Split", "a\r\nSet-Cookie: x=1", "CR, LF"),
    ("X-Lf", "a\nb", "CR, LF"),
    ("X-Nul", "a\x00b", "control characters"),
    ("X Space", "v", "not a valid header name"),
    ("X-Colon:", "v", "not a valid header name"),
    ("X-Tab\t", "v", "not a valid header name"),
    ("X-Ünicode", "v", "not a valid header name"),
    ("", "v", "not a valid header name"),
    ("X-Wide", "snow \u2603", "Latin-1"),
    ("Content-Length", "1", "set by the server"),
    ("transfer-encoding", "chunked", "set by the server"),
    ("Connection", "close", "set by the server"),
])
async def test_invalid_literal_headers_are_refused_at_save_with_their_path(
        api: tuple[FastAPI, httpx.AsyncClient], name: str, value: str, reason: str) -> None:
    _, client = api
    auth = await register(client)
    answer = await client.post(f"{API}/scenarios", headers=auth,
                               json=hook_scenario(respond({"X-Dynamic": "{{ hook.body.v }}", name: value})))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["path"] == f"flow[0].params.headers.{name}"
    assert reason in error["message"]


async def test_valid_headers_with_tabs_and_latin1_are_kept(api: tuple[FastAPI, httpx.AsyncClient]) -> None:
    _, client = api
    auth = await register(client)
    hook = await hook_of(client, auth, hook_scenario(
        respond({"X-Tab": "a\tb", "X-Latin": "caf\u00e9", "Content-Disposition": "inline"}, "ok")))
    answer = await client.post(hook, json={})
    assert answer.headers["x-tab"] == "a\tb"
    assert answer.headers["content-disposition"] == "inline"


async def run_detail(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> dict[str, Any]:
    for _ in range(300):
        found = (await client.get(f"{API}/scenarios/{sid}/executions", headers=auth)).json()
        if found and found[0]["status"] not in ("queued", "running"):
            detail: dict[str, Any] = (await client.get(f"{API}/executions/{found[0]['id']}", headers=auth)).json()
            return detail
        await asyncio.sleep(0.02)
    raise AssertionError("the run did not finish")


@pytest.mark.parametrize("headers", [
    {"X-Split": "{{ hook.body.v }}"},
    "{{ hook.body.h }}",
])
async def test_header_values_from_expressions_are_checked_when_the_step_runs(
        api: tuple[FastAPI, httpx.AsyncClient], headers: Any) -> None:
    _, client = api
    auth = await register(client)
    created = await client.post(f"{API}/scenarios", headers=auth, json={
        **hook_scenario(respond(headers, "ok")), "settings": {"store_incomplete": False}})
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    await client.post(f"{API}/scenarios/{sid}/activate", headers=auth)
    hook = str(created.json()["webhook_url"]).replace("http://127.0.0.1:8000", "")
    answer = await client.post(hook, json={"v": "a\r\nSet-Cookie: x=1", "h": {"Set-Cookie": "x=1"}})
    assert "set-cookie" not in answer.headers
    detail = await run_detail(client, auth, sid)
    assert detail["status"] == "error"
    assert detail["error"]["type"] == "DataError"
    assert detail["error"]["step"] == "answer"
    assert "params.headers." in detail["error"]["message"]


# -- SCENARIST_HOOKS_URL: webhooks on an origin of their own


async def test_hooks_url_gives_webhooks_their_own_origin(tmp_path: Path) -> None:
    async with running(tmp_path, hooks_url="https://hooks.example.com/") as (_, client):
        auth = await register(client)
        created = await client.post(f"{API}/scenarios", headers=auth, json=hook_scenario(respond({}, "ok")))
        url = created.json()["webhook_url"]
        assert url.startswith("https://hooks.example.com/hooks/")
        await client.post(f"{API}/scenarios/{created.json()['id']}/activate", headers=auth)
        answer = await client.post(url.removeprefix("https://hooks.example.com"), json={})
        assert answer.status_code == 200 and answer.text == "ok"
        assert_sandboxed(answer)

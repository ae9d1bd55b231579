"""``GET /scenarios/{id}/gateway-log`` on SQLite and PostgreSQL: the requests received and the answers given,
newest first, paged; nothing but method, query, status and time for a confidential scenario."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import register, served
from tests.server.test_gateway import ECHO, hook_scenario, make_hook

API = "/api/v1"


@pytest.fixture
async def client(tmp_path: Path, database_url: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with served(tmp_path, database_url) as (_, http):
        yield http


async def log_of(client: httpx.AsyncClient, auth: dict[str, str], sid: str, **params: Any) -> list[dict[str, Any]]:
    answer = await client.get(f"{API}/scenarios/{sid}/gateway-log", params=params, headers=auth)
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, Any]] = answer.json()
    return entries


async def test_requests_and_answers_are_listed_newest_first(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    sid, hook = await make_hook(client, auth, hook_scenario())
    await client.post(hook + "?a=1&a=2&b=x", json={"order": 7}, headers={"X-Trace": "t-1", "Cookie": "c=1"})
    await client.get(hook)
    newest, oldest = await log_of(client, auth, sid)
    assert (newest["method"], newest["query"], newest["status"], newest["answer"]) == (
        "GET", {}, 200, {"accepted": True})
    assert "body" not in newest
    assert (oldest["method"], oldest["query"], oldest["body"]) == ("POST", {"a": ["1", "2"], "b": "x"}, {"order": 7})
    assert oldest["headers"]["x-trace"] == "t-1"
    assert "cookie" not in oldest["headers"]
    assert set(oldest) == {"id", "received_at", "method", "query", "headers", "body", "status", "answer"}
    assert oldest["received_at"] <= newest["received_at"]


async def test_the_answer_of_webhooks_respond_and_refusals_are_listed(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    sid, hook = await make_hook(client, auth, hook_scenario(ECHO))
    await client.put(hook, content=b"plain words", headers={"Content-Type": "text/plain"})
    await client.post(hook, content=b"x" * (5 * 1024 * 1024 + 1))
    too_large, echoed = await log_of(client, auth, sid)
    assert (echoed["status"], echoed["body"], echoed["answer"]["got"]) == (201, "plain words", "plain words")
    assert too_large["status"] == 413
    assert "body" not in too_large


async def test_a_confidential_scenario_lists_no_headers_bodies_query_or_answers(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    sid, hook = await make_hook(client, auth, hook_scenario(ECHO, confidential=True))
    answer = await client.post(hook + "?card=4111", json={"card": "4111-secret"}, headers={"X-Card": "4111"})
    assert answer.status_code == 201
    [entry] = await log_of(client, auth, sid)
    assert set(entry) == {"id", "received_at", "method", "query", "status"}
    assert (entry["method"], entry["query"], entry["status"]) == ("POST", {}, 201)


async def test_a_scenario_made_confidential_later_hides_its_older_entries(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    sid, hook = await make_hook(client, auth, hook_scenario())
    await client.post(hook + "?q=1", json={"secret": "s-1"})
    changed = await client.put(f"{API}/scenarios/{sid}", json=hook_scenario(confidential=True), headers=auth)
    assert changed.status_code == 200, changed.text
    [entry] = await log_of(client, auth, sid)
    assert set(entry) == {"id", "received_at", "method", "query", "status"}


async def test_limit_and_before_page_through_the_log(client: httpx.AsyncClient) -> None:
    auth = await register(client)
    sid, hook = await make_hook(client, auth, hook_scenario())
    for n in range(5):
        await client.post(hook + f"?n={n}", json={})
    everything = await log_of(client, auth, sid)
    assert [e["query"]["n"] for e in everything] == ["4", "3", "2", "1", "0"]
    first = await log_of(client, auth, sid, limit=2)
    second = await log_of(client, auth, sid, limit=2, before=first[-1]["id"])
    last = await log_of(client, auth, sid, limit=2, before=second[-1]["id"])
    assert [e["query"]["n"] for e in first + second + last] == ["4", "3", "2", "1", "0"]
    assert await log_of(client, auth, sid, before="no-such-entry") == []
    too_many = await client.get(f"{API}/scenarios/{sid}/gateway-log", params={"limit": 10_001}, headers=auth)
    assert too_many.status_code == 422


async def test_another_accounts_scenario_answers_404(client: httpx.AsyncClient) -> None:
    ada = await register(client)
    sid, hook = await make_hook(client, ada, hook_scenario())
    await client.post(hook, json={})
    bob = await register(client, "bob@example.com")
    assert (await client.get(f"{API}/scenarios/{sid}/gateway-log", headers=bob)).status_code == 404
    assert (await client.get(f"{API}/scenarios/nope/gateway-log", headers=ada)).status_code == 404
    ada_scenario_of_bob, _ = await make_hook(client, bob, hook_scenario())
    assert await log_of(client, bob, ada_scenario_of_bob) == []

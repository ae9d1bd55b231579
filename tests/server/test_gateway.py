"""The webhook gateway: /hooks/{token} as contract section 6 says."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scenarist.server import gateway

API = "/api/v1"


def hook_scenario(*flow: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {"name": "hook", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "flow": list(flow), "settings": settings}


ECHO = {"id": "answer", "module": "webhooks.respond",
        "params": {"status": 201, "body": {"got": "{{ hook.body }}", "q": "{{ hook.query }}",
                                            "m": "{{ hook.method }}"},
                   "headers": {"X-Echo": "yes"}}}


async def make_hook(client: httpx.AsyncClient, auth: dict[str, str], definition: dict[str, Any],
                    active: bool = True) -> tuple[str, str]:
    created = (await client.post(f"{API}/scenarios", json=definition, headers=auth)).json()
    if active:
        await client.post(f"{API}/scenarios/{created['id']}/activate", headers=auth)
    return created["id"], created["webhook_url"].replace("http://127.0.0.1:8000", "")


async def executions(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> list[dict[str, Any]]:
    return (await client.get(f"{API}/scenarios/{sid}/executions", headers=auth)).json()


async def settle(client: httpx.AsyncClient, auth: dict[str, str], sid: str, count: int) -> list[dict[str, Any]]:
    """Wait until ``count`` executions of the scenario have finished."""
    for _ in range(300):
        found = await executions(client, auth, sid)
        if len([e for e in found if e["status"] not in ("queued", "running")]) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"executions did not finish: {found}")


async def test_unknown_token_is_404(client: httpx.AsyncClient) -> None:
    answer = await client.post("/hooks/nope", json={})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


async def test_request_is_accepted_and_runs(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid, hook = await make_hook(client, auth, hook_scenario(
        {"id": "v", "module": "tools.set_variables", "params": {"variables": {"id": "{{ hook.body.id }}"}}}))
    answer = await client.post(hook, json={"id": 42})
    assert answer.status_code == 200
    assert answer.json() == {"accepted": True}
    [execution] = await settle(client, auth, sid, 1)
    detail = (await client.get(f"{API}/executions/{execution['id']}", headers=auth)).json()
    assert detail["log"][1]["output"] == {"id": 42}


async def test_respond_module_sets_the_answer(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    _, hook = await make_hook(client, auth, hook_scenario(ECHO))
    answer = await client.put(hook + "?a=1&a=2&b=x", json={"k": "v"})
    assert answer.status_code == 201
    assert answer.headers["x-echo"] == "yes"
    assert answer.json() == {"got": {"k": "v"}, "q": {"a": ["1", "2"], "b": "x"}, "m": "PUT"}


async def test_form_and_text_bodies_are_parsed(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    _, hook = await make_hook(client, auth, hook_scenario(ECHO))
    form = await client.post(hook, data={"a": "1", "b": "two"})
    assert form.json()["got"] == {"a": "1", "b": "two"}
    text = await client.post(hook, content=b"plain words", headers={"content-type": "text/plain"})
    assert text.json()["got"] == "plain words"


async def test_run_ending_before_respond_answers_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    filtered = {**ECHO, "filter": {"condition": "{{ hook.body.go }}"}}
    _, hook = await make_hook(client, auth, hook_scenario(filtered))
    answer = await client.post(hook, json={"go": False})
    assert (answer.status_code, answer.json()) == (200, {"accepted": True})


async def test_slow_run_answers_202_after_the_wait(client: httpx.AsyncClient, auth: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway, "RESPOND_WAIT_SECONDS", 0.2)
    slow = {"id": "wait", "module": "tools.sleep", "params": {"seconds": 1}}
    _, hook = await make_hook(client, auth, hook_scenario(slow, ECHO))
    answer = await client.post(hook, json={})
    assert (answer.status_code, answer.json()) == (202, {"accepted": True})


async def test_body_over_the_limit_is_413_and_nothing_is_stored(app: FastAPI, client: httpx.AsyncClient,
                                                                  auth: dict[str, str]) -> None:
    sid, hook = await make_hook(client, auth, hook_scenario())
    limit = app.state.runtime.settings.webhook_max_bytes
    answer = await client.post(hook, content=b"x" * (limit + 1))
    assert answer.status_code == 413
    await app.state.runtime.idle()  # whatever the request set going has ended
    assert await executions(client, auth, sid) == []


async def test_inactive_scenario_queues_and_runs_on_activation(app: FastAPI, client: httpx.AsyncClient,
                                                               auth: dict[str, str]) -> None:
    sid, hook = await make_hook(client, auth, hook_scenario(), active=False)
    for n in range(3):
        assert (await client.post(hook, json={"n": n})).status_code == 200
    await app.state.runtime.idle()  # no worker took them
    assert {e["status"] for e in await executions(client, auth, sid)} == {"queued"}
    await client.post(f"{API}/scenarios/{sid}/activate", headers=auth)
    finished = await settle(client, auth, sid, 3)
    assert {e["status"] for e in finished} == {"success"}


async def test_queue_of_an_inactive_hook_is_limited(client: httpx.AsyncClient, auth: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert gateway.QUEUE_LIMIT == 10_000
    monkeypatch.setattr(gateway, "QUEUE_LIMIT", 2)
    _, hook = await make_hook(client, auth, hook_scenario(), active=False)
    assert [(await client.post(hook, json={})).status_code for _ in range(2)] == [200, 200]
    full = await client.post(hook, json={})
    assert full.status_code == 429
    assert full.headers["retry-after"] == "60"


async def test_gateway_log_records_request_and_answer(app: FastAPI, client: httpx.AsyncClient,
                                                      auth: dict[str, str]) -> None:
    sid, hook = await make_hook(client, auth, hook_scenario(ECHO))
    await client.post(hook, json={"marker": "logged-body"})
    runtime = app.state.runtime
    await runtime.gateway_log.flush()
    account = (await client.get(f"{API}/auth/me", headers=auth)).json()["id"]
    [entry] = await runtime.store.list_gateway_logs(account, scenario_id=sid)
    assert (entry.method, entry.status) == ("POST", 201)
    full = await runtime.store.get_gateway_log(account, entry.id)
    assert b"logged-body" in full.request_body
    assert b"got" in full.response_body


async def test_confidential_gateway_log_keeps_no_body(app: FastAPI, client: httpx.AsyncClient,
                                                      auth: dict[str, str]) -> None:
    sid, hook = await make_hook(client, auth, hook_scenario(ECHO, confidential=True))
    answer = await client.post(hook, json={"marker": "secret-body"})
    assert answer.json()["got"] == {"marker": "secret-body"}
    runtime = app.state.runtime
    await runtime.gateway_log.flush()
    account = (await client.get(f"{API}/auth/me", headers=auth)).json()["id"]
    [entry] = await runtime.store.list_gateway_logs(account, scenario_id=sid)
    full = await runtime.store.get_gateway_log(account, entry.id)
    assert full.request_body is None and full.response_body is None and full.request_headers == []


async def test_sequential_scenario_runs_one_at_a_time_in_arrival_order(client: httpx.AsyncClient,
                                                                      auth: dict[str, str]) -> None:
    flow = [{"id": "wait", "module": "tools.sleep", "params": {"seconds": "{{ hook.body.pause }}"}},
            {"id": "v", "module": "tools.set_variables", "params": {"variables": {"n": "{{ hook.body.n }}"}}}]
    sid, hook = await make_hook(client, auth, hook_scenario(*flow, sequential=True))
    pauses = [0.15, 0.0, 0.1, 0.0]
    for n, pause in enumerate(pauses):  # each answer comes once stored, long before its run ends
        assert (await client.post(hook, json={"n": n, "pause": pause})).status_code == 200
    finished = sorted(await settle(client, auth, sid, 4), key=lambda e: e["started_at"])
    details = [(await client.get(f"{API}/executions/{e['id']}", headers=auth)).json() for e in finished]
    assert [d["log"][-1]["output"]["n"] for d in details] == [0, 1, 2, 3]
    for earlier, later in itertools.pairwise(finished):
        assert earlier["finished_at"] <= later["started_at"]

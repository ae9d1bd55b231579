"""A successful retry resolves its incomplete execution (contract section 5), through the API on
SQLite and PostgreSQL: the incomplete execution is deleted, the original execution reads ``success``
with ``resolved_by``, and ``?status=incomplete`` lists only what is still open."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from scenarist.types import ManualClock
from tests.server.conftest import register, running

API = "/api/v1"
BROKEN = {"id": "parse", "module": "json.parse", "params": {"json": "{{ hook.body.text }}"}}
FIXED = {"id": "parse", "module": "json.parse", "params": {"json": '{"fixed": true}'}}
AFTER = {"id": "keep", "module": "tools.set_variables", "params": {"variables": {"v": 1}}}


def definition(*flow: dict[str, Any]) -> dict[str, Any]:
    return {"name": "retry me", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "on_demand"}, "flow": list(flow)}


class Api:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, auth: dict[str, str], clock: ManualClock) -> None:
        self.app, self.client, self.auth, self.clock = app, client, auth, clock

    async def get(self, path: str, **params: Any) -> Any:
        answer = await self.client.get(f"{API}{path}", params=params, headers=self.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def scenario(self, *flow: dict[str, Any]) -> str:
        answer = await self.client.post(f"{API}/scenarios", json=definition(*flow), headers=self.auth)
        assert answer.status_code == 201, answer.text
        scenario_id: str = answer.json()["id"]
        return scenario_id

    async def change(self, scenario_id: str, *flow: dict[str, Any]) -> None:
        self.clock.advance(1)  # a new updated_at: the engine's plans are cached by it
        answer = await self.client.put(f"{API}/scenarios/{scenario_id}", json=definition(*flow), headers=self.auth)
        assert answer.status_code == 200, answer.text

    async def run(self, scenario_id: str, payload: Any) -> dict[str, Any]:
        answer = await self.client.post(f"{API}/scenarios/{scenario_id}/run?wait=true", json={"input": payload},
                                        headers=self.auth)
        assert answer.status_code == 200, answer.text
        execution: dict[str, Any] = answer.json()
        return execution

    async def retry(self, incomplete_id: str) -> None:
        answer = await self.client.post(f"{API}/incomplete-executions/{incomplete_id}/retry", headers=self.auth)
        assert answer.status_code == 202, answer.text

    async def incomplete(self, scenario_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.get("/incomplete-executions", scenario_id=scenario_id)
        return found

    async def settled(self, scenario_id: str, attempts: int) -> list[dict[str, Any]]:
        """Wait until no execution is running and the scenario has ``attempts`` retries or more."""
        for _ in range(500):
            runs = await self.get(f"/scenarios/{scenario_id}/executions")
            if len(runs) > attempts and all(r["status"] not in ("queued", "running") for r in runs):
                return list(runs)
            await asyncio.sleep(0.02)
        raise AssertionError(f"runs did not settle: {runs}")


@pytest.fixture
async def api(tmp_path: Path, database_url: str | None) -> AsyncIterator[Api]:
    clock = ManualClock()
    overrides = {"database_url": database_url} if database_url else {}
    async with running(tmp_path, clock=clock, **overrides) as (app, client):
        yield Api(app, client, await register(client), clock)


async def test_a_successful_manual_retry_resolves_the_original_execution(api: Api) -> None:
    sid = await api.scenario(BROKEN, AFTER)
    original = await api.run(sid, {"text": "{"})
    assert original["status"] == "incomplete"
    [waiting] = await api.incomplete(sid)
    assert waiting["execution_id"] == original["id"]
    await api.change(sid, FIXED, AFTER)
    await api.retry(waiting["id"])
    runs = await api.settled(sid, 1)
    retry = next(r for r in runs if r["id"] != original["id"])
    assert retry["status"] == "success"
    assert await api.incomplete(sid) == []
    resolved = await api.get(f"/executions/{original['id']}")
    assert (resolved["status"], resolved["resolved_by"]) == ("success", retry["id"])
    assert await api.get(f"/scenarios/{sid}/executions", status="incomplete") == []


async def test_a_failed_retry_stays_open_until_a_later_one_succeeds(api: Api) -> None:
    sid = await api.scenario(BROKEN, AFTER)
    original = await api.run(sid, {"text": "{"})
    [waiting] = await api.incomplete(sid)
    await api.retry(waiting["id"])
    await api.settled(sid, 1)
    [still] = await api.incomplete(sid)
    assert (still["id"], still["execution_id"], still["attempts"]) == (waiting["id"], original["id"], 1)
    assert len(await api.get(f"/scenarios/{sid}/executions", status="incomplete")) == 2
    await api.change(sid, FIXED, AFTER)
    await api.retry(waiting["id"])
    runs = await api.settled(sid, 2)
    last = runs[0]
    assert last["status"] == "success"
    assert await api.get(f"/scenarios/{sid}/executions", status="incomplete") == []
    assert {r["id"]: r["status"] for r in runs} == {r["id"]: "success" for r in runs}
    assert (await api.get(f"/executions/{original['id']}"))["resolved_by"] == last["id"]


async def test_a_successful_automatic_retry_resolves_the_original_execution(api: Api) -> None:
    with socket.socket() as probe:  # a port nobody listens on: ConnectionError, retried automatically
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    call = {"id": "parse", "module": "http.request", "params": {"method": "GET", "url": f"http://127.0.0.1:{port}/"}}
    sid = await api.scenario(call, AFTER)
    original = await api.run(sid, {})
    assert (original["status"], original["error"]["type"]) == ("incomplete", "ConnectionError")
    [waiting] = await api.incomplete(sid)
    assert waiting["next_retry_at"] is not None
    await api.change(sid, FIXED, AFTER)
    api.clock.advance(timedelta(minutes=2))
    [result] = await api.app.state.runtime.engine.retry_due()  # what the server's retry timer calls
    assert result.execution.status == "success"
    assert await api.incomplete(sid) == []
    resolved = await api.get(f"/executions/{original['id']}")
    assert (resolved["status"], resolved["resolved_by"]) == ("success", result.execution.id)
    listed = await api.get(f"/scenarios/{sid}/executions", status="incomplete")
    assert listed == []


async def test_an_unresolved_execution_has_no_resolved_by(api: Api) -> None:
    sid = await api.scenario(BROKEN, AFTER)
    original = await api.run(sid, {"text": "{"})
    assert "resolved_by" not in await api.get(f"/executions/{original['id']}")
    [listed] = await api.get(f"/scenarios/{sid}/executions", status="incomplete")
    assert listed["id"] == original["id"]

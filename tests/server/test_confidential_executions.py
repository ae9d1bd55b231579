"""``GET /executions/{id}`` of a confidential scenario says so (``"confidential": true``), however the run
was started, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from scenarist.types import ManualClock
from tests.server.conftest import register, served

API = "/api/v1"


def definition(confidential: bool) -> dict[str, Any]:
    return {"name": "secret", "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "settings": {"confidential": confidential},
            "flow": [{"id": "keep", "module": "tools.set_variables",
                      "params": {"variables": {"v": "{{ hook.body }}"}}}]}


async def finished(client: httpx.AsyncClient, auth: dict[str, str], execution_id: str) -> dict[str, Any]:
    for _ in range(300):
        detail: dict[str, Any] = (await client.get(f"{API}/executions/{execution_id}", headers=auth)).json()
        if detail.get("status") not in (None, "queued", "running"):
            return detail
        await asyncio.sleep(0.02)
    raise AssertionError(f"execution did not finish: {detail}")


async def scenario(client: httpx.AsyncClient, auth: dict[str, str], confidential: bool) -> dict[str, Any]:
    created: dict[str, Any] = (await client.post(f"{API}/scenarios", json=definition(confidential),
                                                 headers=auth)).json()
    await client.post(f"{API}/scenarios/{created['id']}/activate", headers=auth)
    return created


async def test_a_webhook_run_of_a_confidential_scenario_reads_confidential(
        tmp_path: Path, database_url: str | None) -> None:
    async with served(tmp_path, database_url) as (_, client):
        auth = await register(client)
        created = await scenario(client, auth, True)
        assert (await client.post(created["webhook_url"].replace("http://127.0.0.1:8000", ""),
                                  json={"card": "4111"})).status_code == 200
        for _ in range(300):
            runs = (await client.get(f"{API}/scenarios/{created['id']}/executions", headers=auth)).json()
            if runs:
                break
            await asyncio.sleep(0.02)
        detail = await finished(client, auth, runs[0]["id"])
    assert (detail["status"], detail["confidential"]) == ("success", True)
    assert "4111" not in str(detail)


async def test_a_manual_run_of_a_confidential_scenario_reads_confidential(
        tmp_path: Path, database_url: str | None) -> None:
    async with served(tmp_path, database_url) as (_, client):
        auth = await register(client)
        created = await scenario(client, auth, True)
        started = await client.post(f"{API}/scenarios/{created['id']}/run", json={"input": {"x": 1}}, headers=auth)
        detail = await finished(client, auth, started.json()["execution_id"])
        waited = await client.post(f"{API}/scenarios/{created['id']}/run?wait=true", json={}, headers=auth)
        stored = await finished(client, auth, waited.json()["id"])
    assert (detail["confidential"], waited.json()["confidential"], stored["confidential"]) == (True, True, True)


async def test_a_run_of_an_ordinary_scenario_reads_not_confidential(tmp_path: Path, database_url: str | None) -> None:
    async with served(tmp_path, database_url) as (_, client):
        auth = await register(client)
        created = await scenario(client, auth, False)
        started = await client.post(f"{API}/scenarios/{created['id']}/run", json={"input": {"x": 1}}, headers=auth)
        detail = await finished(client, auth, started.json()["execution_id"])
    assert detail["confidential"] is False


async def test_a_scheduled_run_of_a_confidential_scenario_reads_confidential(tmp_path: Path) -> None:
    clock = ManualClock()
    async with served(tmp_path, None, clock=clock) as (app, client):
        auth = await register(client)
        scheduled = {**definition(True), "schedule": {"type": "interval", "minutes": 1}}
        created = (await client.post(f"{API}/scenarios", json=scheduled, headers=auth)).json()
        await client.post(f"{API}/scenarios/{created['id']}/activate", headers=auth)
        fired: list[str] = []
        for _ in range(3):
            fired += await app.state.runtime.scheduler.tick()
            clock.advance(61)
        assert fired
        detail = await finished(client, auth, fired[0])
    assert detail["confidential"] is True

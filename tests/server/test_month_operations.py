"""A scenario's operations this month (``operations_this_month``): counted as runs finish, per UTC calendar month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from scenarist.types import ManualClock
from tests.server.conftest import register, running
from tests.server.test_scenarios_api import API, create


async def run_once(client: httpx.AsyncClient, auth: dict[str, str], sid: str) -> int:
    answer = await client.post(f"{API}/scenarios/{sid}/run?wait=true", json={"input": {"name": "ada"}}, headers=auth)
    assert answer.status_code == 200, answer.text
    operations: int = answer.json()["operations"]
    assert operations > 0
    return operations


async def month_figures(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, int]:
    listed = (await client.get(f"{API}/scenarios", headers=auth)).json()
    return {s["id"]: s["operations_this_month"] for s in listed}


async def test_the_list_and_the_scenario_count_this_months_operations(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    async with running(tmp_path, clock=clock) as (_, client):
        auth = await register(client)
        busy, idle = (await create(client, auth))["id"], (await create(client, auth))["id"]
        january = await run_once(client, auth, busy) + await run_once(client, auth, busy)
        assert await month_figures(client, auth) == {busy: january, idle: 0}
        assert (await client.get(f"{API}/scenarios/{busy}", headers=auth)).json()["operations_this_month"] == january

        clock.advance(timedelta(hours=1))  # February 1st, 00:30 UTC: a new month
        assert await month_figures(client, auth) == {busy: 0, idle: 0}
        february = await run_once(client, auth, idle)
        assert await month_figures(client, auth) == {busy: 0, idle: february}


async def test_another_accounts_runs_do_not_count(tmp_path: Path) -> None:
    async with running(tmp_path) as (_, client):
        ada, bob = await register(client), await register(client, "bob@example.com")
        ada_sid, bob_sid = (await create(client, ada))["id"], (await create(client, bob))["id"]
        operations = await run_once(client, bob, bob_sid)
        assert await month_figures(client, ada) == {ada_sid: 0}
        assert await month_figures(client, bob) == {bob_sid: operations}

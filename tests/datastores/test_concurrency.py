"""Writers racing for the last places of a full store, or creates for an account's last stores: the limits
hold, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.datastores.conftest import API, Api, step
from tests.server.conftest import register, running

SMALL = [{"name": "status", "type": "text", "required": True}]
FULL = "data store 'Orders' is full: it holds 3 records, its limit (max_records 3)"


async def test_concurrent_runs_fill_a_store_exactly_to_its_limit(api: Api) -> None:
    store = await api.create_store(SMALL, max_records=3)
    scenario = await api.scenario([step("add", "add_record", data_store=store["id"], data={"status": "racing"})])
    executions = await asyncio.gather(*(api.run(scenario) for _ in range(12)))
    assert sorted(e["status"] for e in executions) == ["incomplete"] * 9 + ["success"] * 3
    assert {e["error"]["message"] for e in executions if e["status"] == "incomplete"} == {FULL}
    assert len(await api.records(store["id"])) == 3
    assert (await api.store(store["id"]))["record_count"] == 3


async def test_concurrent_api_writes_fill_a_store_exactly_to_its_size(api: Api) -> None:
    one = len('{"status":"xxxxxxxxxx"}')
    store = await api.create_store(SMALL, max_size_bytes=4 * one + 5)
    answers = await asyncio.gather(*(api.put_record(store["id"], f"k{i}", {"status": "x" * 10}) for i in range(10)))
    assert sorted(a.status_code for a in answers) == [200] * 4 + [409] * 6
    found = await api.store(store["id"])
    assert (found["record_count"], found["size_bytes"]) == (4, 4 * one)


async def test_runs_racing_a_change_of_structure_leave_every_record_fitting(api: Api) -> None:
    store = await api.create_store([{"name": "status", "type": "text"}])
    scenario = await api.scenario([step("add", "add_record", data_store=store["id"], data={"status": "s"})])
    retype = api.client.put(f"/api/v1/data-stores/{store['id']}", headers=api.auth,
                            json={"structure": [{"name": "status", "type": "number"}]})
    results = await asyncio.gather(retype, *(api.run(scenario) for _ in range(6)))
    changed, executions = results[0], results[1:]
    added = [e for e in executions if e["status"] == "success"]
    if changed.status_code == 200:  # the change came first: text no longer fits a number field
        assert added == []
    else:
        assert changed.status_code == 409 and len(added) == 6
    assert len(await api.records(store["id"])) == len(added)


async def test_concurrent_creates_stop_at_the_accounts_number_of_stores(tmp_path: Path,
                                                                         database_url: str | None) -> None:
    overrides = ({"database_url": database_url} if database_url else {}) | {"data_stores_per_account": 3}
    async with running(tmp_path, **overrides) as (app, client):
        api = Api(app, client, await register(client))
        body = {"name": "Racing", "structure": SMALL}
        answers = await asyncio.gather(*(client.post(f"{API}/data-stores", json=body, headers=api.auth)
                                         for _ in range(10)))
        listed = (await client.get(f"{API}/data-stores", headers=api.auth)).json()
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 7
    assert {a.json()["error"]["message"] for a in answers if a.status_code == 409} == {
        "this account has 3 data stores, the most it may have: delete one to create another"}
    assert len(listed) == 3

"""Writers racing for the last places of a full store: the limits hold, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.datastores.conftest import Api, step

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

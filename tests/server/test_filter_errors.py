"""A filter that cannot be evaluated keeps its bundle as an incomplete execution, which a retry resolves."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

API = "/api/v1"


def definition(b: Any) -> dict[str, Any]:
    return {
        "name": "Big amounts",
        "trigger": {"id": "hook", "module": "webhooks.custom"},
        "schedule": {"type": "immediately"},
        "flow": [
            {"id": "big", "module": "tools.set_variables",
             "params": {"variables": {"amount": "{{ hook.body.amount }}"}},
             "filter": {"label": "big ones", "conditions": [[{"a": "{{ hook.body.amount }}", "o": "number:greater",
                                                               "b": b}]]}},
        ],
    }


async def test_a_failing_filter_is_stored_incomplete_and_a_retry_after_the_fix_succeeds(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    created = await client.post(f"{API}/scenarios", json=definition(10), headers=auth)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    run = await client.post(f"{API}/scenarios/{sid}/run?wait=true", json={"input": {"amount": {"value": 12}}},
                            headers=auth)
    execution = run.json()
    assert execution["status"] == "incomplete", run.text
    assert execution["error"]["type"] == "DataError"
    assert execution["error"]["step"] == "big"
    assert "flow[0].filter.conditions[0][0]" in execution["error"]["message"]
    [incomplete] = (await client.get(f"{API}/incomplete-executions", headers=auth)).json()
    assert (incomplete["execution_id"], incomplete["step"]) == (execution["id"], "big")

    fixed = definition(10)
    fixed["flow"][0]["filter"]["conditions"][0][0]["a"] = "{{ hook.body.amount.value }}"
    assert (await client.put(f"{API}/scenarios/{sid}", json=fixed, headers=auth)).status_code == 200
    retry = await client.post(f"{API}/incomplete-executions/{incomplete['id']}/retry", headers=auth)
    assert retry.status_code == 202, retry.text
    for _ in range(100):
        if not (await client.get(f"{API}/incomplete-executions", headers=auth)).json():
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the incomplete execution is still there")
    [newest, *_] = (await client.get(f"{API}/scenarios/{sid}/executions", headers=auth)).json()
    assert newest["status"] == "success"
    detail = (await client.get(f"{API}/executions/{newest['id']}", headers=auth)).json()
    assert [entry["output"] for entry in detail["log"] if entry["step"] == "big"] == [{"amount": {"value": 12}}]

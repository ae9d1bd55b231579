"""The data export names every field as the API does (contract section 5: ``GET /account/export``).

For each kind the export holds, the fields the API answers for the same object appear in the export under the
same names (the export may hold more: an execution's trigger input, a session's times).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.server.conftest import register, running
from tests.server.test_account_erasure import populate

API = "/api/v1"


async def get(client: httpx.AsyncClient, auth: dict[str, str], path: str) -> Any:
    answer = await client.get(f"{API}{path}", headers=auth)
    assert answer.status_code == 200, (path, answer.text)
    return answer.json()


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def missing(api: dict[str, Any], exported: dict[str, Any]) -> set[str]:
    """The API's field names the exported object lacks."""
    return set(api) - set(exported)


async def exported_and_answered(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    async with running(tmp_path) as (_, client):
        auth = await register(client)
        await populate(client, auth)
        connection = {"type": "http.bearer", "name": "b", "fields": {"token": "t0ken-value"}}
        assert (await client.post(f"{API}/connections", headers=auth, json=connection)).status_code == 201
        export = await get(client, auth, "/account/export")
        scenarios = await get(client, auth, "/scenarios")
        runs = [run for s in scenarios for run in await get(client, auth, f"/scenarios/{s['id']}/executions")]
        stores = await get(client, auth, "/data-stores")
        api = {
            "account": await get(client, auth, "/auth/me"),
            "scenarios": scenarios,
            "executions": [await get(client, auth, f"/executions/{run['id']}") for run in runs],
            "incomplete_executions": await get(client, auth, "/incomplete-executions"),
            "notifications": await get(client, auth, "/notifications"),
            "connections": await get(client, auth, "/connections"),
            "data_stores": stores,
            "records": await get(client, auth, f"/data-stores/{stores[0]['id']}/records"),
        }
    return export, api


async def test_every_field_the_api_answers_has_the_same_name_in_the_export(tmp_path: Path) -> None:
    export, api = await exported_and_answered(tmp_path)
    assert missing(api["account"], export["account"]) == set()
    for kind in ("scenarios", "executions", "incomplete_executions", "notifications", "connections",
                 "data_stores"):
        exported = by_id(export[kind])
        assert api[kind], kind
        for item in api[kind]:
            assert missing(item, exported[item["id"]]) == set(), kind
    exported_runs = by_id(export["executions"])
    for run in api["executions"]:
        for entry, exported_entry in zip(run["log"], exported_runs[run["id"]]["log"], strict=True):
            assert missing(entry, exported_entry) == set()
    [store] = export["data_stores"]
    for record, exported_record in zip(api["records"], store["records"], strict=True):
        assert missing(record, exported_record) == set()


async def test_data_stores_are_max_size_bytes_in_both(tmp_path: Path) -> None:
    export, api = await exported_and_answered(tmp_path)
    [store] = export["data_stores"]
    assert "max_bytes" not in store
    assert store["max_size_bytes"] == api["data_stores"][0]["max_size_bytes"]


async def test_scenarios_carry_the_apis_webhook_url_not_the_hook_token(tmp_path: Path) -> None:
    export, api = await exported_and_answered(tmp_path)
    answered = by_id(api["scenarios"])
    for scenario in export["scenarios"]:
        assert "hook_token" not in scenario
        assert scenario["webhook_url"] == answered[scenario["id"]].get("webhook_url")
    assert any(s["webhook_url"] for s in export["scenarios"])


async def test_gateway_log_entries_name_their_headers_headers(tmp_path: Path) -> None:
    export, _ = await exported_and_answered(tmp_path)
    [entry] = export["gateway_logs"]
    assert "request_headers" not in entry
    assert ["content-type", "application/json"] in entry["headers"]


async def test_no_exported_object_repeats_the_account_id(tmp_path: Path) -> None:
    export, _ = await exported_and_answered(tmp_path)
    for kind, items in export.items():
        if kind != "account":
            assert all("account_id" not in item for item in items), kind

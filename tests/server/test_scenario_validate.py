"""POST /scenarios/validate: every problem a save would refuse, by path, and nothing stored."""

from __future__ import annotations

import httpx

from tests.server.conftest import register
from tests.server.test_scenarios_api import API, definition


async def validate(client: httpx.AsyncClient, auth: dict[str, str], body: object) -> dict[str, object]:
    answer = await client.post(f"{API}/scenarios/validate", json=body, headers=auth)
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


async def test_a_valid_definition_is_ok_with_no_problems(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert await validate(client, auth, definition()) == {"ok": True, "problems": []}


async def test_every_problem_is_listed_by_path(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = definition()
    body["flow"][0]["id"] = "Shape"
    body["flow"].append({"id": "Bad id", "module": "http.request", "params": {"url": "x"}})
    result = await validate(client, auth, body)
    assert result["ok"] is False
    paths = [p["path"] for p in result["problems"]]  # type: ignore[attr-defined]
    assert any(path.startswith("flow[0]") for path in paths), paths
    assert any(path.startswith("flow[2]") for path in paths), paths
    assert all(isinstance(p["message"], str) and p["message"] for p in result["problems"])  # type: ignore[attr-defined]


async def test_a_save_would_refuse_what_validate_lists(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = definition()
    body["flow"][0]["module"] = "tools.nope"
    first = (await validate(client, auth, body))["problems"][0]  # type: ignore[index]
    saved = await client.post(f"{API}/scenarios", json=body, headers=auth)
    assert saved.status_code == 422
    assert saved.json()["error"]["path"] == first["path"]  # type: ignore[index]


async def test_references_to_other_accounts_objects_are_problems(client: httpx.AsyncClient,
                                                                 auth: dict[str, str]) -> None:
    created = await client.post(f"{API}/scenarios", json=definition(), headers=auth)
    stranger = await register(client, "eve@example.com")
    body = definition()
    body["flow"].append({"id": "child", "module": "scenarios.run", "params": {"scenario_id": created.json()["id"]}})
    assert (await validate(client, auth, body))["ok"] is True
    result = await validate(client, stranger, body)
    assert result["problems"] == [{"path": "flow[2].params.scenario_id", "message": result["problems"][0]["message"]}]  # type: ignore[index]


async def test_nothing_is_stored(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await validate(client, auth, definition())
    assert (await client.get(f"{API}/scenarios", headers=auth)).json() == []


async def test_a_body_that_is_not_an_object_is_a_problem_or_422(client: httpx.AsyncClient,
                                                                auth: dict[str, str]) -> None:
    answer = await client.post(f"{API}/scenarios/validate", json=[1, 2], headers=auth)
    assert answer.status_code == 422


async def test_without_credentials_it_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{API}/scenarios/validate", json=definition())).status_code == 401

"""Scenario versions through the API: every save keeps one; read, page, restore; another account's are not found."""

from __future__ import annotations

import httpx

from tests.server.conftest import register
from tests.server.test_scenarios_api import API, create, definition


async def save(client: httpx.AsyncClient, auth: dict[str, str], sid: str, name: str) -> None:
    body = definition() | {"name": name}
    answer = await client.put(f"{API}/scenarios/{sid}", json=body, headers=auth)
    assert answer.status_code == 200, answer.text


async def test_every_save_keeps_a_version_newest_first(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    await save(client, auth, sid, "Second")
    await save(client, auth, sid, "Third")
    versions = (await client.get(f"{API}/scenarios/{sid}/versions", headers=auth)).json()
    assert [(v["n"], v["definition"]["name"]) for v in versions] == [
        (3, "Third"), (2, "Second"), (1, "Shape and answer")]
    assert all(v["saved_at"].endswith("Z") for v in versions)
    older = (await client.get(f"{API}/scenarios/{sid}/versions?before=3&limit=1", headers=auth)).json()
    assert [v["n"] for v in older] == [2]
    one = (await client.get(f"{API}/scenarios/{sid}/versions/1", headers=auth)).json()
    assert one["definition"]["flow"][0]["id"] == "shape"


async def test_restore_saves_the_old_definition_as_a_new_version(client: httpx.AsyncClient,
                                                                  auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    await save(client, auth, sid, "Renamed")
    restored = await client.post(f"{API}/scenarios/{sid}/versions/1/restore", headers=auth)
    assert restored.status_code == 200, restored.text
    assert restored.json()["name"] == "Shape and answer"
    assert (await client.get(f"{API}/scenarios/{sid}", headers=auth)).json()["name"] == "Shape and answer"
    versions = (await client.get(f"{API}/scenarios/{sid}/versions", headers=auth)).json()
    assert [(v["n"], v["definition"]["name"]) for v in versions][:2] == [(3, "Shape and answer"), (2, "Renamed")]


async def test_unknown_versions_and_other_accounts_are_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    assert (await client.get(f"{API}/scenarios/{sid}/versions/9", headers=auth)).status_code == 404
    assert (await client.post(f"{API}/scenarios/{sid}/versions/9/restore", headers=auth)).status_code == 404
    stranger = await register(client, "eve@example.com")
    for answer in (await client.get(f"{API}/scenarios/{sid}/versions", headers=stranger),
                   await client.get(f"{API}/scenarios/{sid}/versions/1", headers=stranger),
                   await client.post(f"{API}/scenarios/{sid}/versions/1/restore", headers=stranger)):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


async def test_a_bad_version_number_is_422_with_its_path(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    answer = await client.get(f"{API}/scenarios/{sid}/versions?limit=0", headers=auth)
    assert answer.status_code == 422
    assert answer.json()["error"]["path"] == "limit"


async def test_deleting_the_scenario_deletes_its_versions(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sid = (await create(client, auth))["id"]
    assert (await client.delete(f"{API}/scenarios/{sid}", headers=auth)).status_code == 204
    assert (await client.get(f"{API}/scenarios/{sid}/versions", headers=auth)).status_code == 404

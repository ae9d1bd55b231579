"""``PATCH /connections/{id}`` (contract section 5) on SQLite and PostgreSQL: rename, change some fields;
a secret changes only when given, the result is checked again, and the changed credential is what a run and
``POST /connections/{id}/test`` use. No answer holds a secret."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.conftest import register, served
from tests.server.test_connections import ADA, BOB, CANARY, LOOPBACK, PROBE, Sink, calling, create, run, sink

__all__ = ["sink"]  # the fixture, used by name

API = "/api/v1"
NEW_TOKEN = "tok-NEW-CANARY-51c0e2"


@pytest.fixture
async def client(tmp_path: Path, database_url: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with served(tmp_path, database_url, egress_allow=LOOPBACK) as (app, http):
        app.state.runtime.registry.add(PROBE)
        yield http


async def patch(client: httpx.AsyncClient, auth: dict[str, str], connection_id: str,
                body: dict[str, Any]) -> httpx.Response:
    answer = await client.patch(f"{API}/connections/{connection_id}", json=body, headers=auth)
    assert CANARY not in answer.text and NEW_TOKEN not in answer.text
    return answer


async def test_a_new_secret_is_what_the_next_run_sends(client: httpx.AsyncClient, sink: Sink) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    scenario = (await client.post(f"{API}/scenarios", json=calling(sink.url, key), headers=auth)).json()
    answer = await patch(client, auth, key, {"fields": {"token": NEW_TOKEN}})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["id"], answer.json()["type"], answer.json()["fields"]) == (key, "http.bearer", {})
    execution = await run(client, auth, scenario["id"])
    assert execution["status"] == "success", execution
    assert sink.authorizations == [f"Bearer {NEW_TOKEN}"]


async def test_a_rename_keeps_the_secret(client: httpx.AsyncClient, sink: Sink) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await patch(client, auth, key, {"name": "Renamed"})
    assert (answer.status_code, answer.json()["name"]) == (200, "Renamed")
    listed = (await client.get(f"{API}/connections", headers=auth)).json()
    assert [c["name"] for c in listed] == ["Renamed"]
    scenario = (await client.post(f"{API}/scenarios", json=calling(sink.url, key), headers=auth)).json()
    await run(client, auth, scenario["id"])
    assert sink.authorizations == [f"Bearer {CANARY}"]


async def test_changing_another_field_keeps_the_secret_and_the_test_uses_both(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "good-key-1", "region": "eu"})
    answer = await patch(client, auth, key, {"fields": {"region": "ap"}})
    assert (answer.status_code, answer.json()["fields"]) == (200, {"region": "ap"})
    tested = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert tested.json() == {"ok": True, "message": "hello from ap"}


async def test_a_fixed_secret_passes_the_test_and_clears_the_flag(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth, "probe.key", {"api_key": "revoked-key-1"})
    refused = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert refused.json()["ok"] is False
    answer = await patch(client, auth, key, {"fields": {"api_key": "good-key-2"}})
    assert (answer.status_code, answer.json()["flagged"]) == (200, False)
    tested = await client.post(f"{API}/connections/{key}/test", headers=auth)
    assert tested.json()["ok"] is True
    scenario = (await client.post(f"{API}/scenarios", json=calling("", key, "probe.echo"), headers=auth)).json()
    assert (await run(client, auth, scenario["id"]))["status"] == "success"


async def test_an_unknown_field_answers_422_with_its_path(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await patch(client, auth, key, {"fields": {"nope": "x"}})
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "fields.nope")


async def test_a_type_change_answers_422_with_its_path(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await patch(client, auth, key, {"type": "http.basic", "fields": {"username": "a", "password": "b"}})
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "type")


async def test_the_changed_fields_are_checked_again(client: httpx.AsyncClient, sink: Sink) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await patch(client, auth, key, {"fields": {"token": 12}})
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "fields.token")
    scenario = (await client.post(f"{API}/scenarios", json=calling(sink.url, key), headers=auth)).json()
    await run(client, auth, scenario["id"])
    assert sink.authorizations == [f"Bearer {CANARY}"]


async def test_an_unknown_key_of_the_body_answers_422(client: httpx.AsyncClient) -> None:
    auth = await register(client, ADA)
    key = await create(client, auth)
    answer = await patch(client, auth, key, {"secrets": {}})
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "secrets")


async def test_another_accounts_connection_is_not_found(client: httpx.AsyncClient) -> None:
    ada = await register(client, ADA)
    key = await create(client, ada)
    bob = await register(client, BOB)
    answer = await patch(client, bob, key, {"name": "mine now"})
    assert answer.status_code == 404
    listed = (await client.get(f"{API}/connections", headers=ada)).json()
    assert [c["name"] for c in listed] == ["Billing API"]

"""An account's quota of data stores through the API, on SQLite and PostgreSQL: how many, and how many bytes
their limits may declare in all (``SCENARIST_DATA_STORES_PER_ACCOUNT``, ``_DATA_STORE_ACCOUNT_MAX_BYTES``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from scenarist.settings import Settings
from scenarist.store.ports import DataStoreQuota
from tests.datastores.conftest import API, Api
from tests.server.conftest import register, running

SMALL = [{"name": "status", "type": "text", "required": True}]
TWO_STORES = "this account has 2 data stores, the most it may have: delete one to create another"


@asynccontextmanager
async def account(tmp_path: Path, database_url: str | None, **settings: Any) -> AsyncIterator[Api]:
    """An account on a server with these settings, on the test's database."""
    overrides = ({"database_url": database_url} if database_url else {}) | settings
    async with running(tmp_path, **overrides) as (app, client):
        yield Api(app, client, await register(client))


async def create(api: Api, **limits: int) -> tuple[int, dict[str, Any]]:
    answer = await api.client.post(f"{API}/data-stores", json={"name": "Orders", "structure": SMALL, **limits},
                                   headers=api.auth)
    return answer.status_code, answer.json()


async def put(api: Api, store_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = await api.client.put(f"{API}/data-stores/{store_id}", json=body, headers=api.auth)
    return answer.status_code, answer.json()


def test_the_quota_defaults_to_100_stores_and_1_gib() -> None:
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert Settings.model_construct(**defaults).data_store_quota() == DataStoreQuota(max_stores=100,
                                                                                    max_bytes=1024 * 1024 * 1024)


async def test_a_create_past_the_number_of_stores_answers_409(tmp_path: Path, database_url: str | None) -> None:
    async with account(tmp_path, database_url, data_stores_per_account=2) as api:
        for _ in range(2):
            await api.create_store(SMALL)
        status, answer = await create(api)
        listed = (await api.client.get(f"{API}/data-stores", headers=api.auth)).json()
    assert (status, answer) == (409, {"error": {"code": "conflict", "message": TWO_STORES}})
    assert len(listed) == 2


async def test_deleting_a_store_makes_room_for_another(tmp_path: Path, database_url: str | None) -> None:
    async with account(tmp_path, database_url, data_stores_per_account=1) as api:
        first = await api.create_store(SMALL)
        assert (await api.client.delete(f"{API}/data-stores/{first['id']}", headers=api.auth)).status_code == 204
        status, answer = await create(api)
    assert status == 201, answer


async def test_the_quota_is_per_account(tmp_path: Path, database_url: str | None) -> None:
    async with account(tmp_path, database_url, data_stores_per_account=1) as api:
        await api.create_store(SMALL)
        other = Api(api.app, api.client, await register(api.client, "bob.quota@example.com"))
        status, answer = await create(other)
    assert status == 201, answer


async def test_a_create_past_the_declared_bytes_answers_409_with_the_path(
    tmp_path: Path, database_url: str | None
) -> None:
    async with account(tmp_path, database_url, data_store_max_bytes=1000, data_store_account_max_bytes=2500) as api:
        for _ in range(2):
            await api.create_store(SMALL)  # each gets the server's cap: 1000 bytes
        status, answer = await create(api)
        fitting, created = await create(api, max_size_bytes=500)
    assert (status, answer) == (409, {"error": {
        "code": "conflict", "path": "max_size_bytes",
        "message": "max_size_bytes: the limits of this account's data stores may add up to 2500 bytes; its other "
                   "stores take 2000, which leaves 500 for this one"}})
    assert (fitting, created["max_size_bytes"]) == (201, 500)


async def test_a_put_raising_max_size_bytes_past_the_quota_answers_409(
    tmp_path: Path, database_url: str | None
) -> None:
    async with account(tmp_path, database_url, data_store_account_max_bytes=2000) as api:
        await api.create_store(SMALL, max_size_bytes=1000)
        store = await api.create_store(SMALL, max_size_bytes=500)
        status, answer = await put(api, store["id"], {"name": "Raised", "max_size_bytes": 1001})
        unchanged = await api.store(store["id"])
        raised, _ = await put(api, store["id"], {"max_size_bytes": 1000})
    assert (status, answer["error"]["code"], answer["error"]["path"]) == (409, "conflict", "max_size_bytes")
    assert answer["error"]["message"].endswith("its other stores take 1000, which leaves 1000 for this one")
    assert unchanged == store
    assert raised == 200


async def test_over_a_lowered_quota_a_put_that_raises_nothing_passes(tmp_path: Path, database_url: str | None) -> None:
    """Stores made before the settings were lowered stay usable: a rename or a lower limit passes."""
    async with account(tmp_path, database_url) as api:
        store = await api.create_store(SMALL, max_size_bytes=5000)
        await api.create_store(SMALL, max_size_bytes=5000)
    lowered = {"data_stores_per_account": 1, "data_store_account_max_bytes": 6000}
    overrides = ({"database_url": database_url} if database_url else {}) | lowered
    async with running(tmp_path, **overrides) as (app, client):  # the server restarted with lower settings
        api = Api(app, client, api.auth)
        renamed, _ = await put(api, store["id"], {"name": "Renamed", "max_size_bytes": 4000})
        refused, _ = await put(api, store["id"], {"max_size_bytes": 4500})
        created, answer = await create(api, max_size_bytes=1)
    assert (renamed, refused, created) == (200, 409, 409)
    assert answer["error"]["message"] == ("this account has 2 data stores, more than the 1 it may have: delete one "
                                          "to create another")

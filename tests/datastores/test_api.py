"""``/api/v1/data-stores``: stores and their records through the REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.datastores.conftest import API, ORDERS, Api
from tests.server.conftest import register, running

SMALL = [{"name": "status", "type": "text", "required": True}, {"name": "amount", "type": "number"}]


async def test_create_answers_201_with_the_store(api: Api) -> None:
    created = await api.create_store([*SMALL, {"name": "tags", "type": "array", "label": "Tags"}], max_records=50,
                                      max_size_bytes=4096)
    assert created == {
        "id": created["id"], "name": "Orders",
        "structure": [{"name": "status", "type": "text", "required": True},
                      {"name": "amount", "type": "number", "required": False},
                      {"name": "tags", "type": "array", "required": False, "label": "Tags"}],
        "max_records": 50, "max_size_bytes": 4096, "record_count": 0, "size_bytes": 0,
        "created_at": created["created_at"], "updated_at": created["created_at"],
    }
    assert await api.store(created["id"]) == created
    listed = await api.client.get(f"{API}/data-stores", headers=api.auth)
    assert listed.json() == [created]


async def test_limits_default_to_the_servers_caps(api: Api) -> None:
    created = await api.create_store(SMALL)
    assert (created["max_records"], created["max_size_bytes"]) == (10_000, 10 * 1024 * 1024)


async def test_stores_list_oldest_first(api: Api) -> None:
    names = ["first", "second", "third"]
    for name in names:
        await api.create_store(SMALL, name=name)
    listed = await api.client.get(f"{API}/data-stores", headers=api.auth)
    assert [s["name"] for s in listed.json()] == names


async def test_delete_removes_the_store_and_its_records(api: Api) -> None:
    store = await api.create_store(SMALL)
    await api.put_record(store["id"], "k", {"status": "s"})
    url = f"{API}/data-stores/{store['id']}"
    assert (await api.client.delete(url, headers=api.auth)).status_code == 204
    for answer in (await api.client.get(url, headers=api.auth), await api.client.delete(url, headers=api.auth),
                   await api.client.get(url + "/records", headers=api.auth),
                   await api.client.get(url + "/records/k", headers=api.auth)):
        assert answer.status_code == 404, answer.text
        assert answer.json() == {"error": {"code": "not_found", "message": "data store not found"}}


# a bad store


async def refused(api: Api, body: dict[str, Any], status: int = 422) -> dict[str, Any]:
    answer = await api.client.post(f"{API}/data-stores", json=body, headers=api.auth)
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    return error


@pytest.mark.parametrize(("structure", "path"), [
    ([*SMALL, {"name": "when", "type": "datetime"}], "structure[2].type"),
    ([{"name": "2fast", "type": "text"}], "structure[0].name"),
    ([{"name": "has space", "type": "text"}], "structure[0].name"),
    ([{"name": "a", "type": "text", "required": "sometimes"}], "structure[0].required"),
    ([{"name": "a", "type": "text", "colour": "red"}], "structure[0].colour"),
    ([{"type": "text"}], "structure[0].name"),
    ([*SMALL, {"name": "amount", "type": "text"}], "structure[2].name"),
    ([{"name": "key", "type": "text"}], "structure[0].name"),
    ([], "structure"),
    ("text", "structure"),
])
async def test_a_bad_structure_is_refused_with_its_path(api: Api, structure: Any, path: str) -> None:
    error = await refused(api, {"name": "Orders", "structure": structure})
    assert (error["code"], error["path"]) == ("invalid", path), error
    assert (await api.client.get(f"{API}/data-stores", headers=api.auth)).json() == []


async def test_a_taken_field_name_says_so(api: Api) -> None:
    error = await refused(api, {"name": "Orders", "structure": [*SMALL, {"name": "status", "type": "number"}]})
    assert error["message"] == "structure[2].name: field 'status' is named twice"


@pytest.mark.parametrize(("limits", "path"), [
    ({"max_records": 0}, "max_records"),
    ({"max_records": 10_001}, "max_records"),
    ({"max_size_bytes": -1}, "max_size_bytes"),
    ({"max_size_bytes": 10 * 1024 * 1024 + 1}, "max_size_bytes"),
    ({"max_records": "many"}, "max_records"),
])
async def test_limits_out_of_bounds_are_refused(api: Api, limits: dict[str, Any], path: str) -> None:
    error = await refused(api, {"name": "Orders", "structure": SMALL, **limits})
    assert error["path"] == path


@pytest.mark.parametrize("name", ["", "x" * 201, None])
async def test_a_bad_name_is_refused(api: Api, name: Any) -> None:
    assert (await refused(api, {"name": name, "structure": SMALL}))["path"] == "name"


async def test_the_caps_are_settings(tmp_path: Path) -> None:
    async with running(tmp_path, data_store_max_records=5, data_store_max_bytes=1000) as (_, client):
        auth = await register(client)
        created = await client.post(f"{API}/data-stores", json={"name": "s", "structure": SMALL}, headers=auth)
        too_many = await client.post(f"{API}/data-stores", json={"name": "s", "structure": SMALL, "max_records": 6},
                                     headers=auth)
    assert (created.json()["max_records"], created.json()["max_size_bytes"]) == (5, 1000)
    assert too_many.json()["error"] == {"code": "invalid", "message": "max_records: at most 5 on this server",
                                        "path": "max_records"}


# changing a store


async def put(api: Api, store_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = await api.client.put(f"{API}/data-stores/{store_id}", json=body, headers=api.auth)
    return answer.status_code, answer.json()


async def test_put_renames_and_changes_limits_keeping_the_rest(api: Api) -> None:
    store = await api.create_store(SMALL, max_records=10)
    status, changed = await put(api, store["id"], {"name": "Renamed", "max_records": 20})
    assert status == 200
    assert changed == store | {"name": "Renamed", "max_records": 20, "updated_at": changed["updated_at"]}
    assert await api.store(store["id"]) == changed


async def test_an_empty_store_takes_any_structure(api: Api) -> None:
    store = await api.create_store(SMALL)
    status, changed = await put(api, store["id"], {"structure": [{"name": "other", "type": "date",
                                                                  "required": True}]})
    assert status == 200, changed
    assert changed["structure"] == [{"name": "other", "type": "date", "required": True}]


@pytest.mark.parametrize("structure", [
    [*SMALL, {"name": "extra", "type": "boolean"}],
    [{"name": "amount", "type": "number", "label": "Amount"}, {"name": "status", "type": "text", "required": True}],
    [{"name": "status", "type": "text"}, {"name": "amount", "type": "any"}],
])
async def test_a_store_with_records_takes_a_structure_they_fit(api: Api, structure: list[dict[str, Any]]) -> None:
    store = await api.create_store(SMALL)
    await api.put_record(store["id"], "k", {"status": "s", "amount": 1})
    status, changed = await put(api, store["id"], {"structure": structure})
    assert status == 200, changed
    assert [f["name"] for f in changed["structure"]] == [f["name"] for f in structure]


@pytest.mark.parametrize(("structure", "path", "message"), [
    ([{"name": "status", "type": "text", "required": True}], "structure",
     "field 'amount' cannot be removed while the store has records"),
    ([SMALL[0], {"name": "amount", "type": "text"}], "structure[1].type",
     "field 'amount' cannot change from number to text while the store has records (only to any)"),
    ([*SMALL, {"name": "extra", "type": "text", "required": True}], "structure[2].required",
     "new field 'extra' cannot be required while the store has records"),
    ([SMALL[0], {"name": "amount", "type": "number", "required": True}], "structure[1].required",
     "field 'amount' cannot become required while the store has records"),
])
async def test_a_structure_records_might_not_fit_is_refused_with_409(
    api: Api, structure: list[dict[str, Any]], path: str, message: str
) -> None:
    store = await api.create_store(SMALL)
    await api.put_record(store["id"], "k", {"status": "s"})
    status, answer = await put(api, store["id"], {"structure": structure, "name": "not renamed either"})
    assert (status, answer) == (409, {"error": {"code": "conflict", "message": f"{path}: {message}", "path": path}})
    assert await api.store(store["id"]) == store | {"record_count": 1, "size_bytes": 14}


async def test_limits_cannot_drop_below_what_the_store_holds(api: Api) -> None:
    store = await api.create_store(SMALL)
    for key in ("a", "b"):
        await api.put_record(store["id"], key, {"status": "s"})
    status, answer = await put(api, store["id"], {"max_records": 1})
    assert (status, answer["error"]["path"]) == (409, "max_records")
    status, answer = await put(api, store["id"], {"max_size_bytes": 27})
    assert (status, answer["error"]["path"]) == (409, "max_size_bytes")
    status, answer = await put(api, store["id"], {"max_records": 2, "max_size_bytes": 28})
    assert status == 200, answer


async def test_put_checks_like_create(api: Api) -> None:
    store = await api.create_store(SMALL)
    for body, path in (({"structure": [{"name": "a", "type": "nope"}]}, "structure[0].type"),
                       ({"max_records": 10_001}, "max_records"), ({"name": ""}, "name"), ({"bogus": 1}, "bogus")):
        status, answer = await put(api, store["id"], body)
        assert (status, answer["error"]["path"]) == (422, path)


# records


async def test_a_record_is_written_read_and_deleted(api: Api) -> None:
    store = await api.create_store()
    key = "orders/2024 #1?é"
    written = await api.put_record(store["id"], key, {"status": "paid", "amount": "7", "placed": "2024-01-02"})
    assert written.status_code == 200, written.text
    record = written.json()
    assert (record["key"], record["data"]) == (key, {"status": "paid", "amount": 7,
                                                     "placed": "2024-01-02T00:00:00.000Z"})
    url = f"{API}/data-stores/{store['id']}/records/orders%2F2024%20%231%3F%C3%A9"
    assert (await api.client.get(url, headers=api.auth)).json() == record
    assert (await api.store(store["id"]))["record_count"] == 1
    assert (await api.client.delete(url, headers=api.auth)).status_code == 204
    for answer in (await api.client.get(url, headers=api.auth), await api.client.delete(url, headers=api.auth)):
        assert answer.json() == {"error": {"code": "not_found", "message": "record not found"}}
    assert (await api.store(store["id"]))[("record_count")] == 0


async def test_replacing_a_record_keeps_its_creation_time(api: Api) -> None:
    store = await api.create_store(SMALL)
    first = (await api.put_record(store["id"], "k", {"status": "a"})).json()
    second = (await api.put_record(store["id"], "k", {"status": "b"})).json()
    assert (second["created_at"], second["data"]) == (first["created_at"], {"status": "b"})


async def test_a_record_that_does_not_fit_is_refused_with_its_path(api: Api) -> None:
    store = await api.create_store(SMALL)
    answer = await api.put_record(store["id"], "k", {"amount": "lots", "colour": "red"})
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "invalid", "path": "data.amount",
        "message": "data.amount: expected a number; data.colour: not a field of data store 'Orders'; "
                   "data.status: required"}
    assert await api.records(store["id"]) == {}


async def test_a_key_past_256_characters_is_refused(api: Api) -> None:
    store = await api.create_store(SMALL)
    answer = await api.put_record(store["id"], "k" * 257, {"status": "s"})
    assert (answer.status_code, answer.json()["error"]["path"]) == (422, "key")
    assert (await api.put_record(store["id"], "k" * 256, {"status": "s"})).status_code == 200


async def test_a_write_to_a_full_store_answers_409(api: Api) -> None:
    store = await api.create_store(SMALL, max_records=1)
    await api.put_record(store["id"], "a", {"status": "s"})
    answer = await api.put_record(store["id"], "b", {"status": "s"})
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == "data store 'Orders' is full: it holds 1 records, its limit " \
                                                "(max_records 1)"
    assert (await api.put_record(store["id"], "a", {"status": "replaced"})).status_code == 200


async def test_records_come_in_pages_by_key(api: Api) -> None:
    store = await api.create_store(SMALL)
    keys = [f"k{i:03}" for i in range(25)] + ["Z", "é", "a"]
    for key in keys:
        await api.put_record(store["id"], key, {"status": key})
    walked: list[str] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 10} | ({"after": after} if after else {})
        page = (await api.client.get(f"{API}/data-stores/{store['id']}/records", params=params,
                                     headers=api.auth)).json()
        if not page:
            break
        assert len(page) <= 10
        walked += [r["key"] for r in page]
        after = page[-1]["key"]
    assert walked == sorted(keys)


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=x", "after=%00"])
async def test_bad_paging_is_refused(api: Api, query: str) -> None:
    store = await api.create_store(SMALL)
    answer = await api.client.get(f"{API}/data-stores/{store['id']}/records?{query}", headers=api.auth)
    assert answer.status_code == 422, answer.text


async def test_size_bytes_counts_the_records_json(api: Api) -> None:
    store = await api.create_store(ORDERS)
    await api.put_record(store["id"], "a", {"status": "é"})  # {"status":"é"}: 15 bytes in UTF-8
    await api.put_record(store["id"], "b", {"status": "s", "amount": 1.5})
    assert (await api.store(store["id"]))["size_bytes"] == 15 + len('{"status":"s","amount":1.5}')

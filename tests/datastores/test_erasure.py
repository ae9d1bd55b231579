"""Data stores are the account's data: in its export, gone with its erasure, and no one else's is touched."""

from __future__ import annotations

from tests.datastores.conftest import API, Api
from tests.server.conftest import PASSWORD

NOTES = [{"name": "note", "type": "text", "required": True}]


async def test_the_export_holds_every_store_with_its_records(api: Api, other: Api) -> None:
    store = await api.create_store(NOTES, name="Diary")
    for key, note in (("2024-01-02", "second day"), ("2024-01-01", "first day")):
        await api.put_record(store["id"], key, {"note": note})
    await other.create_store(NOTES, name="Bob's diary")
    export = (await api.client.get(f"{API}/account/export", headers=api.auth)).json()
    [exported] = export["data_stores"]
    assert {k: exported[k] for k in ("id", "name", "structure", "record_count")} == {
        "id": store["id"], "name": "Diary", "structure": [{"name": "note", "type": "text", "required": True}],
        "record_count": 2}
    assert [(r["key"], r["data"]) for r in exported["records"]] == [
        ("2024-01-01", {"note": "first day"}), ("2024-01-02", {"note": "second day"})]
    assert "Bob's diary" not in str(export)


async def test_erasure_deletes_the_accounts_stores_and_leaves_others(api: Api, other: Api) -> None:
    account_id = (await api.client.get(f"{API}/auth/me", headers=api.auth)).json()["id"]
    mine = await api.create_store(NOTES)
    await api.put_record(mine["id"], "k", {"note": "mine"})
    theirs = await other.create_store(NOTES)
    await other.put_record(theirs["id"], "k", {"note": "theirs"})
    erased = await api.client.request("DELETE", f"{API}/account", json={"password": PASSWORD}, headers=api.auth)
    assert erased.status_code == 204, erased.text
    store = api.app.state.runtime.store
    assert await store.list_data_stores(account_id) == []
    assert await store.get_data_record(account_id, mine["id"], "k") is None
    assert (await other.client.get(f"{API}/data-stores/{mine['id']}", headers=other.auth)).status_code == 404
    listed = (await other.client.get(f"{API}/data-stores", headers=other.auth)).json()
    assert [(s["id"], s["record_count"]) for s in listed] == [(theirs["id"], 1)]
    assert await other.records(theirs["id"]) == {"k": {"note": "theirs"}}

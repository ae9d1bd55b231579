"""Connections: on every backend (see ``conftest.py``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from scenarist.store.ports import Store
from tests.store.store_records import SECOND, T0, A, B, connection, populate

SEALED = b"S1\x02k1" + b"\x00\xffsealed-bytes" * 3


async def test_a_connection_comes_back_as_it_went_in(store: Store) -> None:
    record = connection(secrets=SEALED, fields={"placement": "header", "nested": {"n": [1, 2]}})
    await store.put_connection(record)
    assert await store.get_connection(A, record.id) == record


async def test_another_accounts_connection_is_not_found(store: Store) -> None:
    record = connection(A)
    await store.put_connection(record)
    assert await store.get_connection(B, record.id) is None
    assert await store.list_connections(B) == []
    assert await store.delete_connection(B, record.id) is False
    assert await store.set_connection_flag(B, record.id, True) is False
    assert await store.get_connection(A, record.id) == record


async def test_putting_another_accounts_id_is_refused(store: Store) -> None:
    record = connection(A)
    await store.put_connection(record)
    with pytest.raises(ValueError):
        await store.put_connection(replace(record, account_id=B, name="taken over"))
    assert await store.get_connection(A, record.id) == record


async def test_put_replaces_by_id(store: Store) -> None:
    record = connection(A)
    await store.put_connection(record)
    renamed = replace(record, name="Renamed", updated_at=T0 + SECOND)
    await store.put_connection(renamed)
    assert await store.list_connections(A) == [renamed]


async def test_list_is_oldest_first_and_only_the_accounts(store: Store) -> None:
    later = connection(A, at=T0 + SECOND)
    first = connection(A, at=T0)
    await store.put_connection(later)
    await store.put_connection(first)
    await store.put_connection(connection(B))
    assert await store.list_connections(A) == [first, later]


async def test_delete_removes_the_connection(store: Store) -> None:
    record = connection(A)
    await store.put_connection(record)
    assert await store.delete_connection(A, record.id) is True
    assert await store.get_connection(A, record.id) is None
    assert await store.delete_connection(A, record.id) is False
    assert await store.list_all_connections() == []


async def test_the_flag_is_set_and_cleared(store: Store) -> None:
    record = connection(A)
    await store.put_connection(record)
    assert await store.set_connection_flag(A, record.id, True) is True
    assert (await store.get_connection(A, record.id)) == replace(record, flagged=True)
    assert await store.set_connection_flag(A, record.id, False) is True
    assert (await store.get_connection(A, record.id)) == record


async def test_all_connections_come_in_pages_by_id(store: Store) -> None:
    records = [connection(A if i % 2 else B) for i in range(7)]
    for record in records:
        await store.put_connection(record)
    seen: list[str] = []
    after: str | None = None
    while page := await store.list_all_connections(after=after, limit=3):
        assert len(page) <= 3
        seen += [r.id for r in page]
        after = page[-1].id
    assert seen == sorted(r.id for r in records)


async def test_key_ids_in_use(store: Store) -> None:
    assert await store.connection_key_ids() == set()
    await store.put_connection(connection(A, key_id="k1"))
    await store.put_connection(connection(B, key_id="k2"))
    await store.put_connection(connection(B, key_id="k2"))
    assert await store.connection_key_ids() == {"k1", "k2"}


async def test_reseal_swaps_only_what_was_read(store: Store) -> None:
    record = connection(A, key_id="k1", secrets=SEALED)
    await store.put_connection(record)
    later = T0 + 5 * SECOND

    async def reseal(expected_key_id: str, expected: bytes) -> bool:
        return await store.reseal_connection(
            record.id, expected_key_id=expected_key_id, expected_secrets=expected, secrets=b"S1\x02k2new",
            key_id="k2", updated_at=later,
        )

    assert await reseal("k2", SEALED) is False
    assert await reseal("k1", b"something else") is False
    assert await store.get_connection(A, record.id) == record
    assert await reseal("k1", SEALED) is True
    assert await store.get_connection(A, record.id) == replace(
        record, key_id="k2", secrets=b"S1\x02k2new", updated_at=later
    )
    assert await reseal("k1", SEALED) is False  # a second rotation of the same read loses
    assert await store.reseal_connection(
        "missing", expected_key_id="k1", expected_secrets=SEALED, secrets=b"x", key_id="k2", updated_at=later
    ) is False


async def test_reseal_keeps_the_flag_set_meanwhile(store: Store) -> None:
    record = connection(A, secrets=SEALED)
    await store.put_connection(record)
    await store.set_connection_flag(A, record.id, True)
    assert await store.reseal_connection(
        record.id, expected_key_id="k1", expected_secrets=SEALED, secrets=b"new", key_id="k2", updated_at=T0
    )
    found = await store.get_connection(A, record.id)
    assert found is not None and found.flagged and found.key_id == "k2"


async def test_deleting_the_account_deletes_its_connections(store: Store) -> None:
    await populate(store, A)
    await populate(store, B)
    (theirs,) = await store.list_connections(B)
    assert len(await store.list_connections(A)) == 1
    assert await store.delete_account(A) is True
    assert await store.list_connections(A) == []
    assert [c.id for c in await store.list_all_connections()] == [theirs.id]


async def test_export_has_the_connections_without_secrets(store: Store) -> None:
    record = connection(A, secrets=SEALED, key_id="k-secret-id", fields={"username": "ada"})
    await store.put_connection(record)
    await store.put_connection(connection(B, name="not mine"))
    data = await store.export_account(A)
    assert data["connections"] == [{
        "id": record.id, "type": "http.bearer", "name": record.name, "fields": {"username": "ada"},
        "created_at": T0.isoformat(), "updated_at": T0.isoformat(), "flagged": False,
    }]
    text = json.dumps(data)
    assert "k-secret-id" not in text
    assert "secrets" not in text
    assert "not mine" not in text

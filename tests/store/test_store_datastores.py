"""Data stores and their records: on every backend (see ``conftest.py``).

The counters (``record_count``, ``size_bytes``) are the store's to keep: every
test that writes checks them against what is there, and the concurrency tests
check that the limits and a read-modify-write hold when writers race.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarist.store.codec import json_size
from scenarist.store.ports import (
    DataStoreFull,
    DataStoreQuota,
    DataStoreQuotaExceeded,
    DataStoreRecord,
    RetentionWindows,
    Store,
)
from tests.store.store_records import CANARY, SECOND, T0, A, B, data_store, populate, put, stored_data_store

LATER = T0 + 5 * SECOND


async def all_records(store: Store, account_id: str, store_id: str) -> dict[str, Any]:
    return {r.key: r.data for r in await store.list_data_records(account_id, store_id, limit=100_000)}


async def check_counters(store: Store, account_id: str, store_id: str) -> DataStoreRecord:
    """The store's counters agree with its records; the store."""
    found = await store.get_data_store(account_id, store_id)
    assert found is not None
    records = await all_records(store, account_id, store_id)
    assert (found.record_count, found.size_bytes) == (len(records), sum(json_size(d) for d in records.values()))
    return found


# data stores


async def test_a_data_store_comes_back_as_it_went_in_with_counters_at_zero(store: Store) -> None:
    record = data_store(structure=[{"name": "tags", "type": "array", "required": False, "label": "Tags"}])
    await store.create_data_store(replace(record, record_count=7, size_bytes=99))
    assert await store.get_data_store(A, record.id) == record
    assert await store.list_data_stores(A) == [record]


async def test_a_taken_data_store_id_is_refused(store: Store) -> None:
    record = await stored_data_store(store)
    with pytest.raises(ValueError):
        await store.create_data_store(replace(record, account_id=B))
    assert await store.get_data_store(B, record.id) is None


async def test_data_stores_list_oldest_first_and_only_the_accounts(store: Store) -> None:
    later = await stored_data_store(store, at=T0 + SECOND)
    first = await stored_data_store(store, at=T0)
    await stored_data_store(store, B)
    assert await store.list_data_stores(A) == [first, later]


async def test_update_writes_what_the_change_makes_and_keeps_the_rest(store: Store) -> None:
    record = await stored_data_store(store)
    await store.write_data_record(A, record.id, "k", put({"email": "a@example.com"}), T0)
    seen: list[DataStoreRecord] = []

    def change(current: DataStoreRecord) -> DataStoreRecord:
        seen.append(current)
        return replace(current, id="ignored", account_id=B, name="Renamed", structure=[], max_records=5,
                       max_bytes=500, created_at=LATER, updated_at=LATER, record_count=0, size_bytes=0)

    updated = await store.update_data_store(A, record.id, change)
    expected = replace(record, name="Renamed", structure=[], max_records=5, max_bytes=500, updated_at=LATER,
                       record_count=1, size_bytes=json_size({"email": "a@example.com"}))
    assert seen == [replace(expected, name=record.name, structure=record.structure, max_records=1000,
                            max_bytes=1_000_000, updated_at=T0)]
    assert updated == expected
    assert await store.get_data_store(A, record.id) == expected


async def test_a_change_that_raises_writes_nothing(store: Store) -> None:
    record = await stored_data_store(store)

    def refuse(current: DataStoreRecord) -> DataStoreRecord:
        raise LookupError("no")

    with pytest.raises(LookupError):
        await store.update_data_store(A, record.id, refuse)
    assert await store.get_data_store(A, record.id) == record


async def test_another_accounts_data_store_is_not_found(store: Store) -> None:
    record = await stored_data_store(store, A)
    await store.write_data_record(A, record.id, "k", put({"email": CANARY}), T0)
    assert await store.get_data_store(B, record.id) is None
    assert await store.list_data_stores(B) == []
    assert await store.update_data_store(B, record.id, lambda s: replace(s, name="taken")) is None
    assert await store.get_data_record(B, record.id, "k") is None
    assert await store.list_data_records(B, record.id) == []
    assert await store.write_data_record(B, record.id, "k", put({"email": "x"}), T0) is None
    assert await store.write_data_record(B, record.id, "new", put({"email": "x"}), T0) is None
    assert await store.delete_data_record(B, record.id, "k") is False
    assert await store.clear_data_records(B, record.id) is None
    assert await store.delete_data_store(B, record.id) is False
    assert await store.get_data_store(A, record.id) == replace(record, record_count=1,
                                                                size_bytes=json_size({"email": CANARY}))
    assert await all_records(store, A, record.id) == {"k": {"email": CANARY}}


async def test_deleting_a_data_store_deletes_its_records(store: Store) -> None:
    record = await stored_data_store(store)
    other = await stored_data_store(store)
    for target in (record, other):
        await store.write_data_record(A, target.id, "k", put({"email": "e"}), T0)
    assert await store.delete_data_store(A, record.id) is True
    assert await store.get_data_store(A, record.id) is None
    assert await store.get_data_record(A, record.id, "k") is None
    assert await store.list_data_records(A, record.id) == []
    assert await store.delete_data_store(A, record.id) is False
    assert await all_records(store, A, other.id) == {"k": {"email": "e"}}


# records


async def test_a_record_comes_back_as_it_went_in(store: Store) -> None:
    parent = await stored_data_store(store)
    data = {"email": "ada@example.com", "spent": 12.5, "nested": {"list": [1, "two", None, True]}, "text": "žluť"}
    written = await store.write_data_record(A, parent.id, "ada", put(data), T0)
    assert written is not None
    assert (written.store_id, written.key, written.data, written.created_at, written.updated_at) == (
        parent.id, "ada", data, T0, T0)
    assert await store.get_data_record(A, parent.id, "ada") == written
    assert await store.get_data_record(A, parent.id, "missing") is None
    await check_counters(store, A, parent.id)


async def test_replacing_keeps_created_at_and_moves_the_size(store: Store) -> None:
    parent = await stored_data_store(store)
    await store.write_data_record(A, parent.id, "ada", put({"email": "a" * 100}), T0)
    replaced = await store.write_data_record(A, parent.id, "ada", put({"email": "short"}), LATER)
    assert replaced is not None and (replaced.created_at, replaced.updated_at) == (T0, LATER)
    assert await store.get_data_record(A, parent.id, "ada") == replaced
    found = await check_counters(store, A, parent.id)
    assert (found.record_count, found.size_bytes) == (1, json_size({"email": "short"}))


async def test_the_change_sees_the_store_and_the_current_data(store: Store) -> None:
    parent = await stored_data_store(store)
    seen: list[tuple[int, Any]] = []

    def bump(locked: DataStoreRecord, current: dict[str, Any] | None) -> dict[str, Any]:
        seen.append((locked.record_count, current))
        return {"email": "e", "spent": (current or {}).get("spent", 0) + 1}

    await store.write_data_record(A, parent.id, "k", bump, T0)
    await store.write_data_record(A, parent.id, "k", bump, T0)
    assert seen == [(0, None), (1, {"email": "e", "spent": 1})]
    assert await all_records(store, A, parent.id) == {"k": {"email": "e", "spent": 2}}


async def test_a_record_change_that_raises_writes_nothing(store: Store) -> None:
    parent = await stored_data_store(store)
    await store.write_data_record(A, parent.id, "k", put({"email": "kept"}), T0)

    def refuse(locked: DataStoreRecord, current: dict[str, Any] | None) -> dict[str, Any]:
        raise LookupError("no")

    for key in ("k", "new"):
        with pytest.raises(LookupError):
            await store.write_data_record(A, parent.id, key, refuse, LATER)
    assert await all_records(store, A, parent.id) == {"k": {"email": "kept"}}
    await check_counters(store, A, parent.id)


@pytest.mark.parametrize("key", ["", "k" * 257])
async def test_a_key_out_of_bounds_is_refused(store: Store, key: str) -> None:
    parent = await stored_data_store(store)
    with pytest.raises(ValueError):
        await store.write_data_record(A, parent.id, key, put({"email": "e"}), T0)
    assert await all_records(store, A, parent.id) == {}


async def test_data_json_cannot_hold_is_refused(store: Store) -> None:
    parent = await stored_data_store(store)
    for bad in ({"email": "\ud800"}, {"spent": float("nan")}):
        with pytest.raises(ValueError):
            await store.write_data_record(A, parent.id, "k", put(bad), T0)
    await check_counters(store, A, parent.id)
    assert await all_records(store, A, parent.id) == {}


async def test_records_list_by_code_point_in_pages(store: Store) -> None:
    parent = await stored_data_store(store)
    keys = ["b", "a", "B", "aa", "a b", "é", "ä", "Z", "10", "9", "\U0001d518", "k" * 256, "~", "-"]
    for key in keys:
        await store.write_data_record(A, parent.id, key, put({"email": key}), T0)
    walked: list[str] = []
    after: str | None = None
    while page := await store.list_data_records(A, parent.id, after=after, limit=4):
        assert len(page) <= 4
        walked += [r.key for r in page]
        after = page[-1].key
    assert walked == sorted(keys)
    assert [r.data["email"] for r in await store.list_data_records(A, parent.id, after="a", limit=2)] == ["a b", "aa"]


async def test_deleting_a_record_moves_the_counters(store: Store) -> None:
    parent = await stored_data_store(store)
    for key in ("a", "b"):
        await store.write_data_record(A, parent.id, key, put({"email": key * 10}), T0)
    assert await store.delete_data_record(A, parent.id, "a") is True
    assert await store.delete_data_record(A, parent.id, "a") is False
    assert await all_records(store, A, parent.id) == {"b": {"email": "b" * 10}}
    assert (await check_counters(store, A, parent.id)).record_count == 1


async def test_clearing_deletes_every_record(store: Store) -> None:
    parent = await stored_data_store(store)
    other = await stored_data_store(store)
    for key in ("a", "b", "c"):
        await store.write_data_record(A, parent.id, key, put({"email": key}), T0)
    await store.write_data_record(A, other.id, "a", put({"email": "stays"}), T0)
    assert await store.clear_data_records(A, parent.id) == 3
    assert await store.clear_data_records(A, parent.id) == 0
    assert (await check_counters(store, A, parent.id)).size_bytes == 0
    assert await all_records(store, A, other.id) == {"a": {"email": "stays"}}


# limits


async def test_a_new_record_past_max_records_is_refused(store: Store) -> None:
    parent = await stored_data_store(store, max_records=2)
    for key in ("a", "b"):
        await store.write_data_record(A, parent.id, key, put({"email": key}), T0)
    with pytest.raises(DataStoreFull) as refused:
        await store.write_data_record(A, parent.id, "c", put({"email": "c"}), T0)
    assert refused.value.limit == "max_records"
    assert refused.value.data_store.record_count == 2
    assert await store.write_data_record(A, parent.id, "a", put({"email": "replaced"}), T0) is not None
    assert await all_records(store, A, parent.id) == {"a": {"email": "replaced"}, "b": {"email": "b"}}
    await check_counters(store, A, parent.id)


async def test_growing_past_max_bytes_is_refused_and_shrinking_passes(store: Store) -> None:
    small, big = {"email": "x"}, {"email": "x" * 50}
    parent = await stored_data_store(store, max_bytes=json_size(big) + json_size(small))
    await store.write_data_record(A, parent.id, "a", put(big), T0)
    await store.write_data_record(A, parent.id, "b", put(small), T0)
    with pytest.raises(DataStoreFull) as refused:
        await store.write_data_record(A, parent.id, "b", put({"email": "xx"}), T0)
    assert refused.value.limit == "max_bytes"
    with pytest.raises(DataStoreFull):
        await store.write_data_record(A, parent.id, "c", put(small), T0)
    await store.write_data_record(A, parent.id, "a", put(small), T0)
    await store.write_data_record(A, parent.id, "c", put(small), T0)
    await check_counters(store, A, parent.id)


async def test_over_a_lowered_limit_a_write_that_grows_nothing_passes(store: Store) -> None:
    parent = await stored_data_store(store)
    for key in ("a", "b", "c"):
        await store.write_data_record(A, parent.id, key, put({"email": key * 20}), T0)
    await store.update_data_store(A, parent.id, lambda s: replace(s, max_records=1, max_bytes=10))
    await store.write_data_record(A, parent.id, "a", put({"email": "a"}), T0)  # replaces, and shrinks
    with pytest.raises(DataStoreFull):
        await store.write_data_record(A, parent.id, "a", put({"email": "aa"}), T0)
    with pytest.raises(DataStoreFull):
        await store.write_data_record(A, parent.id, "d", put({"email": ""}), T0)
    assert await store.delete_data_record(A, parent.id, "b") is True
    await check_counters(store, A, parent.id)


# concurrency


async def test_racing_writers_never_pass_max_records(store: Store) -> None:
    parent = await stored_data_store(store, max_records=5)
    outcomes = await asyncio.gather(
        *(store.write_data_record(A, parent.id, f"k{i:02}", put({"email": str(i)}), T0) for i in range(20)),
        return_exceptions=True,
    )
    assert sum(1 for o in outcomes if isinstance(o, DataStoreFull)) == 15
    assert [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DataStoreFull)] == []
    found = await check_counters(store, A, parent.id)
    assert found.record_count == 5


async def test_racing_writers_never_pass_max_bytes(store: Store) -> None:
    one = json_size({"email": "x" * 40})
    parent = await stored_data_store(store, max_bytes=3 * one + one // 2)
    outcomes = await asyncio.gather(
        *(store.write_data_record(A, parent.id, f"k{i:02}", put({"email": "x" * 40}), T0) for i in range(12)),
        return_exceptions=True,
    )
    assert sum(1 for o in outcomes if isinstance(o, DataStoreFull)) == 9
    assert (await check_counters(store, A, parent.id)).size_bytes == 3 * one


async def test_racing_read_modify_writes_lose_no_update(store: Store) -> None:
    parent = await stored_data_store(store)

    def bump(locked: DataStoreRecord, current: dict[str, Any] | None) -> dict[str, Any]:
        return {"email": "e", "spent": (current or {}).get("spent", 0) + 1}

    await asyncio.gather(*(store.write_data_record(A, parent.id, "counter", bump, T0) for _ in range(15)))
    assert await all_records(store, A, parent.id) == {"counter": {"email": "e", "spent": 15}}


async def test_a_store_deleted_while_written_leaves_no_record(store: Store) -> None:
    parent = await stored_data_store(store)
    writes = [store.write_data_record(A, parent.id, f"k{i}", put({"email": "e"}), T0) for i in range(8)]
    results = await asyncio.gather(*writes, store.delete_data_store(A, parent.id), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await store.get_data_store(A, parent.id) is None
    assert await store.list_data_records(A, parent.id) == []



# the account's quota

ROOMY = 10**12


async def test_a_create_past_the_accounts_number_of_stores_is_refused(store: Store) -> None:
    quota = DataStoreQuota(max_stores=2, max_bytes=ROOMY)
    kept = [data_store(at=T0), data_store(at=LATER)]
    for record in kept:
        await store.create_data_store(record, quota)
    with pytest.raises(DataStoreQuotaExceeded) as refused:
        await store.create_data_store(data_store(), quota)
    assert (refused.value.limit, refused.value.stores, refused.value.quota) == ("max_stores", 2, quota)
    assert await store.list_data_stores(A) == kept


async def test_deleting_a_store_makes_room_for_another(store: Store) -> None:
    quota = DataStoreQuota(max_stores=1, max_bytes=ROOMY)
    first = data_store()
    await store.create_data_store(first, quota)
    assert await store.delete_data_store(A, first.id) is True
    second = data_store()
    await store.create_data_store(second, quota)
    assert await store.list_data_stores(A) == [second]


async def test_another_accounts_stores_do_not_count(store: Store) -> None:
    quota = DataStoreQuota(max_stores=1, max_bytes=1000)
    await store.create_data_store(data_store(B, max_bytes=1000), quota)
    mine = data_store(A, max_bytes=1000)
    await store.create_data_store(mine, quota)
    assert await store.list_data_stores(A) == [mine]


async def test_a_create_past_the_accounts_declared_bytes_is_refused(store: Store) -> None:
    quota = DataStoreQuota(max_stores=10, max_bytes=2500)
    for _ in range(2):
        await store.create_data_store(data_store(max_bytes=1000), quota)
    with pytest.raises(DataStoreQuotaExceeded) as refused:
        await store.create_data_store(data_store(max_bytes=501), quota)
    assert (refused.value.limit, refused.value.stores, refused.value.others_bytes) == ("max_bytes", 2, 2000)
    await store.create_data_store(data_store(max_bytes=500), quota)
    assert sorted(s.max_bytes for s in await store.list_data_stores(A)) == [500, 1000, 1000]


async def test_a_create_without_a_quota_is_not_counted(store: Store) -> None:
    await store.create_data_store(data_store(max_bytes=5000), DataStoreQuota(max_stores=1, max_bytes=5000))
    await store.create_data_store(data_store(max_bytes=5000))
    assert len(await store.list_data_stores(A)) == 2


async def test_raising_max_bytes_past_the_quota_is_refused_and_changes_nothing(store: Store) -> None:
    quota = DataStoreQuota(max_stores=10, max_bytes=2000)
    await store.create_data_store(data_store(max_bytes=1000), quota)
    raised = data_store(max_bytes=800)
    await store.create_data_store(raised, quota)
    with pytest.raises(DataStoreQuotaExceeded) as refused:
        await store.update_data_store(A, raised.id, lambda s: replace(s, name="Raised", max_bytes=1001), quota)
    assert (refused.value.limit, refused.value.stores, refused.value.others_bytes) == ("max_bytes", 2, 1000)
    assert await store.get_data_store(A, raised.id) == raised
    updated = await store.update_data_store(A, raised.id, lambda s: replace(s, max_bytes=1000), quota)
    assert updated is not None and updated.max_bytes == 1000


async def test_over_a_lowered_quota_a_change_that_raises_nothing_passes(store: Store) -> None:
    stores = [data_store(max_bytes=1000) for _ in range(3)]
    for record in stores:
        await store.create_data_store(record)
    lowered = DataStoreQuota(max_stores=1, max_bytes=1500)
    renamed = await store.update_data_store(A, stores[0].id, lambda s: replace(s, name="Renamed"), lowered)
    assert renamed is not None and renamed.name == "Renamed"
    shrunk = await store.update_data_store(A, stores[1].id, lambda s: replace(s, max_bytes=900), lowered)
    assert shrunk is not None and shrunk.max_bytes == 900
    with pytest.raises(DataStoreQuotaExceeded):
        await store.update_data_store(A, stores[1].id, lambda s: replace(s, max_bytes=950), lowered)
    with pytest.raises(DataStoreQuotaExceeded) as refused:
        await store.create_data_store(data_store(max_bytes=1), lowered)
    assert (refused.value.limit, refused.value.stores) == ("max_stores", 3)


async def test_racing_creates_never_pass_the_number_of_stores(store: Store) -> None:
    quota = DataStoreQuota(max_stores=3, max_bytes=ROOMY)
    outcomes = await asyncio.gather(*(store.create_data_store(data_store(), quota) for _ in range(12)),
                                    return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, DataStoreQuotaExceeded)) == 9
    assert [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DataStoreQuotaExceeded)] == []
    assert len(await store.list_data_stores(A)) == 3


async def test_racing_creates_at_the_cap_leave_it_there(store: Store) -> None:
    quota = DataStoreQuota(max_stores=3, max_bytes=ROOMY)
    for _ in range(2):
        await store.create_data_store(data_store(), quota)
    outcomes = await asyncio.gather(*(store.create_data_store(data_store(), quota) for _ in range(8)),
                                    return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["DataStoreQuotaExceeded"] * 7 + ["NoneType"]
    assert len(await store.list_data_stores(A)) == 3


async def test_racing_creates_never_pass_the_declared_bytes(store: Store) -> None:
    quota = DataStoreQuota(max_stores=100, max_bytes=3500)
    outcomes = await asyncio.gather(*(store.create_data_store(data_store(max_bytes=1000), quota) for _ in range(10)),
                                    return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, DataStoreQuotaExceeded)) == 7
    assert sum(s.max_bytes for s in await store.list_data_stores(A)) == 3000


async def test_racing_raises_of_several_stores_never_pass_the_declared_bytes(store: Store) -> None:
    quota = DataStoreQuota(max_stores=100, max_bytes=7000)
    stores = [data_store(max_bytes=1000) for _ in range(6)]
    for record in stores:
        await store.create_data_store(record, quota)
    raises = [store.update_data_store(A, s.id, lambda s: replace(s, max_bytes=2000), quota) for s in stores]
    outcomes = await asyncio.gather(*raises, return_exceptions=True)
    assert sum(1 for o in outcomes if isinstance(o, DataStoreQuotaExceeded)) == 5
    assert sorted(s.max_bytes for s in await store.list_data_stores(A)) == [1000] * 5 + [2000]


# the counters against a model, for any sequence of writes

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["write", "write", "write", "delete", "clear"]),
        st.sampled_from(["a", "b", "c", "d", "é"]),
        st.text(max_size=30),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, max_records=st.integers(1, 4), max_bytes=st.integers(10, 120))
async def test_counters_and_limits_follow_a_model(
    store: Store, operations: list[tuple[str, str, str]], max_records: int, max_bytes: int
) -> None:
    parent = await stored_data_store(store, max_records=max_records, max_bytes=max_bytes)
    model: dict[str, dict[str, Any]] = {}
    for operation, key, text in operations:
        if operation == "write":
            data = {"email": text}
            after = {**model, key: data}
            grows = (key not in model and len(after) > max_records) or (
                sum(map(json_size, after.values())) > max(max_bytes, sum(map(json_size, model.values()))))
            try:
                await store.write_data_record(A, parent.id, key, put(data), T0)
                assert not grows, (model, key, data)
                model = after
            except DataStoreFull:
                assert grows, (model, key, data)
        elif operation == "delete":
            assert await store.delete_data_record(A, parent.id, key) is (model.pop(key, None) is not None)
        else:
            assert await store.clear_data_records(A, parent.id) == len(model)
            model = {}
    assert await all_records(store, A, parent.id) == model
    await check_counters(store, A, parent.id)


# retention


async def test_retention_keeps_data_stores_whatever_their_age(store: Store) -> None:
    parent = await stored_data_store(store)
    await store.write_data_record(A, parent.id, "old", put({"email": "kept"}), T0)
    counts = await store.purge(T0 + timedelta(days=3650), RetentionWindows(1, 1, 1, 1, 1))
    assert "data_stores" not in counts
    assert await all_records(store, A, parent.id) == {"old": {"email": "kept"}}
    assert await store.get_data_store(A, parent.id) == replace(parent, record_count=1,
                                                                size_bytes=json_size({"email": "kept"}))


# erasure and export


async def test_deleting_the_account_deletes_its_data_stores_and_records(store: Store) -> None:
    await populate(store, A)
    await populate(store, B)
    [mine] = await store.list_data_stores(A)
    [theirs] = await store.list_data_stores(B)
    assert await store.delete_account(A) is True
    assert await store.list_data_stores(A) == []
    assert await store.get_data_record(A, mine.id, "ada") is None
    assert await store.list_data_stores(B) == [theirs]
    assert await all_records(store, B, theirs.id) == {"ada": {"email": CANARY, "spent": 1}}


async def test_deleting_an_account_with_only_data_stores_is_true(store: Store) -> None:
    await stored_data_store(store, "local")
    assert await store.delete_account("local") is True
    assert await store.list_data_stores("local") == []


async def test_export_has_the_data_stores_with_their_records(store: Store) -> None:
    parent = await stored_data_store(store, A)
    await store.write_data_record(A, parent.id, "b", put({"email": "second"}), LATER)
    await store.write_data_record(A, parent.id, "a", put({"email": CANARY, "spent": 3}), T0)
    await stored_data_store(store, B, name="not mine")
    data = await store.export_account(A)
    size = json_size({"email": "second"}) + json_size({"email": CANARY, "spent": 3})
    assert data["data_stores"] == [{
        "id": parent.id, "name": parent.name, "structure": parent.structure, "max_records": 1000,
        "max_size_bytes": 1_000_000, "created_at": T0.isoformat(), "updated_at": T0.isoformat(), "record_count": 2,
        "size_bytes": size,
        "records": [
            {"key": "a", "data": {"email": CANARY, "spent": 3}, "created_at": T0.isoformat(),
             "updated_at": T0.isoformat()},
            {"key": "b", "data": {"email": "second"}, "created_at": LATER.isoformat(),
             "updated_at": LATER.isoformat()},
        ],
    }]
    assert "not mine" not in json.dumps(data)

"""The data stores of ``MemoryStore``; same semantics as ``sql_datastores.py``.

A write runs without an ``await`` between reading the store and writing it,
so on one event loop it is as atomic as the SQL transaction under its lock;
so do the quota's count and the create or change it allows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scenarist.store.codec import json_size
from scenarist.store.datastore_limits import check_key, check_new_limit, check_new_store, counters_after
from scenarist.store.memory_accounts import by_created, copy_record
from scenarist.store.ports import DataRecord, DataStoreChange, DataStoreQuota, DataStoreRecord, RecordChange
from scenarist.types import AccountId


class MemoryDataStores:
    """Stands on ``MemoryStore._data_stores`` and ``_data_records`` (store id to key to record)."""

    _data_stores: dict[str, DataStoreRecord]
    _data_records: dict[str, dict[str, DataRecord]]

    def _own_data_store(self, account_id: AccountId, store_id: str) -> DataStoreRecord | None:
        found = self._data_stores.get(store_id)
        return found if found is not None and found.account_id == account_id else None

    def _declared(self, account_id: AccountId) -> tuple[int, int]:
        """How many data stores the account has, and their ``max_bytes`` summed."""
        own = [s.max_bytes for s in self._data_stores.values() if s.account_id == account_id]
        return len(own), sum(own)

    async def create_data_store(self, data_store: DataStoreRecord, quota: DataStoreQuota | None = None) -> None:
        if data_store.id in self._data_stores:
            raise ValueError(f"data store id {data_store.id} taken")
        if quota is not None:
            check_new_store(quota, data_store, *self._declared(data_store.account_id))
        self._data_stores[data_store.id] = copy_record(replace(data_store, record_count=0, size_bytes=0))
        self._data_records[data_store.id] = {}

    async def get_data_store(self, account_id: AccountId, store_id: str) -> DataStoreRecord | None:
        found = self._own_data_store(account_id, store_id)
        return None if found is None else copy_record(found)

    async def list_data_stores(self, account_id: AccountId) -> list[DataStoreRecord]:
        own = [s for s in self._data_stores.values() if s.account_id == account_id]
        return [copy_record(s) for s in sorted(own, key=by_created)]

    async def update_data_store(
        self, account_id: AccountId, store_id: str, change: DataStoreChange, quota: DataStoreQuota | None = None
    ) -> DataStoreRecord | None:
        current = self._own_data_store(account_id, store_id)
        if current is None:
            return None
        new = change(copy_record(current))
        if quota is not None:
            check_new_limit(quota, current, new, *self._declared(account_id))
        updated = copy_record(replace(current, name=new.name, structure=new.structure, max_records=new.max_records,
                                      max_bytes=new.max_bytes, updated_at=new.updated_at))
        self._data_stores[store_id] = updated
        return copy_record(updated)

    async def delete_data_store(self, account_id: AccountId, store_id: str) -> bool:
        if self._own_data_store(account_id, store_id) is None:
            return False
        del self._data_stores[store_id]
        del self._data_records[store_id]
        return True

    async def get_data_record(self, account_id: AccountId, store_id: str, key: str) -> DataRecord | None:
        if self._own_data_store(account_id, store_id) is None:
            return None
        found = self._data_records[store_id].get(key)
        return None if found is None else copy_record(found)

    async def list_data_records(
        self, account_id: AccountId, store_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[DataRecord]:
        if self._own_data_store(account_id, store_id) is None:
            return []
        records = self._data_records[store_id]
        keys = sorted(k for k in records if after is None or k > after)
        return [copy_record(records[k]) for k in keys[:limit]]

    async def write_data_record(
        self, account_id: AccountId, store_id: str, key: str, change: RecordChange, now: datetime
    ) -> DataRecord | None:
        check_key(key)
        data_store = self._own_data_store(account_id, store_id)
        if data_store is None:
            return None
        current = self._data_records[store_id].get(key)
        data = change(copy_record(data_store), None if current is None else copy_record(current).data)
        count, size = counters_after(data_store, None if current is None else json_size(current.data), json_size(data))
        record = copy_record(DataRecord(store_id, key, data, current.created_at if current else now, now))
        self._data_records[store_id][key] = record
        self._data_stores[store_id] = replace(data_store, record_count=count, size_bytes=size)
        return copy_record(record)

    async def delete_data_record(self, account_id: AccountId, store_id: str, key: str) -> bool:
        data_store = self._own_data_store(account_id, store_id)
        if data_store is None or key not in self._data_records[store_id]:
            return False
        size = json_size(self._data_records[store_id].pop(key).data)
        count = data_store.record_count - 1
        self._data_stores[store_id] = replace(data_store, record_count=count, size_bytes=data_store.size_bytes - size)
        return True

    async def clear_data_records(self, account_id: AccountId, store_id: str) -> int | None:
        data_store = self._own_data_store(account_id, store_id)
        if data_store is None:
            return None
        count = len(self._data_records[store_id])
        self._data_records[store_id] = {}
        self._data_stores[store_id] = replace(data_store, record_count=0, size_bytes=0)
        return count

    def _forget_data_stores(self, account_id: AccountId) -> None:
        """The account's erasure: its stores and their records."""
        for store_id in [s.id for s in self._data_stores.values() if s.account_id == account_id]:
            del self._data_stores[store_id]
            del self._data_records[store_id]

    def _data_stores_with_records(self, account_id: AccountId) -> list[tuple[DataStoreRecord, list[DataRecord]]]:
        """The account's stores, oldest first, each with its records by key (the export)."""
        own = sorted((s for s in self._data_stores.values() if s.account_id == account_id), key=by_created)
        records = self._data_records
        return [(copy_record(s), [copy_record(records[s.id][k]) for k in sorted(records[s.id])]) for s in own]

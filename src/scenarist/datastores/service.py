"""``ctx.data_stores``: the ``DataStores`` port of the SDK on the store, for one account.

Writes hand the store a change that checks the record against the structure
as locked for the write (``Store.write_data_record``), so a record never
lands under a structure it does not fit, and the limits hold for racing
writers. Searches and filtered counts walk the store's records in pages, by
key, and match them here (``query.py``): one semantics on every database.
They are not a snapshot: a record written meanwhile may or may not be seen.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

from scenarist.datastores.query import matches, parse_filter, resolve_field, sorted_records
from scenarist.datastores.records import check_key, checked_record
from scenarist.sdk import DataError, InvalidConfigurationError
from scenarist.sdk._datastores import Filter
from scenarist.store.ports import DataRecord, DataStoreFull, DataStoreRecord, RecordChange, Store
from scenarist.types import AccountId, Bundle, Clock, new_id

PAGE = 500
"""Records read per query while searching."""
_STORE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class StoreFull(DataError):
    """The data store is full."""


class _Missing(Exception):
    """``update`` found no record and may not insert one."""


def record_bundle(record: DataRecord) -> Bundle:
    """How a record leaves: ``{"key", "data"}``."""
    return {"key": record.key, "data": record.data}


def full_message(exc: DataStoreFull) -> str:
    store = exc.data_store
    if exc.limit == "max_records":
        return (f"data store {store.name!r} is full: it holds {store.record_count} records, "
                f"its limit (max_records {store.max_records})")
    return (f"data store {store.name!r} is full: the record would take it past its size limit "
            f"(max_size_bytes {store.max_bytes}); it holds {store.size_bytes} bytes")


class AccountDataStores:
    """The data stores of one account (``scenarist.sdk.DataStores``)."""

    def __init__(self, store: Store, account_id: AccountId, clock: Clock) -> None:
        self._store = store
        self._account = account_id
        self._clock = clock

    async def data_store(self, store_id: str) -> DataStoreRecord:
        """The account's store; ``InvalidConfigurationError`` when it has none with this id."""
        found = await self._store.get_data_store(self._account, _valid_id(store_id))
        if found is None:
            raise _not_found(store_id)
        return found

    async def get(self, store_id: str, key: str) -> Bundle | None:
        record = await self._store.get_data_record(self._account, _valid_id(store_id), check_key(key))
        if record is None:
            await self.data_store(store_id)
            return None
        return record_bundle(record)

    async def add(
        self, store_id: str, data: Mapping[str, Any], *, key: str | None = None, overwrite: bool = False
    ) -> Bundle:
        key = new_id() if key is None else check_key(key)

        def change(locked: DataStoreRecord, current: dict[str, Any] | None) -> dict[str, Any]:
            if current is not None and not overwrite:
                raise DataError(f"data store {locked.name!r} already has a record with key {key!r} "
                                "(overwrite replaces it)")
            return checked_record(locked.structure, data, locked.name)

        return await self._write(store_id, key, change)

    async def update(
        self, store_id: str, key: str, data: Mapping[str, Any], *, insert_missing: bool = False
    ) -> Bundle | None:
        def change(locked: DataStoreRecord, current: dict[str, Any] | None) -> dict[str, Any]:
            if current is None and not insert_missing:
                raise _Missing
            return checked_record(locked.structure, {**(current or {}), **data}, locked.name)

        try:
            return await self._write(store_id, check_key(key), change)
        except _Missing:
            return None

    async def _write(self, store_id: str, key: str, change: RecordChange) -> Bundle:
        try:
            record = await self._store.write_data_record(
                self._account, _valid_id(store_id), key, change, self._clock.now())
        except DataStoreFull as exc:
            raise StoreFull(full_message(exc)) from None
        except ValueError as exc:  # data that JSON cannot hold
            raise DataError(f"data: {exc}") from None
        if record is None:
            raise _not_found(store_id)
        return record_bundle(record)

    async def search(
        self, store_id: str, filter: Filter = (), *, sort_by: str | None = None, descending: bool = False,
        limit: int | None = None,
    ) -> list[Bundle]:
        data_store = await self.data_store(store_id)
        groups = parse_filter(filter, data_store)
        path = None if sort_by is None else resolve_field(sort_by, "sort", data_store)[0]
        if limit is not None and limit < 0:
            raise DataError("limit: expected 0 or more")
        found: list[tuple[str, Mapping[str, Any]]] = []
        async for record in self._records(store_id):
            if path is None and limit is not None and len(found) >= limit:
                break
            if matches(record.key, record.data, groups):
                found.append((record.key, record.data))
        if path is not None:
            found = sorted_records(found, path, descending)
        return [{"key": key, "data": data} for key, data in found[:limit]]

    async def count(self, store_id: str, filter: Filter = ()) -> int:
        data_store = await self.data_store(store_id)
        groups = parse_filter(filter, data_store)
        if not groups:
            return data_store.record_count
        return sum([1 async for record in self._records(store_id) if matches(record.key, record.data, groups)])

    async def delete(self, store_id: str, key: str) -> bool:
        deleted = await self._store.delete_data_record(self._account, _valid_id(store_id), check_key(key))
        if not deleted:
            await self.data_store(store_id)
        return deleted

    async def clear(self, store_id: str) -> int:
        deleted = await self._store.clear_data_records(self._account, _valid_id(store_id))
        if deleted is None:
            raise _not_found(store_id)
        return deleted

    async def _records(self, store_id: str) -> AsyncIterator[DataRecord]:
        after: str | None = None
        while page := await self._store.list_data_records(self._account, store_id, after=after, limit=PAGE):
            for record in page:
                yield record
            after = page[-1].key


def _not_found(store_id: str) -> InvalidConfigurationError:
    shown = store_id if len(store_id) <= 80 else store_id[:80] + "..."
    return InvalidConfigurationError(f"data store {shown!r} not found")


def can_be_id(store_id: Any) -> bool:
    """Whether ``store_id`` has the form of an id (what has not cannot be found, and is not looked up)."""
    return isinstance(store_id, str) and _STORE_ID.fullmatch(store_id) is not None


def _valid_id(store_id: str) -> str:
    """``store_id`` when it can be an id; ``InvalidConfigurationError`` (not found) otherwise."""
    if not can_be_id(store_id):
        raise _not_found(str(store_id))
    return store_id

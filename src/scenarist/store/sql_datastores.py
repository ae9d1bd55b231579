"""The data stores of ``SqlStore``: stores, their records, and the counters that keep the limits.

Every write to a store's records starts its transaction by locking the store
row (``_lock``: an UPDATE that changes nothing and returns the row). That is
the transaction's first write, so SQLite takes its database write lock there
(``BEGIN IMMEDIATE``, see ``database.py``) and PostgreSQL the row's lock; the
counters it returns stay true until commit, and the limit check, the record
write and the counters' move are one step for every other writer. Erasure
takes the same locks first, so it never deadlocks with a write.

The account's quota (``DataStoreQuota``) needs a lock per account, taken
before any store's (``_lock_account``): on SQLite the same database write
lock, on PostgreSQL a transaction advisory lock on the account's id (a row
to lock is not always there: the command line's ``local`` account has none,
and a count over rows cannot lock the rows a racing create inserts).
Record writes never take it: they cannot grow what the quota counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from scenarist.store.codec import copy_json, json_size, utc
from scenarist.store.datastore_limits import check_key, check_new_limit, check_new_store, counters_after
from scenarist.store.ports import DataRecord, DataStoreChange, DataStoreQuota, DataStoreRecord, RecordChange
from scenarist.store.schema import data_records, data_stores
from scenarist.store.sql_base import SqlBase
from scenarist.types import AccountId

_CHANGEABLE = ("name", "structure", "max_records", "max_bytes", "updated_at")
"""What ``update_data_store`` writes."""
_RECORD_COLUMNS = [data_records.c[name] for name in ("store_id", "key", "data", "created_at", "updated_at")]
_ACCOUNT_LOCK = 0x5CE4DA7A
"""PostgreSQL advisory lock class of an account's data stores (the object is the account id's hash)."""


def _own(account_id: AccountId, store_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(data_stores.c.account_id == account_id, data_stores.c.id == store_id)


def _own_records(account_id: AccountId, store_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(data_records.c.account_id == account_id, data_records.c.store_id == store_id)


def _record(store_id: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(data_records.c.store_id == store_id, data_records.c.key == key)


async def _put_record(
    conn: AsyncConnection, data_store: DataStoreRecord, key: str, data: dict[str, Any], size: int, now: datetime, *,
    replacing: bool,
) -> None:
    """Insert the record, or replace the data of the one there (which keeps its ``created_at``)."""
    if replacing:
        update = sa.update(data_records).where(_record(data_store.id, key))
        await conn.execute(update.values(data=data, size=size, updated_at=now))
    else:
        await conn.execute(sa.insert(data_records).values(
            account_id=data_store.account_id, store_id=data_store.id, key=key, data=data, size=size, created_at=now,
            updated_at=now,
        ))


async def _lock(conn: AsyncConnection, account_id: AccountId, store_id: str) -> DataStoreRecord | None:
    """The store, its row locked until the transaction ends; None when the account has no such store."""
    c = data_stores.c
    stmt = sa.update(data_stores).where(_own(account_id, store_id)).values(record_count=c.record_count)
    row = (await conn.execute(stmt.returning(*data_stores.c))).first()
    return None if row is None else DataStoreRecord(**row._mapping)


async def _lock_account(conn: AsyncConnection, account_id: AccountId) -> None:
    """Lock the account's data stores as a whole until the transaction ends, whether it has any or not."""
    if conn.dialect.name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ACCOUNT_LOCK, sa.func.hashtext(account_id))))
        return
    # SQLite: a write, even of no row, starts the transaction with BEGIN IMMEDIATE (database.py)
    c = data_stores.c
    await conn.execute(sa.update(data_stores).where(c.account_id == account_id).values(record_count=c.record_count))


async def _declared(conn: AsyncConnection, account_id: AccountId) -> tuple[int, int]:
    """How many data stores the account has, and their ``max_bytes`` summed."""
    c = data_stores.c
    total = sa.cast(sa.func.coalesce(sa.func.sum(c.max_bytes), 0), sa.BigInteger)
    row = (await conn.execute(sa.select(sa.func.count(), total).where(c.account_id == account_id))).one()
    return int(row[0]), int(row[1])


class SqlDataStores(SqlBase):
    async def create_data_store(self, data_store: DataStoreRecord, quota: DataStoreQuota | None = None) -> None:
        values = vars(data_store) | {"record_count": 0, "size_bytes": 0}
        async with self._begin(f"data store id {data_store.id} taken") as conn:
            if quota is not None:
                await _lock_account(conn, data_store.account_id)
                check_new_store(quota, data_store, *await _declared(conn, data_store.account_id))
            await conn.execute(sa.insert(data_stores).values(values))

    async def get_data_store(self, account_id: AccountId, store_id: str) -> DataStoreRecord | None:
        async with self._connect() as conn:
            row = (await conn.execute(sa.select(data_stores).where(_own(account_id, store_id)))).first()
        return None if row is None else DataStoreRecord(**row._mapping)

    async def list_data_stores(self, account_id: AccountId) -> list[DataStoreRecord]:
        c = data_stores.c
        query = sa.select(data_stores).where(c.account_id == account_id).order_by(c.created_at, c.id)
        async with self._connect() as conn:
            return [DataStoreRecord(**row._mapping) for row in (await conn.execute(query)).all()]

    async def update_data_store(
        self, account_id: AccountId, store_id: str, change: DataStoreChange, quota: DataStoreQuota | None = None
    ) -> DataStoreRecord | None:
        async with self._begin() as conn:
            if quota is not None:
                await _lock_account(conn, account_id)
            current = await _lock(conn, account_id, store_id)
            if current is None:
                return None
            new = change(current)
            if quota is not None:
                check_new_limit(quota, current, new, *await _declared(conn, account_id))
            stmt = sa.update(data_stores).where(_own(account_id, store_id))
            stmt = stmt.values({name: getattr(new, name) for name in _CHANGEABLE}).returning(*data_stores.c)
            row = (await conn.execute(stmt)).one()
        return DataStoreRecord(**row._mapping)

    async def delete_data_store(self, account_id: AccountId, store_id: str) -> bool:
        async with self._begin() as conn:
            if await _lock(conn, account_id, store_id) is None:
                return False
            await conn.execute(sa.delete(data_records).where(_own_records(account_id, store_id)))
            await conn.execute(sa.delete(data_stores).where(_own(account_id, store_id)))
        return True

    async def get_data_record(self, account_id: AccountId, store_id: str, key: str) -> DataRecord | None:
        query = sa.select(*_RECORD_COLUMNS).where(_own_records(account_id, store_id), data_records.c.key == key)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else DataRecord(**row._mapping)

    async def list_data_records(
        self, account_id: AccountId, store_id: str, *, after: str | None = None, limit: int = 100
    ) -> list[DataRecord]:
        c = data_records.c
        query = sa.select(*_RECORD_COLUMNS).where(_own_records(account_id, store_id))
        if after is not None:
            query = query.where(c.key > after)
        async with self._connect() as conn:
            rows = (await conn.execute(query.order_by(c.key).limit(limit))).all()
        return [DataRecord(**row._mapping) for row in rows]

    async def write_data_record(
        self, account_id: AccountId, store_id: str, key: str, change: RecordChange, now: datetime
    ) -> DataRecord | None:
        check_key(key)
        c = data_records.c
        read = sa.select(c.data, c.size, c.created_at).where(_record(store_id, key))
        async with self._begin(f"record {key!r} could not be written") as conn:
            data_store = await _lock(conn, account_id, store_id)
            if data_store is None:
                return None
            current = (await conn.execute(read)).first()
            data = change(data_store, None if current is None else current.data)
            size = json_size(data)
            count, total = counters_after(data_store, None if current is None else current.size, size)
            await _put_record(conn, data_store, key, data, size, now, replacing=current is not None)
            counters = sa.update(data_stores).where(_own(account_id, store_id))
            await conn.execute(counters.values(record_count=count, size_bytes=total))
        created = now if current is None else current.created_at
        return DataRecord(store_id, key, copy_json(data), utc(created), utc(now))

    async def delete_data_record(self, account_id: AccountId, store_id: str, key: str) -> bool:
        c = data_records.c
        async with self._begin() as conn:
            if await _lock(conn, account_id, store_id) is None:
                return False
            stmt = sa.delete(data_records).where(_own_records(account_id, store_id), c.key == key).returning(c.size)
            size = (await conn.execute(stmt)).scalar()
            if size is None:
                return False
            s = data_stores.c
            counters = sa.update(data_stores).where(_own(account_id, store_id))
            await conn.execute(counters.values(record_count=s.record_count - 1, size_bytes=s.size_bytes - size))
        return True

    async def clear_data_records(self, account_id: AccountId, store_id: str) -> int | None:
        async with self._begin() as conn:
            if await _lock(conn, account_id, store_id) is None:
                return None
            deleted = (await conn.execute(sa.delete(data_records).where(_own_records(account_id, store_id)))).rowcount
            counters = sa.update(data_stores).where(_own(account_id, store_id))
            await conn.execute(counters.values(record_count=0, size_bytes=0))
        return deleted


async def erase_data_stores(conn: AsyncConnection, account_id: AccountId) -> int:
    """Delete the account's stores and records in the caller's transaction, locking the stores
    first as writes do; how many rows went."""
    c = data_stores.c
    await conn.execute(sa.update(data_stores).where(c.account_id == account_id).values(record_count=c.record_count))
    records = await conn.execute(sa.delete(data_records).where(data_records.c.account_id == account_id))
    stores = await conn.execute(sa.delete(data_stores).where(c.account_id == account_id))
    return records.rowcount + stores.rowcount


async def load_data_stores(
    conn: AsyncConnection, account_id: AccountId
) -> list[tuple[DataStoreRecord, list[DataRecord]]]:
    """The account's stores, oldest first, each with its records by key (the export)."""
    c = data_stores.c
    query = sa.select(data_stores).where(c.account_id == account_id).order_by(c.created_at, c.id)
    stores = [DataStoreRecord(**row._mapping) for row in (await conn.execute(query)).all()]
    r = data_records.c
    records: dict[str, list[DataRecord]] = defaultdict(list)
    rows = await conn.execute(sa.select(*_RECORD_COLUMNS).where(r.account_id == account_id).order_by(r.key))
    for row in rows.all():
        records[row.store_id].append(DataRecord(**row._mapping))
    return [(store, records[store.id]) for store in stores]

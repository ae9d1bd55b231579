"""The rules both stores apply to data stores: a key's length, a store's limits, an account's quota.

Kept in one place so that ``MemoryStore`` and ``SqlStore`` refuse exactly the
same writes; each calls them under its store's write lock (the quota: under
the account's lock, with the counts read under it).
"""

from __future__ import annotations

from scenarist.store.ports import (
    DATA_KEY_MAX_LENGTH,
    DataStoreFull,
    DataStoreQuota,
    DataStoreQuotaExceeded,
    DataStoreRecord,
)


def check_key(key: str) -> None:
    """``ValueError`` for a key the store cannot keep (empty, too long)."""
    if not 0 < len(key) <= DATA_KEY_MAX_LENGTH:
        raise ValueError(f"a record key has 1 to {DATA_KEY_MAX_LENGTH} characters, not {len(key)}")


def counters_after(data_store: DataStoreRecord, old_size: int | None, new_size: int) -> tuple[int, int]:
    """``(record_count, size_bytes)`` once a record of ``old_size`` bytes (None: a new record) becomes
    ``new_size`` bytes; ``DataStoreFull`` when that adds a record past ``max_records`` or grows the
    size past ``max_bytes``. A write that grows neither passes, even over a lowered limit."""
    count = data_store.record_count + (1 if old_size is None else 0)
    size = data_store.size_bytes - (old_size or 0) + new_size
    if old_size is None and count > data_store.max_records:
        raise DataStoreFull(data_store, "max_records")
    if size > data_store.max_bytes and size > data_store.size_bytes:
        raise DataStoreFull(data_store, "max_bytes")
    return count, size


def check_new_store(quota: DataStoreQuota, data_store: DataStoreRecord, stores: int, declared_bytes: int) -> None:
    """``DataStoreQuotaExceeded`` when an account whose ``stores`` data stores declare ``declared_bytes``
    (their ``max_bytes`` summed) may not have ``data_store`` as well."""
    if stores >= quota.max_stores:
        raise DataStoreQuotaExceeded("max_stores", quota, stores, declared_bytes)
    if declared_bytes + data_store.max_bytes > quota.max_bytes:
        raise DataStoreQuotaExceeded("max_bytes", quota, stores, declared_bytes)


def check_new_limit(
    quota: DataStoreQuota, current: DataStoreRecord, new: DataStoreRecord, stores: int, declared_bytes: int
) -> None:
    """``DataStoreQuotaExceeded`` when ``new`` raises ``current``'s ``max_bytes`` past what the quota
    leaves it beside the account's other stores (``declared_bytes`` counts every store, ``current``
    included). A change that raises nothing passes, so lowering a quota never blocks a rename."""
    others = declared_bytes - current.max_bytes
    if new.max_bytes > current.max_bytes and others + new.max_bytes > quota.max_bytes:
        raise DataStoreQuotaExceeded("max_bytes", quota, stores, others)

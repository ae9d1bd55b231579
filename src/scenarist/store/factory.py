"""Opening the store a database URL names."""

from __future__ import annotations

from scenarist.store.memory import MemoryStore
from scenarist.store.ports import Store

MEMORY_URL = "memory://"


async def open_store(database_url: str) -> Store:
    """``MemoryStore`` for ``memory://``, else a migrated ``SqlStore`` (SQLite, PostgreSQL)."""
    if database_url == MEMORY_URL:
        return MemoryStore()
    from scenarist.store.sql import SqlStore  # SQLAlchemy only when a database is used

    return await SqlStore.open(database_url)

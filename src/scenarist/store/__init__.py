"""Persistence ports and their implementations (memory, SQLite, PostgreSQL)."""

from scenarist.store.factory import open_store

__all__ = ["open_store"]

"""The connections of ``MemoryStore``; same semantics as ``sql_connections.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scenarist.store.codec import utc
from scenarist.store.memory_accounts import by_created, copy_record
from scenarist.store.ports import ConnectionRecord
from scenarist.types import AccountId


class MemoryConnections:
    """Stands on ``MemoryStore._connections``."""

    _connections: dict[str, ConnectionRecord]

    def _own_connection(self, account_id: AccountId, connection_id: str) -> ConnectionRecord | None:
        found = self._connections.get(connection_id)
        return found if found is not None and found.account_id == account_id else None

    async def put_connection(self, connection: ConnectionRecord) -> None:
        current = self._connections.get(connection.id)
        if current is not None and current.account_id != connection.account_id:
            raise ValueError(f"connection {connection.id} belongs to another account")
        self._connections[connection.id] = replace(copy_record(connection), secrets=bytes(connection.secrets))

    async def get_connection(self, account_id: AccountId, connection_id: str) -> ConnectionRecord | None:
        found = self._own_connection(account_id, connection_id)
        return None if found is None else copy_record(found)

    async def list_connections(self, account_id: AccountId) -> list[ConnectionRecord]:
        own = [c for c in self._connections.values() if c.account_id == account_id]
        return [copy_record(c) for c in sorted(own, key=by_created)]

    async def delete_connection(self, account_id: AccountId, connection_id: str) -> bool:
        if self._own_connection(account_id, connection_id) is None:
            return False
        del self._connections[connection_id]
        return True

    async def set_connection_flag(self, account_id: AccountId, connection_id: str, flagged: bool) -> bool:
        found = self._own_connection(account_id, connection_id)
        if found is None:
            return False
        self._connections[connection_id] = replace(found, flagged=flagged)
        return True

    async def list_all_connections(self, *, after: str | None = None, limit: int = 500) -> list[ConnectionRecord]:
        ids = sorted(i for i in self._connections if after is None or i > after)
        return [copy_record(self._connections[i]) for i in ids[:limit]]

    async def connection_key_ids(self) -> set[str]:
        return {c.key_id for c in self._connections.values()}

    async def reseal_connection(
        self, connection_id: str, *, expected_key_id: str, expected_secrets: bytes, secrets: bytes, key_id: str,
        updated_at: datetime,
    ) -> bool:
        found = self._connections.get(connection_id)
        if found is None or found.key_id != expected_key_id or found.secrets != expected_secrets:
            return False
        self._connections[connection_id] = replace(
            found, secrets=bytes(secrets), key_id=key_id, updated_at=utc(updated_at)
        )
        return True

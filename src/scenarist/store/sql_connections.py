"""The connections of ``SqlStore``: credentials whose secret fields arrive sealed.

Every call the port scopes by account filters by it. Key rotation walks every
account's rows by id (``list_all_connections``) and replaces a row's sealed
secrets with a compare-and-swap on its ``key_id`` (``reseal_connection``), so
a rotation may run while the server uses and flags the same rows. On SQLite
``secure_delete`` overwrites what ``delete_connection`` deleted, and a WAL checkpoint removes it from the WAL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scenarist.store.ports import ConnectionRecord
from scenarist.store.schema import connections
from scenarist.store.sql_base import SqlBase
from scenarist.types import AccountId


def connection_record(row: sa.Row[Any]) -> ConnectionRecord:
    values = dict(row._mapping)
    values["secrets"] = bytes(values["secrets"])
    return ConnectionRecord(**values)


def _own(account_id: AccountId, connection_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(connections.c.account_id == account_id, connections.c.id == connection_id)


class SqlConnections(SqlBase):
    async def put_connection(self, connection: ConnectionRecord) -> None:
        await self._upsert(connections, vars(connection), f"connection {connection.id} belongs to another account")

    async def get_connection(self, account_id: AccountId, connection_id: str) -> ConnectionRecord | None:
        async with self._connect() as conn:
            row = (await conn.execute(sa.select(connections).where(_own(account_id, connection_id)))).first()
        return None if row is None else connection_record(row)

    async def list_connections(self, account_id: AccountId) -> list[ConnectionRecord]:
        c = connections.c
        query = sa.select(connections).where(c.account_id == account_id).order_by(c.created_at, c.id)
        async with self._connect() as conn:
            return [connection_record(row) for row in (await conn.execute(query)).all()]

    async def delete_connection(self, account_id: AccountId, connection_id: str) -> bool:
        async with self._begin() as conn:
            deleted = (await conn.execute(sa.delete(connections).where(_own(account_id, connection_id)))).rowcount
        await self.checkpoint_wal()
        return deleted == 1

    async def set_connection_flag(self, account_id: AccountId, connection_id: str, flagged: bool) -> bool:
        stmt = sa.update(connections).where(_own(account_id, connection_id)).values(flagged=flagged)
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def list_all_connections(self, *, after: str | None = None, limit: int = 500) -> list[ConnectionRecord]:
        query = sa.select(connections).order_by(connections.c.id).limit(limit)
        if after is not None:
            query = query.where(connections.c.id > after)
        async with self._connect() as conn:
            return [connection_record(row) for row in (await conn.execute(query)).all()]

    async def connection_key_ids(self) -> set[str]:
        async with self._connect() as conn:
            return set((await conn.scalars(sa.select(connections.c.key_id).distinct())).all())

    async def reseal_connection(
        self, connection_id: str, *, expected_key_id: str, expected_secrets: bytes, secrets: bytes, key_id: str,
        updated_at: datetime,
    ) -> bool:
        c = connections.c
        stmt = (
            sa.update(connections)
            .where(c.id == connection_id, c.key_id == expected_key_id, c.secrets == expected_secrets)
            .values(secrets=secrets, key_id=key_id, updated_at=updated_at)
        )
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

"""What every part of ``SqlStore`` stands on: the engine and its transactions.

``SqlStore`` (``sql.py``) is this base, the account half (``sql_accounts.py``),
the batches (``sql_batch.py``) and the scenario/run half. Every call is one transaction; integrity errors
(a taken id, a missing or foreign parent) become ``ValueError``, and so do
the ``ValueError``/``TypeError`` a column type raises for a bad value.
Rows become records here too, where several parts need it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from scenarist.store.codec import pack_bytes, unpack_bytes
from scenarist.store.ports import ExecutionRecord, GatewayLogRecord
from scenarist.store.schema import executions, gateway_logs
from scenarist.store.sqlite_writer import SqliteWriter
from scenarist.types import RunStatus

EXECUTION_COLUMNS = [c for c in executions.c if c.name != "queue_seq"]
"""An execution's columns without its place in the queue (not part of the record)."""
EXECUTION_MUTABLE = ("status", "started_at", "finished_at", "operations", "error", "response", "trigger_input")
"""What ``update_execution`` (and ``finish_executions``) replace."""
GATEWAY_SUMMARY = [c for c in gateway_logs.c if c.name not in ("request_body", "response_body")]


class SqlBase:
    def __init__(self, engine: AsyncEngine, writer: SqliteWriter | None = None) -> None:
        """``writer`` (a SQLite file) takes the hot writes (``sqlite_writes``); without it they go through
        ``engine`` like every other statement."""
        self._engine = engine
        self._writer = writer
        self._postgres = engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if self._postgres else sqlite.insert

    @property
    def writer(self) -> SqliteWriter | None:
        """The writer thread of the hot writes, on a SQLite file (``sqlite_writer``)."""
        return self._writer

    @property
    def engine(self) -> AsyncEngine:
        """The engine underneath, for maintenance (WAL checkpoints, inspection)."""
        return self._engine

    async def checkpoint_wal(self) -> None:
        """On SQLite, copy the WAL into the database file and truncate it to zero bytes, so that what a delete
        overwrote (``secure_delete``) is nowhere else on disk: the WAL holds the pages as they were before. It
        waits (``busy_timeout``) for readers of older snapshots. Nothing on PostgreSQL."""
        if self._postgres:
            return
        async with self._engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        """Write what the writer has queued, then close it and every pooled connection."""
        if self._writer is not None:
            await self._writer.close()
        await self._engine.dispose()

    @asynccontextmanager
    async def _begin(self, refusal: str = "refused") -> AsyncIterator[AsyncConnection]:
        """A transaction whose integrity errors become ``ValueError(refusal)``."""
        try:
            async with self._engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            raise ValueError(refusal) from exc
        except StatementError as exc:
            _reraise_value_error(exc)
            raise

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._engine.connect() as conn:
                yield conn
        except StatementError as exc:
            _reraise_value_error(exc)
            raise

    async def _upsert(self, table: sa.Table, values: dict[str, Any], refusal: str) -> None:
        """Insert, or replace the row with the same id when it is the same account's."""
        stmt = self._insert(table).values(values)
        kept = {"id", "account_id"}
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={name: stmt.excluded[name] for name in values if name not in kept},
            where=table.c.account_id == stmt.excluded.account_id,
        )
        async with self._begin(refusal) as conn:
            if (await conn.execute(stmt)).rowcount != 1:
                raise ValueError(refusal)


def execution_record(row: sa.Row[Any]) -> ExecutionRecord:
    values = dict(row._mapping)
    values["status"] = RunStatus(values["status"])
    return ExecutionRecord(**values)


def gateway_log_values(record: GatewayLogRecord) -> dict[str, Any]:
    """The row of a record, its bodies packed."""
    bodies = {name: getattr(record, name) for name in ("request_body", "response_body")}
    return vars(record) | {name: None if body is None else pack_bytes(body) for name, body in bodies.items()}


def gateway_log_record(values: Any) -> GatewayLogRecord:
    """The record of a row; bodies not selected are None."""
    fields = dict(values)
    fields["request_headers"] = [(name, value) for name, value in fields["request_headers"]]
    for name in ("request_body", "response_body"):
        blob = fields.get(name)
        fields[name] = None if blob is None else unpack_bytes(blob)
    return GatewayLogRecord(**fields)


def _reraise_value_error(exc: StatementError) -> None:
    """Raise the ``ValueError``/``TypeError`` a column type raised for a bad value."""
    if not isinstance(exc, DBAPIError) and isinstance(exc.orig, ValueError | TypeError):
        raise exc.orig from exc

"""``SqlStore``: the store on SQLAlchemy (async), for SQLite and PostgreSQL.

Every call is one transaction. Every query that the port gives an account
filters by it; activity is reached through its execution's account. Writes
that would hang a row under a missing parent or another account's parent
raise ``ValueError`` (the foreign keys refuse them). Deletions are explicit,
child tables first, so they are complete even where foreign keys are not
enforced; the ``ON DELETE CASCADE`` keys are the second line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from scenarist.store import sql_purge
from scenarist.store.codec import decode_activity, encode_activity, pack_bytes, unpack_bytes
from scenarist.store.database import make_engine, upgrade
from scenarist.store.ports import (
    ActivityRecord,
    ExecutionRecord,
    GatewayLogRecord,
    IncompleteRecord,
    NotificationRecord,
    RetentionWindows,
    ScenarioRecord,
)
from scenarist.store.schema import (
    activity_batches,
    executions,
    gateway_logs,
    incomplete,
    notifications,
    scenario_state,
    scenarios,
)
from scenarist.types import JSON, AccountId, ExecutionId, RunStatus, ScenarioId

_EXECUTION_MUTABLE = ("status", "started_at", "finished_at", "operations", "error", "response")
_GATEWAY_SUMMARY = [c for c in gateway_logs.c if c.name not in ("request_body", "response_body")]


class SqlStore:
    """The ``Store`` port on a SQL database; make one with ``await SqlStore.open(url)``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert

    @classmethod
    async def open(cls, database_url: str, *, schema: str | None = None) -> SqlStore:
        """Connect to ``database_url`` and migrate its schema to the newest revision.

        ``schema`` (PostgreSQL only) keeps the tables in that schema, created
        if missing, by making it the connections' search path.
        """
        engine = make_engine(database_url, schema=schema)
        try:
            await upgrade(engine, schema=schema)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    @property
    def engine(self) -> AsyncEngine:
        """The engine underneath, for maintenance (WAL checkpoints, inspection)."""
        return self._engine

    async def close(self) -> None:
        """Close every pooled connection."""
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

    # scenarios

    async def put_scenario(self, scenario: ScenarioRecord) -> None:
        refusal = f"scenario {scenario.id} belongs to another account"
        await self._upsert(scenarios, vars(scenario), refusal)

    async def get_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> ScenarioRecord | None:
        query = sa.select(scenarios).where(_own_scenario(account_id, scenario_id))
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else ScenarioRecord(**row._mapping)

    async def list_scenarios(self, account_id: AccountId) -> list[ScenarioRecord]:
        query = (
            sa.select(scenarios)
            .where(scenarios.c.account_id == account_id)
            .order_by(scenarios.c.created_at, scenarios.c.id)
        )
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [ScenarioRecord(**row._mapping) for row in rows]

    async def delete_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> bool:
        async with self._begin() as conn:
            own = sa.select(scenarios.c.id).where(_own_scenario(account_id, scenario_id))
            if await conn.scalar(own) is None:
                return False
            runs = sa.select(executions.c.id).where(
                executions.c.account_id == account_id, executions.c.scenario_id == scenario_id
            )
            for statement in (
                sa.delete(activity_batches).where(activity_batches.c.execution_id.in_(runs)),
                sa.delete(incomplete).where(incomplete.c.execution_id.in_(runs)),
                sa.delete(executions).where(executions.c.id.in_(runs)),
                sa.delete(scenario_state).where(scenario_state.c.scenario_id == scenario_id),
                sa.delete(gateway_logs).where(
                    gateway_logs.c.account_id == account_id,
                    gateway_logs.c.scenario_id == scenario_id,
                ),
                sa.delete(scenarios).where(_own_scenario(account_id, scenario_id)),
            ):
                await conn.execute(statement)
        return True

    async def set_scenario_active(self, account_id: AccountId, scenario_id: ScenarioId, active: bool) -> bool:
        stmt = sa.update(scenarios).where(_own_scenario(account_id, scenario_id)).values(active=active)
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def record_run_outcome(self, account_id: AccountId, scenario_id: ScenarioId, failed: bool) -> int:
        """As the port says; 0 for a scenario the account does not have."""
        count = scenarios.c.consecutive_errors + 1 if failed else sa.literal(0)
        stmt = (
            sa.update(scenarios)
            .where(_own_scenario(account_id, scenario_id))
            .values(consecutive_errors=count)
            .returning(scenarios.c.consecutive_errors)
        )
        async with self._begin() as conn:
            return (await conn.scalar(stmt)) or 0

    # executions

    async def create_execution(self, execution: ExecutionRecord) -> None:
        refusal = f"execution {execution.id}: id taken or scenario not the account's"
        async with self._begin(refusal) as conn:
            await conn.execute(sa.insert(executions).values(vars(execution)))

    async def update_execution(self, execution: ExecutionRecord) -> None:
        values = {name: getattr(execution, name) for name in _EXECUTION_MUTABLE}
        stmt = (
            sa.update(executions)
            .where(executions.c.id == execution.id)
            .where(executions.c.account_id == execution.account_id)
            .values(values)
        )
        async with self._begin() as conn:
            await conn.execute(stmt)

    async def claim_execution(self, execution_id: ExecutionId, started_at: datetime) -> bool:
        stmt = (
            sa.update(executions)
            .where(executions.c.id == execution_id)
            .where(executions.c.status == RunStatus.QUEUED.value)
            .values(status=RunStatus.RUNNING.value, started_at=started_at)
        )
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def get_execution(self, account_id: AccountId, execution_id: ExecutionId) -> ExecutionRecord | None:
        query = sa.select(executions).where(_own_execution(account_id, execution_id))
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _execution(row)

    async def list_executions(
        self,
        account_id: AccountId,
        scenario_id: ScenarioId,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: ExecutionId | None = None,
    ) -> list[ExecutionRecord]:
        c = executions.c
        query = sa.select(executions).where(c.account_id == account_id, c.scenario_id == scenario_id)
        if status is not None:
            query = query.where(c.status == status.value)
        async with self._connect() as conn:
            if before is not None:
                pivot_query = sa.select(c.created_at, c.id).where(
                    c.account_id == account_id, c.scenario_id == scenario_id, c.id == before
                )
                pivot = (await conn.execute(pivot_query)).first()
                if pivot is None:
                    return []
                query = query.where(
                    sa.or_(
                        c.created_at < pivot.created_at,
                        sa.and_(c.created_at == pivot.created_at, c.id < pivot.id),
                    )
                )
            query = query.order_by(c.created_at.desc(), c.id.desc()).limit(limit)
            rows = (await conn.execute(query)).all()
        return [_execution(row) for row in rows]

    # activity stream

    async def append_activity(self, execution_id: ExecutionId, records: list[ActivityRecord]) -> None:
        if not records:
            return
        c = activity_batches.c
        next_seq = sa.select(
            sa.literal(execution_id, sa.String),
            sa.func.coalesce(sa.func.max(c.seq), 0) + 1,
            sa.literal(len(records), sa.Integer),
            sa.literal(encode_activity(records), sa.LargeBinary),
        ).where(c.execution_id == execution_id)
        stmt = sa.insert(activity_batches).from_select(["execution_id", "seq", "count", "data"], next_seq)
        missing = f"no execution {execution_id}"
        async with self._begin(missing) as conn:
            # lock the execution: concurrent appends to one run take turns for their seq
            lock = sa.select(executions.c.id).where(executions.c.id == execution_id)
            if await conn.scalar(lock.with_for_update()) is None:
                raise ValueError(missing)
            await conn.execute(stmt)

    async def get_activity(self, account_id: AccountId, execution_id: ExecutionId) -> list[ActivityRecord]:
        query = (
            sa.select(activity_batches.c.data)
            .join(executions, executions.c.id == activity_batches.c.execution_id)
            .where(_own_execution(account_id, execution_id))
            .order_by(activity_batches.c.seq)
        )
        async with self._connect() as conn:
            blobs = (await conn.scalars(query)).all()
        return [record for blob in blobs for record in decode_activity(blob)]

    # incomplete executions

    async def put_incomplete(self, record: IncompleteRecord) -> None:
        refusal = f"incomplete {record.id}: execution not the account's or id taken"
        await self._upsert(incomplete, vars(record), refusal)

    async def get_incomplete(self, account_id: AccountId, incomplete_id: str) -> IncompleteRecord | None:
        query = sa.select(incomplete).where(incomplete.c.account_id == account_id, incomplete.c.id == incomplete_id)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else IncompleteRecord(**row._mapping)

    async def list_incomplete(
        self, account_id: AccountId, scenario_id: ScenarioId | None = None
    ) -> list[IncompleteRecord]:
        query = sa.select(incomplete).where(incomplete.c.account_id == account_id)
        if scenario_id is not None:
            query = query.where(incomplete.c.scenario_id == scenario_id)
        query = query.order_by(incomplete.c.created_at, incomplete.c.id)
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [IncompleteRecord(**row._mapping) for row in rows]

    async def due_incomplete(self, now: datetime, limit: int = 100) -> list[IncompleteRecord]:
        c = incomplete.c
        query = (
            sa.select(incomplete)
            .where(c.next_retry_at.is_not(None), c.next_retry_at <= now)
            .order_by(c.next_retry_at, c.id)
            .limit(limit)
        )
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [IncompleteRecord(**row._mapping) for row in rows]

    async def delete_incomplete(self, account_id: AccountId, incomplete_id: str) -> bool:
        stmt = sa.delete(incomplete).where(incomplete.c.account_id == account_id, incomplete.c.id == incomplete_id)
        async with self._begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    # notifications

    async def add_notification(self, record: NotificationRecord) -> None:
        async with self._begin(f"notification id {record.id} taken") as conn:
            await conn.execute(sa.insert(notifications).values(vars(record)))

    async def list_notifications(self, account_id: AccountId) -> list[NotificationRecord]:
        c = notifications.c
        query = sa.select(notifications).where(c.account_id == account_id).order_by(c.created_at.desc(), c.id.desc())
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [NotificationRecord(**row._mapping) for row in rows]

    # per-scenario state

    async def get_state(self, scenario_id: ScenarioId, key: str) -> JSON:
        c = scenario_state.c
        query = sa.select(c.value).where(c.scenario_id == scenario_id, c.key == key)
        async with self._connect() as conn:
            return await conn.scalar(query)

    async def set_state(self, scenario_id: ScenarioId, key: str, value: JSON) -> None:
        """Setting None removes the key."""
        c = scenario_state.c
        async with self._begin() as conn:
            if value is None:
                await conn.execute(sa.delete(scenario_state).where(c.scenario_id == scenario_id, c.key == key))
                return
            stmt = self._insert(scenario_state).values(scenario_id=scenario_id, key=key, value=value)
            stmt = stmt.on_conflict_do_update(
                index_elements=[c.scenario_id, c.key], set_={"value": stmt.excluded.value}
            )
            await conn.execute(stmt)

    # webhook gateway log

    async def add_gateway_log(self, record: GatewayLogRecord) -> None:
        values = vars(record) | {
            "request_body": _pack(record.request_body),
            "response_body": _pack(record.response_body),
        }
        async with self._begin(f"gateway log id {record.id} taken") as conn:
            await conn.execute(sa.insert(gateway_logs).values(values))

    async def list_gateway_logs(
        self, account_id: AccountId, *, scenario_id: ScenarioId | None = None, limit: int = 100
    ) -> list[GatewayLogRecord]:
        c = gateway_logs.c
        query = sa.select(*_GATEWAY_SUMMARY).where(c.account_id == account_id)
        if scenario_id is not None:
            query = query.where(c.scenario_id == scenario_id)
        query = query.order_by(c.received_at.desc(), c.id.desc()).limit(limit)
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_gateway_log(row._mapping) for row in rows]

    async def get_gateway_log(self, account_id: AccountId, log_id: str) -> GatewayLogRecord | None:
        c = gateway_logs.c
        query = sa.select(gateway_logs).where(c.account_id == account_id, c.id == log_id)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _gateway_log(row._mapping)

    # retention

    async def purge(self, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
        async with self._begin() as conn:
            return await sql_purge.purge(conn, as_of, windows)


def _own_scenario(account_id: AccountId, scenario_id: ScenarioId) -> sa.ColumnElement[bool]:
    return sa.and_(scenarios.c.account_id == account_id, scenarios.c.id == scenario_id)


def _own_execution(account_id: AccountId, execution_id: ExecutionId) -> sa.ColumnElement[bool]:
    return sa.and_(executions.c.account_id == account_id, executions.c.id == execution_id)


def _execution(row: sa.Row[Any]) -> ExecutionRecord:
    values = dict(row._mapping)
    values["status"] = RunStatus(values["status"])
    return ExecutionRecord(**values)


def _pack(body: bytes | None) -> bytes | None:
    return None if body is None else pack_bytes(body)


def _gateway_log(values: Any) -> GatewayLogRecord:
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

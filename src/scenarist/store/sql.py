"""``SqlStore``: the store on SQLAlchemy (async), for SQLite and PostgreSQL.

This module is the scenario and run half; the accounts half is in
``sql_accounts.py``, the connections in ``sql_connections.py``, the data stores in ``sql_datastores.py``,
the scheduler's read and the group commits in
``sql_batch.py``, the transactions underneath in ``sql_base.py``.
Every call is one transaction. Every query that the port gives an account
filters by it; activity is reached through its execution's account. Writes
that would hang a row under a missing parent or another account's parent
raise ``ValueError`` (the foreign keys refuse them). Deletions are explicit,
child tables first, so they are complete even where foreign keys are not
enforced; the ``ON DELETE CASCADE`` keys are the second line.

Every execution gets a queue number when inserted (``queue_seq``, not part of
the record): from a sequence on PostgreSQL, from the highest number in use on
SQLite (whose writers take turns). Runs are queued in that order; the index
on ``(status, queue_seq)`` walks the queued ones in order.

On a SQLite file the hot writes (``enqueue_executions``, ``mark_running``,
``finish_executions``, ``append_activity``, ``add_gateway_logs``) skip
SQLAlchemy: they are jobs of the store's writer thread (``sqlite_writer``,
``sqlite_writes``), a batch of them per hand-off and per commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scenarist.store import sql_purge, sqlite_writes
from scenarist.store.codec import decode_activity, encode_activity
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
    queue_sequence,
    scenario_state,
    scenario_versions,
    scenarios,
)
from scenarist.store.sql_accounts import SqlAccounts
from scenarist.store.sql_base import (
    EXECUTION_COLUMNS,
    EXECUTION_MUTABLE,
    GATEWAY_SUMMARY,
    execution_record,
    gateway_log_record,
    gateway_log_values,
)
from scenarist.store.sql_batch import SqlBatches
from scenarist.store.sql_connections import SqlConnections
from scenarist.store.sql_datastores import SqlDataStores
from scenarist.store.sql_mail import SqlMail
from scenarist.store.sql_versions import SqlVersions
from scenarist.store.sqlite_writer import SqliteWriter
from scenarist.types import JSON, AccountId, ExecutionId, RunStatus, ScenarioId


class SqlStore(SqlBatches, SqlConnections, SqlDataStores, SqlVersions, SqlMail, SqlAccounts):
    """The ``Store`` port on a SQL database; make one with ``await SqlStore.open(url)``."""

    @classmethod
    async def open(cls, database_url: str, *, schema: str | None = None) -> SqlStore:
        """Connect to ``database_url`` and migrate its schema to the newest revision; on a SQLite
        file, start the writer of the hot writes (``sqlite_writer``).

        ``schema`` (PostgreSQL only) keeps the tables in that schema, created
        if missing, by making it the connections' search path.
        """
        engine = make_engine(database_url, schema=schema)
        try:
            await upgrade(engine, schema=schema)
        except BaseException:
            await engine.dispose()
            raise
        path = str(engine.url.database or "") if engine.dialect.name == "sqlite" else ""
        on_file = path not in ("", ":memory:") and not path.startswith("file:")  # a URI keeps the plain path
        return cls(engine, SqliteWriter(path) if on_file else None)

    # scenarios

    async def put_scenario(self, scenario: ScenarioRecord) -> None:
        refusal = f"scenario {scenario.id} belongs to another account, or its hook token is taken"
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
                sa.delete(scenario_versions).where(scenario_versions.c.scenario_id == scenario_id),
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
            await conn.execute(self._enqueue.values(vars(execution)))

    async def update_execution(self, execution: ExecutionRecord) -> None:
        values = {name: getattr(execution, name) for name in EXECUTION_MUTABLE}
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
        query = sa.select(*EXECUTION_COLUMNS).where(_own_execution(account_id, execution_id))
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else execution_record(row)

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
        query = sa.select(*EXECUTION_COLUMNS).where(c.account_id == account_id, c.scenario_id == scenario_id)
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
        return [execution_record(row) for row in rows]

    # activity stream

    async def append_activity(self, execution_id: ExecutionId, records: list[ActivityRecord]) -> None:
        if not records:
            return
        if self._writer is not None:
            await self._writer.run(sqlite_writes.append_activity, (execution_id, records))
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

    async def resolve_incomplete(self, account_id: AccountId, incomplete_id: str, resolved_by: ExecutionId) -> bool:
        found = sa.select(incomplete.c.execution_id).where(
            incomplete.c.account_id == account_id, incomplete.c.id == incomplete_id
        )
        c = executions.c
        waiting = sa.select(incomplete.c.id).where(incomplete.c.execution_id == c.id).exists()
        async with self._begin() as conn:
            execution_id = await conn.scalar(found.with_for_update())
            if execution_id is None:
                return False
            await conn.execute(sa.delete(incomplete).where(incomplete.c.id == incomplete_id))
            await conn.execute(
                sa.update(executions)
                .where(c.account_id == account_id, c.status == RunStatus.INCOMPLETE.value, ~waiting,
                       sa.or_(c.id == execution_id, c.retry_of == incomplete_id))
                .values(status=RunStatus.SUCCESS.value, resolved_by=resolved_by)
            )
        return True

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

    async def mark_notification_read(self, account_id: AccountId, notification_id: str, read_at: datetime) -> bool:
        c = notifications.c
        which = (c.id == notification_id, c.account_id == account_id)
        mine = sa.select(c.id).where(*which)
        unread = sa.update(notifications).where(*which, c.read_at.is_(None))
        async with self._begin() as conn:
            if (await conn.execute(mine)).first() is None:
                return False
            await conn.execute(unread.values(read_at=read_at))
        return True

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
        async with self._begin(f"gateway log id {record.id} taken") as conn:
            await conn.execute(sa.insert(gateway_logs).values(gateway_log_values(record)))

    async def list_gateway_logs(
        self, account_id: AccountId, *, scenario_id: ScenarioId | None = None, limit: int = 100,
        before: str | None = None, bodies: bool = False,
    ) -> list[GatewayLogRecord]:
        c = gateway_logs.c
        mine = [c.account_id == account_id] + ([c.scenario_id == scenario_id] if scenario_id is not None else [])
        query = (sa.select(gateway_logs) if bodies else sa.select(*GATEWAY_SUMMARY)).where(*mine)
        async with self._connect() as conn:
            if before is not None:
                pivot = (await conn.execute(sa.select(c.received_at, c.id).where(*mine, c.id == before))).first()
                if pivot is None:
                    return []
                query = query.where(sa.or_(c.received_at < pivot.received_at,
                                           sa.and_(c.received_at == pivot.received_at, c.id < pivot.id)))
            query = query.order_by(c.received_at.desc(), c.id.desc()).limit(limit)
            rows = (await conn.execute(query)).all()
        return [gateway_log_record(row._mapping) for row in rows]

    async def get_gateway_log(self, account_id: AccountId, log_id: str) -> GatewayLogRecord | None:
        c = gateway_logs.c
        query = sa.select(gateway_logs).where(c.account_id == account_id, c.id == log_id)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else gateway_log_record(row._mapping)

    # webhook intake and the run queue

    async def get_scenario_by_hook(self, hook_token: str) -> ScenarioRecord | None:
        query = sa.select(scenarios).where(scenarios.c.hook_token == hook_token)
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else ScenarioRecord(**row._mapping)

    async def enqueue_executions(self, executions: list[ExecutionRecord]) -> None:
        """As the port says: one executemany INSERT; ``ValueError`` (and nothing stored)
        when an id is taken or a scenario is not its account's."""
        if not executions:
            return
        if self._writer is not None:
            await self._writer.run(sqlite_writes.enqueue_executions, executions)
            return
        async with self._begin("an execution id is taken or a scenario not the account's") as conn:
            await conn.execute(self._enqueue, [vars(execution) for execution in executions])

    async def count_queued(self, scenario_id: ScenarioId) -> int:
        c = executions.c
        query = sa.select(sa.func.count()).where(c.scenario_id == scenario_id, c.status == RunStatus.QUEUED.value)
        async with self._connect() as conn:
            return (await conn.scalar(query)) or 0

    async def list_queued(self, limit: int = 1000) -> list[ExecutionRecord]:
        c = executions.c
        query = (
            sa.select(*EXECUTION_COLUMNS)
            .join(scenarios, sa.and_(scenarios.c.id == c.scenario_id, scenarios.c.account_id == c.account_id))
            .where(c.status == RunStatus.QUEUED.value, scenarios.c.active.is_(True))
            .order_by(c.queue_seq, c.id)
            .limit(limit)
        )
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return [execution_record(row) for row in rows]

    async def requeue_running(self) -> int:
        """As the port says; the runs keep their place in the queue and their start time."""
        running = executions.c.status == RunStatus.RUNNING.value
        called = executions.c.trigger_event == "scenario"
        async with self._begin() as conn:
            await conn.execute(sa.update(executions).where(running, called).values(status=RunStatus.CANCELLED.value))
            stmt = sa.update(executions).where(running, sa.not_(called)).values(status=RunStatus.QUEUED.value)
            return (await conn.execute(stmt)).rowcount

    @property
    def _enqueue(self) -> sa.Insert:
        """The INSERT of executions (every one gets the next queue number), built once."""
        return _ENQUEUE["postgresql" if self._postgres else "sqlite"]

    # retention

    async def purge(self, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
        async with self._begin() as conn:
            return await sql_purge.purge(conn, as_of, windows)


def _own_scenario(account_id: AccountId, scenario_id: ScenarioId) -> sa.ColumnElement[bool]:
    return sa.and_(scenarios.c.account_id == account_id, scenarios.c.id == scenario_id)


def _own_execution(account_id: AccountId, execution_id: ExecutionId) -> sa.ColumnElement[bool]:
    return sa.and_(executions.c.account_id == account_id, executions.c.id == execution_id)


def _sqlite_next_queue_seq() -> sa.ScalarSelect[Any]:
    """One more than the highest queue number in use: one index seek per status
    on ``(status, queue_seq)``; inside the INSERT, so it runs under the write lock."""
    c = executions.c
    statuses: list[sa.ColumnElement[str]] = [sa.literal_column(f"'{status.value}'") for status in RunStatus]
    highest = sa.func.coalesce(sa.func.max(c.queue_seq), sa.literal_column("0"))
    return sa.select(highest + sa.literal_column("1")).where(c.status.in_(statuses)).scalar_subquery()


_ENQUEUE = {
    "postgresql": sa.insert(executions).values(queue_seq=queue_sequence.next_value()),
    "sqlite": sa.insert(executions).values(queue_seq=_sqlite_next_queue_seq()),
}

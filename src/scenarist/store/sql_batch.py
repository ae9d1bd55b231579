"""The scheduler's read and the group commits of ``SqlStore``.

- ``list_active_scenarios`` walks the index on ``scenarios (active,
  created_at, id)``: the active rows only, already in order.
- ``finish_executions`` stores many finished runs in one transaction with a
  fixed number of statements whatever the batch size: one ``SELECT ... FOR
  UPDATE`` that checks the executions and locks them (in id order, so two
  group commits cannot deadlock), one UPDATE executed with a parameter set per
  run, one INSERT of activity batches executed with a parameter set per
  non-empty list. Each batch takes the next ``seq`` of its execution as in
  ``append_activity`` (the highest in use + 1, computed by the INSERT itself,
  so a run listed twice gets two batches in order).
- ``add_gateway_logs``: one INSERT executed with a parameter set per record.

The statements are built once, with named parameters.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from scenarist.store import sqlite_writes
from scenarist.store.codec import encode_activity
from scenarist.store.ports import (
    UNFINISHED,
    ActivityRecord,
    ExecutionRecord,
    GatewayLogRecord,
    ScenarioRecord,
    hour_of,
    usage_of,
)
from scenarist.store.schema import activity_batches, executions, gateway_logs, scenarios, usage_hours
from scenarist.store.sql_base import EXECUTION_MUTABLE, SqlBase, gateway_log_values
from scenarist.types import AccountId, ScenarioId


class SqlBatches(SqlBase):
    async def list_active_scenarios(self) -> list[ScenarioRecord]:
        async with self._connect() as conn:
            rows = (await conn.execute(_ACTIVE_SCENARIOS)).all()
        return [ScenarioRecord(**row._mapping) for row in rows]

    async def finish_executions(self, finished: list[tuple[ExecutionRecord, list[ActivityRecord]]]) -> None:
        """As the port says; the error names the first execution not found."""
        if not finished:
            return
        if self._writer is not None:
            await self._writer.run(sqlite_writes.finish_executions, finished)
            return
        updates = [_finish_values(run) for run, _ in finished]
        batches = [
            {"run_id": run.id, "count": len(records), "data": encode_activity(records)}
            for run, records in finished
            if records
        ]
        lock = (
            sa.select(executions.c.id, executions.c.account_id, executions.c.status)
            .where(executions.c.id.in_(sorted({run.id for run, _ in finished})))
            .order_by(executions.c.id)
            .with_for_update()
        )
        async with self._begin("an execution of the batch is gone") as conn:
            rows = (await conn.execute(lock)).all()
            found = {(row.id, row.account_id) for row in rows}
            missing = [run.id for run, _ in finished if (run.id, run.account_id) not in found]
            if missing:
                raise ValueError(f"no execution {missing[0]} (of {len(missing)} not found)")
            await conn.execute(_FINISH, updates)
            if batches:
                await conn.execute(_APPEND_BATCH, batches)
            usage = usage_of(finished, {row.id for row in rows if row.status in UNFINISHED})
            if usage:
                await conn.execute(self._add_usage(), [
                    {"account_id": a, "scenario_id": s, "hour": h, "operations": n} for (a, s, h), n in usage.items()
                ])

    def _add_usage(self) -> sa.Insert:
        insert = self._insert(usage_hours)
        return insert.on_conflict_do_update(
            index_elements=["account_id", "scenario_id", "hour"],
            set_={"operations": usage_hours.c.operations + insert.excluded.operations},
        )

    async def operations_by_scenario(
        self, account_id: AccountId, since: datetime, until: datetime
    ) -> dict[ScenarioId, int]:
        c = usage_hours.c
        query = (
            sa.select(c.scenario_id, sa.func.sum(c.operations))
            .where(c.account_id == account_id, c.hour >= hour_of(since), c.hour < hour_of(until))
            .group_by(c.scenario_id)
        )
        async with self._connect() as conn:
            rows = (await conn.execute(query)).all()
        return {ScenarioId(row[0]): int(row[1]) for row in rows if row[1]}

    async def mark_running(self, started: list[tuple[str, datetime]]) -> None:
        """As the port says: one executemany conditional UPDATE."""
        if started and self._writer is not None:
            await self._writer.run(sqlite_writes.mark_running, started)
        elif started:
            async with self._begin() as conn:
                await conn.execute(_MARK_RUNNING, [{"run_id": rid, "at": at} for rid, at in started])

    async def add_gateway_logs(self, records: list[GatewayLogRecord]) -> None:
        """As the port says: one executemany INSERT."""
        if not records:
            return
        if self._writer is not None:
            await self._writer.run(sqlite_writes.add_gateway_logs, records)
            return
        async with self._begin("a gateway log id is taken") as conn:
            await conn.execute(sa.insert(gateway_logs), [gateway_log_values(record) for record in records])


_ACTIVE_SCENARIOS = (
    sa.select(scenarios).where(scenarios.c.active == sa.true()).order_by(scenarios.c.created_at, scenarios.c.id)
)

_FINISH = (
    sa.update(executions)
    .where(
        executions.c.id == sa.bindparam("run_id", type_=executions.c.id.type),
        executions.c.account_id == sa.bindparam("run_account_id", type_=executions.c.account_id.type),
    )
    .values({name: sa.bindparam(name, type_=executions.c[name].type) for name in EXECUTION_MUTABLE})
)
"""``update_execution`` with named parameters, for one execution per parameter set."""


def _finish_values(run: ExecutionRecord) -> dict[str, object]:
    """The parameter set of ``_FINISH`` for one execution."""
    mutable = {name: getattr(run, name) for name in EXECUTION_MUTABLE}
    return {"run_id": run.id, "run_account_id": run.account_id} | mutable


def _append_batch() -> sa.Insert:
    """``append_activity``'s INSERT with named parameters ``run_id``, ``count``, ``data``."""
    c = activity_batches.c
    run_id = sa.bindparam("run_id", type_=c.execution_id.type)
    next_seq = sa.select(
        run_id,
        sa.func.coalesce(sa.func.max(c.seq), 0) + 1,
        sa.bindparam("count", type_=c.count.type),
        sa.bindparam("data", type_=c.data.type),
    ).where(c.execution_id == run_id)
    return sa.insert(activity_batches).from_select(["execution_id", "seq", "count", "data"], next_seq)


_APPEND_BATCH = _append_batch()

_MARK_RUNNING = (
    sa.update(executions)
    .where(executions.c.id == sa.bindparam("run_id"), executions.c.status == "queued")
    .values(status="running", started_at=sa.bindparam("at"))
)


"""The scheduler's read and the group commits of ``MemoryStore``.

Same semantics as ``sql_batch.py``. A batch is all or nothing: everything is
checked, encoded and copied (which raises for what the store refuses) before
the first change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from scenarist.store.codec import encode_activity
from scenarist.store.memory_accounts import by_created, copy_record
from scenarist.store.ports import (
    UNFINISHED,
    ActivityRecord,
    ExecutionRecord,
    GatewayLogRecord,
    ScenarioRecord,
    hour_of,
    usage_of,
)
from scenarist.types import AccountId, ExecutionId, RunStatus, ScenarioId


def updated_execution(current: ExecutionRecord, execution: ExecutionRecord) -> ExecutionRecord:
    """``current`` with the mutable fields of ``execution`` (what ``update_execution`` replaces), copied."""
    return copy_record(
        replace(
            current,
            status=RunStatus(execution.status),
            started_at=execution.started_at,
            finished_at=execution.finished_at,
            operations=execution.operations,
            error=execution.error,
            response=execution.response,
            trigger_input=execution.trigger_input,
        )
    )


def gateway_copy(record: GatewayLogRecord) -> GatewayLogRecord:
    copied = copy_record(record)
    return replace(copied, request_headers=[(n, v) for n, v in copied.request_headers])


class MemoryBatches:
    """Stands on the dictionaries of ``MemoryStore``."""

    _scenarios: dict[ScenarioId, ScenarioRecord]
    _executions: dict[ExecutionId, ExecutionRecord]
    _activity: dict[ExecutionId, list[bytes]]
    _gateway_logs: dict[str, GatewayLogRecord]
    _usage: dict[tuple[AccountId, ScenarioId, datetime], int]

    async def list_active_scenarios(self) -> list[ScenarioRecord]:
        active = [s for s in self._scenarios.values() if s.active]
        return [copy_record(s) for s in sorted(active, key=by_created)]

    async def finish_executions(self, finished: list[tuple[ExecutionRecord, list[ActivityRecord]]]) -> None:
        """As the port says; the error names the first execution not found."""
        missing = [run.id for run, _ in finished if not self._has(run)]
        if missing:
            raise ValueError(f"no execution {missing[0]} (of {len(missing)} not found)")
        encoded = [(run, encode_activity(records) if records else None) for run, records in finished]
        updates: dict[ExecutionId, ExecutionRecord] = {}
        for run, _ in finished:  # in order: a run listed twice keeps its last fields
            updates[run.id] = updated_execution(updates.get(run.id) or self._executions[run.id], run)
        unfinished = {run.id for run, _ in finished if self._executions[run.id].status in UNFINISHED}
        for run, blob in encoded:
            if blob is not None:
                self._activity.setdefault(run.id, []).append(blob)
        self._executions.update(updates)
        for key, operations in usage_of(finished, unfinished).items():
            self._usage[key] = self._usage.get(key, 0) + operations

    async def operations_by_scenario(
        self, account_id: AccountId, since: datetime, until: datetime
    ) -> dict[ScenarioId, int]:
        start, end = hour_of(since), hour_of(until)
        totals: dict[ScenarioId, int] = {}
        for (account, scenario, hour), operations in self._usage.items():
            if account == account_id and start <= hour < end:
                totals[scenario] = totals.get(scenario, 0) + operations
        return {scenario: n for scenario, n in totals.items() if n}

    def _has(self, run: ExecutionRecord) -> bool:
        current = self._executions.get(run.id)
        return current is not None and current.account_id == run.account_id

    async def mark_running(self, started: list[tuple[ExecutionId, datetime]]) -> None:
        for run_id, at in started:
            current = self._executions.get(run_id)
            if current is not None and current.status == RunStatus.QUEUED:
                self._executions[run_id] = replace(current, status=RunStatus.RUNNING, started_at=at)

    async def add_gateway_logs(self, records: list[GatewayLogRecord]) -> None:
        """As the port says."""
        ids = [r.id for r in records]
        if len(set(ids)) != len(ids) or any(i in self._gateway_logs for i in ids):
            raise ValueError("a gateway log id is taken")
        copies = [gateway_copy(r) for r in records]
        self._gateway_logs.update((c.id, c) for c in copies)

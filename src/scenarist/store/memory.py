"""``MemoryStore``: the store port in dictionaries, for unit tests.

It keeps the semantics of ``SqlStore`` exactly (same ordering, scoping,
refusals, retention counts) and the same data fidelity: records go in and
come out as copies that went through JSON, times come back in UTC, and
activity batches are kept in their stored encoding. Each execution has a
queue number, as ``queue_seq`` in SQL. Accounts, sessions and tokens are in
``memory_accounts.py``; the scheduler's read and the group commits in
``memory_batch.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from scenarist.store import export
from scenarist.store.codec import copy_json, decode_activity, encode_activity, utc
from scenarist.store.memory_accounts import MemoryAccounts, own, own_oldest_first, without
from scenarist.store.memory_accounts import by_created as _by_created
from scenarist.store.memory_accounts import copy_record as _copy
from scenarist.store.memory_batch import MemoryBatches, updated_execution
from scenarist.store.memory_batch import gateway_copy as _gateway_copy
from scenarist.store.memory_connections import MemoryConnections
from scenarist.store.memory_datastores import MemoryDataStores
from scenarist.store.memory_mail import MemoryMail
from scenarist.store.ports import (
    USAGE_KEPT_DAYS,
    VERSIONS_KEPT_DAYS,
    ActivityRecord,
    ConnectionRecord,
    DataRecord,
    DataStoreRecord,
    ExecutionRecord,
    GatewayLogRecord,
    IncompleteRecord,
    NotificationRecord,
    RetentionWindows,
    ScenarioRecord,
    ScenarioVersion,
)
from scenarist.types import JSON, AccountId, ExecutionId, RunStatus, ScenarioId


class MemoryStore(MemoryBatches, MemoryConnections, MemoryDataStores, MemoryMail, MemoryAccounts):
    """The ``Store`` port in memory; nothing survives the object."""

    def __init__(self) -> None:
        super().__init__()
        self._scenarios: dict[ScenarioId, ScenarioRecord] = {}
        self._executions: dict[ExecutionId, ExecutionRecord] = {}
        self._activity: dict[ExecutionId, list[bytes]] = {}
        self._incomplete: dict[str, IncompleteRecord] = {}
        self._notifications: dict[str, NotificationRecord] = {}
        self._state: dict[tuple[ScenarioId, str], JSON] = {}
        self._gateway_logs: dict[str, GatewayLogRecord] = {}
        self._connections: dict[str, ConnectionRecord] = {}
        self._data_stores: dict[str, DataStoreRecord] = {}
        self._data_records: dict[str, dict[str, DataRecord]] = {}
        self._queue_seq: dict[ExecutionId, int] = {}
        self._usage: dict[tuple[AccountId, ScenarioId, datetime], int] = {}
        self._versions: dict[ScenarioId, list[ScenarioVersion]] = {}
        """Each execution's queue number (``SqlStore``'s ``queue_seq``)."""
        self._last_seq = 0

    async def close(self) -> None:
        """Nothing to release."""

    # scenarios

    def _scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> ScenarioRecord | None:
        scenario = self._scenarios.get(scenario_id)
        return scenario if scenario is not None and scenario.account_id == account_id else None

    async def put_scenario(self, scenario: ScenarioRecord) -> None:
        current = self._scenarios.get(scenario.id)
        hook_taken = scenario.hook_token is not None and any(
            s.hook_token == scenario.hook_token and s.id != scenario.id for s in self._scenarios.values()
        )
        if hook_taken or (current is not None and current.account_id != scenario.account_id):
            raise ValueError(f"scenario {scenario.id} belongs to another account, or its hook token is taken")
        self._scenarios[scenario.id] = _copy(scenario)

    async def get_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> ScenarioRecord | None:
        scenario = self._scenario(account_id, scenario_id)
        return None if scenario is None else _copy(scenario)

    async def list_scenarios(self, account_id: AccountId) -> list[ScenarioRecord]:
        own = [s for s in self._scenarios.values() if s.account_id == account_id]
        return [_copy(s) for s in sorted(own, key=_by_created)]

    async def add_scenario_version(self, scenario: ScenarioRecord) -> ScenarioVersion:
        if self._scenario(scenario.account_id, scenario.id) is None:
            raise ValueError(f"no scenario {scenario.id} in account {scenario.account_id}")
        versions = self._versions.setdefault(scenario.id, [])
        n = versions[-1].n + 1 if versions else 1
        versions.append(ScenarioVersion(scenario.id, n, scenario.updated_at, copy_json(scenario.definition)))
        return _copy(versions[-1])

    async def list_scenario_versions(
        self, account_id: AccountId, scenario_id: ScenarioId, *, before: int | None = None, limit: int = 100
    ) -> list[ScenarioVersion]:
        if self._scenario(account_id, scenario_id) is None:
            return []
        newest_first = [v for v in reversed(self._versions.get(scenario_id, [])) if before is None or v.n < before]
        return [_copy(v) for v in newest_first[:limit]]

    async def get_scenario_version(
        self, account_id: AccountId, scenario_id: ScenarioId, n: int
    ) -> ScenarioVersion | None:
        if self._scenario(account_id, scenario_id) is None:
            return None
        found = [v for v in self._versions.get(scenario_id, []) if v.n == n]
        return _copy(found[0]) if found else None

    async def delete_scenario(self, account_id: AccountId, scenario_id: ScenarioId) -> bool:
        if self._scenario(account_id, scenario_id) is None:
            return False
        self._versions.pop(scenario_id, None)
        runs = [e.id for e in self._executions.values() if e.scenario_id == scenario_id]
        self._forget_executions(runs)
        self._state = {k: v for k, v in self._state.items() if k[0] != scenario_id}
        self._gateway_logs = {k: g for k, g in self._gateway_logs.items() if g.scenario_id != scenario_id}
        del self._scenarios[scenario_id]
        return True

    def _forget_executions(self, execution_ids: list[ExecutionId]) -> None:
        gone = set(execution_ids)
        for execution_id in gone:
            self._executions.pop(execution_id, None)
            self._activity.pop(execution_id, None)
            self._queue_seq.pop(execution_id, None)
        self._incomplete = {k: r for k, r in self._incomplete.items() if r.execution_id not in gone}

    async def set_scenario_active(self, account_id: AccountId, scenario_id: ScenarioId, active: bool) -> bool:
        scenario = self._scenario(account_id, scenario_id)
        if scenario is None:
            return False
        self._scenarios[scenario_id] = replace(scenario, active=active)
        return True

    async def record_run_outcome(self, account_id: AccountId, scenario_id: ScenarioId, failed: bool) -> int:
        """As the port says; 0 for a scenario the account does not have."""
        scenario = self._scenario(account_id, scenario_id)
        if scenario is None:
            return 0
        count = scenario.consecutive_errors + 1 if failed else 0
        self._scenarios[scenario_id] = replace(scenario, consecutive_errors=count)
        return count

    # executions

    async def create_execution(self, execution: ExecutionRecord) -> None:
        if execution.id in self._executions or (self._scenario(execution.account_id, execution.scenario_id) is None):
            raise ValueError(f"execution {execution.id}: id taken or scenario not the account's")
        self._insert_execution(execution)

    def _insert_execution(self, execution: ExecutionRecord) -> None:
        self._executions[execution.id] = _copy(replace(execution, status=RunStatus(execution.status)))
        self._last_seq += 1
        self._queue_seq[execution.id] = self._last_seq

    async def update_execution(self, execution: ExecutionRecord) -> None:
        current = self._own_execution(execution.account_id, execution.id)
        if current is None:
            return
        self._executions[execution.id] = updated_execution(current, execution)

    async def claim_execution(self, execution_id: ExecutionId, started_at: datetime) -> bool:
        execution = self._executions.get(execution_id)
        if execution is None or execution.status != RunStatus.QUEUED:
            return False
        self._executions[execution_id] = replace(execution, status=RunStatus.RUNNING, started_at=utc(started_at))
        return True

    def _own_execution(self, account_id: AccountId, execution_id: ExecutionId) -> ExecutionRecord | None:
        execution = self._executions.get(execution_id)
        return execution if execution is not None and execution.account_id == account_id else None

    async def get_execution(self, account_id: AccountId, execution_id: ExecutionId) -> ExecutionRecord | None:
        execution = self._own_execution(account_id, execution_id)
        return None if execution is None else _copy(execution)

    async def list_executions(
        self,
        account_id: AccountId,
        scenario_id: ScenarioId,
        *,
        status: RunStatus | None = None,
        limit: int = 100,
        before: ExecutionId | None = None,
    ) -> list[ExecutionRecord]:
        runs = [e for e in self._executions.values() if e.account_id == account_id and e.scenario_id == scenario_id]
        if before is not None:
            pivot = next((e for e in runs if e.id == before), None)
            if pivot is None:
                return []
            runs = [e for e in runs if _by_created(e) < _by_created(pivot)]
        if status is not None:
            runs = [e for e in runs if e.status == status]
        runs.sort(key=_by_created, reverse=True)
        return [_copy(e) for e in runs[:limit]]

    # activity stream

    async def append_activity(self, execution_id: ExecutionId, records: list[ActivityRecord]) -> None:
        if not records:
            return
        if execution_id not in self._executions:
            raise ValueError(f"no execution {execution_id}")
        self._activity.setdefault(execution_id, []).append(encode_activity(records))

    async def get_activity(self, account_id: AccountId, execution_id: ExecutionId) -> list[ActivityRecord]:
        if self._own_execution(account_id, execution_id) is None:
            return []
        batches = self._activity.get(execution_id, [])
        return [record for blob in batches for record in decode_activity(blob)]

    # incomplete executions

    async def put_incomplete(self, record: IncompleteRecord) -> None:
        current = self._incomplete.get(record.id)
        if self._own_execution(record.account_id, record.execution_id) is None or (
            current is not None and current.account_id != record.account_id
        ):
            raise ValueError(f"incomplete {record.id}: execution not the account's or id taken")
        self._incomplete[record.id] = _copy(record)

    async def get_incomplete(self, account_id: AccountId, incomplete_id: str) -> IncompleteRecord | None:
        record = self._incomplete.get(incomplete_id)
        if record is None or record.account_id != account_id:
            return None
        return _copy(record)

    async def list_incomplete(
        self, account_id: AccountId, scenario_id: ScenarioId | None = None
    ) -> list[IncompleteRecord]:
        own = [
            r for r in self._incomplete.values() if r.account_id == account_id and scenario_id in (None, r.scenario_id)
        ]
        return [_copy(r) for r in sorted(own, key=_by_created)]

    async def due_incomplete(self, now: datetime, limit: int = 100) -> list[IncompleteRecord]:
        now = utc(now)
        due = [r for r in self._incomplete.values() if r.next_retry_at is not None and r.next_retry_at <= now]
        due.sort(key=lambda r: (r.next_retry_at, r.id))
        return [_copy(r) for r in due[:limit]]

    async def delete_incomplete(self, account_id: AccountId, incomplete_id: str) -> bool:
        if await self.get_incomplete(account_id, incomplete_id) is None:
            return False
        del self._incomplete[incomplete_id]
        return True

    async def resolve_incomplete(self, account_id: AccountId, incomplete_id: str, resolved_by: ExecutionId) -> bool:
        record = await self.get_incomplete(account_id, incomplete_id)
        if record is None:
            return False
        del self._incomplete[incomplete_id]
        waiting = {r.execution_id for r in self._incomplete.values()}
        for execution in list(self._executions.values()):
            if (execution.account_id == account_id and execution.status == RunStatus.INCOMPLETE
                    and execution.id not in waiting
                    and (execution.id == record.execution_id or execution.retry_of == incomplete_id)):
                self._executions[execution.id] = replace(execution, status=RunStatus.SUCCESS, resolved_by=resolved_by)
        return True

    # notifications

    async def add_notification(self, record: NotificationRecord) -> None:
        if record.id in self._notifications:
            raise ValueError(f"notification id {record.id} taken")
        self._notifications[record.id] = _copy(record)

    async def list_notifications(self, account_id: AccountId) -> list[NotificationRecord]:
        own = [n for n in self._notifications.values() if n.account_id == account_id]
        return [_copy(n) for n in sorted(own, key=_by_created, reverse=True)]

    async def mark_notification_read(self, account_id: AccountId, notification_id: str, read_at: datetime) -> bool:
        found = self._notifications.get(notification_id)
        if found is None or found.account_id != account_id:
            return False
        if found.read_at is None:
            self._notifications[notification_id] = replace(found, read_at=utc(read_at))
        return True

    # per-scenario state

    async def get_state(self, scenario_id: ScenarioId, key: str) -> JSON:
        return copy_json(self._state.get((scenario_id, key)))

    async def set_state(self, scenario_id: ScenarioId, key: str, value: JSON) -> None:
        """Setting None removes the key."""
        if value is None:
            self._state.pop((scenario_id, key), None)
        else:
            self._state[(scenario_id, key)] = copy_json(value)

    # webhook gateway log

    async def add_gateway_log(self, record: GatewayLogRecord) -> None:
        if record.id in self._gateway_logs:
            raise ValueError(f"gateway log id {record.id} taken")
        self._gateway_logs[record.id] = _gateway_copy(record)

    async def list_gateway_logs(
        self, account_id: AccountId, *, scenario_id: ScenarioId | None = None, limit: int = 100,
        before: str | None = None, bodies: bool = False,
    ) -> list[GatewayLogRecord]:
        own = [
            g
            for g in self._gateway_logs.values()
            if g.account_id == account_id and scenario_id in (None, g.scenario_id)
        ]
        own.sort(key=lambda g: (g.received_at, g.id), reverse=True)
        if before is not None:
            pivot = next((g for g in own if g.id == before), None)
            if pivot is None:
                return []
            own = [g for g in own if (g.received_at, g.id) < (pivot.received_at, pivot.id)]
        copies = [_gateway_copy(g) for g in own[:limit]]
        return copies if bodies else [replace(g, request_body=None, response_body=None) for g in copies]

    async def get_gateway_log(self, account_id: AccountId, log_id: str) -> GatewayLogRecord | None:
        record = self._gateway_logs.get(log_id)
        if record is None or record.account_id != account_id:
            return None
        return _gateway_copy(record)

    # webhook intake and the run queue

    async def get_scenario_by_hook(self, hook_token: str) -> ScenarioRecord | None:
        found = next((s for s in self._scenarios.values() if s.hook_token == hook_token), None)
        return None if found is None else _copy(found)

    async def enqueue_executions(self, executions: list[ExecutionRecord]) -> None:
        """As the port says; ``ValueError`` (and nothing stored) when an id is taken
        or a scenario is not its account's."""
        ids = [e.id for e in executions]
        if (
            len(set(ids)) != len(ids)
            or any(i in self._executions for i in ids)
            or any(self._scenario(e.account_id, e.scenario_id) is None for e in executions)
        ):
            raise ValueError("an execution id is taken or a scenario not the account's")
        for execution in executions:
            self._insert_execution(execution)

    async def count_queued(self, scenario_id: ScenarioId) -> int:
        return sum(
            1 for e in self._executions.values() if e.scenario_id == scenario_id and e.status == RunStatus.QUEUED
        )

    async def list_queued(self, limit: int = 1000) -> list[ExecutionRecord]:
        queued = [
            e
            for e in self._executions.values()
            if e.status == RunStatus.QUEUED and self._scenarios[e.scenario_id].active
        ]
        queued.sort(key=lambda e: (self._queue_seq[e.id], e.id))
        return [_copy(e) for e in queued[:limit]]

    async def requeue_running(self) -> int:
        """As the port says; the runs keep their place in the queue and their start time."""
        running = [e for e in self._executions.values() if e.status == RunStatus.RUNNING]
        called = [e for e in running if e.trigger_event == "scenario"]
        for execution in running:
            status = RunStatus.CANCELLED if execution in called else RunStatus.QUEUED
            self._executions[execution.id] = replace(execution, status=status)
        return len(running) - len(called)

    async def delete_account(self, account_id: AccountId) -> bool:
        """As the port says; False when nothing of the account was there."""
        before = self._row_count()
        scenario_ids = {s.id for s in self._scenarios.values() if s.account_id == account_id}
        self._forget_executions([e.id for e in self._executions.values() if e.account_id == account_id])
        self._incomplete = without(self._incomplete, account_id)
        self._state = {k: v for k, v in self._state.items() if k[0] not in scenario_ids}
        self._versions = {k: v for k, v in self._versions.items() if k not in scenario_ids}
        self._scenarios = without(self._scenarios, account_id)
        self._notifications = without(self._notifications, account_id)
        self._gateway_logs = without(self._gateway_logs, account_id)
        self._usage = {key: n for key, n in self._usage.items() if key[0] != account_id}
        self._sessions = without(self._sessions, account_id)
        self._tokens = without(self._tokens, account_id)
        self._proven.discard(account_id)
        self._connections = without(self._connections, account_id)
        self._forget_data_stores(account_id)
        self._forget_mail(account_id)
        self._accounts.pop(account_id, None)
        return self._row_count() < before

    def _row_count(self) -> int:
        tables: list[dict[Any, Any]] = [
            self._scenarios,
            self._executions,
            self._incomplete,
            self._notifications,
            self._state,
            self._gateway_logs,
            self._usage,
            self._versions,
            self._accounts,
            self._sessions,
            self._tokens,
            self._connections,
            self._data_stores,
            self._mails,
            self._links,
        ]
        nested = [*self._activity.values(), *self._data_records.values()]
        return sum(map(len, tables)) + sum(map(len, nested))

    async def export_account(self, account_id: AccountId) -> dict[str, Any]:
        runs = sorted((e for e in self._executions.values() if e.account_id == account_id), key=_by_created)
        data = export.AccountData(
            account=await self.get_account(account_id),
            scenarios=await self.list_scenarios(account_id),
            executions=[(_copy(e), await self.get_activity(account_id, e.id)) for e in runs],
            incomplete=await self.list_incomplete(account_id),
            notifications=own_oldest_first(self._notifications, account_id),
            tokens=await self.list_tokens(account_id),
            sessions=sorted(own(self._sessions, account_id), key=lambda s: (s.created_at, s.id_hash)),
            gateway_logs=[
                replace(_gateway_copy(g), request_body=None, response_body=None)
                for g in sorted(own(self._gateway_logs, account_id), key=lambda g: (g.received_at, g.id))
            ],
            connections=await self.list_connections(account_id),
            data_stores=self._data_stores_with_records(account_id),
            versions=[_copy(v) for s in sorted(self._versions) for v in self._versions[s]
                      if (found := self._scenarios.get(s)) is not None and found.account_id == account_id],
        )
        return export.export(data)

    # retention

    async def purge(self, as_of: datetime, windows: RetentionWindows) -> dict[str, int]:
        as_of = utc(as_of)

        def cutoff(days: int) -> datetime:
            return as_of - timedelta(days=days)

        return {
            "notifications": _drop_before(self._notifications, "created_at", cutoff(windows.notifications_days)),
            "incomplete": _drop_before(self._incomplete, "created_at", cutoff(windows.incomplete_days)),
            "gateway_logs": _drop_before(self._gateway_logs, "received_at", cutoff(windows.gateway_logs_days)),
            "activity": self._purge_activity(cutoff(windows.activity_days)),
            "runs": self._purge_runs(cutoff(windows.runs_days)),
            "usage": self._purge_usage(cutoff(USAGE_KEPT_DAYS)),
            "versions": self._purge_versions(cutoff(VERSIONS_KEPT_DAYS)),
        }

    def _purge_versions(self, cutoff: datetime) -> int:
        deleted = 0
        for scenario_id, versions in self._versions.items():
            kept = [v for v in versions[:-1] if v.saved_at >= cutoff] + versions[-1:]
            deleted += len(versions) - len(kept)
            self._versions[scenario_id] = kept
        return deleted

    def _purge_usage(self, cutoff: datetime) -> int:
        old = [key for key in self._usage if key[2] < cutoff]
        for key in old:
            del self._usage[key]
        return len(old)

    def _purge_activity(self, cutoff: datetime) -> int:
        deleted = 0
        for execution in list(self._executions.values()):
            if execution.created_at < cutoff:
                deleted += len(self._activity.pop(execution.id, []))
                self._executions[execution.id] = replace(execution, trigger_input=None)
        return deleted

    def _purge_runs(self, cutoff: datetime) -> int:
        old = [e.id for e in self._executions.values() if (e.finished_at or e.created_at) < cutoff]
        self._forget_executions(old)
        return len(old)


def _drop_before(records: dict[str, Any], time_field: str, cutoff: datetime) -> int:
    old = [key for key, record in records.items() if getattr(record, time_field) < cutoff]
    for key in old:
        del records[key]
    return len(old)

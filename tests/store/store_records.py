"""Records for the store tests: valid defaults, override what a test is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scenarist.store.ports import (
    ActivityRecord,
    ExecutionRecord,
    GatewayLogRecord,
    IncompleteRecord,
    NotificationRecord,
    ScenarioRecord,
    Store,
)
from scenarist.types import RunStatus, new_id

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
A, B = "account-a", "account-b"


def scenario(account: str = A, *, at: datetime = T0, **kw: object) -> ScenarioRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account,
        "name": "Orders",
        "definition": {"trigger": {"id": "hook"}, "flow": [{"id": "a", "params": {"n": 1}}]},
        "active": False,
        "created_at": at,
        "updated_at": at,
    }
    return ScenarioRecord(**(values | kw))  # type: ignore[arg-type]


def execution(parent: ScenarioRecord, *, at: datetime = T0, **kw: object) -> ExecutionRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": parent.account_id,
        "scenario_id": parent.id,
        "status": RunStatus.QUEUED,
        "created_at": at,
    }
    return ExecutionRecord(**(values | kw))  # type: ignore[arg-type]


def activity(bundle: int = 1, *, at: datetime = T0, **kw: object) -> ActivityRecord:
    values: dict[str, object] = {
        "step": "shape",
        "module": "tools.set_variables",
        "bundle": bundle,
        "status": "success",
        "started_at": at,
        "duration_ms": 1.25,
        "input": {"n": bundle},
        "output": {"n": bundle * 2},
    }
    return ActivityRecord(**(values | kw))  # type: ignore[arg-type]


def incomplete(run: ExecutionRecord, *, at: datetime = T0, **kw: object) -> IncompleteRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": run.account_id,
        "execution_id": run.id,
        "scenario_id": run.scenario_id,
        "step": "post",
        "error": {"type": "ConnectionError", "message": "refused"},
        "state": b"\x00resume\xff",
        "created_at": at,
    }
    return IncompleteRecord(**(values | kw))  # type: ignore[arg-type]


def notification(account: str = A, *, at: datetime = T0, **kw: object) -> NotificationRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account,
        "kind": "scenario_deactivated",
        "message": "Orders was deactivated",
        "created_at": at,
    }
    return NotificationRecord(**(values | kw))  # type: ignore[arg-type]


def gateway_log(account: str = A, *, at: datetime = T0, **kw: object) -> GatewayLogRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account,
        "hook": "tok-123",
        "method": "POST",
        "path": "/hooks/tok-123",
        "status": 200,
        "received_at": at,
        "duration_ms": 3.5,
        "request_headers": [("content-type", "application/json"), ("x-a", "1"), ("x-a", "2")],
        "request_body": b'{"id": 1}',
        "response_body": b"Accepted",
    }
    return GatewayLogRecord(**(values | kw))  # type: ignore[arg-type]


async def stored_scenario(store: Store, account: str = A, **kw: object) -> ScenarioRecord:
    record = scenario(account, **kw)
    await store.put_scenario(record)
    return record


async def stored_execution(store: Store, parent: ScenarioRecord, **kw: object) -> ExecutionRecord:
    record = execution(parent, **kw)
    await store.create_execution(record)
    return record

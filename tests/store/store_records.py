"""Records for the store tests: valid defaults, override what a test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scenarist.store.ports import (
    AccountRecord,
    ActivityRecord,
    ConnectionRecord,
    DataStoreRecord,
    EmailLinkRecord,
    ExecutionRecord,
    GatewayLogRecord,
    IncompleteRecord,
    MailRecord,
    NotificationRecord,
    RecordChange,
    ScenarioRecord,
    SessionRecord,
    Store,
    TokenRecord,
)
from scenarist.types import RunStatus, new_id

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
A, B = "account-a", "account-b"
CANARY = "canary-3b91-personal"


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


def webhook_runs(parent: ScenarioRecord, count: int, first: int = 0) -> list[ExecutionRecord]:
    """``count`` queued webhook runs of ``parent``, all at T0 (one group commit)."""
    return [
        execution(parent, trigger_event="webhook", trigger_input={"body": {"n": first + i}, "method": "POST"})
        for i in range(count)
    ]


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


def account(account_id: str = A, *, at: datetime = T0, **kw: object) -> AccountRecord:
    values: dict[str, object] = {
        "id": account_id,
        "email": f"{account_id}@Example.com",
        "password_hash": f"$argon2id$v=19$m=65536,t=3,p=4$hash-of-{account_id}",
        "created_at": at,
    }
    return AccountRecord(**(values | kw))  # type: ignore[arg-type]


def session(account_id: str = A, *, at: datetime = T0, **kw: object) -> SessionRecord:
    values: dict[str, object] = {
        "id_hash": new_id() + new_id(),
        "account_id": account_id,
        "csrf_token": "csrf-" + new_id(),
        "created_at": at,
        "last_seen_at": at,
    }
    return SessionRecord(**(values | kw))  # type: ignore[arg-type]


def token(account_id: str = A, *, at: datetime = T0, **kw: object) -> TokenRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account_id,
        "name": "deploy script",
        "token_hash": new_id() + new_id(),
        "created_at": at,
    }
    return TokenRecord(**(values | kw))  # type: ignore[arg-type]


def connection(account_id: str = A, *, at: datetime = T0, **kw: object) -> ConnectionRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account_id,
        "type": "http.bearer",
        "name": f"Billing API of {account_id}",
        "fields": {"base": "https://api.example.com"},
        "secrets": b"S1\x02k1" + bytes(range(40)),
        "key_id": "k1",
        "created_at": at,
        "updated_at": at,
    }
    return ConnectionRecord(**(values | kw))  # type: ignore[arg-type]


def data_store(account_id: str = A, *, at: datetime = T0, **kw: object) -> DataStoreRecord:
    values: dict[str, object] = {
        "id": new_id(),
        "account_id": account_id,
        "name": f"Customers of {account_id}",
        "structure": [{"name": "email", "type": "text", "required": True}, {"name": "spent", "type": "number"}],
        "max_records": 1000,
        "max_bytes": 1_000_000,
        "created_at": at,
        "updated_at": at,
    }
    return DataStoreRecord(**(values | kw))  # type: ignore[arg-type]


def put(data: dict[str, object]) -> RecordChange:
    """A record change that writes ``data`` whatever is there."""
    return lambda _store, _current: dict(data)


async def stored_data_store(store: Store, account_id: str = A, **kw: object) -> DataStoreRecord:
    record = data_store(account_id, **kw)
    await store.create_data_store(record)
    return record


async def stored_account(store: Store, account_id: str = A, **kw: object) -> AccountRecord:
    record = account(account_id, **kw)
    assert await store.create_account(record) is True
    return record


async def stored_scenario(store: Store, account: str = A, **kw: object) -> ScenarioRecord:
    record = scenario(account, **kw)
    await store.put_scenario(record)
    return record


async def stored_execution(store: Store, parent: ScenarioRecord, **kw: object) -> ExecutionRecord:
    record = execution(parent, **kw)
    await store.create_execution(record)
    return record


async def populate(store: Store, account_id: str) -> ScenarioRecord:
    """An account with a row of every kind, ``CANARY`` in its personal data; its scenario."""
    await stored_account(store, account_id)
    parent = await stored_scenario(store, account_id, name=f"{CANARY} {account_id}", hook_token=f"hook-{account_id}")
    await store.add_scenario_version(parent)
    run = await stored_execution(store, parent, status=RunStatus.ERROR, trigger_input={"body": CANARY})
    await store.append_activity(run.id, [activity(input={"note": CANARY}), activity(2)])
    await store.put_incomplete(incomplete(run, next_retry_at=T0))
    await store.add_notification(notification(account_id, scenario_id=parent.id, message=CANARY))
    await store.set_state(parent.id, "cursor", {"after": CANARY})
    await store.add_gateway_log(gateway_log(account_id, scenario_id=parent.id, request_body=CANARY.encode()))
    await store.add_gateway_log(gateway_log(account_id, scenario_id=None))
    await store.create_session(session(account_id))
    await store.create_token(token(account_id))
    await store.put_connection(connection(account_id))
    customers = await stored_data_store(store, account_id)
    await store.write_data_record(account_id, customers.id, "ada", put({"email": CANARY, "spent": 1}), T0)
    await store.enqueue_executions([execution(parent, trigger_event="webhook", trigger_input={"body": CANARY})])
    done = await stored_execution(store, parent)  # a finished run: its operations are counted (usage_hours)
    await store.finish_executions([(replace(done, status=RunStatus.SUCCESS, finished_at=T0, operations=2), [])])
    await store.enqueue_mails([MailRecord(id=f"mail-{account_id}", sealed=b"sealed", created_at=T0,
                                          next_attempt_at=T0, account_id=account_id)])
    await store.create_email_link(
        EmailLinkRecord(token_hash=f"link-{account_id}", email=f"{account_id}@example.com", created_at=T0,
                        expires_at=T0 + timedelta(minutes=15)),
        MailRecord(id=f"link-mail-{account_id}", sealed=b"sealed", created_at=T0, next_attempt_at=T0))
    return parent

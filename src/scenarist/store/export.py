"""An account's data as JSON-ready values (``Store.export_account``), for both stores.

The stores load the records; this module decides what leaves. Secrets stay
out: the password hash, session id hashes and CSRF tokens, API token hashes,
the resume state of incomplete executions, gateway request and response
bodies, the sealed secrets of connections and their key ids. Times become
ISO 8601 strings, enums their values, tuples lists.

Fields are named as the API names them (``max_size_bytes`` of a data store,
``headers`` of a gateway log entry), and no record repeats the account's id.
A scenario's ``hook_token`` is left for the API to turn into its
``webhook_url`` (the store does not know the public URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import Any

from scenarist.store.codec import copy_json
from scenarist.store.ports import (
    AccountRecord,
    ActivityRecord,
    ConnectionRecord,
    DataRecord,
    DataStoreRecord,
    ExecutionRecord,
    GatewayLogRecord,
    IncompleteRecord,
    NotificationRecord,
    ScenarioRecord,
    ScenarioVersion,
    SessionRecord,
    TokenRecord,
)

_HIDDEN: dict[type, frozenset[str]] = {
    AccountRecord: frozenset({"password_hash"}),
    IncompleteRecord: frozenset({"state"}),
    TokenRecord: frozenset({"token_hash"}),
    SessionRecord: frozenset({"id_hash", "csrf_token"}),
    GatewayLogRecord: frozenset({"request_body", "response_body"}),
    ConnectionRecord: frozenset({"secrets", "key_id"}),
    DataRecord: frozenset({"store_id"}),
}
"""Besides ``account_id``, which no record but the account shows (the API never does)."""
_RENAMED: dict[type, dict[str, str]] = {
    DataStoreRecord: {"max_bytes": "max_size_bytes"},
    GatewayLogRecord: {"request_headers": "headers"},
}
"""Record field to the API's name for it."""


@dataclass(frozen=True)
class AccountData:
    """Everything of one account, as the store loaded it (each list in store order)."""

    account: AccountRecord | None
    scenarios: list[ScenarioRecord]
    executions: list[tuple[ExecutionRecord, list[ActivityRecord]]]
    incomplete: list[IncompleteRecord]
    notifications: list[NotificationRecord]
    tokens: list[TokenRecord]
    sessions: list[SessionRecord]
    gateway_logs: list[GatewayLogRecord]
    connections: list[ConnectionRecord] = field(default_factory=list)
    data_stores: list[tuple[DataStoreRecord, list[DataRecord]]] = field(default_factory=list)
    """Each store with its records, by key."""
    versions: list[ScenarioVersion] = field(default_factory=list)
    """By scenario, then number."""


def export(data: AccountData) -> dict[str, Any]:
    """The export document of ``data``."""
    return {
        "account": None if data.account is None else plain(data.account) | {
            "has_password": data.account.password_hash is not None},
        "scenarios": [plain(s) | {"versions": [plain(v) for v in data.versions if v.scenario_id == s.id]}
                      for s in data.scenarios],
        "executions": [plain(e) | {"log": [plain(r) for r in log]} for e, log in data.executions],
        "incomplete_executions": [plain(i) for i in data.incomplete],
        "notifications": [plain(n) | {"unread": n.read_at is None} for n in data.notifications],
        "tokens": [plain(t) for t in data.tokens],
        "sessions": [plain(s) for s in data.sessions],
        "gateway_logs": [plain(g) for g in data.gateway_logs],
        "connections": [plain(c) for c in data.connections],
        "data_stores": [plain(s) | {"records": [plain(r) for r in records]} for s, records in data.data_stores],
    }


def plain(record: Any) -> dict[str, Any]:
    """The fields of ``record`` that may leave, as JSON-ready values."""
    hidden = _HIDDEN.get(type(record), frozenset()) | {"account_id"}
    names = _RENAMED.get(type(record), {})
    return {names.get(f.name, f.name): _value(getattr(record, f.name)) for f in fields(record) if f.name not in hidden}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        raise TypeError("bytes in an export: a secret or body was not hidden")
    return copy_json(value)

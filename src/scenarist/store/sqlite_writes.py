"""The hot writes of ``SqlStore`` on SQLite, as jobs for ``SqliteWriter``: plain SQL on ``sqlite3``.

Each job does what its port method says (``enqueue_executions``,
``mark_running``, ``finish_executions``, ``append_activity``,
``add_gateway_logs``), with the statements written out once and bound
positionally, so that no SQLAlchemy statement is compiled, nor any row
processed by it, on the webhook path. The values are stored exactly as the
SQLAlchemy columns store them (``schema.py``), since the other queries read
them back through SQLAlchemy:

- times as naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's SQLite
  ``DATETIME``), an aware time required (``codec.utc``);
- JSON as compact text (``codec.dump_json``), None as NULL;
- booleans as 0 or 1; bodies and activity batches packed (``codec``).

A refused write (a taken id, a missing or foreign parent) raises ``ValueError``
with the same message as the SQLAlchemy path; the writer rolls that job back alone.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from scenarist.store.codec import dump_json, encode_activity, pack_bytes, utc
from scenarist.store.ports import UNFINISHED, ActivityRecord, ExecutionRecord, GatewayLogRecord, usage_of
from scenarist.types import RunStatus

Finished = list[tuple[ExecutionRecord, list[ActivityRecord]]]

_STATUSES = ", ".join(f"'{status.value}'" for status in RunStatus)
_NEXT_QUEUE_SEQ = f"SELECT coalesce(max(queue_seq), 0) + 1 FROM executions WHERE status IN ({_STATUSES})"  # noqa: S608
_ENQUEUE = (
    "INSERT INTO executions (id, account_id, scenario_id, status, created_at, started_at, finished_at, operations, "
    "error, confidential, response, trigger_input, trigger_event, resolved_by, retry_of, queue_seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (" + _NEXT_QUEUE_SEQ + "))"
)
"""Every execution gets the next queue number (as ``SqlStore``'s INSERT: one index seek per status)."""
_MARK_RUNNING = "UPDATE executions SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'"
_EXECUTION_STATE = "SELECT account_id, status FROM executions WHERE id = ?"
_FINISH = (
    "UPDATE executions SET status = ?, started_at = ?, finished_at = ?, operations = ?, error = ?, response = ?, "
    "trigger_input = ? WHERE id = ? AND account_id = ?"
)
"""``EXECUTION_MUTABLE`` replaced, for one execution of its account."""
_APPEND_BATCH = (
    "INSERT INTO activity_batches (execution_id, seq, count, data) "
    "SELECT ?, coalesce(max(seq), 0) + 1, ?, ? FROM activity_batches WHERE execution_id = ?"
)
"""The next ``seq`` of the execution, computed by the INSERT itself."""
_ADD_USAGE = (
    "INSERT INTO usage_hours (account_id, scenario_id, hour, operations) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (account_id, scenario_id, hour) "
    "DO UPDATE SET operations = usage_hours.operations + excluded.operations"
)
_EXECUTION_EXISTS = "SELECT 1 FROM executions WHERE id = ?"
_ADD_GATEWAY_LOG = (
    "INSERT INTO gateway_logs (id, account_id, scenario_id, hook, method, path, status, request_headers, "
    "request_body, response_body, received_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def sqlite_time(when: datetime | None) -> str | None:
    """``when`` as SQLAlchemy's SQLite ``DATETIME`` stores an aware UTC time."""
    if when is None:
        return None
    t = utc(when)
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}:{t.second:02d}."
            f"{t.microsecond:06d}")


def _json(value: Any) -> str | None:
    return None if value is None else dump_json(value)


def enqueue_executions(db: sqlite3.Connection, runs: list[ExecutionRecord]) -> None:
    rows = [
        (r.id, r.account_id, r.scenario_id, str(r.status), sqlite_time(r.created_at), sqlite_time(r.started_at),
         sqlite_time(r.finished_at), r.operations, _json(r.error), int(r.confidential), _json(r.response),
         _json(r.trigger_input), r.trigger_event, r.resolved_by, r.retry_of)
        for r in runs
    ]
    try:
        db.executemany(_ENQUEUE, rows)
    except sqlite3.IntegrityError as exc:
        raise ValueError("an execution id is taken or a scenario not the account's") from exc


def mark_running(db: sqlite3.Connection, started: list[tuple[str, datetime]]) -> None:
    db.executemany(_MARK_RUNNING, [(sqlite_time(at), run_id) for run_id, at in started])


def finish_executions(db: sqlite3.Connection, finished: Finished) -> None:
    """As the port says; the error names the first execution not found (nothing of the job is stored)."""
    unfinished, missing = set(), []
    for run_id, account_id in {(run.id, run.account_id) for run, _ in finished}:
        row = db.execute(_EXECUTION_STATE, (run_id,)).fetchone()
        if row is None or row[0] != account_id:
            missing.append(run_id)
        elif row[1] in UNFINISHED:
            unfinished.add(run_id)
    if missing:
        first = next(run.id for run, _ in finished if run.id in missing)
        raise ValueError(f"no execution {first} (of {len(missing)} not found)")
    batches = [(run.id, len(records), encode_activity(records), run.id) for run, records in finished if records]
    if batches:
        db.executemany(_APPEND_BATCH, batches)
    db.executemany(_FINISH, [
        (str(r.status), sqlite_time(r.started_at), sqlite_time(r.finished_at), r.operations, _json(r.error),
         _json(r.response), _json(r.trigger_input), r.id, r.account_id)
        for r, _ in finished
    ])
    usage = usage_of(finished, unfinished)
    if usage:
        db.executemany(_ADD_USAGE, [(a, s, sqlite_time(h), n) for (a, s, h), n in usage.items()])


def append_activity(db: sqlite3.Connection, job: tuple[str, list[ActivityRecord]]) -> None:
    execution_id, records = job
    if db.execute(_EXECUTION_EXISTS, (execution_id,)).fetchone() is None:
        raise ValueError(f"no execution {execution_id}")
    db.execute(_APPEND_BATCH, (execution_id, len(records), encode_activity(records), execution_id))


def add_gateway_logs(db: sqlite3.Connection, records: list[GatewayLogRecord]) -> None:
    rows = [
        (r.id, r.account_id, r.scenario_id, r.hook, r.method, r.path, r.status, dump_json(r.request_headers),
         None if r.request_body is None else pack_bytes(r.request_body),
         None if r.response_body is None else pack_bytes(r.response_body), sqlite_time(r.received_at), r.duration_ms)
        for r in records
    ]
    try:
        db.executemany(_ADD_GATEWAY_LOG, rows)
    except sqlite3.IntegrityError as exc:
        raise ValueError("a gateway log id is taken") from exc

"""JSON documents of the public surface, shared by the CLI and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scenarist.store.ports import ActivityRecord, ExecutionRecord


def iso(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and Z."""
    if when is None:
        return None
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def execution_summary(execution: ExecutionRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": execution.id,
        "status": str(execution.status),
        "started_at": iso(execution.started_at),
        "finished_at": iso(execution.finished_at),
        "operations": execution.operations,
    }
    if execution.error:
        doc["error"] = execution.error
    return doc


def execution_document(
    execution: ExecutionRecord, activity: list[ActivityRecord], response: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The shape of ``GET /executions/{id}`` (contract section 5)."""
    doc = execution_summary(execution)
    doc["scenario_id"] = execution.scenario_id
    doc["confidential"] = execution.confidential
    if execution.resolved_by is not None:
        doc["resolved_by"] = execution.resolved_by
    answer = response if response is not None else execution.response
    if answer is not None:
        doc["response"] = answer
    doc["log"] = [activity_entry(record, execution.confidential) for record in activity]
    return doc


def activity_entry(record: ActivityRecord, confidential: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "step": record.step,
        "module": record.module,
        "bundle": record.bundle,
        "status": record.status,
    }
    if not confidential:
        if record.input is not None:
            entry["input"] = record.input
        if record.output is not None:
            entry["output"] = record.output
    if record.error is not None:
        entry["error"] = record.error
    entry["started_at"] = iso(record.started_at)
    entry["duration_ms"] = record.duration_ms
    return entry

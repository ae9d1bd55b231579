"""Executions, incomplete executions and notifications."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse, Response, StreamingResponse

from scenarist.engine.documents import iso
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found
from scenarist.server.executions import execution_detail
from scenarist.server.runtime import Runtime
from scenarist.store.ports import IncompleteRecord, NotificationRecord
from scenarist.types import RunStatus

router = APIRouter(tags=["executions"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]


def incomplete_public(record: IncompleteRecord) -> dict[str, Any]:
    return {
        "id": record.id, "execution_id": record.execution_id, "scenario_id": record.scenario_id,
        "step": record.step, "error": record.error, "attempts": record.attempts,
        "next_retry_at": iso(record.next_retry_at), "created_at": iso(record.created_at),
    }


def notification_public(record: NotificationRecord) -> dict[str, Any]:
    return {
        "id": record.id, "kind": record.kind, "message": record.message, "scenario_id": record.scenario_id,
        "data": record.data, "created_at": iso(record.created_at),
        "unread": record.read_at is None, "read_at": iso(record.read_at),
    }


@router.get("/executions/{execution_id}")
async def get_execution(execution_id: str, account: Account, rt: Rt) -> dict[str, Any]:
    return await execution_detail(rt, account, execution_id)


FINISHED = frozenset({RunStatus.SUCCESS, RunStatus.WARNING, RunStatus.ERROR, RunStatus.INCOMPLETE,
                      RunStatus.CANCELLED})
EVENTS_POLL_S = 1.0
"""How often a stream reads the store without being woken (a run in another process)."""
EVENTS_KEEPALIVE_S = 15.0
EVENTS_MAX_S = 3600.0
"""A stream ends after an hour whatever the run does; the client may open it again."""


@router.get("/executions/{execution_id}/events", response_class=StreamingResponse, responses={200: {
    "description": "Server-sent events: `operation` (one per recorded operation, as in the execution's `log`), "
                   "then `status` (the execution without its log) once it has finished.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}, 404: {"description": "No such execution."}})
async def execution_events(execution_id: str, account: Account, rt: Rt) -> StreamingResponse:
    """Each operation of the execution as it is recorded (those before the stream opened first), then
    its final status; while it is watched, the run writes each operation as soon as it can."""
    await execution_detail(rt, account, execution_id)  # 404 before the stream starts
    return StreamingResponse(_events(rt, account, execution_id), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


async def _events(rt: Runtime, account: str, execution_id: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    seen = 0
    with rt.engine.services.progress.watch(execution_id) as woke:
        while loop.time() - started < EVENTS_MAX_S:
            woke.clear()
            try:
                document = await execution_detail(rt, account, execution_id)
            except ApiError:  # deleted meanwhile (its scenario or account)
                return
            log = document.pop("log", [])
            for operation in log[seen:]:
                yield _event("operation", operation)
            if len(log) > seen:
                seen, last_sent = len(log), loop.time()
            if document["status"] in FINISHED:
                yield _event("status", document)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woke.wait(), EVENTS_POLL_S)
            if loop.time() - last_sent >= EVENTS_KEEPALIVE_S:
                last_sent = loop.time()
                yield ": keep-alive\n\n"
            await asyncio.sleep(0.05)  # a busy run wakes the stream at most 20 times a second


def _event(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


@router.get("/incomplete-executions")
async def list_incomplete(account: Account, rt: Rt, scenario_id: str | None = None) -> list[dict[str, Any]]:
    return [incomplete_public(r) for r in await rt.store.list_incomplete(account, scenario_id)]


@router.post("/incomplete-executions/{incomplete_id}/retry", status_code=202,
             responses={200: {"description": "With wait=true: the retry's execution, finished."}})
async def retry_incomplete(
    incomplete_id: str, account: Account, rt: Rt,
    wait: Annotated[bool, Query(description="Answer when the retry has finished, with its execution.")] = False,
) -> Response:
    """Resume from the failed step; 202 at once, or with ``wait=true`` 200 the retry's execution (a
    success deleted the incomplete execution; a failure left it, one attempt more)."""
    if await rt.store.get_incomplete(account, incomplete_id) is None:
        raise not_found("incomplete execution")
    task = asyncio.create_task(rt.engine.retry_incomplete(account, incomplete_id))
    rt.background(task)
    if not wait:
        return JSONResponse({"accepted": True, "id": incomplete_id}, status_code=202)
    result = await asyncio.shield(task)
    if result is None:  # its scenario is gone, and the incomplete execution with it
        raise not_found("incomplete execution")
    return JSONResponse(await execution_detail(rt, account, result.execution.id), status_code=200)


@router.delete("/incomplete-executions/{incomplete_id}", status_code=204)
async def delete_incomplete(incomplete_id: str, account: Account, rt: Rt) -> Response:
    if not await rt.engine.delete_incomplete(account, incomplete_id):
        raise not_found("incomplete execution")
    return Response(status_code=204)


@router.get("/notifications")
async def list_notifications(account: Account, rt: Rt) -> list[dict[str, Any]]:
    return [notification_public(r) for r in await rt.store.list_notifications(account)]


@router.post("/notifications/{notification_id}/read", status_code=204)
async def read_notification(notification_id: str, account: Account, rt: Rt) -> Response:
    """Mark a notification read (again is fine); 404 when it is not one of the account's."""
    if not await rt.store.mark_notification_read(account, notification_id, rt.clock.now()):
        raise not_found("notification")
    return Response(status_code=204)

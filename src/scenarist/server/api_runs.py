"""Executions, incomplete executions and notifications."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse, Response

from scenarist.engine.documents import iso
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import not_found
from scenarist.server.executions import execution_detail
from scenarist.server.runtime import Runtime
from scenarist.store.ports import IncompleteRecord, NotificationRecord

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

"""Execution documents read from the store, shared by the API routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scenarist.engine.documents import execution_document
from scenarist.server.errors import not_found

if TYPE_CHECKING:
    from scenarist.server.runtime import Runtime


async def execution_detail(rt: Runtime, account: str, execution_id: str) -> dict[str, Any]:
    execution = await rt.store.get_execution(account, execution_id)
    if execution is None:
        raise not_found("execution")
    activity = await rt.store.get_activity(account, execution_id)
    return execution_document(execution, activity)

"""The app catalogue, health and metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.responses import PlainTextResponse, Response

from scenarist.server.deps import account_id, runtime
from scenarist.server.runtime import Runtime

router = APIRouter(tags=["system"])

Rt = Annotated[Runtime, Depends(runtime)]


@router.get("/apps")
async def apps(rt: Rt, account: Annotated[str, Depends(account_id)]) -> list[dict[str, Any]]:
    """Apps, their modules with params JSON Schema, and connection types."""
    return rt.registry.catalogue()


@router.get("/healthz")
async def healthz(rt: Rt) -> dict[str, Any]:
    return {"status": "ok", "runs_in_flight": rt.workers.in_flight}


@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"description": "Prometheus text format.",
                             "content": {"text/plain": {"schema": {"type": "string"}}}}})
async def metrics(rt: Rt) -> Response:
    return Response(rt.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

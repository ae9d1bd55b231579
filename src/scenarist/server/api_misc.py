"""The app catalogue, health and metrics."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found
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


@router.get("/metrics")
async def metrics(request: Request, rt: Rt) -> Response:
    """Prometheus text, to loopback clients and to whoever presents ``SCENARIST_METRICS_TOKEN`` as a
    bearer token; 404 to anyone else, 401 for a wrong token when one is configured."""
    refusal = metrics_refusal(request, rt)
    if refusal is not None:
        raise refusal
    return Response(rt.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def metrics_refusal(request: Request, rt: Rt) -> ApiError | None:
    configured = rt.settings.metrics_token.get_secret_value() if rt.settings.metrics_token else ""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    presented = presented.strip() if scheme.lower() == "bearer" else ""
    if configured and presented and hmac.compare_digest(presented.encode(), configured.encode()):
        return None
    if _loopback(request):
        return None
    if configured and presented:
        return ApiError(401, "wrong metrics token", headers={"WWW-Authenticate": "Bearer"})
    return not_found("page")


def _loopback(request: Request) -> bool:
    """The client is this machine: a loopback address, and not a request a local proxy passed on."""
    if any(name in request.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip")):
        return False
    client = request.scope.get("state", {}).get("client_ip")
    try:
        address = ipaddress.ip_address(client) if client is not None else None
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback

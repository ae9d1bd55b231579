"""The app catalogue, the public settings, health and metrics."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found
from scenarist.server.runtime import Runtime

router = APIRouter(tags=["system"])

Rt = Annotated[Runtime, Depends(runtime)]


@router.get("/apps")
async def apps(rt: Rt, account: Annotated[str, Depends(account_id)]) -> list[dict[str, Any]]:
    """Apps, their modules with params JSON Schema, and connection types."""
    return rt.registry.catalogue()


class PublicSettings(BaseModel):
    """What the privacy page and the login page state: retention windows in days, the idle timeout."""

    retention_gateway_logs_days: int
    retention_incomplete_days: int
    retention_notifications_days: int
    retention_activity_days: int
    retention_runs_days: int
    retention_access_log_days: int
    session_idle_seconds: int
    session_idle_minutes: int
    """``session_idle_seconds`` in whole minutes, rounded up."""
    session_max_seconds: int


@router.get("/public/settings")
async def public_settings(rt: Rt) -> PublicSettings:
    """The configured retention windows and session timeouts; needs no login."""
    s = rt.settings
    return PublicSettings(
        retention_gateway_logs_days=s.retention_gateway_logs_days,
        retention_incomplete_days=s.retention_incomplete_days,
        retention_notifications_days=s.retention_notifications_days,
        retention_activity_days=s.retention_activity_days, retention_runs_days=s.retention_runs_days,
        retention_access_log_days=s.retention_access_log_days,
        session_idle_seconds=s.session_idle_seconds, session_idle_minutes=-(-s.session_idle_seconds // 60),
        session_max_seconds=s.session_max_seconds,
    )


@router.get("/healthz")
async def healthz(rt: Rt) -> dict[str, Any]:
    return {"status": "ok", "runs_in_flight": rt.workers.in_flight}


@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"description": "Prometheus text format.",
                             "content": {"text/plain": {"schema": {"type": "string"}}}}})
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

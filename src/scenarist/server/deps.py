"""Request-scoped access to the runtime and the authenticated account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from scenarist.server.errors import ApiError

if TYPE_CHECKING:
    from scenarist.server.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def account_id(request: Request) -> str:
    """The account the security middleware authenticated; 401 without one."""
    state: Any = request.scope.get("state", {})
    account = state.get("account_id") if isinstance(state, dict) else None
    if not account:
        raise ApiError(401, "authentication required")
    return str(account)

"""The ASGI application: REST API under /api/v1, the webhook gateway under /hooks, the web UI elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from scenarist import __version__
from scenarist.server import (
    api_connections,
    api_datastores,
    api_gateway_log,
    api_misc,
    api_runs,
    api_scenarios,
    api_schedule,
    auth,
    auth_links,
    gateway,
)
from scenarist.server.body import BodyFormats
from scenarist.server.errors import HANDLERS
from scenarist.server.openapi import describe
from scenarist.server.runtime import Runtime
from scenarist.server.security import SecurityMiddleware
from scenarist.server.webui import WebUI
from scenarist.settings import Settings
from scenarist.store.ports import Store
from scenarist.types import Clock

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None) -> FastAPI:
    """The whole product in one ASGI app; its lifespan starts and stops the runtime."""
    runtime = Runtime(settings or Settings(), clock=clock, store=store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = ScenaristApp(
        title="Scenarist",
        version=__version__,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        middleware=[Middleware(SecurityMiddleware, runtime=runtime), Middleware(BodyFormats)],
    )
    app.state.runtime = runtime
    app.hooks = SecurityMiddleware(gateway.asgi, runtime=runtime)
    app.ui = SecurityMiddleware(WebUI(), runtime=runtime)
    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, auth_links, api_scenarios, api_gateway_log, api_runs, api_connections, api_datastores,
                   api_schedule, api_misc):
        api.include_router(module.router)
    app.include_router(api)
    app.add_api_route("/metrics", api_misc.metrics, methods=["GET"], include_in_schema=False)
    return app


class ScenaristApp(FastAPI):
    """FastAPI for the API; the webhook gateway and the web UI bypass its middleware and routing.

    ``/hooks/...`` is the hot path: it goes straight to the security middleware
    (headers, access log) and the gateway, skipping FastAPI's layers. A GET or
    HEAD that neither the API (``/api/...``, JSON 404s included) nor any route
    of the app takes goes to the web UI, through the same security middleware.
    """

    hooks: ASGIApp
    ui: ASGIApp

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, made exact (``scenarist.server.openapi``) each time FastAPI makes it anew."""
        schema = super().openapi()
        if "Error" not in schema.get("components", {}).get("schemas", {}):
            describe(schema, self, self.state.runtime)
        return schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(gateway.PREFIX):
            scope["app"] = self
            await self.hooks(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and self._is_ui(scope):
            scope["app"] = self
            await self.ui(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _is_ui(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path == "/api" or path.startswith("/api/"):
            return False
        return all(route.matches(scope)[0] is Match.NONE for route in self.router.routes)

"""Build the engine and its backends from Settings (a composition root helper)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from scenarist.connections import ConnectionService
from scenarist.datastores import data_stores_on
from scenarist.egress import EgressGuard
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.settings import Settings
from scenarist.store.factory import open_store
from scenarist.transport import http_client
from scenarist.types import Clock, SystemClock
from scenarist.vault import Vault


@asynccontextmanager
async def engine_from_settings(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Engine]:
    settings.prepare_data_dir()
    clock = clock or SystemClock()
    vault = Vault.from_settings(settings)
    store = await open_store(settings.effective_database_url())
    expressions = ExpressionEngine(
        clock=clock,
        timeout_ms=settings.expression_timeout_ms,
        max_output_bytes=settings.expression_max_output_bytes,
    )
    egress = EgressGuard.from_settings(settings)
    http = http_client(egress=egress)
    registry = Registry.discover()
    connections = ConnectionService(store, registry, vault, clock=clock, egress=egress, http=http)
    engine = Engine(
        store, registry, clock=clock, sealer=vault, expressions=expressions, http=http,
        log=structlog.get_logger("scenarist.run"), egress=egress,
        credentials=connections, data_stores=data_stores_on(store, clock),
    )
    try:
        yield engine
    finally:
        await http.aclose()
        await store.close()

"""The composition root: every process's services, built from ``Settings`` in one place.

``open_services`` builds ``Services``, a frozen set: the store, the vault (a
stored credential whose key is not configured refuses the start:
``VaultError``), the egress guard and the guarded HTTP client on it, the
connections (with the OAuth redirect of ``public_url``), the expression engine
and the engine (its data stores, its webhook URLs, optionally its finished runs
batched in one transaction). Nothing is set on them afterwards. Each process
takes what it needs:

- ``scenarist run`` (and the benchmarks): ``services_from_settings``, the engine;
- ``scenarist serve``: ``scenarist.server.runtime.Runtime`` builds its front doors
  (the API and the gateway, their access log and metrics), the workers and the
  scheduler on ``open_services(..., batch_finishes=True)``;
- a worker or scheduler process: the same ``Services``, with only the workers or
  the scheduler on them (no HTTP server);
- maintenance (``scenarist purge``, ``scenarist vault rotate``): ``open_core``, the
  store, vault and connections without an engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields

import httpx
import structlog

from scenarist.connections import ConnectionService
from scenarist.datadir import fix_modes
from scenarist.datastores import data_stores_on
from scenarist.egress import EgressGuard
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.registry import Registry
from scenarist.engine.retry import RetryPolicy
from scenarist.engine.service import Engine
from scenarist.oauth import CALLBACK_PATH
from scenarist.server.group_commit import GroupCommit
from scenarist.settings import Settings
from scenarist.store.factory import open_store
from scenarist.store.ports import ActivityRecord, ExecutionRecord, Store
from scenarist.transport import http_client
from scenarist.types import Clock, SystemClock
from scenarist.vault import Vault

Finished = tuple[ExecutionRecord, list[ActivityRecord]]


def oauth_redirect_uri(settings: Settings) -> str:
    """Where an OAuth 2.0 service sends the user back: ``{public_url}/api/v1/oauth/callback``."""
    return settings.public_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True, kw_only=True)
class Core:
    """What every process holds: the store with its vault and connections, and the guarded client."""

    settings: Settings
    clock: Clock
    registry: Registry
    vault: Vault
    store: Store
    owns_store: bool
    """The store was opened here (from the settings) and is closed by ``aclose``."""
    egress: EgressGuard
    """Where modules, connection tests and OAuth calls may connect (``SCENARIST_EGRESS_*``)."""
    http: httpx.AsyncClient
    """The client on ``egress`` that modules and the connections' OAuth calls use."""
    connections: ConnectionService
    """The account's connections, redirecting OAuth 2.0 consents to ``oauth_redirect_uri``."""
    oauth_redirect_uri: str

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.owns_store:
            await self.store.close()


@dataclass(frozen=True, kw_only=True)
class Services(Core):
    """What a process that runs scenarios holds: the core and the engine on it."""

    expressions: ExpressionEngine
    engine: Engine
    finisher: GroupCommit[Finished] | None
    """Finished runs of concurrent runs, written in one transaction (``batch_finishes``); None: one
    write per run."""

    async def aclose(self) -> None:
        """Write the finished runs still pending, close the client, close the store if it was opened here."""
        if self.finisher is not None:
            await self.finisher.close()
        await super().aclose()


async def open_core(
    settings: Settings, *, clock: Clock | None = None, registry: Registry | None = None, store: Store | None = None,
    check_keys: bool = True,
) -> Core:
    """The data dir prepared, the store opened (``store`` given: used, never closed), the keys checked
    (``check_keys=False``: not, for a command that reads no credential, such as ``purge``)."""
    return await _open(settings, clock or SystemClock(), registry or Registry.discover(), store, check_keys)


async def open_services(
    settings: Settings, *, clock: Clock | None = None, registry: Registry | None = None, store: Store | None = None,
    batch_finishes: bool = False, retry: RetryPolicy | None = None,
) -> Services:
    """``open_core`` and the engine on it. ``batch_finishes``: concurrent runs finish in one
    transaction (``serve``, the workers); else each run writes its end alone (``run``)."""
    core = await _open(settings, clock or SystemClock(), registry or Registry.discover(), store)
    expressions = ExpressionEngine(clock=core.clock, timeout_ms=settings.expression_timeout_ms,
                                   max_output_bytes=settings.expression_max_output_bytes)
    finisher: GroupCommit[Finished] | None = None
    finish = None
    if batch_finishes:
        finisher = GroupCommit(core.store.finish_executions)

        async def finish(execution: ExecutionRecord, activity: list[ActivityRecord]) -> None:
            await finisher.submit((execution, activity))

    engine = Engine(
        core.store, core.registry, clock=core.clock, sealer=core.vault, expressions=expressions, http=core.http,
        egress=core.egress, log=structlog.get_logger("scenarist.run"), finish=finish, credentials=core.connections,
        data_stores=data_stores_on(core.store, core.clock), public_url=settings.hooks_url or settings.public_url,
        retry=retry,
    )
    return Services(**{f.name: getattr(core, f.name) for f in fields(Core)}, expressions=expressions,
                    engine=engine, finisher=finisher)


async def _open(settings: Settings, clock: Clock, registry: Registry, given: Store | None,
                check_keys: bool = True) -> Core:
    settings.prepare_data_dir()
    vault = Vault.from_settings(settings)
    store = given or await open_store(settings.effective_database_url())
    fix_modes(settings.data_dir)  # what opening the store created (SQLite's -wal and -shm)
    egress = EgressGuard.from_settings(settings)
    http = http_client(egress=egress)
    redirect = oauth_redirect_uri(settings)
    connections = ConnectionService(store, registry, vault, clock=clock, egress=egress, http=http,
                                    redirect_uri=redirect)
    core = Core(settings=settings, clock=clock, registry=registry, vault=vault, store=store,
                owns_store=given is None, egress=egress, http=http, connections=connections,
                oauth_redirect_uri=redirect)
    try:
        if check_keys:
            await connections.check_keys()
    except BaseException:
        await core.aclose()
        raise
    return core


@asynccontextmanager
async def services_from_settings(
    settings: Settings, *, clock: Clock | None = None, batch_finishes: bool = False,
) -> AsyncIterator[Services]:
    """``open_services`` for the time of a block, closed after it."""
    services = await open_services(settings, clock=clock, batch_finishes=batch_finishes)
    try:
        yield services
    finally:
        await services.aclose()


@asynccontextmanager
async def core_from_settings(
    settings: Settings, *, clock: Clock | None = None, check_keys: bool = True,
) -> AsyncIterator[Core]:
    """``open_core`` for the time of a block, closed after it."""
    core = await open_core(settings, clock=clock, check_keys=check_keys)
    try:
        yield core
    finally:
        await core.aclose()


@asynccontextmanager
async def engine_from_settings(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Engine]:
    """The engine of ``services_from_settings``, for the time of a block."""
    async with services_from_settings(settings, clock=clock) as services:
        yield services.engine

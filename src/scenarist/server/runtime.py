"""Everything a running server holds, built from Settings: one object, no globals.

``Runtime`` owns the store, the connections (it refuses to start when a
stored credential's key is not configured), the engine, the group commits (the intake of
runs, the finishing of runs), the worker pool, the scheduler and the periodic
jobs (retries, purge); the ASGI app's lifespan starts and stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import structlog

from scenarist.connections import ConnectionService
from scenarist.datadir import fix_modes
from scenarist.datastores import data_stores_on
from scenarist.egress import EgressGuard
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.oauth import CALLBACK_PATH
from scenarist.server.cache import ScenarioCache
from scenarist.server.gateway_log import GatewayLogBuffer
from scenarist.server.group_commit import GroupCommit
from scenarist.server.metrics import Metrics
from scenarist.server.scheduler import Scheduler
from scenarist.server.worker import WorkerPool
from scenarist.settings import Settings
from scenarist.store.factory import open_store
from scenarist.store.ports import ActivityRecord, ExecutionRecord, Store
from scenarist.transport import http_client
from scenarist.types import Clock, SystemClock
from scenarist.vault import Vault

log = structlog.get_logger("scenarist.runtime")

Finished = tuple[ExecutionRecord, list[ActivityRecord]]

PURGE_EVERY = timedelta(hours=1)
RETRY_EVERY = timedelta(seconds=15)


class Runtime:
    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, store: Store | None = None, timers: bool = True
    ) -> None:
        """``timers=False`` starts no periodic jobs (tests drive the scheduler by hand)."""
        self.settings = settings
        self.clock = clock or SystemClock()
        self._given_store = store
        self.registry = Registry.discover()
        self.metrics = Metrics()
        self.access_log = settings.access_log()
        """One access log for the API and the gateway (both front doors write to it)."""
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()
        self.started = False
        self._timers = timers

    async def start(self) -> None:
        settings = self.settings
        settings.prepare_data_dir()
        self.vault = Vault.from_settings(settings)
        self.store = self._given_store or await open_store(settings.effective_database_url())
        fix_modes(settings.data_dir)  # what opening the store created (SQLite's -wal and -shm)
        egress = EgressGuard.from_settings(settings)
        self.http = http_client(egress=egress)
        self.connections = ConnectionService(
            self.store, self.registry, self.vault, clock=self.clock, egress=egress, http=self.http,
            redirect_uri=settings.public_url.rstrip("/") + CALLBACK_PATH,
        )
        await self._check_keys()
        expressions = ExpressionEngine(
            clock=self.clock, timeout_ms=settings.expression_timeout_ms,
            max_output_bytes=settings.expression_max_output_bytes,
        )
        self.finisher: GroupCommit[Finished] = GroupCommit(self.store.finish_executions)
        self.engine = Engine(self.store, self.registry, clock=self.clock, sealer=self.vault, http=self.http,
                             expressions=expressions, log=structlog.get_logger("scenarist.run"),
                             finish=self._finish, egress=egress, credentials=self.connections,
                             public_url=settings.hooks_url or settings.public_url,
                             data_stores=data_stores_on(self.store, self.clock))
        self.intake: GroupCommit[ExecutionRecord] = GroupCommit(self._enqueue)
        self.scenarios = ScenarioCache(self.store)
        self.gateway_log = GatewayLogBuffer(self.store)
        self.workers = WorkerPool(self.engine, self.store, metrics=self.metrics, scenarios=self.scenarios)
        await self.workers.start()
        self.scheduler = Scheduler(self.engine, self.store, self.intake, self.workers, clock=self.clock)
        if self._timers:
            self._start_timers()
        self.started = True

    async def _check_keys(self) -> None:
        """Refuse to start when a stored credential's key is not configured (``VaultError``)."""
        try:
            await self.connections.check_keys()
        except BaseException:
            if self._given_store is None:
                await self.store.close()
            raise

    def _start_timers(self) -> None:
        self._every(RETRY_EVERY, self._retry_due)
        self._every(PURGE_EVERY, self.purge)
        self._every(timedelta(seconds=1), self.scheduler.tick)
        self._every(timedelta(seconds=0.25), self.gateway_log.flush)

    async def stop(self, drain_seconds: float = 30) -> None:
        """Stop the timers between two jobs, let in-flight runs and retries finish (up to
        drain_seconds), write what is buffered, close the store."""
        self._stopping.set()
        if self._tasks:
            await asyncio.wait(self._tasks)
        self._tasks.clear()
        if self.started:
            await self.workers.drain(drain_seconds)
            await self._drain_background(drain_seconds)
            await self.intake.close()
            await self.finisher.close()
            await self.gateway_log.flush()
            await self.http.aclose()
            if self._given_store is None:
                await self.store.close()
        self.started = False

    async def _drain_background(self, seconds: float) -> None:
        if not self._background:
            return
        _, late = await asyncio.wait(set(self._background), timeout=seconds)
        for task in late:
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _every(self, period: timedelta, job: Callable[[], Awaitable[object]]) -> None:
        """Run ``job`` every ``period`` until ``stop``, which never interrupts a job midway."""

        async def loop() -> None:
            while not self._stopping.is_set():
                try:
                    await job()
                except Exception as exc:  # a periodic job must survive its failures
                    log.error("periodic job failed", job=getattr(job, "__name__", "?"), error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), period.total_seconds())

        self._tasks.append(asyncio.create_task(loop()))

    async def _enqueue(self, executions: list[ExecutionRecord]) -> None:
        """Store new executions (gateway, manual runs, schedules), then tell who watches their scenario."""
        await self.store.enqueue_executions(executions)
        for execution in executions:
            self.engine.services.progress.created(execution)

    async def _finish(self, execution: ExecutionRecord, activity: list[ActivityRecord]) -> None:
        await self.finisher.submit((execution, activity))

    def background(self, task: asyncio.Task[Any]) -> None:
        """Keep a fire-and-forget task alive until it ends."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _retry_due(self) -> None:
        await self.engine.retry_due()

    async def purge(self) -> dict[str, int]:
        """Apply the retention windows now (the hourly job), the access log's included."""
        now = self.clock.now()
        counts = await self.store.purge(now, self.settings.retention())
        counts["access_log"] = self.access_log.purge(self.settings.access_log_cutoff(now))
        if any(counts.values()):
            log.info("purged", **counts)
        return counts

"""Everything a running server holds, built from Settings: one object, no globals.

``Runtime`` holds what the front doors need before it starts (the settings, the
clock, the app registry, the metrics, the access log); ``start`` builds the
rest once, frozen (``Started``): the services of the composition root
(``scenarist.bootstrap.open_services``: the store, the vault and the key check,
the connections, the engine, the batched finishing of runs), then on them the
intake of runs, the scenario cache, the gateway log, the worker pool, the
scheduler, the e-mail queue's sender (``scenarist.mail``) and the periodic jobs
(retries, purge). The ASGI app's lifespan
starts and stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog

from scenarist.bootstrap import Services, open_services
from scenarist.connections import ConnectionService
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.mail import MailQueue
from scenarist.server.cache import ScenarioCache
from scenarist.server.gateway_log import GatewayLogBuffer
from scenarist.server.group_commit import GroupCommit
from scenarist.server.metrics import Metrics
from scenarist.server.scheduler import Scheduler
from scenarist.server.worker import WorkerPool
from scenarist.settings import Settings
from scenarist.store.ports import ExecutionRecord, Store
from scenarist.types import Clock, SystemClock
from scenarist.vault import Vault

log = structlog.get_logger("scenarist.runtime")

PURGE_EVERY = timedelta(hours=1)
RETRY_EVERY = timedelta(seconds=15)


@dataclass(frozen=True, kw_only=True)
class Started:
    """What ``Runtime.start`` builds, once: the services and the server's parts on them."""

    services: Services
    intake: GroupCommit[ExecutionRecord]
    """New executions (gateway, manual runs, schedules), stored in one transaction per batch."""
    scenarios: ScenarioCache
    gateway_log: GatewayLogBuffer
    workers: WorkerPool
    scheduler: Scheduler
    mail: MailQueue
    """The platform's e-mails: composed and queued by the API, sent by its loop."""


class NotStarted(RuntimeError):
    """The runtime is not started (its lifespan has not begun, or it has ended)."""


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
        self._started: Started | None = None
        self._timers = timers

    @property
    def started(self) -> bool:
        return self._started is not None

    def _parts(self) -> Started:
        if self._started is None:
            raise NotStarted("the runtime is not started")
        return self._started

    # -- what start built, read-only

    @property
    def services(self) -> Services:
        """The composition root's services."""
        return self._parts().services

    @property
    def store(self) -> Store:
        return self._parts().services.store

    @property
    def vault(self) -> Vault:
        return self._parts().services.vault

    @property
    def http(self) -> httpx.AsyncClient:
        return self._parts().services.http

    @property
    def connections(self) -> ConnectionService:
        return self._parts().services.connections

    @property
    def engine(self) -> Engine:
        return self._parts().services.engine

    @property
    def intake(self) -> GroupCommit[ExecutionRecord]:
        return self._parts().intake

    @property
    def scenarios(self) -> ScenarioCache:
        return self._parts().scenarios

    @property
    def gateway_log(self) -> GatewayLogBuffer:
        return self._parts().gateway_log

    @property
    def workers(self) -> WorkerPool:
        return self._parts().workers

    @property
    def scheduler(self) -> Scheduler:
        return self._parts().scheduler

    @property
    def mail(self) -> MailQueue:
        return self._parts().mail

    async def start(self) -> None:
        """Build the services (``VaultError`` when a stored credential's key is not configured) and the
        server's parts on them, take up the queued runs, start the timers."""
        services = await open_services(self.settings, clock=self.clock, registry=self.registry,
                                       store=self._given_store, batch_finishes=True)
        try:
            engine, store = services.engine, services.store

            async def enqueue(executions: list[ExecutionRecord]) -> None:
                """Store new executions, then tell who watches their scenario."""
                await store.enqueue_executions(executions)
                for execution in executions:
                    engine.services.progress.created(execution)

            intake: GroupCommit[ExecutionRecord] = GroupCommit(enqueue)
            scenarios = ScenarioCache(store)
            workers = WorkerPool(engine, store, metrics=self.metrics, scenarios=scenarios)
            await workers.start()
        except BaseException:
            await services.aclose()
            raise
        self._started = Started(
            services=services, intake=intake, scenarios=scenarios, gateway_log=GatewayLogBuffer(store),
            workers=workers, scheduler=Scheduler(engine, store, intake, workers, clock=self.clock),
            mail=MailQueue(store, services.vault, self.settings, self.clock),
        )
        if self._timers:
            self._start_timers()

    def _start_timers(self) -> None:
        self._every(RETRY_EVERY, self._retry_due)
        self._every(PURGE_EVERY, self.purge)
        self._every(timedelta(seconds=1), self.scheduler.tick)
        self._every(timedelta(seconds=0.25), self.gateway_log.flush)
        self.mail.start()

    async def stop(self, drain_seconds: float = 30) -> None:
        """Stop the timers between two jobs, let in-flight runs and retries finish (up to
        drain_seconds), write what is buffered, close the store."""
        self._stopping.set()
        if self._tasks:
            await asyncio.wait(self._tasks)
        self._tasks.clear()
        started = self._started
        if started is not None:
            await started.workers.drain(drain_seconds)
            await self._drain_background(drain_seconds)
            await started.intake.close()
            await started.gateway_log.flush()
            await started.mail.stop()
            await started.services.aclose()  # the finished runs pending, the client, the store
        self._started = None

    async def idle(self) -> None:
        """Return once the process has nothing left to do for what it was given so far: no run in flight, no
        background task (retries, sub-scenario answers), nothing pending in the intake or the finishing, the
        gateway log written. What one part hands to another is waited for too; the periodic jobs are not."""
        while True:
            if self._background:
                await asyncio.wait(set(self._background))
            elif self.workers.busy:
                await self.workers.idle()
            elif self.intake.busy:
                await self.intake.idle()
            elif (finisher := self.services.finisher) is not None and finisher.busy:
                await finisher.idle()
            elif await self.gateway_log.flush() == 0:
                return

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

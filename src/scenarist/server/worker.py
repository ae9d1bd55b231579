"""The in-process worker pool of the embedded default.

Runs queued executions, at most ``concurrency`` at a time; a sequential
scenario runs one execution at a time, in arrival order. A caller may wait
for an execution's webhook response or for its end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog

from scenarist.engine.executor import RunResult
from scenarist.engine.service import Engine, InvalidScenario
from scenarist.server.cache import ScenarioCache
from scenarist.server.metrics import Metrics
from scenarist.store.ports import ExecutionRecord, Store
from scenarist.types import RunStatus

log = structlog.get_logger("scenarist.worker")

Waiter = Callable[[dict[str, Any] | None, RunResult | None], None]
"""Called with the webhook response when the run sets one, and with the result when it ends."""


class WorkerPool:
    def __init__(self, engine: Engine, store: Store, *, metrics: Metrics | None = None,
                 scenarios: ScenarioCache | None = None, concurrency: int = 32) -> None:
        self._engine = engine
        self._store = store
        self._scenarios = scenarios
        self._metrics = metrics
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task[None]] = set()
        self._known: set[str] = set()
        self._tails: dict[str, asyncio.Future[None]] = {}
        """Per scenario, the end of its latest submitted execution: sequential runs wait on it."""
        self._accepting = True
        self._marks = RunningMarks(store)

    async def start(self) -> None:
        """Requeue what a crash left running, then take up every queued execution."""
        requeued = await self._store.requeue_running()
        if requeued:
            log.warning("requeued runs left running by a previous process", count=requeued)
        await self.load_queued()

    async def load_queued(self) -> int:
        """Submit the stored queued executions of active scenarios that are not yet taken."""
        count = 0
        for execution in await self._store.list_queued(limit=100_000):
            if execution.id not in self._known:
                self.submit(execution)
                count += 1
        return count

    def submit(self, execution: ExecutionRecord, waiter: Waiter | None = None) -> bool:
        """Start running ``execution``; False when the pool is draining or already has it."""
        if not self._accepting or execution.id in self._known:
            return False
        self._known.add(execution.id)
        previous = self._tails.get(execution.scenario_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[execution.scenario_id] = done
        task = asyncio.create_task(self._run(execution, waiter, previous, done))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        if self._metrics:
            self._metrics.queue_depth.set(len(self._running))
        return True

    @property
    def in_flight(self) -> int:
        return len(self._running)

    @property
    def busy(self) -> bool:
        """Runs are in flight, or their running marks are still being written."""
        return bool(self._running) or self._marks.busy

    async def idle(self) -> None:
        """Return once no run is in flight and every running mark is written (runs submitted meanwhile
        are waited for too)."""
        while self._running:
            await asyncio.wait(set(self._running))
        await self._marks.close()

    async def drain(self, seconds: float) -> None:
        """Stop taking work; wait up to ``seconds`` for in-flight runs."""
        self._accepting = False
        if self._running:
            _, pending = await asyncio.wait(set(self._running), timeout=seconds)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._marks.close()

    async def _run(
        self, execution: ExecutionRecord, waiter: Waiter | None,
        previous: asyncio.Future[None] | None, done: asyncio.Future[None],
    ) -> None:
        result: RunResult | None = None
        try:
            scenario = await (
                self._scenarios.get(execution.account_id, execution.scenario_id) if self._scenarios
                else self._store.get_scenario(execution.account_id, execution.scenario_id)
            )
            if scenario is None:
                return
            if previous is not None and scenario.definition.get("settings", {}).get("sequential"):
                await asyncio.shield(previous)  # arrival order
            async with self._slots:
                self._marks.add(execution.id, self._engine.clock.now())
                respond = (lambda response: waiter(response, None)) if waiter else None
                result = await self._engine.execute(scenario, execution, responder=respond)
            if self._metrics:
                self._metrics.observe_run(result)
        except InvalidScenario as exc:
            await self._fail(execution, str(exc))
        except Exception as exc:
            log.error("run crashed", execution_id=execution.id, error=repr(exc))
            await self._fail(execution, f"internal error: {type(exc).__name__}")
        finally:
            done.set_result(None)
            if self._tails.get(execution.scenario_id) is done:
                del self._tails[execution.scenario_id]
            self._known.discard(execution.id)
            if waiter is not None:
                waiter(None, result)
            if self._metrics:
                self._metrics.queue_depth.set(len(self._running) - 1)

    async def _fail(self, execution: ExecutionRecord, message: str) -> None:
        error = {"type": "RuntimeError", "message": message, "step": None}
        await self._store.update_execution(replace(execution, status=RunStatus.ERROR, error=error))


class RunningMarks:
    """Marks started runs ``running`` in the store, in batches, without holding the runs up.

    The store's update applies only to runs still ``queued``, so a mark written
    after its run finished changes nothing.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._pending: list[tuple[str, datetime]] = []
        self._writer: asyncio.Task[None] | None = None

    def add(self, execution_id: str, started_at: datetime) -> None:
        self._pending.append((execution_id, started_at))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._store.mark_running(batch)
            except Exception as exc:
                log.warning("could not mark runs running", count=len(batch), error=repr(exc))

    @property
    def busy(self) -> bool:
        return bool(self._pending) or (self._writer is not None and not self._writer.done())

    async def close(self) -> None:
        """Wait for the marks being written, if any."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

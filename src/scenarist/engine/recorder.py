"""The activity stream of a run, buffered and written in batches.

A confidential run records step, status, timing and error type only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scenarist.sdk import ModuleError
from scenarist.store.ports import ActivityRecord, RunStore

if TYPE_CHECKING:
    from scenarist.engine.plan import StepNode
    from scenarist.engine.progress import Progress


class Recorder:
    def __init__(self, store: RunStore, execution_id: str, confidential: bool, flush_size: int = 500,
                 progress: Progress | None = None) -> None:
        self._store = store
        self._progress = progress
        self._execution_id = execution_id
        self._confidential = confidential
        self._flush_size = flush_size
        self._buffer: list[ActivityRecord] = []
        self._pending: asyncio.Future[None] | None = None

    def operation(
        self, node: StepNode, bundle: int, started_at: datetime, seconds: float,
        input_: Any, output: Any, error: ModuleError | None,
    ) -> None:
        if self._confidential:
            input_ = output = None
        self._buffer.append(
            ActivityRecord(
                step=node.id,
                module=node.module,
                bundle=bundle,
                status="error" if error is not None else "success",
                started_at=started_at,
                duration_ms=round(seconds * 1000, 3),
                input=input_,
                output=output,
                error=self._error(error),
            )
        )

    def filtered(self, node: StepNode, bundle: int, at: datetime) -> None:
        self._buffer.append(ActivityRecord(node.id, node.module, bundle, "filtered", at, 0.0))

    def failed(self, step: str, module: str, bundle: int, at: datetime, error: ModuleError) -> None:
        """A filter or condition that could not be evaluated (no operation: nothing ran)."""
        self._buffer.append(ActivityRecord(step, module, bundle, "error", at, 0.0, error=self._error(error)))

    def _error(self, error: ModuleError | None) -> dict[str, Any] | None:
        if error is None:
            return None
        if self._confidential:
            return {"type": error.type}
        return {"type": error.type, "message": error.message}

    def maybe_flush(self) -> None:
        """Start writing a full buffer; the write overlaps with the run's next operations. A watched
        run (``Progress``) writes what it has whenever no write is under way."""
        if len(self._buffer) >= self._flush_size or (self._buffer and self._watched_and_idle()):
            self._start_write()

    def _watched_and_idle(self) -> bool:
        idle = self._pending is None or self._pending.done()
        return idle and self._progress is not None and self._progress.watched(self._execution_id)

    async def drain(self) -> list[ActivityRecord]:
        """Wait for the batches already being written; hand over what is left unwritten
        (stored with the finished execution, in the same transaction)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending
        rest, self._buffer = self._buffer, []
        return rest

    def _start_write(self) -> None:
        batch, self._buffer = self._buffer, []
        self._pending = asyncio.ensure_future(self._write(self._pending, batch))

    async def _write(self, previous: asyncio.Future[None] | None, batch: list[ActivityRecord]) -> None:
        if previous is not None:
            await previous  # batches are stored in the order they were recorded
        await self._store.append_activity(self._execution_id, batch)
        if self._progress is not None:
            self._progress.changed(self._execution_id)

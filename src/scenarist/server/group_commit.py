"""Group commit: concurrent writers share one transaction.

Each caller waits until its item is durably stored. While one batch is being
written, new arrivals gather; the next write takes all of them (up to
``max_batch``). The gateway's intake and the finishing of runs use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_BATCH = 500


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]], max_batch: int = MAX_BATCH) -> None:
        self._write_batch = write
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Return once ``item`` is committed; raise if its batch failed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await future

    async def _write(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            try:
                await self._write_batch([item for item, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)

    async def idle(self) -> None:
        """Return once nothing is pending: every item submitted so far is written (or failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    @property
    def busy(self) -> bool:
        """Items are pending or being written."""
        return bool(self._pending) or (self._writer is not None and not self._writer.done())

    async def close(self) -> None:
        """Wait for the batch being written, if any."""
        if self._writer is not None:
            await self._writer

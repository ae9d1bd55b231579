"""Gateway log entries, gathered in memory and written in the background."""

from __future__ import annotations

import asyncio

import structlog

from scenarist.store.ports import GatewayLogRecord, Store

log = structlog.get_logger("scenarist.gateway")
MAX_BUFFERED = 50_000


class GatewayLogBuffer:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._buffer: list[GatewayLogRecord] = []
        self._writing = asyncio.Lock()
        """One flush at a time: a flush returns once everything added before it is stored, also
        what another flush was writing meanwhile."""

    def add(self, record: GatewayLogRecord) -> None:
        if len(self._buffer) < MAX_BUFFERED:
            self._buffer.append(record)
        else:
            log.warning("gateway log buffer full; entry dropped", hook=record.hook)

    async def flush(self) -> int:
        async with self._writing:
            batch, self._buffer = self._buffer, []
            if batch:
                await self._store.add_gateway_logs(batch)
            return len(batch)

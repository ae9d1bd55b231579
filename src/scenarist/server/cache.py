"""Scenario records by id and by webhook token, kept briefly in memory.

The gateway and the workers read a scenario for every request and run; the
API invalidates an entry whenever it changes one, and entries expire after
``ttl`` seconds anyway (the engine may deactivate a scenario by itself).
Concurrent misses of one entry share one read of the store: when an entry
expires under load, the requests and runs waiting for it make one query, not
one each (each of which would also take a pooled connection).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from scenarist.store.ports import ScenarioRecord, Store

_Key = tuple[str, ...]


class ScenarioCache:
    def __init__(self, store: Store, ttl: float = 1.0) -> None:
        self._store = store
        self._ttl = ttl
        self._by_id: dict[str, tuple[float, ScenarioRecord | None]] = {}
        self._by_hook: dict[str, tuple[float, ScenarioRecord | None]] = {}
        self._reading: dict[_Key, asyncio.Future[ScenarioRecord | None]] = {}
        self._generation = 0
        """Moved by ``invalidate``: a read that started before it is not remembered."""

    async def get(self, account_id: str, scenario_id: str) -> ScenarioRecord | None:
        hit = self._by_id.get(scenario_id)
        if hit is not None and hit[0] > time.monotonic() and hit[1] and hit[1].account_id == account_id:
            return hit[1]
        return await self._read(("id", account_id, scenario_id),
                                lambda: self._store.get_scenario(account_id, scenario_id), None)

    async def by_hook(self, token: str) -> ScenarioRecord | None:
        hit = self._by_hook.get(token)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return await self._read(("hook", token), lambda: self._store.get_scenario_by_hook(token), token)

    async def _read(self, key: _Key, read: Callable[[], Awaitable[ScenarioRecord | None]],
                    token: str | None) -> ScenarioRecord | None:
        reading = self._reading.get(key)
        if reading is None:
            reading = self._reading[key] = asyncio.ensure_future(self._remembered(key, read, token))
        return await asyncio.shield(reading)

    async def _remembered(self, key: _Key, read: Callable[[], Awaitable[ScenarioRecord | None]],
                          token: str | None) -> ScenarioRecord | None:
        generation = self._generation
        try:
            record = await read()
        finally:
            if generation == self._generation:  # else a newer read may stand under the key
                self._reading.pop(key, None)
        if generation == self._generation:
            self._remember(record, token)
        return record

    def _remember(self, record: ScenarioRecord | None, token: str | None) -> None:
        expires = time.monotonic() + self._ttl
        if len(self._by_id) > 10_000 or len(self._by_hook) > 10_000:
            self._by_id.clear()
            self._by_hook.clear()
        if record is not None:
            self._by_id[record.id] = (expires, record)
        if token is not None:
            self._by_hook[token] = (expires, record)

    def invalidate(self, scenario_id: str) -> None:
        self._generation += 1
        self._reading.clear()  # reads under way may predate the change: later callers read again
        entry = self._by_id.pop(scenario_id, None)
        if entry and entry[1] and entry[1].hook_token:
            self._by_hook.pop(entry[1].hook_token, None)
        for token, (_, record) in list(self._by_hook.items()):
            if record is not None and record.id == scenario_id:
                del self._by_hook[token]

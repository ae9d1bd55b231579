"""Scenario records by id and by webhook token, kept briefly in memory.

The gateway and the workers read a scenario for every request and run; the
API invalidates an entry whenever it changes one, and entries expire after
``ttl`` seconds anyway (the engine may deactivate a scenario by itself).
"""

from __future__ import annotations

import time

from scenarist.store.ports import ScenarioRecord, Store


class ScenarioCache:
    def __init__(self, store: Store, ttl: float = 1.0) -> None:
        self._store = store
        self._ttl = ttl
        self._by_id: dict[str, tuple[float, ScenarioRecord | None]] = {}
        self._by_hook: dict[str, tuple[float, ScenarioRecord | None]] = {}

    async def get(self, account_id: str, scenario_id: str) -> ScenarioRecord | None:
        hit = self._by_id.get(scenario_id)
        if hit is not None and hit[0] > time.monotonic() and hit[1] and hit[1].account_id == account_id:
            return hit[1]
        record = await self._store.get_scenario(account_id, scenario_id)
        self._remember(record, None)
        return record

    async def by_hook(self, token: str) -> ScenarioRecord | None:
        hit = self._by_hook.get(token)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        record = await self._store.get_scenario_by_hook(token)
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
        entry = self._by_id.pop(scenario_id, None)
        if entry and entry[1] and entry[1].hook_token:
            self._by_hook.pop(entry[1].hook_token, None)
        for token, (_, record) in list(self._by_hook.items()):
            if record is not None and record.id == scenario_id:
                del self._by_hook[token]

"""``ScenarioCache``: what the gateway and the workers read for every request and run."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from scenarist.server.cache import ScenarioCache
from scenarist.store.memory import MemoryStore
from scenarist.store.ports import ScenarioRecord
from tests.store.store_records import scenario


class CountingStore(MemoryStore):
    """Counts the reads; each answers what was stored when it began, once ``gate`` is set (a slow read)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def get_scenario_by_hook(self, hook_token: str) -> ScenarioRecord | None:
        self.reads += 1
        found = await super().get_scenario_by_hook(hook_token)
        await self.gate.wait()
        return found

    async def get_scenario(self, account_id: str, scenario_id: str) -> ScenarioRecord | None:
        self.reads += 1
        found = await super().get_scenario(account_id, scenario_id)
        await self.gate.wait()
        return found


async def test_concurrent_misses_share_one_read() -> None:
    store = CountingStore()
    record = scenario(hook_token="tok")
    await store.put_scenario(record)
    cache = ScenarioCache(store)
    store.gate.clear()
    waiting = [asyncio.ensure_future(cache.by_hook("tok")) for _ in range(20)]
    waiting += [asyncio.ensure_future(cache.get(record.account_id, record.id)) for _ in range(20)]
    while store.reads < 2:
        await asyncio.sleep(0)
    store.gate.set()
    assert await asyncio.gather(*waiting) == [record] * 40
    assert store.reads == 2
    assert await cache.by_hook("tok") == record and await cache.get(record.account_id, record.id) == record
    assert store.reads == 2


async def test_a_read_under_way_when_the_scenario_changes_is_not_remembered() -> None:
    store = CountingStore()
    record = scenario(hook_token="tok")
    await store.put_scenario(record)
    cache = ScenarioCache(store, ttl=60)
    store.gate.clear()
    early = asyncio.ensure_future(cache.by_hook("tok"))
    while store.reads == 0:
        await asyncio.sleep(0)
    changed = replace(record, active=True)
    await store.put_scenario(changed)
    cache.invalidate(record.id)
    store.gate.set()
    assert await early == record
    assert await cache.by_hook("tok") == changed
    assert await cache.get(record.account_id, record.id) == changed


async def test_an_unknown_hook_is_remembered_as_unknown_until_it_expires() -> None:
    store = CountingStore()
    cache = ScenarioCache(store, ttl=60)
    assert await cache.by_hook("nope") is None
    assert await cache.by_hook("nope") is None
    assert store.reads == 1
